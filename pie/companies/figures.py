"""The figures of the Companies-and-jobs page: companies created, jobs, survival.

No Streamlit here: each figure is `function(source, scope, ...) -> DataFrame`, where `source` is
a `pie.db.Reader` or a DuckDB connection and `scope` a `pie.scope.Scope` (its role restriction
included); each runs one named query of queries/companies/. Pages ask for them through
`pie.ui.data.ask(figure, scope, ...)`.
"""
from __future__ import annotations

from datetime import date

import pandas as pd

from pie import queries
from pie.errors import PieError
from pie.queries import Source
from pie.scope import Scope


BREAKDOWNS = ("year", "region", "sector", "legal_form")


def by_group(source: Source, scope: Scope, breakdown: str = "all") -> pd.DataFrame:
    """Companies, jobs created and jobs now per group. `breakdown` is "all" (one row for the whole scope) or one of BREAKDOWNS.
    `revenue_mad` (revenue of the last 12 months of the active companies) is NaN in a group where
    none has reported one yet (n_with_revenue = 0)."""
    if breakdown not in ("all", *BREAKDOWNS):
        raise ValueError(f"unknown breakdown {breakdown!r}")
    frame = queries.run(source, "companies/by_group", scope, breakdown=breakdown)
    # The query sums to 0 where no active company has reported a revenue yet: that is "no data
    # yet", not a revenue of 0 MAD (NaN, shown as such).
    frame["revenue_mad"] = frame["revenue_mad"].astype("float64").where(frame["n_with_revenue"] > 0)
    return frame


def companies(source: Source, scope: Scope, focus_year: str | None = None, focus_region: str | None = None, focus_sector: str | None = None, focus_legal_form: str | None = None) -> pd.DataFrame:
    """Every company in scope (narrowed by the page's focus). A scope without row-level access
    (leadership: aggregates only) gets a PieError, never a company's row."""
    if not scope.row_level:
        raise PieError(key="scope.error.aggregates_only")
    return queries.run(source, "companies/companies", scope, focus_year=focus_year, focus_region=focus_region, focus_sector=focus_sector, focus_legal_form=focus_legal_form)


def survival(source: Source, scope: Scope, as_of: date | None = None) -> pd.DataFrame:
    """Companies still active 12 and 24 months after creation, per creation year, as of `as_of`
    (default today)."""
    return queries.run(source, "companies/survival", scope, as_of=as_of or date.today())
