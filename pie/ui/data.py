"""What pages read, cached.

One `Reader` per database path and process (`st.cache_resource`); every answer is cached
(`st.cache_data`) under the question's name, the scope, its parameters and the data version
of the current published snapshot, so an import is visible at the next click while repeated
clicks cost nothing. Pages call the functions below; they never see SQL or the Reader.
"""
from __future__ import annotations

import concurrent.futures
import dataclasses
import pickle
import threading
from datetime import date
from typing import Callable

import pandas as pd
import streamlit as st

from pie import db, kpis, leadership, partners, programme, quality
from pie.config import settings
from pie.scope import Scope


@st.cache_resource(show_spinner=False)
def _reader(db_path: str) -> db.Reader:
    return db.reader(db_path)


def reader() -> db.Reader:
    """The Reader of the configured database (PIE_DB)."""
    return _reader(str(settings().db_path))


@st.cache_resource(show_spinner=False)
def _demo_lock() -> threading.Lock:
    return threading.Lock()


def database_exists() -> bool:
    """False only when a demo should be built: never in a PIE_READ_ONLY process (it reads the
    published snapshots, and says so when there is none)."""
    return settings().read_only or settings().db_path.exists()


def build_demo_database(build: Callable[..., object], progress: Callable[[str, float], None]) -> None:
    """Build the demo database with `build` (pie.demo.build_demo) unless another session of
    this process did it meanwhile."""
    with _demo_lock():
        if database_exists():
            return
        build(settings().db_path, participants=settings().demo_participants, progress=progress)


# Each question: how to answer it from a Reader, a Scope and its parameters.
def _funnel(source: db.Reader, scope: Scope) -> pd.DataFrame:
    return kpis.funnel(source, scope, indicators=indicators(scope))


_QUESTIONS: dict[str, Callable[..., object]] = {
    "indicators": kpis.compute,
    "funnel": _funnel,
    "funnel_by_group": kpis.funnel_by_group,
    "participants_by_year": lambda source, scope: source.query("programme/participants_by_year", scope),
    "academic_years": lambda source, scope: source.query("filters/academic_years", scope),
    "regions": lambda source, scope: source.query("filters/regions", scope),
    "establishments": lambda source, scope: source.query("filters/establishments", scope, region=None),
    "meta": lambda source, scope: source.meta(),
}


# Answers being computed, by cache key: after an import (a new data version) every session
# misses the cache at once, and st.cache_data would let each of them run the same queries.
_in_flight: dict[tuple, concurrent.futures.Future] = {}
_in_flight_lock = threading.Lock()


@st.cache_data(show_spinner=False, max_entries=1000)
def _answer(question: str, scope_fields: tuple, params: tuple, data_version: str, db_path: str):
    # `data_version` is only part of the cache key: a new snapshot means new entries.
    return _single_flight((question, scope_fields, params, data_version, db_path),
                          lambda: _QUESTIONS[question](_reader(db_path), Scope(*scope_fields), *params))


def _single_flight(key: tuple, compute: Callable[[], object]) -> object:
    """compute() once for concurrent callers of the same key: the first computes, the others
    wait for it and get their own copy (callers may change what they get)."""
    with _in_flight_lock:
        flight = _in_flight.get(key)
        leader = flight is None
        if leader:
            flight = _in_flight[key] = concurrent.futures.Future()
    if not leader:
        return pickle.loads(pickle.dumps(flight.result()))
    try:
        answer = compute()
    except BaseException as error:
        flight.set_exception(error)
        raise
    else:
        flight.set_result(answer)
        return answer
    finally:
        with _in_flight_lock:
            _in_flight.pop(key, None)


def _ask(question: str, scope: Scope | None = None, *params: object):
    source = reader()
    return _answer(question, dataclasses.astuple(scope or Scope()), params, source.data_version(),
                   str(source.db_path))


