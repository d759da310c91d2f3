"""KPI cards: one st.metric per METRICS.md indicator, with a comparison under each figure.

With a year chosen, the comparison is the change since the previous academic year (same
region and establishment). With no year, the figures are cumulative and the comparison is
what the cohorts of the latest academic year contributed to them. A caption above the
cards says which.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import streamlit as st

from pie import kpis
from pie.programme import figures as programme
from pie.scope import Scope
from pie.ui import data
from pie.ui.lang import indicator, md, percent, short_amount, short_indicator, signed, t

# Indicators where a rise is bad news (the delta is drawn red when it goes up).
RISE_IS_BAD = frozenset({"dropped", "portfolio_at_risk_30", "median_days_to_decision"})


@dataclass(frozen=True)
class Comparison:
    """The figures each card is compared with, and how to say it."""

    kind: str  # "change" (vs the previous year) or "contribution" (of the latest year)
    year: str
    values: dict[str, int | float | None]

    def delta(self, key: str, value: int | float | None) -> dict[str, object]:
        """st.metric's delta arguments for indicator `key` whose figure is `value`."""
        other = self.values.get(key)
        if other is None or (self.kind == "change" and value is None):
            return {}
        if self.kind == "contribution" and key in kpis.RATE_KEYS:
            # a share does not add up over years: show the latest year's own share
            return {"delta": percent(other), "delta_color": "off", "delta_arrow": "off",
                    "delta_description": t("cards.in_year", year=self.year)}
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
            text, neutral = text.lstrip("+"), {"delta_color": "off", "delta_arrow": "off"}
        colour = {"delta_color": "inverse"} if key in RISE_IS_BAD else {}
        description = "cards.vs_year" if self.kind == "change" else "cards.in_year"
        return {"delta": text, **colour, **neutral, "delta_description": t(description, year=self.year)}


def comparison(scope: Scope) -> Comparison | None:
    """What the cards of `scope` are compared with (None when there is nothing to compare)."""
    previous = scope.previous_year()
    if previous is not None:
        values = data.indicators(previous)
        return Comparison("change", previous.academic_year, values) if values["participants"] else None
    years = data.ask(programme.participants_by_year, scope)
    if years.empty:
        return None
    latest = str(years["academic_year"].iloc[-1])
    latest_scope = scope.with_filters(latest, scope.region_code, scope.establishment_id)
    return Comparison("contribution", latest, data.indicators(latest_scope))


def _caption(scope: Scope, against: Comparison | None) -> str:
    if against is None and scope.academic_year:
        return md("cards.caption.no_previous", year=scope.academic_year,
                 previous=scope.previous_year().academic_year)
    if against is None:
        return t("cards.caption.cumulative")
    if against.kind == "change":
        return md("cards.caption.change", year=scope.academic_year, previous=against.year)
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
