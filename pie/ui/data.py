"""What pages read, cached.

One `Reader` per database path and process (`st.cache_resource`); every answer is cached
(`st.cache_data`) under the question's name, the scope, its parameters and the data version
of the current published snapshot, so an import is visible at the next click while repeated
clicks cost nothing. Pages call the functions below; they never see SQL or the Reader.
"""
from __future__ import annotations

import dataclasses
import threading
from typing import Callable

import pandas as pd
import streamlit as st

from pie import db, kpis
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
    return settings().db_path.exists()


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


@st.cache_data(show_spinner=False, max_entries=1000)
def _answer(question: str, scope_fields: tuple, params: tuple, data_version: str, db_path: str):
    # `data_version` is only part of the cache key: a new snapshot means new entries.
    return _QUESTIONS[question](_reader(db_path), Scope(*scope_fields), *params)


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


def clear_caches() -> None:
    """Forget every cached answer and Reader (tests switching databases use this)."""
    _answer.clear()
    _reader.clear()