def indicators(scope: Scope) -> dict[str, int | float | None]:
    """Every METRICS.md indicator for `scope` (kpis.compute)."""
    return _ask("indicators", scope)


def funnel(scope: Scope) -> pd.DataFrame:
    """The funnel steps for `scope`: key, unit, count, rate (kpis.funnel)."""
    return _ask("funnel", scope)


def funnel_by_group(scope: Scope, breakdown: str) -> pd.DataFrame:
    """The funnel steps per group of `breakdown` (kpis.funnel_by_group)."""
    return _ask("funnel_by_group", scope, breakdown)


def participants_by_year(scope: Scope) -> pd.DataFrame:
    """Participants, immersion completed and projects per academic year, oldest first (the
    scope's year is ignored so the trend shows every year)."""
    return _ask("participants_by_year", scope)


@dataclasses.dataclass(frozen=True)
class FilterOptions:
    """What the sidebar filters offer: years newest first, regions where the PIE runs,
    establishments that have a cohort (with their region)."""

    years: list[str]
    regions: pd.DataFrame
    establishments: pd.DataFrame


def filter_options() -> FilterOptions:
    regions = _ask("regions")
    return FilterOptions(
        years=list(_ask("academic_years")["academic_year"]),
        regions=regions[regions["has_cohorts"]].reset_index(drop=True),
        establishments=_ask("establishments"),
    )


def is_demo() -> bool:
    """True when the database is a synthetic demo (app_meta is_demo)."""
    return _ask("meta").get("is_demo") == "true"


# ------------------------------------------------------------------------------ leadership (regions page)
_QUESTIONS.update({
    "regional_indicators": leadership.regional_indicators,
    "targets_vs_actuals": leadership.targets_vs_actuals,
    "rollout": leadership.rollout,
    "establishments_on_map": leadership.establishments_on_map,
    "target_years": leadership.target_years,
})


def regional_indicators(scope: Scope) -> pd.DataFrame:
    """One row per region in scope with its headline figures, reach and (with a year) targets
    and progress (leadership.regional_indicators)."""
    return _ask("regional_indicators", scope)


def targets_vs_actuals(scope: Scope) -> pd.DataFrame:
    """Each target metric by region for the scope's academic year (required):
    target, actual, previous_actual, change, progress, status (leadership.targets_vs_actuals)."""
    return _ask("targets_vs_actuals", scope)


def rollout(scope: Scope) -> leadership.Rollout:
    """Participants per region and academic year, and when each region launched the PIE
    (leadership.rollout; the scope's year is ignored)."""
    return _ask("rollout", scope)


def establishments_on_map(scope: Scope) -> pd.DataFrame:
    """Establishments where the PIE runs in scope, with launch date, participants and
    coordinates (leadership.establishments_on_map)."""
    return _ask("establishments_on_map", scope)


def target_years(scope: Scope) -> list[str]:
    """Academic years with targets in scope (its year ignored), newest first."""
    return _ask("target_years", scope)


@st.cache_data(show_spinner=False, max_entries=24)
def _report(year: str, region: str | None, language: str, data_version: str, db_path: str) -> bytes:
    from pie.report import report_pdf  # WeasyPrint and kaleido load only when a report is asked for

    return report_pdf(db_path, year, region, language)


def report_pdf(year: str, region: str | None, language: str) -> bytes:
    """The leadership report (PDF bytes) of `year` for `region` (None: the country) in
    `language`, built once per data version and shared by every session (it takes seconds)."""
    source = reader()
    return _report(year, region, language, source.data_version(), str(source.db_path))


# ------------------------------------------------------------------------------ programme (phases, follow-up)
_QUESTIONS.update({
    "phase_groups": lambda source, scope, focus: programme.phase_groups(source, scope, programme.Focus(*focus)),
    "reference_date": lambda source, scope, today: programme.reference_date(source, scope, today),
    "idle_participants": programme.idle_participants,
    "plans_to_review": programme.plans_to_review,
    "plans_without_decision": programme.plans_without_decision,
    "loans_not_disbursed": programme.loans_not_disbursed,
})


