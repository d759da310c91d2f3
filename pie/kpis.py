"""The indicators of shared/METRICS.md. Pages, the CLI and the tests use this code.

`compute(source, scope)` returns every METRICS.md key for a scope (the funnel is
pie.programme.figures'). `source` is a `pie.db.Reader` or a DuckDB connection (tests pass a
connection to a small hand-made database).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
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


def _plain(key: str, value: object) -> int | float | None:
    """A JSON-ready number: ints for counts, floats for the rest, None for absent values."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if key in COUNT_KEYS:
        return int(value)
    if isinstance(value, Decimal):
        value = float(value)
    return round(float(value), 6) if key in RATE_KEYS else float(value)


def compute(source: Source, scope: Scope | None = None,
            as_of: date | None = None) -> dict[str, int | float | None]:
    """Every METRICS.md indicator for `scope`, keyed and ordered as in METRICS.md; with `as_of`,
    counted from the rows whose event date is on or before it (METRICS.md "As of")."""
    row = queries.run(source, "kpis/indicators", scope or Scope(), as_of=as_of).iloc[0]
    return {key: _plain(key, row[key]) for key in KEYS}


# Indicators counting days: shown whole (a median of 85 days is 85, never 85,0).
DAY_KEYS = frozenset({"median_days_to_decision"})


def format_indicator(key: str, value: object, language: str) -> str:
    """An indicator value as people read it in `language`: rates with one decimal (45,3 %),
    amounts in full (170 000 MAD), day counts whole, hours with one decimal, counts whole."""
    if key in RATE_KEYS:
        return i18n.fmt_percent(value, language)
    if key in AMOUNT_KEYS:
        return i18n.fmt_mad(value, language)
    if key in DAY_KEYS:
        return i18n.fmt_days(value, language)
    if key in DECIMAL_KEYS:
        return i18n.fmt_number(value, language, decimals=1)
    return i18n.fmt_number(value, language)


# ------------------------------------------------------------------------------ as of, year to date
# METRICS.md "Year to date": the data date T is the latest event date in the database; an
# academic year (1 September → 31 August) is in progress when T falls inside it, and is then
# compared with the previous year's cohorts as of T − 1 year.
def year_start(academic_year: str) -> date:
    """'2026-2027' → 1 September 2026."""
    return date(int(academic_year[:4]), 9, 1)


def year_end(academic_year: str) -> date:
    """'2026-2027' → 31 August 2027."""
    return date(int(academic_year[:4]) + 1, 8, 31)


def previous_academic_year(academic_year: str) -> str:
    """'2026-2027' → '2025-2026'."""
    start = int(academic_year[:4]) - 1
    return f"{start}-{start + 1}"


def year_earlier(day: date) -> date:
    """The same date one year earlier (29 February → 28 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def data_date(source: Source, scope: Scope | None = None) -> date | None:
    """T: the latest event date recorded in the database (a role's restriction applies, the
    filters do not); None when the database is empty."""
    value = queries.run(source, "programme/latest_date", scope or Scope()).iloc[0, 0]
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    return pd.Timestamp(value).date()


def in_progress(academic_year: str, on: date | None) -> bool:
    """Whether the data date `on` falls inside `academic_year`."""
    return on is not None and year_start(academic_year) <= on <= year_end(academic_year)


@dataclass(frozen=True)
class Period:
    """Which rows a comparison counts: an academic year's cohorts, as of a date (None: all rows)."""

    academic_year: str
    as_of: date | None


@dataclass(frozen=True)
class YearComparison:
    """An academic year against the previous one, like with like (METRICS.md "Year to date")."""

    current: Period
    previous: Period
    values: dict[str, int | float | None]
    previous_values: dict[str, int | float | None]

    @property
    def to_date(self) -> bool:
        """True when the current year is in progress, so both sides are cut at a date."""
        return self.current.as_of is not None


def compare_years(source: Source, scope: Scope, on: date | None = None) -> YearComparison:
    """The scope's academic year (required) against the previous year: for a year in progress
    at the data date T (`on`, default `data_date`), its cohorts as of T against the previous
    year's cohorts as of T − 1 year; for a finished year, both years whole."""
    if not scope.academic_year:
        raise ValueError("compare_years needs an academic year")
    on = on if on is not None else data_date(source, scope)
    previous_scope = scope.previous_year()
    if in_progress(scope.academic_year, on):
        current, previous = Period(scope.academic_year, on), Period(previous_scope.academic_year, year_earlier(on))
    else:
        current, previous = Period(scope.academic_year, None), Period(previous_scope.academic_year, None)
    return YearComparison(current, previous, compute(source, scope, as_of=current.as_of),
                          compute(source, previous_scope, as_of=previous.as_of))


# ------------------------------------------------------------------------------ targets
# METRICS.md "Targets": progress = actual ÷ target. A year in progress is judged against the
# expected value at T: target × the share of its final value the previous year's cohorts had
# reached at T − 1 year, or linear from 1 September when there is no previous year.
AHEAD, ON_PACE_FROM, MET, CLOSE = 1.1, 0.9, 1.0, 0.9
PACE_PREVIOUS_YEAR, PACE_LINEAR = "previous_year", "linear"


def linear_share(academic_year: str, on: date) -> float:
    """The share of the academic year elapsed on `on` (days since 1 September, that day
    included, ÷ days in the year), between 0 and 1."""
    start, end = year_start(academic_year), year_end(academic_year)
    elapsed = (min(max(on, start), end) - start).days + 1
    return elapsed / ((end - start).days + 1)


def pace_share(previous_at_date: int | float | None, previous_final: int | float | None,
               academic_year: str, on: date) -> tuple[float, str]:
    """(share of the final value expected at `on`, reference): the previous year's share at the
    same date when it has a final value, else the linear share of the year elapsed."""
    if previous_final:
        return min(float(previous_at_date or 0) / float(previous_final), 1.0), PACE_PREVIOUS_YEAR
    return linear_share(academic_year, on), PACE_LINEAR


def target_status(target: object, actual: object, expected: object = None, in_progress_year: bool = False) -> str:
    """ahead / on_pace / behind for a year in progress (actual ÷ expected), met / close /
    missed for a finished one (actual ÷ target); no_target without a target."""
    absent = lambda v: v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))  # noqa: E731
    if absent(target):
        return "no_target"
    actual = 0 if absent(actual) else actual
    if in_progress_year:
        if absent(expected) or expected <= 0:
            return "on_pace"        # nothing expected yet: not behind
        ratio = actual / expected
        return "ahead" if ratio >= AHEAD else "on_pace" if ratio >= ON_PACE_FROM else "behind"
    if target == 0:
        return "met"
    ratio = actual / target
    return "met" if ratio >= MET else "close" if ratio >= CLOSE else "missed"


def year_later(day: date) -> date:
    """The same date one year later (29 February → 28 February)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)
