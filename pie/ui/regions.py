"""The pieces of the Regions page (leadership): its extra cards, tables, the map's click and
the PDF report button. Figures come from pie.leadership through pie.ui.data; this module only
arranges them for the screen, in the session's language.

A click on a region of the map selects it for the whole dashboard: the chart's `on_select`
callback sets the sidebar's region filter. It must be a callback: the sidebar's selectbox
is drawn before the page runs, and Streamlit refuses a change to a drawn widget's value
during the run (a callback runs before the next run, when that is allowed).
"""
from __future__ import annotations

import dataclasses
import functools
from typing import Callable

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from pie import charts, codes, i18n, kpis
from pie.leadership import charts as leadership_charts
from pie.leadership import figures as leadership
from pie.errors import PieError
from pie.leadership.charts import indicator_label
from pie.scope import Scope
from pie.ui import choice, data, filters, session, tables
from pie.ui.cards import Comparison
from pie.ui.lang import error_text, language, md, number, percent, signed, t
from pie.ui.tables import COUNT, DATE, DECIMAL, RATE, SIGNED, TEXT, Table

REGION_CODES = frozenset(codes.REGION_CODES)
N_REGIONS = len(REGION_CODES)
# The headline figures of each region, in the order tables show them (reach after participants).
HEADLINE = ("participants", "reach_per_10k", "immersion_completed", "plans_validated",
            "projects_financed", "companies_created")
# Light backgrounds for a status cell (dark text stays readable on each).
STATUS_BACKGROUNDS = {"ahead": "#CDEBD6", "on_pace": "#CDEBD6", "met": "#CDEBD6", "close": "#FBEFC5",
                      "behind": "#F6D4CF", "missed": "#F6D4CF", "no_target": "#ECEEF1"}
# st.metric delta colours for a status.
STATUS_DELTA_COLOURS = {"ahead": "green", "on_pace": "green", "met": "green", "close": "orange",
                        "behind": "red", "missed": "red", "no_target": "gray"}
REPORT_KEY = "_regions_report_request"
INDICATOR_KEY = "regions_indicator"  # the map's "colour by" select box
COMPACT_ROW_PX, COMPACT_HEADER_PX = 35, 38


# ------------------------------------------------------------------------------ names and years
def region_name(row: pd.Series) -> str:
    return row["name_ar"] if language() == "ar" else row["name_fr"]


def _names(frame: pd.DataFrame) -> pd.Series:
    return frame["name_ar" if language() == "ar" else "name_fr"]


def metric_label(key: str) -> str:
    """The title of an indicator of this page (a kpi, reach or a progress), translated."""
    return indicator_label(key, language())


def keep_indicator_label() -> None:
    """Before the map's "colour by" select box (key regions_indicator): after a language
    switch, it shows its choice in the new language (pie.ui.choice.keep_label)."""
    # before the box's first drawing it shows its first option: remember that label too
    choice.keep_label(INDICATOR_KEY, metric_label(st.session_state.get(INDICATOR_KEY, leadership.MAP_INDICATORS[0])))


def column_label(key: str) -> str:
    """The same, short enough for a table header."""
    if key == "reach_per_10k":
        return t("report.col.reach")
    if key.startswith("progress_"):
        return t("regions.col.progress_of", metric=t(f"kpi.{key.removeprefix('progress_')}"))
    return t(f"kpi.{key}")


def targets_year(scope: Scope) -> tuple[str | None, bool]:
    """The academic year whose targets the page compares with, and whether the user chose it:
    the filter's year, else the latest year with targets in scope (None when there is none)."""
    if scope.academic_year:
        return scope.academic_year, True
    years = data.ask(leadership.target_years, scope)
    return (years[0] if years else None), False


def map_scope(scope: Scope, indicator: str, target_year: str | None) -> Scope:
    """The scope the map and the ranking show: a progress needs a year, so without a chosen
    year a progress indicator shows the targets year (the page says so)."""
    if indicator.startswith("progress_") and not scope.academic_year and target_year:
        return with_year(scope, target_year)
    return scope


def with_year(scope: Scope, year: str | None) -> Scope:
    """`scope` with another academic year (None: every year); the rest of it unchanged."""
    return scope.with_filters(year, scope.region_code, scope.establishment_id)


