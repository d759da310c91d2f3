"""Tables as users read them: translated headers, raw values, and how to format each column.

A `Table` keeps numbers as numbers (so st.dataframe sorts them as numbers and the CSV
download can be summed in Excel); `styled` gives the on-screen text of each cell through
pie.i18n, and pie.ui.downloads writes the CSV.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
from pandas.io.formats.style import Styler

from pie import kpis
from pie.i18n import EMPTY
from pie.ui.lang import label, number, percent, t

TEXT, COUNT, RATE = "text", "count", "rate"


@dataclass(frozen=True)
class Table:
    """`frame` has translated headers and raw values (what the CSV download holds); `kinds`
    maps each header to TEXT, COUNT or RATE (a fraction 0..1). When `views` is given, the
    screen shows one tab per view (view name -> its columns) instead of every column."""

    frame: pd.DataFrame
    kinds: dict[str, str]
    views: dict[str, list[str]] = field(default_factory=dict)

    def view(self, columns: list[str]) -> "Table":
        return Table(self.frame[columns], {c: self.kinds[c] for c in columns})


def _cell(kind: str):
    def show(value: object) -> str:
        if value is None or pd.isna(value):
            return EMPTY
        return percent(value) if kind == RATE else number(value) if kind == COUNT else str(value)
    return show


def styled(table: Table) -> Styler:
    """The table with each cell's text formatted for the session's language."""
    return table.frame.style.format({column: _cell(kind) for column, kind in table.kinds.items()})


def funnel_by_group(frame: pd.DataFrame, breakdown: str) -> Table:
    """kpis.funnel_by_group as a table: the group, then each step's count followed by its
    rate from the previous step of the same unit. On screen, two views: the rates (with the
    number of participants, for scale) and the counts; 15 columns do not fit side by side."""
    group_header = t(f"breakdown.{breakdown}")
    if "group_label" in frame.columns:
        groups = frame["group_label"]
    else:  # gender, profile: codes shown through their translation
        groups = frame["group_key"].map(lambda code: label(breakdown, code))
    columns: dict[str, pd.Series] = {group_header: groups}
    kinds = {group_header: TEXT}
    for step in kpis.FUNNEL_STEPS:
        if step.key not in frame.columns:
            continue
        header = t(f"kpi.{step.key}")
        columns[header], kinds[header] = frame[step.key].astype("int64"), COUNT
        if f"rate_{step.key}" in frame.columns:
            rate_header = t("table.rate_header", step=t(f"step.short.{step.key}"))
            columns[rate_header] = frame[f"rate_{step.key}"].astype("float64")
            kinds[rate_header] = RATE
    table = pd.DataFrame(columns)
    if breakdown == "academic_year":
        table = table.sort_values(group_header)
    first = list(kinds)[:2]  # the group and its first step (participants)
    views = {
        "rates": first + [c for c, kind in kinds.items() if kind == RATE],
        "counts": [c for c, kind in kinds.items() if kind != RATE],
    }
    return Table(table.reset_index(drop=True), kinds, views)


def yearly(frame: pd.DataFrame, series: tuple[str, ...]) -> Table:
    """queries/programme/participants_by_year.sql as a table, one row per academic year."""
    year_header = t("breakdown.academic_year")
    columns: dict[str, pd.Series] = {year_header: frame["academic_year"]}
    kinds = {year_header: TEXT}
    for key in series:
        header = t(f"kpi.{key}")
        columns[header], kinds[header] = frame[key].astype("int64"), COUNT
    return Table(pd.DataFrame(columns).reset_index(drop=True), kinds)
