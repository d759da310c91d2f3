"""Indicators of METRICS.md on the hand-made programme (tests/fixtures/small_programme.sql).

Every expected figure below was worked out by hand from the fixture's rows; the comments
say which rows make it.
"""
from __future__ import annotations

import pandas as pd
import pytest

from pie import db, kpis
from pie.programme import figures as programme
from pie.scope import Scope

# Whole programme.
EXPECTED_ALL = {
    "participants": 10,
    "women_share": 0.5,               # P01 P03 P05 P08 P09
    "awareness_completed": 8,         # all but P07 (dropped) and P10 (no row)
    "fundamentals_completed": 6,      # P01 P02 P03 P05 P06 P08
    "immersion_completed": 4,         # P01 P02 P05 P08
    "dropped": 3,                     # P03 (immersion) P04 (fundamentals) P07 (awareness)
    "projects": 3,
    "plans_submitted": 3,             # PR1 validated, PR2 rejected+validated, PR3 submitted
    "plans_validated": 2,             # PR1 PR2
    "projects_financed": 2,           # FD1 (BOA, PR1) FD2 (CAM, PR2)
    "amount_approved_mad": 170000.0,  # 120 000 + 50 000
    "amount_disbursed_mad": 150000.0, # 100 000 + 50 000
    "approval_rate": 0.5,             # 2 approved / (2 approved + 2 rejected); FD4 pending
    "median_days_to_decision": 25.0,  # FD1 30, FD2 40, FD3 10, FD5 20 days
    "projects_incubated": 2,          # PR1 (MCISE) PR2 (Technopark Agadir)
    "companies_created": 2,
    "jobs_created": 5,                # 3 + 2
    "coaching_hours": 11.0,           # 3.5 + 2 + 4 + 1.5
    "portfolio_at_risk_30": 0.6,      # latest FD1 60 000 at 45 days / (60 000 + FD2 40 000)
    "companies_active": 1,            # CO2's latest follow-up says closed
    "jobs_now": 5,                    # CO1's latest follow-up: 5 employees
}

# Cohorts of 2022-2023 (C2, C3): P05..P10, PR2 and PR3.
EXPECTED_2022_2023 = {
    "participants": 6, "women_share": 0.5, "awareness_completed": 4, "fundamentals_completed": 3,
    "immersion_completed": 2, "dropped": 1, "projects": 2, "plans_submitted": 2, "plans_validated": 1,
    "projects_financed": 1, "amount_approved_mad": 50000.0, "amount_disbursed_mad": 50000.0,
    "approval_rate": pytest.approx(1 / 3, abs=1e-6),  # FD2 approved; FD3, FD5 rejected
    "median_days_to_decision": 20.0,                   # 40, 10, 20
    "projects_incubated": 1, "companies_created": 1, "jobs_created": 2, "coaching_hours": 5.5,
    "portfolio_at_risk_30": 0.0, "companies_active": 0, "jobs_now": 0,
}

# Bank BOA: its decisions FD1 FD3 FD4 FD5, so projects PR1 PR2 PR3 and their members.
EXPECTED_BOA = {
    "participants": 5, "women_share": 0.6, "awareness_completed": 5, "fundamentals_completed": 5,
    "immersion_completed": 4, "dropped": 0, "projects": 3, "plans_submitted": 3, "plans_validated": 2,
    "projects_financed": 1, "amount_approved_mad": 120000.0, "amount_disbursed_mad": 100000.0,
    "approval_rate": pytest.approx(1 / 3, abs=1e-6),  # FD1 approved; FD3, FD5 rejected
    "median_days_to_decision": 20.0,                   # 30, 10, 20: CAM's FD2 is not BOA's
    "projects_incubated": 2, "companies_created": 2, "jobs_created": 5, "coaching_hours": 11.0,
    "portfolio_at_risk_30": 1.0,                       # only FD1, late
    "companies_active": 1, "jobs_now": 5,
}


@pytest.fixture(scope="module")
def source(small_db):
    return db.reader(small_db)