def pace_caption(targets: pd.DataFrame) -> str:
    """How the targets of `targets` (targets_vs_actuals) are judged, with the reference used."""
    year, on = targets.attrs.get("academic_year"), targets.attrs.get("data_date")
    if not targets.attrs.get("in_progress"):
        return t("report.targets.rule")
    previous = leadership.previous_year(year)
    references = set(targets.loc[targets["target"].notna(), "pace"].dropna())
    key = "report.targets.rule_pace_linear" if references == {kpis.PACE_LINEAR} else "report.targets.rule_pace"
    return t(key, year=year, date=i18n.fmt_date(on, language()), previous=previous,
             previous_date=i18n.fmt_date(kpis.year_earlier(on), language()))


def year_end(year: str) -> str:
    """The last day of `year`, as a date people read (31/08/2027)."""
    return i18n.fmt_date(leadership.year_end(year), language())


def all_years(scope: Scope) -> Scope:
    return with_year(scope, None)


def totals_title(scope: Scope, regions: pd.DataFrame) -> str:
    """"Ensemble du Maroc" or "Région Souss-Massa": whose totals the targets table starts with."""
    row = regions[regions["region_code"] == scope.region_code] if scope.region_code else regions.iloc[0:0]
    if len(row):
        return md("regions.targets.totals.region", region=region_name(row.iloc[0]))
    return t("regions.targets.totals.country")


# ------------------------------------------------------------------------------ cards
def _youth(scope: Scope, regions: pd.DataFrame) -> tuple[int, str]:
    """The population aged 15–29 that reach is computed on, and where it lives (words): the
    chosen region's, the chosen establishment's region's, or the whole country's."""
    code = scope.region_code
    if code is None and scope.establishment_id:
        establishments = data.filter_options().establishments
        match = establishments[establishments["establishment_id"] == scope.establishment_id]
        code = match["region_code"].iloc[0] if len(match) else None
    if code is not None:
        row = regions[regions["region_code"] == code]
        if len(row):
            return int(row["youth_15_29_2024"].iloc[0]), md("regions.area.region", region=region_name(row.iloc[0]))
    return int(regions["youth_15_29_2024"].sum()), t("regions.area.country")


def _reach_delta(against: Comparison | None, reach: float | None, youth: int) -> dict[str, object]:
    if against is None or reach is None or against.values.get("participants") is None:
        return {}
    other = leadership.reach_per_10k(int(against.values["participants"]), youth)
    quiet = {"delta_color": "off", "delta_arrow": "off", "delta_description": against._when()}
    if against.kind == "change":
        # a rate: the other year's value, not a difference (METRICS.md "Year to date")
        if other is None:
            return {}
        return {"delta": t("cards.versus", value=number(other, leadership.reach_decimals(other))), **quiet}
    decimals = leadership.reach_decimals(other if other else reach)
    if not other:
        return {"delta": number(0, decimals), **quiet}
    return {"delta": signed(other, decimals), "delta_description": against._when()}


def more_cards(scope: Scope, regions: pd.DataFrame, against: Comparison | None) -> None:
    """The leadership cards under the standard ones: reach per 10,000 young people, progress
    towards the participants target (with a chosen year), regions reached, establishments."""
    values = data.indicators(scope)
    youth, area = _youth(scope, regions)
    reach = leadership.reach_per_10k(int(values["participants"] or 0), youth)
    cards: list[Callable[[], None]] = [lambda: st.metric(
        t("regions.card.reach"), number(reach, leadership.reach_decimals(reach)), border=True,
        help=t("regions.card.reach.help", area=area, population=number(youth)),
        **_reach_delta(against, reach, youth))]
    if scope.academic_year:
        cards.append(functools.partial(_progress_card, scope))
    if scope.region_code is None:
        reached = int((regions["participants"] > 0).sum())
        cards.append(lambda: st.metric(
            t("regions.card.regions"), t("regions.card.regions.value", n=reached, total=N_REGIONS),
            border=True, help=t("regions.card.regions.help")))
    establishments = len(data.ask(leadership.establishments_on_map, scope))
    cards.append(lambda: st.metric(t("regions.card.establishments"), number(establishments), border=True,
                                   help=t("regions.card.establishments.help")))
    for column, card in zip(st.columns(4), cards):
        with column:
            card()


