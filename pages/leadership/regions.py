"""Regions: where does the PIE run, how many young people does it reach, is it on target?"""
import streamlit as st

from pie.leadership import charts as leadership_charts

from pie.leadership import figures as leadership
from pie.ui import data, layout, partner_views, regions
from pie.ui.cards import comparison, kpi_cards
from pie.ui.lang import language, md, t

CARDS = (("participants", "immersion_completed", "projects_financed", "companies_created"),)
MAP_HEIGHT = 640

scope = layout.open_page("regions")
target_year, year_chosen = regions.targets_year(scope)
in_scope = data.ask(leadership.regional_indicators, scope)

# 1. Headline figures of the scope
kpi_cards(CARDS, scope)
regions.more_cards(scope, in_scope, comparison(scope))

# 2. The map of the 12 regions, and the regions ranked by the map's indicator
st.header(t("regions.map.title"), anchor=False)
st.caption(t("regions.map.how"))
map_column, table_column = st.columns([3, 2], gap="medium")
with map_column:
    regions.keep_indicator_label()
    indicator = st.selectbox(t("regions.map.indicator"), leadership.MAP_INDICATORS, key="regions_indicator",
                             format_func=regions.metric_label)
    shown = regions.map_scope(scope, indicator, target_year)
    if shown != scope:
        st.info(t("regions.map.year_for_progress", year=shown.academic_year), icon=":material/info:")
    frame = data.ask(leadership.regional_indicators, shown)
    if indicator.startswith("progress_") and not frame[indicator].notna().any():
        st.info(t("regions.map.no_target"), icon=":material/info:")
    figure = regions.map_figure(shown, indicator, scope.region_code, MAP_HEIGHT)
    map_key = f"regions_map_{scope.region_code or 'all'}"
    layout.plotly_chart(figure, config=leadership_charts.MAP_CONFIG, theme=None, key=map_key,
                    on_select=regions.on_map_select(map_key), selection_mode="points")
    st.caption(t("leadership.credit"))
with table_column:
    if scope.region_code:
        st.markdown(md("regions.map.focus", region=regions.region_name(frame.iloc[0])))
        regions.clear_region_button()
        st.markdown(f"**{t('regions.focus.establishments')}**")
        regions.show_compact(regions.focus_establishments(data.ask(leadership.establishments_on_map, shown)))
    else:
        st.markdown(f"**{t('regions.ranking.title')}**")
        regions.show_compact(regions.ranking(frame, indicator))

st.markdown(f"**{t('regions.table.title')}**")
st.caption(t("regions.table.year", year=shown.academic_year) if shown.academic_year
           else t("regions.table.cumulative"))
layout.show_table(regions.regions_table(frame, indicator),
                  t("regions.table.file", year=shown.academic_year or t("regions.table.all_years")),
                  key="regions_table")

# 3. Rollout over time (every academic year, whatever the year filter)
st.header(t("regions.rollout.title"), anchor=False)
st.caption(t("regions.rollout.caption"))
rollout = data.ask(leadership.rollout, scope)
if len(rollout.by_year):
    layout.plotly_chart(layout.figure(leadership_charts.rollout_chart, rollout.by_year, language()), theme=None,
                    key="regions_rollout")
by_region, by_establishment = st.tabs([t("regions.rollout.by_region"), t("regions.rollout.by_establishment")])
with by_region:
    layout.show_table(regions.rollout_regions(rollout), t("regions.rollout.file"), key="regions_rollout")
with by_establishment:
    layout.show_table(regions.rollout_establishments(data.ask(leadership.establishments_on_map, regions.all_years(scope)),
                                                     rollout.launches),
                      t("regions.rollout.establishments_file"), key="regions_rollout_establishments")

# 4. Targets vs actuals of the chosen year (else the latest year with targets)
if target_year is None:
    st.header(t("regions.targets.title.none"), anchor=False)
    st.info(t("regions.targets.establishment") if scope.establishment_id else t("regions.targets.none"),
            icon=":material/info:")
else:
    previous = leadership.previous_year(target_year)
    st.header(t("regions.targets.title", year=target_year), anchor=False)
    if year_chosen:
        st.caption(t("regions.targets.chosen_year", year=target_year, previous=previous))
    else:
        st.info(t("regions.targets.latest_year", year=target_year, previous=previous), icon=":material/event:")
    targets = data.ask(leadership.targets_vs_actuals, regions.with_year(scope, target_year))
    if scope.establishment_id:
        st.info(t("regions.targets.establishment"), icon=":material/info:")
    elif not targets["target"].notna().any():
        st.info(t("regions.targets.none_year", year=target_year), icon=":material/info:")
    st.markdown(f"**{regions.totals_title(scope, in_scope)}**")
    layout.show_table(regions.totals_table(leadership.totals(targets), target_year),
                      t("regions.targets.totals_file", year=target_year), key="regions_totals")
    st.caption(regions.pace_caption(targets))
    metrics = regions.chart_metrics(targets)
    if metrics:
        metric = st.segmented_control(t("regions.targets.chart_metric"), metrics, default=metrics[0],
                                      format_func=lambda key: t(f"kpi.{key}"), key="regions_targets_metric")
        layout.plotly_chart(layout.figure(leadership_charts.progress_chart, targets, metric or metrics[0], language()),
                        theme=None, key="regions_progress")
    if scope.region_code is None:
        st.markdown(f"**{t('regions.targets.by_region')}**")
        st.caption(t("regions.targets.by_region.caption"))
        layout.show_table(regions.targets_table(targets, target_year),
                          t("regions.targets.file", year=target_year), key="regions_targets")

# 5. The partner banks side by side: figures per bank, never a decision or a client's row
st.header(t("regions.banks.title"), anchor=False)
banks = data.ask(leadership.banks_side_by_side, scope)
if banks.empty:
    st.info(t("regions.banks.none"), icon=":material/info:")
else:
    st.caption(t("regions.banks.caption"))
    layout.plotly_chart(layout.figure(leadership_charts.banks_chart, banks, language()), theme=None,
                        key="regions_banks")
    layout.show_table(partner_views.banks_side_by_side(banks), t("regions.banks.file"), key="regions_banks")

# 6. The report to forward
st.header(t("regions.report.title"), anchor=False)
regions.report_section(scope, regions.report_year(scope, target_year), regions.report_area(scope, in_scope))
