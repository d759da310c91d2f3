"""The compact targets section of the Overview: the national (or the filtered region's) line of
each target metric, with the same figures and statuses as the Regions page (its table:
pie.leadership.figures.targets_vs_actuals and totals, judged against the expected pace while
the year is in progress), and the reference stated."""
from __future__ import annotations

import streamlit as st

from pie.leadership import figures as leadership
from pie.scope import Scope
from pie.ui import data, layout, regions
from pie.ui.lang import t


def section(scope: Scope) -> None:
    """"Targets <year>" for the filtered year (else the latest year with targets in scope) and
    region: one row per metric that has a target (target, actual, progress, the value expected
    at the data date for a year in progress, status, the previous year), as the Regions page's
    totals, then how the statuses were judged. Nothing when no target exists in scope; a
    sentence instead with an establishment filter (targets are regional)."""
    year, chosen = regions.targets_year(scope)
    if year is None:
        return
    st.header(t("overview.targets.title", year=year), anchor=False)
    if scope.establishment_id:
        st.info(t("regions.targets.establishment"), icon=":material/info:")
        return
    if not chosen:
        st.caption(t("overview.targets.latest_year", year=year))
    targets = data.ask(leadership.targets_vs_actuals, regions.with_year(scope, year))
    lines = leadership.totals(targets)
    with_target = lines[lines["target"].notna()]
    if with_target.empty:
        st.info(t("regions.targets.none_year", year=year), icon=":material/info:")
        return
    with_target.attrs.update(lines.attrs)
    layout.show_table(regions.totals_table(with_target, year), t("regions.targets.totals_file", year=year),
                      key="overview_targets")
    st.caption(regions.pace_caption(targets) + " " + t("overview.targets.more"))