def _progress_card(scope: Scope) -> None:
    year = scope.academic_year
    line = leadership.totals(data.ask(leadership.targets_vs_actuals, scope)).set_index("metric").loc["participants"]
    status = line["status"]
    shown = percent(line["progress"], 0) if not pd.isna(line["progress"]) else number(None)
    extra = {}
    if not pd.isna(line["target"]):
        extra["delta_description"] = t("regions.card.progress.of", actual=number(line["actual"]),
                                       target=number(line["target"]))
    st.metric(t("regions.card.progress", year=year), shown, border=True,
              delta=t(f"leadership.status.{status}"), delta_color=STATUS_DELTA_COLOURS[status],
              delta_arrow="off", help=t("regions.card.progress.help", year=year), **extra)


# ------------------------------------------------------------------------------ the map
@st.cache_resource(show_spinner=False, max_entries=64)
def _map_figure(scope_fields: tuple, indicator: str, language_code: str, focus: str | None, height: int,
                data_version: str, db_path: str) -> go.Figure:
    # `data_version` and `db_path` only key the cache. Building the figure copies the region
    # boundaries into each trace (~0.3 s with 90 establishments): once per view, not per run.
    # Shared between sessions: nothing mutates a figure after this (st.plotly_chart copies it).
    # Localised here, once, rather than copied on every run by layout.plotly_chart.
    scope = Scope(*scope_fields)
    figure = charts.localised(
        leadership_charts.region_map(data.ask(leadership.regional_indicators, scope), indicator,
                                     data.ask(leadership.establishments_on_map, scope), language_code, focus=focus,
                                     height=height),
        language_code)
    return boundaries_by_url(figure)


# The region boundaries as the browser fetches them: static/regions.geojson, a copy of
# pie/leadership/data/regions.geojson served by Streamlit (`enableStaticServing`), relative to
# the page as MAP_CONFIG's topojsonURL is.
GEOJSON_URL = "app/static/regions.geojson"


def boundaries_by_url(figure: go.Figure) -> go.Figure:
    """`figure` (changed in place) with each map trace's boundaries given as GEOJSON_URL instead
    of the shapes themselves. Embedded, the 160 kB of shapes were copied into each of the map's
    2–3 traces: ~0.5 MB that Streamlit copied, serialised and sent to the browser on every run
    of the page, for every session; the browser now fetches the file once and keeps it. (The
    PDF report, drawn by kaleido offline, keeps the embedded shapes.)"""
    for trace in figure.data:
        if isinstance(getattr(trace, "geojson", None), dict):
            trace.geojson = GEOJSON_URL
    return figure


def map_figure(scope: Scope, indicator: str, focus: str | None, height: int) -> go.Figure:
    """The map of the regions of `scope` coloured by `indicator` (leadership_charts.region_map),
    zoomed on `focus` if given, in the session's language."""
    source = data.reader()
    return _map_figure(dataclasses.astuple(scope), indicator, language(), focus, height,
                       source.data_version(), str(source.db_path))


# ------------------------------------------------------------------------------ the map's click
def region_from_selection(points: list[dict]) -> str | None:
    """The region code a map selection points at: a choropleth point has the code as its
    `location` (and the coloured trace as its `customdata`); establishments' points have none."""
    for point in points or []:
        for key in ("location", "customdata"):
            value = point.get(key)
            if isinstance(value, str) and value in REGION_CODES:
                return value
    return None


def _on_map_select(key: str) -> None:
    state = st.session_state.get(key)
    code = region_from_selection(state["selection"]["points"] if state else [])
    if code is None:
        return
    regions = data.filter_options().regions
    if code not in set(regions["region_code"]):
        # the filter offers regions with cohorts only: say why nothing narrows
        everything = data.ask(leadership.regional_indicators, session.base_scope())
        row = everything[everything["region_code"] == code].iloc[0]
        st.toast(md("regions.map.not_launched", region=region_name(row)), icon=":material/info:")
        return
    st.session_state[filters.REGION] = code


def on_map_select(key: str) -> Callable[[], None]:
    """The `on_select` callback of the map drawn under `key`: select the clicked region."""
    return functools.partial(_on_map_select, key)


