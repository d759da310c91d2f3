"""KPI cards: one st.metric per METRICS.md indicator, with a comparison under each figure.

With a year chosen, the comparison is with the previous academic year (same region and
establishment): counts and amounts show the change, medians and rates the other year's value
("vs 83 in 2024-2025"), never a difference. A year in progress at the data date T is compared
like with like: the previous year's cohorts as of T − 1 year (METRICS.md "Year to date").
With no year, the figures are cumulative and the comparison is what the cohorts of the latest
academic year contributed to them (to date, beside the previous year at the same date, when
that year is in progress). A caption above the cards says which.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Sequence

import streamlit as st

from pie import i18n, kpis
from pie.programme import figures as programme
from pie.scope import Scope
from pie.ui import data
from pie.ui.lang import indicator, language, md, percent, short_amount, short_indicator, signed, t

# Indicators where a rise is bad news (the delta is drawn red when it goes up).
RISE_IS_BAD = frozenset({"dropped", "portfolio_at_risk_30", "median_days_to_decision"})
# Compared by showing the other period's value, never a difference (METRICS.md "Year to date").
VALUE_KEYS = kpis.RATE_KEYS | {"median_days_to_decision"}


@dataclass(frozen=True)
class Comparison:
    """The figures each card is compared with, and how to say it."""

    kind: str  # "change" (vs the previous year) or "contribution" (of the latest year)
    year: str
    values: dict[str, int | float | None]
    # the date the compared period is cut at (a year in progress: T − 1 year for a change, T for
    # a contribution), None when whole
    at: date | None = None
    # a contribution of a year in progress: the previous year's contribution at the same date
    previous_year: str | None = None
    previous_values: dict[str, int | float | None] = field(default_factory=dict)

    def _when(self) -> str:
        """"in 2025-2026". For a period cut at a date, the cards' caption says the date once:
        repeated under each of four cards side by side it was cut short ("vs 2025-2026 au 15/…")."""
        return t("cards.in_year", year=self.year)

    def delta(self, key: str, value: int | float | None) -> dict[str, object]:
        """st.metric's delta arguments for indicator `key` whose figure is `value`."""
        other = self.values.get(key)
        if other is None or (self.kind == "change" and value is None):
            return {}
        quiet = {"delta_color": "off", "delta_arrow": "off"}
        if self.kind == "contribution" and key in VALUE_KEYS:
            # a share or a median does not add up over years: show the latest year's own value
            shown = percent(other) if key in kpis.RATE_KEYS else short_indicator(key, other)
            return {"delta": shown, **quiet, "delta_description": self._when()}
        if self.kind == "change" and key in VALUE_KEYS:
            # a median or a rate: the other year's value, not a difference
            return {"delta": t("cards.versus", value=short_indicator(key, other)), **quiet,
                    "delta_description": self._when()}
        change = value - other if self.kind == "change" else other
        if key in kpis.RATE_KEYS:
            text = t("unit.points", value=signed(change * 100, 1))
        elif key in kpis.AMOUNT_KEYS:
            text = short_amount(change, sign=True)
        elif key in kpis.DECIMAL_KEYS:
            text = signed(change, 1)
        else:
            text = signed(change)
        neutral = {}
        if not change:  # no change: no sign, no arrow, no colour
            text, neutral = text.lstrip("+"), quiet
        colour = {"delta_color": "inverse"} if key in RISE_IS_BAD else {}
        if self.kind == "change":
            description = t("cards.vs_year", year=self.year)  # the date, if any, is in the caption
        else:
            description = self._when()
            before = self.previous_values.get(key)
            if self.previous_year and before is not None and key not in VALUE_KEYS:
                # the caption says whose contribution the figure is and to which date: under the
                # card, last year's own figure at that date, short enough for a row of four
                description = t("cards.in_year_at_vs", year=self.previous_year, value=short_indicator(key, before))
        return {"delta": text, **colour, **neutral, "delta_description": description}


def comparison(scope: Scope) -> Comparison | None:
    """What the cards of `scope` are compared with (None when there is nothing to compare)."""
    previous = scope.previous_year()
    if previous is not None:
        compared = data.ask(kpis.compare_years, scope)
        if not compared.previous_values["participants"]:
            return None
        return Comparison("change", previous.academic_year, compared.previous_values, at=compared.previous.as_of)
    years = data.ask(programme.participants_by_year, scope)
    if years.empty:
        return None
    latest = str(years["academic_year"].iloc[-1])
    latest_scope = scope.with_filters(latest, scope.region_code, scope.establishment_id)
    compared = data.ask(kpis.compare_years, latest_scope)
    if compared.to_date:
        return Comparison("contribution", latest, compared.values, at=compared.current.as_of,
                          previous_year=compared.previous.academic_year, previous_values=compared.previous_values)
    return Comparison("contribution", latest, compared.values)


def _caption(scope: Scope, against: Comparison | None) -> str:
    if against is None and scope.academic_year:
        return md("cards.caption.no_previous", year=scope.academic_year,
                 previous=scope.previous_year().academic_year)
    if against is None:
        return t("cards.caption.cumulative")
    if against.kind == "change" and against.at is not None:
        return md("cards.caption.change_to_date", year=scope.academic_year, previous=against.year,
                  date=i18n.fmt_date(kpis.year_later(against.at), language()),
                  previous_date=i18n.fmt_date(against.at, language()))
    if against.kind == "change":
        return md("cards.caption.change", year=scope.academic_year, previous=against.year)
    if against.at is not None:
        return md("cards.caption.contribution_to_date", year=against.year, previous=against.previous_year,
                  date=i18n.fmt_date(against.at, language()))
    return md("cards.caption.contribution", year=against.year)


def _help(key: str, value: object) -> str:
    """The indicator's definition, plus the exact figure when the card shows it shortened."""
    definition = t(f"kpi.help.{key}")
    shown, exact = short_indicator(key, value), indicator(key, value)
    return definition if shown == exact else f"{definition}\n\n{t('cards.exact', value=exact)}"


def kpi_cards(rows: Sequence[Sequence[str]], scope: Scope) -> None:
    """One row of cards per item of `rows` (indicator keys) for `scope`, with their comparison."""
    values = data.indicators(scope)
    against = comparison(scope)
    st.caption(_caption(scope, against))
    width = max(len(row) for row in rows)
    for row in rows:
        for column, key in zip(st.columns(width), row):
            column.metric(t(f"kpi.{key}"), short_indicator(key, values[key]), border=True,
                          help=_help(key, values[key]),
                          **(against.delta(key, values[key]) if against else {}))


def share_cards(items: Sequence[tuple[str, int, int]], base_text: str) -> None:
    """One card per (indicator key, count, base) side by side: the count, and under it its
    share of `base` (`base_text` says of what, e.g. "of participants"). For figures a page
    narrows itself (a drill-down focus), where `kpi_cards`' comparison with other years does
    not apply."""
    for column, (key, count, base) in zip(st.columns(len(items)), items):
        share = {"delta": percent(count / base), "delta_color": "off", "delta_arrow": "off",
                 "delta_description": base_text} if base and key != "participants" else {}
        column.metric(t(f"kpi.{key}"), indicator(key, count), border=True, help=t(f"kpi.help.{key}"), **share)
