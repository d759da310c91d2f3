"""The `all` row of every by-group query is the KPI (METRICS.md), for every role and filter.

On the hand-made programme (tests/fixtures/small_programme.sql): each by-group answer's total
row must equal `kpis.compute` for the same scope, column by column where the two share a
meaning. A scope with nothing to group has no `all` row: its totals are then the empty
figures (counts and amounts 0, rates and medians null), as kpis.compute gives them.
"""
from __future__ import annotations

import itertools
import math

import pandas as pd
import pytest

from pie import db, kpis, queries
from pie.scope import Scope

ROLES = [("admin", None), ("manager", None), ("leadership", None), ("bank", "BOA"), ("bank", "CAM"),
         ("incubator", "MCISE"), ("incubator", "Technopark Agadir")]
YEARS = ["2021-2022", "2022-2023"]
REGIONS = ["09", "02", "06"]
ESTABLISHMENTS = ["E1", "E2", "E3"]
FILTERS = ([{}] + [{"academic_year": y} for y in YEARS] + [{"region_code": r} for r in REGIONS]
           + [{"establishment_id": e} for e in ESTABLISHMENTS]
           + [{"academic_year": y, "region_code": r} for y, r in itertools.product(YEARS, REGIONS)])

# query -> {column of its `all` row: METRICS.md key}; a null-when-empty figure is marked None
# in EMPTY below, the others are 0 when nothing is in scope
TOTALS = {
    "financing/by_group": {"approval_rate": "approval_rate", "approved_mad": "amount_approved_mad",
                           "disbursed_mad": "amount_disbursed_mad",
                           "median_days_to_decision": "median_days_to_decision",
                           "n_projects_financed": "projects_financed"},
    "financing/loan_health": {"portfolio_at_risk_30": "portfolio_at_risk_30"},
    "companies/by_group": {"companies_created": "companies_created", "companies_active": "companies_active",
                           "jobs_created": "jobs_created", "jobs_now": "jobs_now"},
}
PHASE_COMPLETED = {"awareness": "awareness_completed", "fundamentals": "fundamentals_completed",
                   "immersion": "immersion_completed"}
NULL_WHEN_EMPTY = {"approval_rate", "median_days_to_decision", "portfolio_at_risk_30"}


@pytest.fixture(scope="module")
def reader(small_db):
    return db.reader(small_db)


def _same(a: object, b: object) -> bool:
    if a is None or (isinstance(a, float) and math.isnan(a)) or a is pd.NA:
        return b is None or (isinstance(b, float) and math.isnan(b)) or b is pd.NA
    # kpis.compute gives rates rounded to 6 decimals (pie/kpis.py)
    return math.isclose(float(a), float(b), rel_tol=0, abs_tol=5e-7)


def _empty(key: str) -> object:
    return None if key in NULL_WHEN_EMPTY else 0


def _cases():
    for (role, code), filters in itertools.product(ROLES, FILTERS):
        yield pytest.param(role, code, filters, id=f"{role}:{code or ''}-{'-'.join(filters.values()) or 'all'}")


@pytest.mark.parametrize("role, code, filters", list(_cases()))
def test_all_rows_equal_the_kpis(reader, role, code, filters):
    """Test that the `all` row of each by-group answer equals kpis.compute for the same scope."""
    scope = Scope.for_role(role, code).with_filters(**filters)
    expected = kpis.compute(reader, scope)
    differences = []
    for name, columns in TOTALS.items():
        frame = queries.run(reader, name, scope, breakdown="all")
        assert len(frame) <= 1 and (frame.empty or frame["group_key"].iloc[0] == "all"), name
        for column, key in columns.items():
            got = frame[column].iloc[0] if len(frame) else _empty(key)
            if not _same(got, expected[key]):
                differences.append(f"{name}.{column}={got!r} vs {key}={expected[key]!r}")
    params = {k: None for k in queries.parameters("programme/phase_groups") - set(scope.parameters())}
    phases = queries.run(reader, "programme/phase_groups", scope, **params)
    total = phases[phases["breakdown"] == "all"].set_index("phase")
    for phase, key in PHASE_COMPLETED.items():
        got = total.loc[phase, "completed"] if phase in total.index else 0
        if not _same(got, expected[key]):
            differences.append(f"phase_groups[{phase}].completed={got!r} vs {key}={expected[key]!r}")
    for column, key in (("participants", "participants"), ("participants_dropped", "dropped")):
        got = total[column].iloc[0] if len(total) else 0
        if not _same(got, expected[key]):
            differences.append(f"phase_groups.{column}={got!r} vs {key}={expected[key]!r}")
    assert not differences, differences


@pytest.mark.parametrize("role, code, filters", list(_cases()))
def test_funnel_groups_add_up_to_the_funnel(reader, role, code, filters):
    """Test that, for every breakdown of the Funnel page's table (cohort groups: every step;
    gender and profile: the people steps), the groups' counts add up to the nested funnel's
    steps for the same scope — each participant and project is in exactly one group."""
    from pie.programme import figures as programme

    scope = Scope.for_role(role, code).with_filters(**filters)
    funnel = programme.funnel(reader, scope).set_index("key")["count"]
    differences = []
    for breakdown in (*programme.FUNNEL_BREAKDOWNS, *programme.FUNNEL_PEOPLE_BREAKDOWNS):
        frame = programme.funnel_by_group(reader, scope, breakdown)
        steps = [key for key in programme.FUNNEL_KEYS if key in frame.columns]
        assert len(steps) == (5 if breakdown in programme.FUNNEL_PEOPLE_BREAKDOWNS else 10), breakdown
        for key in steps:
            if int(frame[key].sum()) != funnel[key]:
                differences.append(f"{breakdown}.{key}={int(frame[key].sum())} vs funnel {funnel[key]}")
    assert not differences, differences


# leadership/banks_side_by_side: its every-bank row -> METRICS.md key
BANK_TOTALS = {"approval_rate": "approval_rate", "median_days_to_decision": "median_days_to_decision",
               "portfolio_at_risk_30": "portfolio_at_risk_30", "projects_financed": "projects_financed",
               "amount_approved_mad": "amount_approved_mad", "amount_disbursed_mad": "amount_disbursed_mad"}


@pytest.mark.parametrize("role, code, filters", list(_cases()))
def test_banks_side_by_side_total_equals_the_kpis(reader, role, code, filters):
    """Test that the banks side by side's every-bank row equals kpis.compute for the same scope,
    and that its per-bank decisions and amounts add up to it."""
    scope = Scope.for_role(role, code).with_filters(**filters)
    expected = kpis.compute(reader, scope)
    frame = queries.run(reader, "leadership/banks_side_by_side", scope)
    total, banks = frame[frame["is_total"]], frame[~frame["is_total"]]
    assert len(total) <= 1 and (total.empty or bool(frame["is_total"].iloc[-1]))
    differences = []
    for column, key in BANK_TOTALS.items():
        got = total[column].iloc[0] if len(total) else _empty(key)
        if not _same(got, expected[key]):
            differences.append(f"{column}={got!r} vs {key}={expected[key]!r}")
    for column in ("n_decisions", "amount_approved_mad", "amount_disbursed_mad", "outstanding_mad"):
        if len(total) and not _same(banks[column].sum(), total[column].iloc[0]):
            differences.append(f"sum of banks' {column} != the total's")
    assert not differences, differences
