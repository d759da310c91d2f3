"""The indicators of shared/METRICS.md. Pages, the CLI and the tests use this code.

`compute(source, scope)` returns every METRICS.md key for a scope; `funnel(source, scope)`
the programme funnel in its METRICS.md order. `source` is a `pie.db.Reader` or a DuckDB
connection (tests pass a connection to a small hand-made database).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd

from pie import i18n, queries
from pie.queries import Source
from pie.scope import Scope

# METRICS.md keys, in its order (the keys of `python -m pie kpis --json`).
KEYS = (
    "participants", "women_share", "awareness_completed", "fundamentals_completed",
    "immersion_completed", "dropped", "projects", "plans_submitted", "plans_validated",
    "projects_financed", "amount_approved_mad", "amount_disbursed_mad", "approval_rate",
    "median_days_to_decision", "projects_incubated", "companies_created", "jobs_created",
    "coaching_hours", "portfolio_at_risk_30", "companies_active", "jobs_now",
)
RATE_KEYS = frozenset({"women_share", "approval_rate", "portfolio_at_risk_30"})
AMOUNT_KEYS = frozenset({"amount_approved_mad", "amount_disbursed_mad"})
DECIMAL_KEYS = frozenset({"median_days_to_decision", "coaching_hours"})
COUNT_KEYS = frozenset(KEYS) - RATE_KEYS - AMOUNT_KEYS - DECIMAL_KEYS

# Funnel steps (METRICS.md "Funnel"), with the unit each counts.
PEOPLE, PROJECTS = "people", "projects"


@dataclass(frozen=True)
class FunnelStep:
    key: str
    unit: str


FUNNEL_STEPS = (
    FunnelStep("participants", PEOPLE),
    FunnelStep("awareness_completed", PEOPLE),
    FunnelStep("fundamentals_completed", PEOPLE),
    FunnelStep("immersion_completed", PEOPLE),
    FunnelStep("project_members", PEOPLE),
    FunnelStep("plans_validated", PROJECTS),
    FunnelStep("projects_financed", PROJECTS),
    FunnelStep("companies_created", PROJECTS),
)
FUNNEL_KEYS = tuple(step.key for step in FUNNEL_STEPS)



def _plain(key: str, value: object) -> int | float | None:
    """A JSON-ready number: ints for counts, floats for the rest, None for absent values."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if key in COUNT_KEYS:
        return int(value)
    if isinstance(value, Decimal):
        value = float(value)
    return round(float(value), 6) if key in RATE_KEYS else float(value)


def compute(source: Source, scope: Scope | None = None) -> dict[str, int | float | None]:
    """Every METRICS.md indicator for `scope`, keyed and ordered as in METRICS.md."""
    row = queries.run(source, "kpis/indicators", scope or Scope()).iloc[0]
    return {key: _plain(key, row[key]) for key in KEYS}


def funnel(source: Source, scope: Scope | None = None,
           indicators: dict[str, int | float | None] | None = None) -> pd.DataFrame:
    """The funnel: one row per step (key, unit, count, rate = count ÷ previous step of the same
    unit, None for the first step of each unit or when the previous step is 0)."""
    scope = scope or Scope()
    values = dict(indicators or compute(source, scope))
    values["project_members"] = int(queries.run(source, "programme/project_members", scope).iloc[0, 0])
    return funnel_frame([values[key] for key in FUNNEL_KEYS])


def funnel_frame(counts: list[int]) -> pd.DataFrame:
    """Funnel rows for step counts in FUNNEL_STEPS order, with step-to-step rates."""
    rows = []
    previous: FunnelStep | None = None
    for step, count in zip(FUNNEL_STEPS, counts):
        rate = None
        if previous is not None and previous.unit == step.unit and rows[-1]["count"]:
            rate = count / rows[-1]["count"]
        rows.append({"key": step.key, "unit": step.unit, "count": int(count), "rate": rate})
        previous = step
    return pd.DataFrame(rows)


def funnel_by_group(source: Source, scope: Scope | None,
                    breakdown: str) -> pd.DataFrame:
    """Funnel steps per group: `breakdown` is region, establishment, cohort or academic_year
    (all steps), or gender or profile (people steps only). Adds `rate_<step>` columns: the
    step ÷ the previous step of the same unit."""
    scope = scope or Scope()
    if breakdown in ("gender", "profile"):
        frame = queries.run(source, "programme/funnel_people_by_group", scope, breakdown=breakdown)
        steps = [s for s in FUNNEL_STEPS if s.key in frame.columns]
    elif breakdown in ("region", "establishment", "cohort", "academic_year"):
        frame = queries.run(source, "programme/funnel_by_group", scope, breakdown=breakdown)
        steps = list(FUNNEL_STEPS)
    else:
        raise ValueError(f"unknown breakdown {breakdown!r}")
    for previous, step in zip(steps, steps[1:]):
        if previous.unit == step.unit:
            denominator = frame[previous.key].astype("float64").where(frame[previous.key] > 0)
            frame[f"rate_{step.key}"] = frame[step.key] / denominator
    return frame


def format_indicator(key: str, value: object, language: str) -> str:
    """An indicator value as people read it in `language`."""
    if key in RATE_KEYS:
        return i18n.fmt_percent(value, language)
    if key in AMOUNT_KEYS:
        return i18n.fmt_mad(value, language)
    if key in DECIMAL_KEYS:
        return i18n.fmt_number(value, language, decimals=1)
    return i18n.fmt_number(value, language)