def _clear_region() -> None:
    st.session_state[filters.REGION] = filters.ALL


def clear_region_button() -> None:
    """A button that removes the region filter (back to the map of the 12 regions)."""
    st.button(t("regions.map.clear"), on_click=_clear_region, icon=":material/zoom_out_map:",
              key="regions_clear_region")


# ------------------------------------------------------------------------------ tables
def _kind(key: str) -> str:
    return DECIMAL if key == "reach_per_10k" else RATE if key.startswith("progress_") else COUNT


def _reach_decimals(values: pd.Series) -> int:
    return max([leadership.reach_decimals(v) for v in values.dropna()] or [1])


def ranked(frame: pd.DataFrame, indicator: str) -> pd.DataFrame:
    """`frame` (regional_indicators) from the highest `indicator` down, with its `rank`
    (equal values share a rank). Regions without a value come last, unranked, and so do
    regions with a count of 0 (the PIE has nothing there to rank); a progress of 0 % is ranked."""
    ordered = frame.assign(_value=frame[indicator].astype("Float64"))
    ordered = ordered.sort_values(["_value", "region_code"], ascending=[False, True], na_position="last")
    rankable = ordered["_value"].where(ordered["_value"] > 0) if _kind(indicator) != RATE else ordered["_value"]
    ordered["rank"] = rankable.rank(method="min", ascending=False).astype("Int64")
    return ordered.drop(columns="_value").reset_index(drop=True)


def ranking(frame: pd.DataFrame, indicator: str) -> Table:
    """The compact ranking next to the map: rank, region, the map's indicator."""
    ordered = ranked(frame, indicator)
    rank_h, region_h, value_h = t("regions.col.rank"), t("report.col.region"), column_label(indicator)
    table = pd.DataFrame({rank_h: ordered["rank"], region_h: _names(ordered), value_h: ordered[indicator]})
    return Table(table, {rank_h: COUNT, region_h: TEXT, value_h: _kind(indicator)},
                 decimals={value_h: _reach_decimals(ordered[indicator])} if indicator == "reach_per_10k" else {})


def regions_table(frame: pd.DataFrame, indicator: str) -> Table:
    """Every headline figure of each region, ranked by `indicator`; with a year, each target
    metric's target and progress too (two views on screen: figures, targets)."""
    ordered = ranked(frame, indicator)
    rank_h, region_h = t("regions.col.rank"), t("report.col.region")
    columns: dict[str, pd.Series] = {rank_h: ordered["rank"], region_h: _names(ordered)}
    kinds = {rank_h: COUNT, region_h: TEXT}
    decimals = {}
    for key in HEADLINE:
        header = column_label(key)
        columns[header], kinds[header] = ordered[key], _kind(key)
        if key == "reach_per_10k":
            decimals[header] = _reach_decimals(ordered[key])
    target_columns = []
    for metric in leadership.TARGET_METRICS:
        target = f"target_{metric}"
        if target not in ordered.columns or not ordered[target].notna().any():
            continue
        target_h = t("regions.col.target_of", metric=t(f"kpi.{metric}"))
        progress_h = column_label(f"progress_{metric}")
        columns[target_h], kinds[target_h] = ordered[target], COUNT
        columns[progress_h], kinds[progress_h] = ordered[f"progress_{metric}"], RATE
        target_columns += [column_label(metric), target_h, progress_h]
    views = {}
    if target_columns:
        figures = [rank_h, region_h, *(column_label(key) for key in HEADLINE)]
        views = {"figures": figures, "targets": [rank_h, region_h, *target_columns]}
    return Table(pd.DataFrame(columns), kinds, views, decimals=decimals)


def focus_establishments(establishments: pd.DataFrame) -> Table:
    """Next to a region's map: its establishments, launch date and participants in scope."""
    part = establishments.sort_values(["pie_launch_date", "name"], na_position="last")
    name_h, city_h = t("report.col.establishment"), t("report.col.city")
    launched_h, people_h = t("report.col.launched"), t("kpi.participants")
    table = pd.DataFrame({name_h: part["name"], city_h: part["city"],
                          launched_h: _dates(part["pie_launch_date"]), people_h: part["participants"]})
    return Table(table.reset_index(drop=True), {name_h: TEXT, city_h: TEXT, launched_h: DATE, people_h: COUNT},
                 missing={launched_h: t("leadership.not_launched")})