def test_every_metrics_key_is_computed(source):
    """Test that compute returns exactly the METRICS.md keys, in order."""
    assert tuple(kpis.compute(source)) == kpis.KEYS


def test_indicators_of_whole_programme(source):
    """Test that every indicator of the whole programme matches the hand count."""
    assert kpis.compute(source) == EXPECTED_ALL


def test_indicators_of_one_academic_year(source):
    """Test that the year filter selects cohorts, and what follows them."""
    assert kpis.compute(source, Scope(academic_year="2022-2023")) == EXPECTED_2022_2023


@pytest.mark.parametrize("region, participants, projects", [("09", 7, 2), ("02", 3, 1), ("06", 0, 0)])
def test_region_filter_uses_the_establishment_region(source, region, participants, projects):
    """Test that the region filter counts cohorts of establishments in that region."""
    values = kpis.compute(source, Scope(region_code=region))
    assert (values["participants"], values["projects"]) == (participants, projects)


def test_establishment_and_year_filters_combine(source):
    """Test that establishment E1 in 2022-2023 is cohort C2 only."""
    values = kpis.compute(source, Scope(academic_year="2022-2023", establishment_id="E1"))
    assert (values["participants"], values["projects"], values["projects_financed"]) == (3, 1, 1)


def test_bank_sees_only_its_own_decisions(source):
    """Test that a bank's scope counts only its decisions and the projects behind them."""
    assert kpis.compute(source, Scope.for_role("bank", "BOA")) == EXPECTED_BOA


def test_second_bank_scope(source):
    """Test that CAM sees PR2 only: one approved decision of 50 000 MAD after 40 days."""
    values = kpis.compute(source, Scope.for_role("bank", "CAM"))
    assert (values["projects"], values["participants"], values["approval_rate"],
            values["amount_approved_mad"], values["median_days_to_decision"]) == (1, 2, 1.0, 50000.0, 40.0)


def test_incubator_sees_only_its_projects(source):
    """Test that MCISE sees PR1 and its two members only."""
    values = kpis.compute(source, Scope.for_role("incubator", "MCISE"))
    assert (values["projects"], values["participants"], values["projects_incubated"],
            values["coaching_hours"]) == (1, 2, 1, 5.5)


def test_role_restriction_and_filters_combine(source):
    """Test that a bank scope narrowed to a year keeps the bank restriction."""
    values = kpis.compute(source, Scope.for_role("bank", "BOA").with_filters("2021-2022"))
    assert (values["projects"], values["projects_financed"], values["participants"]) == (1, 1, 2)


def test_filters_cannot_widen_a_role():
    """Test that with_filters keeps the role's bank and incubator restrictions."""
    scope = Scope.for_role("bank", "BOA").with_filters("2022-2023", "09", "E1")
    assert (scope.bank, scope.incubator, scope.parameters()["bank"]) == ("BOA", None, "BOA")


def test_empty_scope_gives_zeros_and_nulls(source):
    """Test that a scope with no cohort gives 0 counts and null rates, never an error."""
    values = kpis.compute(source, Scope(academic_year="2030-2031"))
    assert values["participants"] == 0 and values["amount_approved_mad"] == 0
    assert values["women_share"] is None and values["approval_rate"] is None
    assert values["median_days_to_decision"] is None and values["portfolio_at_risk_30"] is None


def test_funnel_steps_and_rates(source):
    """Test that the nested funnel (pie.programme.figures) has the METRICS.md steps, counts and
    same-unit rates: people P01–P10, awareness 8 (not P07, P10), fundamentals too 6 (not P04,
    P09), immersion too 4 (P01 P02 P05 P08), of whom in a project 4; projects PR1–PR3, each with
    a plan submitted, PR1 PR2 validated and financed (FD1, FD2), each a company (CO1, CO2)."""
    frame = programme.funnel(source)
    assert frame.key.tolist() == list(programme.FUNNEL_KEYS)
    assert frame["count"].tolist() == [10, 8, 6, 4, 4, 3, 3, 2, 2, 2]
    rates = frame.rate.tolist()
    assert rates[1:5] == pytest.approx([0.8, 0.75, 4 / 6, 1.0])
    assert pd.isna(rates[0]) and pd.isna(rates[5])        # first step of each unit: no rate
    assert rates[6:] == pytest.approx([1.0, 2 / 3, 1.0, 1.0])


