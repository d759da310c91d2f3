"""The compact targets section of the Overview: one card per target metric, with the same
figures and statuses as the Regions page (pie.leadership.figures.targets_vs_actuals and totals,
judged against the expected pace while the year is in progress) and the reference stated."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from pie import i18n
from pie.leadership import figures as leadership
from pie.scope import Scope
from pie.ui import data, regions
from pie.ui.lang import language, number, percent, t


def _card(line: pd.Series, running: bool, on) -> None:
    status = line["status"]
    progress = percent(line["progress"], 0) if not pd.isna(line["progress"]) else number(None)
    if running:
        reached = t("overview.targets.of_expected", actual=number(line["actual"]), target=number(line["target"]),
                    expected=number(round(float(line["expected"]))), date=i18n.fmt_date(on, language()))
    else:
        reached = t("regions.card.progress.of", actual=number(line["actual"]), target=number(line["target"]))
    st.metric(t("overview.targets.card", metric=t(f"kpi.{line['metric']}")), progress, border=True, delta=t(f"leadership.status.{status}"),
              delta_color=regions.STATUS_DELTA_COLOURS[status], delta_arrow="off", delta_description=reached,
              help=t("overview.targets.card_help"))


def section(scope: Scope) -> None:
    """"Targets <year>" for the filtered year (else the latest year with targets in scope) and
    region: a card per metric that has a target (progress, status, actual / target), then how
    the statuses were judged. Nothing when no target exists in scope; a sentence instead of
    cards with an establishment filter (targets are regional)."""
    year, chosen = regions.targets_year(scope)
    if year is None:
        return
    st.header(t("overview.targets.title", year=year))
    if scope.establishment_id:
        st.info(t("regions.targets.establishment"), icon=":material/info:")
        return
    if not chosen:
        st.caption(t("overview.targets.latest_year", year=year))
    targets = data.ask(leadership.targets_vs_actuals, regions.with_year(scope, year))
    lines = leadership.totals(targets)
    running, on = bool(lines.attrs.get("in_progress")), lines.attrs.get("data_date")
    lines = lines[lines["target"].notna()]
    if lines.empty:
        st.info(t("regions.targets.none_year", year=year), icon=":material/info:")
        return
    for column, (_, line) in zip(st.columns(len(lines)), lines.iterrows()):
        with column:
            _card(line, running, on)
    st.caption(regions.pace_caption(targets) + " " + t("overview.targets.more"))