def phase_groups(scope: Scope, focus: programme.Focus = programme.Focus()) -> pd.DataFrame:
    """Progress through the phases for every breakdown and group at once, narrowed by `focus`
    (programme.phase_groups; slice it with programme.phase_by_group / completion_within)."""
    return _ask("phase_groups", scope, dataclasses.astuple(focus))


def reference_date(scope: Scope) -> date:
    """Today, or the latest date in the data when earlier (programme.reference_date)."""
    return _ask("reference_date", scope, date.today())


def idle_participants(scope: Scope, idle_days: int, as_of: date, phase: str | None = None) -> pd.DataFrame:
    """Participants in progress with no activity for `idle_days` days (programme.idle_participants;
    contact columns only when the scope allows personal data)."""
    return _ask("idle_participants", scope, idle_days, as_of, phase)


def plans_to_review(scope: Scope, as_of: date) -> pd.DataFrame:
    """Plans submitted and not reviewed yet (programme.plans_to_review)."""
    return _ask("plans_to_review", scope, as_of)


def plans_without_decision(scope: Scope, as_of: date) -> pd.DataFrame:
    """Validated plans with no bank decision (programme.plans_without_decision)."""
    return _ask("plans_without_decision", scope, as_of)


def loans_not_disbursed(scope: Scope, as_of: date) -> pd.DataFrame:
    """Approved decisions not disbursed yet (programme.loans_not_disbursed)."""
    return _ask("loans_not_disbursed", scope, as_of)


def follow_up_lists(scope: Scope, idle_days: int, as_of: date, phase: str | None = None) -> dict[str, pd.DataFrame]:
    """The four follow-up lists, by name (programme_charts.FOLLOW_UP_LISTS order): participants,
    to_review, without_decision, not_disbursed."""
    return {
        "participants": idle_participants(scope, idle_days, as_of, phase),
        "to_review": plans_to_review(scope, as_of),
        "without_decision": plans_without_decision(scope, as_of),
        "not_disbursed": loans_not_disbursed(scope, as_of),
    }


def follow_up_by_establishment(scope: Scope, idle_days: int, as_of: date, phase: str | None = None) -> pd.DataFrame:
    """Items of each follow-up list per establishment, busiest first (programme.follow_up_by_establishment)."""
    return _ask("follow_up_by_establishment", scope, idle_days, as_of, phase)


_QUESTIONS["follow_up_by_establishment"] = lambda source, scope, idle_days, as_of, phase: (
    programme.follow_up_by_establishment(follow_up_lists(scope, idle_days, as_of, phase)))



# ------------------------------------------------------------------------------ partners (financing, incubation, companies)
_QUESTIONS.update({
    name: lambda source, scope, *pairs, name=name: partners.answer(name, source, scope, **dict(pairs))
    for name in partners.QUESTIONS
})


def partner(question: str, scope: Scope, **params: object) -> pd.DataFrame:
    """The answer of pie.partners question `question` (e.g. "financing/pipeline") for `scope`,
    with its own parameters (breakdown, focus values, reference date)."""
    return _ask(question, scope, *sorted(params.items()))

def clear_caches() -> None:
    """Forget every cached answer and Reader (tests switching databases use this)."""
    _answer.clear()
    _report.clear()
    _reader.clear()


# Data quality (pages/admin/data_quality.py): one question per pie.quality check.
_QUESTIONS.update({
    "quality": lambda source, scope, key, as_of: quality.run(
        source, next(c for c in quality.CHECKS if c.key == key), scope, as_of),
})


def quality_check(scope: Scope, check: "quality.Check", as_of: date) -> pd.DataFrame:
    """The rows failing one data-quality check in `scope` at `as_of`."""
    return _ask("quality", scope, check.key, as_of)