def test_funnel_by_region(source):
    """Test that the region breakdown splits every step by region: Souss-Massa (C1, C2) P01–P07,
    all phases P01 P02 P05, each in a project, PR1 PR2 financed; Oriental (C3) P08–P10, P08."""
    frame = programme.funnel_by_group(source, None, "region").set_index("group_key")
    steps = ["participants", "completed_all_phases", "in_project", "financed"]
    assert frame.loc["09", steps].tolist() == [7, 3, 3, 2]
    assert frame.loc["02", steps].tolist() == [3, 1, 1, 0]
    assert frame.loc["09", "group_label"] == "Souss-Massa"


def test_funnel_by_gender_counts_people_steps(source):
    """Test that the gender breakdown counts people steps per gender (f: P01 P03 P05 P08 P09,
    all with awareness, all phases P01 P05 P08; m: P02 P04 P06 P07 P10, awareness P02 P04 P06,
    all phases P02) and has no project step (a project has no gender)."""
    frame = programme.funnel_by_group(source, None, "gender").set_index("group_key")
    steps = ["participants", "completed_awareness", "completed_all_phases"]
    assert frame.loc["f", steps].tolist() == [5, 5, 3]
    assert frame.loc["m", steps].tolist() == [5, 3, 1]
    assert "plan_validated" not in frame.columns and "projects" not in frame.columns


def test_sql_injection_in_filters_is_inert(source):
    """Test that a filter value made of SQL matches nothing and changes nothing."""
    values = kpis.compute(source, Scope(region_code="09' or '1'='1"))
    assert values["participants"] == 0
    assert kpis.compute(source)["participants"] == 10


# ------------------------------------------------------------------------------ as of, year to date
# Whole programme as of 31/05/2023 (METRICS.md "As of"), counted by hand from the fixture's dates.
EXPECTED_ALL_AS_OF_2023_05_31 = {
    **EXPECTED_ALL,
    "plans_submitted": 2,              # BP4 (PR3) was submitted on 01/06/2023
    "projects_financed": 1,            # FD2 (PR2) decided 11/06/2023: still pending
    "amount_approved_mad": 120000.0,   # FD1 only
    "amount_disbursed_mad": 100000.0,  # FD2 disbursed 15/06/2023
    "approval_rate": pytest.approx(1 / 3, abs=1e-6),  # FD1 approved; FD3 (13/04), FD5 (22/05) rejected
    "median_days_to_decision": 20.0,   # 30, 10, 20
    "projects_incubated": 1,           # PR2 entered pre-incubation on 20/06/2023
    "companies_created": 1,            # CO2 registered 01/07/2023
    "jobs_created": 3,
    "coaching_hours": 5.5,             # CS1 3.5 + CS2 2; CS3 (01/07) and CS4 (10/06) later
    "portfolio_at_risk_30": 0.0,       # FD1's follow-up of 31/12/2022: 90 000, 0 days late
    "companies_active": 1,             # CO1: no follow-up yet, register says active
    "jobs_now": 3,                     # CO1's jobs_created (no follow-up yet)
}