def _dates(values: pd.Series) -> pd.Series:
    """Launch dates as dates (None: not launched): written per language on screen, ISO in the
    downloads, dates in the XLSX."""
    parsed = pd.to_datetime(values, errors="coerce")
    return parsed.dt.date.astype("object").where(parsed.notna(), None)


def show_compact(table: Table) -> None:
    """A short table without downloads, tall enough to show every row."""
    height = COMPACT_HEADER_PX + COMPACT_ROW_PX * max(len(table.frame), 1)
    tables.dataframe(table, height=height)


def rollout_regions(rollout: leadership.Rollout) -> Table:
    """One row per region: when it launched, its first cohort's year, establishments launched,
    then its participants in each academic year (regions that launched first come first)."""
    launches = rollout.launches.sort_values(["first_launch_date", "region_code"], na_position="last")
    region_h, launched_h = t("report.col.region"), t("report.col.launched")
    first_h, count_h = t("regions.col.first_cohort"), t("report.col.establishments")
    columns = {region_h: _names(launches), launched_h: _dates(launches["first_launch_date"]),
               first_h: launches["first_academic_year"], count_h: launches["n_establishments_launched"]}
    kinds = {region_h: TEXT, launched_h: DATE, first_h: TEXT, count_h: COUNT}
    by_year = rollout.by_year
    if len(by_year):
        grid = by_year.pivot(index="region_code", columns="academic_year", values="participants")
        for year in sorted(grid.columns):
            header = t("regions.col.participants_in", year=year)
            counts = launches["region_code"].map(grid[year]).fillna(0).astype("int64")
            columns[header], kinds[header] = counts, COUNT
    table = pd.DataFrame(columns).reset_index(drop=True)
    return Table(table, kinds, missing={launched_h: t("leadership.not_launched")})


def rollout_establishments(establishments: pd.DataFrame, launches: pd.DataFrame) -> Table:
    """One row per establishment where the PIE runs: region, city, launch date, cohorts and
    participants over every academic year (earliest launch first)."""
    names = dict(zip(launches["region_code"], _names(launches)))
    part = establishments.sort_values(["pie_launch_date", "region_code", "name"], na_position="last")
    name_h, region_h, city_h = t("report.col.establishment"), t("report.col.region"), t("report.col.city")
    launched_h, cohorts_h = t("report.col.launched"), t("regions.col.cohorts")
    people_h = t("regions.col.participants_all")
    table = pd.DataFrame({name_h: part["name"], region_h: part["region_code"].map(names), city_h: part["city"],
                          launched_h: _dates(part["pie_launch_date"]), cohorts_h: part["n_cohorts"],
                          people_h: part["participants"]})
    return Table(table.reset_index(drop=True), {name_h: TEXT, region_h: TEXT, city_h: TEXT, launched_h: DATE,
                                                cohorts_h: COUNT, people_h: COUNT},
                 missing={launched_h: t("leadership.not_launched")})


def _status_colours() -> dict[str, str]:
    return {t(f"leadership.status.{status}"): colour for status, colour in STATUS_BACKGROUNDS.items()}


def _target_columns(frame: pd.DataFrame, previous: str,
                    judged: pd.DataFrame) -> tuple[dict[str, pd.Series], dict[str, str], str]:
    """The columns of a targets table; a year in progress (`judged.attrs`, from
    targets_vs_actuals) adds the value expected at the data date, and compares with the
    previous year at the same date."""
    target_h, actual_h = t("report.col.target"), t("report.col.actual")
    progress_h, status_h = t("report.col.progress"), t("report.col.status")
    change_h = t("report.col.change")
    running, on = judged.attrs.get("in_progress"), judged.attrs.get("data_date")
    if running:
        previous_h = t("regions.col.previous_at", year=previous, date=i18n.fmt_date(kpis.year_earlier(on), language()))
        actual_h = t("regions.col.actual_at", date=i18n.fmt_date(on, language()))
    else:
        previous_h = t("regions.col.previous", year=previous)
    columns = {target_h: frame["target"], actual_h: frame["actual"], progress_h: frame["progress"]}
    kinds = {target_h: COUNT, actual_h: COUNT, progress_h: RATE}
    if running:
        expected_h = t("regions.col.expected", date=i18n.fmt_date(on, language()))
        columns[expected_h], kinds[expected_h] = frame["expected"].round(0), COUNT
    columns.update({status_h: frame["status"].map(lambda status: t(f"leadership.status.{status}")),
                    previous_h: frame["previous_actual"], change_h: frame["change"]})
    kinds.update({status_h: TEXT, previous_h: COUNT, change_h: SIGNED})
    return columns, kinds, status_h


def totals_table(totals: pd.DataFrame, year: str) -> Table:
    """The country's (or the region's) line of each target metric: target, actual, progress,
    status, the previous year's actual and the change."""
    indicator_h = t("report.col.indicator")
    columns, kinds, status_h = _target_columns(totals, leadership.previous_year(year), totals)
    table = pd.DataFrame({indicator_h: totals["metric"].map(lambda metric: t(f"kpi.{metric}")), **columns})
    return Table(table.reset_index(drop=True), {indicator_h: TEXT, **kinds},
                 colours={status_h: _status_colours()})


def targets_table(targets: pd.DataFrame, year: str) -> Table:
    """Each target metric of each region (rows with neither a target nor an actual this year
    or the previous one are left out), in region then metric order."""
    keep = targets["target"].notna() | (targets["actual"] > 0) | (targets["previous_actual"] > 0)
    part = targets[keep]
    region_h, indicator_h = t("report.col.region"), t("report.col.indicator")
    columns, kinds, status_h = _target_columns(part, leadership.previous_year(year), targets)
    table = pd.DataFrame({region_h: _names(part), indicator_h: part["metric"].map(lambda m: t(f"kpi.{m}")),
                          **columns})
    return Table(table.reset_index(drop=True), {region_h: TEXT, indicator_h: TEXT, **kinds},
                 colours={status_h: _status_colours()})


def chart_metrics(targets: pd.DataFrame) -> list[str]:
    """Target metrics that at least one region has a target for (what the progress chart can show)."""
    with_target = set(targets.loc[targets["target"].notna(), "metric"])
    return [metric for metric in leadership.TARGET_METRICS if metric in with_target]


# ------------------------------------------------------------------------------ the report
def report_year(scope: Scope, target_year: str | None) -> str | None:
    """The year of the report: the chosen one, else the targets year, else the latest with data."""
    if scope.academic_year:
        return scope.academic_year
    if target_year:
        return target_year
    years = data.filter_options().years
    return years[0] if years else None


def _request_report(request: tuple) -> None:
    st.session_state[REPORT_KEY] = request


def report_section(scope: Scope, year: str | None, area: str) -> None:
    """What the report holds, then a button that prepares it (seconds, so only on demand) and,
    once ready, the button that downloads it. A ready report stays ready for this scope."""
    if year is None:
        st.info(t("regions.report.no_year"), icon=":material/info:")
        return
    st.caption(t("regions.report.caption", language=t(f"regions.report.in_language.{language()}"),
                 area=area, year=year))
    if scope.establishment_id:
        st.caption(t("regions.report.establishment"))
    request = (year, scope.region_code, language())
    if st.session_state.get(REPORT_KEY) != request:
        st.button(t("regions.report.prepare"), on_click=_request_report, args=(request,),
                  icon=":material/picture_as_pdf:", key="regions_report_prepare")
        return
    try:
        with st.spinner(t("regions.report.building")):
            pdf = data.report_pdf(*request)
    except PieError as error:
        st.error(t("regions.report.error", message=error_text(error)))
        return
    file_name = t("regions.report.file", year=year,
                  area=scope.region_code or t("regions.report.file.country")) + ".pdf"
    st.download_button(t("regions.report.download"), data=pdf, file_name=file_name, mime="application/pdf",
                       on_click="ignore", icon=":material/download:", key="regions_report_download",
                       type="primary")


def report_area(scope: Scope, regions: pd.DataFrame) -> str:
    """The report's area in words: the country or the chosen region."""
    row = regions[regions["region_code"] == scope.region_code] if scope.region_code else regions.iloc[0:0]
    if len(row):
        return md("regions.report.area.region", region=region_name(row.iloc[0]))
    return t("regions.report.area.country")