# 2022-2023 three and a half months in (20/01/2023), and 2021-2022 at the same date a year earlier.
EXPECTED_2022_2023_AS_OF_2023_01_20 = {
    "participants": 6, "women_share": 0.5,  # P05 P08 P09 of P05..P10
    "awareness_completed": 4,               # P05 P06 P08 P09
    "fundamentals_completed": 2,            # P05 P06 (20/01); P08 on 25/01
    "immersion_completed": 0, "dropped": 1,  # P07
    "projects": 0, "plans_submitted": 0, "plans_validated": 0, "projects_financed": 0,
    "amount_approved_mad": 0.0, "amount_disbursed_mad": 0.0, "approval_rate": None,
    "median_days_to_decision": None, "projects_incubated": 0, "companies_created": 0, "jobs_created": 0,
    "coaching_hours": 0.0, "portfolio_at_risk_30": None, "companies_active": 0, "jobs_now": 0,
}
EXPECTED_2021_2022_AS_OF_2022_01_20 = {
    **EXPECTED_2022_2023_AS_OF_2023_01_20,
    "participants": 4, "women_share": 0.5,   # P01 P03 of P01..P04
    "awareness_completed": 4,
    "fundamentals_completed": 3,             # P01 P02 P03 (15/01/2022)
    "immersion_completed": 0,                # completed 20/04/2022
    "dropped": 2,                            # P04 (fundamentals), P03 (immersion started 20/01/2022)
}


def test_as_of_cuts_every_indicator_at_its_event_date(source):
    """Test that --as-of counts only rows dated on or before the date, per METRICS.md "As of"."""
    from datetime import date
    assert kpis.compute(source, as_of=date(2023, 5, 31)) == EXPECTED_ALL_AS_OF_2023_05_31
    # the latest event (CO1 and CO2 follow-ups, 01/07/2024): as of then, nothing is cut
    assert kpis.compute(source, as_of=date(2024, 7, 1)) == EXPECTED_ALL
    assert kpis.compute(source, as_of=date(2020, 1, 1))["participants"] == 0


def test_year_in_progress_is_compared_at_the_same_date_a_year_earlier(source):
    """Test METRICS.md "Year to date": 2022-2023 on 20/01/2023 against 2021-2022 on 20/01/2022."""
    from datetime import date
    compared = kpis.compare_years(source, Scope(academic_year="2022-2023"), on=date(2023, 1, 20))
    assert compared.to_date
    assert (compared.current.as_of, compared.previous) == (
        date(2023, 1, 20), kpis.Period("2021-2022", date(2022, 1, 20)))
    assert compared.values == EXPECTED_2022_2023_AS_OF_2023_01_20
    assert compared.previous_values == EXPECTED_2021_2022_AS_OF_2022_01_20


def test_finished_year_is_compared_whole(source):
    """Test that a year the data date (01/07/2024) is past is compared whole with the previous."""
    compared = kpis.compare_years(source, Scope(academic_year="2022-2023"))
    assert not compared.to_date and compared.current.as_of is None and compared.previous.as_of is None
    assert compared.values == EXPECTED_2022_2023
    assert kpis.data_date(source).isoformat() == "2024-07-01"


def test_academic_year_dates():
    """Test the academic year's bounds, in-progress test and the same date a year earlier."""
    from datetime import date
    assert (kpis.year_start("2026-2027"), kpis.year_end("2026-2027")) == (date(2026, 9, 1), date(2027, 8, 31))
    assert kpis.in_progress("2026-2027", date(2026, 11, 30)) and not kpis.in_progress("2026-2027", date(2026, 8, 31))
    assert kpis.year_earlier(date(2028, 2, 29)) == date(2027, 2, 28)
    assert kpis.linear_share("2022-2023", date(2022, 9, 1)) == pytest.approx(1 / 365)
    assert kpis.linear_share("2022-2023", date(2023, 8, 31)) == 1.0


@pytest.mark.parametrize("target, actual, expected, running, status", [
    (10, 11, 10, True, "ahead"), (10, 9, 10, True, "on_pace"), (10, 8.9, 10, True, "behind"),
    (10, 0, 0, True, "on_pace"), (None, 3, None, True, "no_target"),
    (10, 10, None, False, "met"), (10, 9, None, False, "close"), (10, 8, None, False, "missed"),
])
def test_target_status(target, actual, expected, running, status):
    """Test ahead ≥ 110 % / on pace ≥ 90 % of expected in progress; met / close / missed after."""
    assert kpis.target_status(target, actual, expected, in_progress_year=running) == status
