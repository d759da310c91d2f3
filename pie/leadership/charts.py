"""Plotly figures of the leadership page and report: the map of the 12 regions, rollout, progress.

No Streamlit here. The map is a plotly `geo` choropleth (SVG: draws in any browser and in
kaleido without WebGL or tiles) over the committed region boundaries (pie.geo), framed on
Morocco with `fitbounds` and a Mercator projection, base layers hidden. plotly.js still fetches
`world_110m.json`; offline it must find the empty topology pie.geo writes in static/:
- Streamlit: `[server] enableStaticServing = true` and
  `st.plotly_chart(fig, config=MAP_CONFIG, theme=None)`;
- kaleido: `use_local_topology()` once per process (pie/report does it).
Figures use the dashboard's plotly template (pie.charts.TEMPLATE) and its number separators.
"""
from __future__ import annotations

from datetime import date

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from pie import charts, i18n
from pie.leadership import geo
from pie.leadership.figures import PROGRESS_INDICATORS, STATUSES, TARGET_METRICS, cities_on_map, reach_decimals

# `config` for st.plotly_chart: plotly.js loads world_110m.json from Streamlit's static folder.
MAP_CONFIG = {"topojsonURL": "app/static/", "displaylogo": False,
              "modeBarButtonsToRemove": ["select2d", "lasso2d"]}

# Accessibility (docs/ACCESSIBILITY.md, WCAG 1.4.11): every colour that carries a value is at
# least 3:1 against the white page, so a region stands out from the background whatever its
# value and the white borders between coloured regions stay visible; regions without a value
# (or with nothing to count) are light grey with a dark outline (OUTLINE, 4.8:1).
BASE_FILL = "#EEF0F3"      # regions without a value (no target, out of scope) or a count of 0
BORDER = "white"           # between coloured regions (every fill is 3:1 or more against it)
OUTLINE = charts.GREY      # around grey regions, so their shape shows on the white page
FOCUS_BORDER = "#00612C"
FOCUS_FILL = "#CFE9D8"
POINT_COLOUR = "#1B5FAA"   # establishments (charts.BLUE), ringed in white to show on dark regions
# counts and reach: a sequential green, darker for more, its lightest colour at 3.4:1 on white;
# lightness falls at every stop for every common colour-vision deficiency too
# (tests/test_accessibility.py). Regions with 0 are drawn grey, outside the scale.
COUNT_SCALE = [[0.0, "#4F9A6A"], [0.35, "#2B7F4D"], [0.7, "#146237"], [1.0, "#003D1C"]]
# progress: red below 90 % of target, orange up to 100 %, green from 100 % (the status
# thresholds); every stop 3:1 or more on white and the four apart for colour-vision deficiencies
PROGRESS_MAX = 1.25
PROGRESS_SCALE = [[0.0, charts.RED], [0.9 / PROGRESS_MAX, charts.ORANGE],
                  [1.0 / PROGRESS_MAX, "#2E9E5B"], [1.0, "#00664F"]]
STATUS_COLOURS = {"ahead": charts.GREEN, "on_pace": charts.GREEN, "met": charts.GREEN, "close": charts.ORANGE,
                  "behind": charts.RED, "missed": charts.RED, "no_target": charts.GREY}
# The rollout's 12 regions: the six house colours, then six more drawn hatched (white lines),
# so two regions whose colours a colour-blind reader may confuse differ by pattern; every
# colour 3:1 or more on white. Each region is also named beside the last year's bar.
REGION_COLOURS = (*charts.PALETTE, "#8E44AD", "#2C3E50", "#0F766E", "#7B3F00", "#4A148C", "#B8860B")
REGION_PATTERNS = ("",) * len(charts.PALETTE) + ("/",) * 6
ROLLOUT_HEIGHT = 380
ROLLOUT_LABEL_GAP = 15     # pixels between two region names beside the last bar
HOVER_LIST_MAX = 8  # establishments listed in a point's hover before "… and N more"
SMALL_COUNTS = 10    # up to this, count axes tick every whole number


def use_local_topology() -> None:
    """Make kaleido (static images) read the empty world topology from static/ (offline)."""
    pio.defaults.topojson = geo.ensure_empty_topology().as_uri() + "/"


def _name(row: pd.Series, language: str) -> str:
    return row["name_ar"] if language == "ar" else row["name_fr"]


def indicator_label(indicator: str, language: str = i18n.DEFAULT_LANGUAGE) -> str:
    """The title of a map indicator: a kpi label, reach, or progress towards a metric's target."""
    if indicator == "reach_per_10k":
        return i18n.t("leadership.reach_per_10k", language)
    if indicator.startswith("progress_"):
        metric = indicator.removeprefix("progress_")
        return i18n.t("leadership.progress_of", language, metric=i18n.t(f"kpi.{metric}", language))
    return i18n.t(f"kpi.{indicator}", language)


def format_value(indicator: str, value: object, language: str) -> str:
    if indicator == "reach_per_10k":
        return i18n.fmt_number(value, language, decimals=reach_decimals(value))
    if indicator.startswith("progress_"):
        return i18n.fmt_percent(value, language, decimals=0)
    return i18n.fmt_number(value, language)


def _region_hover(row: pd.Series, language: str) -> str:
    """Region name, then each headline figure with its target and progress when there is one."""
    lines = [f"<b>{_name(row, language)}</b>"]
    for key in ("participants", "reach_per_10k", "immersion_completed", "plans_validated",
                "projects_financed", "companies_created"):
        if key not in row:
            continue
        text = f"{indicator_label(key, language)} : {format_value(key, row[key], language)}"
        target = row.get(f"target_{key}")
        if target is not None and not pd.isna(target):
            text += " / " + i18n.t("leadership.target_short", language, value=i18n.fmt_number(target, language))
            text += f" ({i18n.fmt_percent(row[f'progress_{key}'], language, decimals=0)})"
        lines.append(text)
    return "<br>".join(lines)


def _date(value: object, language: str) -> str:
    if value is None or pd.isna(value):
        return i18n.t("leadership.not_launched", language)
    return i18n.fmt_date(pd.Timestamp(value).date() if not isinstance(value, date) else value, language)


def _point_hover(place: pd.Series, language: str) -> str:
    head = f"<b>{place['city']}</b>"
    if not place["location_exact"]:
        head = i18n.t("leadership.map.approximate", language, city=place["city"] or "—")
    lines = [head]
    part = place["establishments"]
    for _, est in part.head(HOVER_LIST_MAX).iterrows():
        lines.append(i18n.t("leadership.map.establishment", language, name=est["name"],
                            launched=_date(est["pie_launch_date"], language),
                            participants=i18n.fmt_number(est["participants"], language)))
    if len(part) > HOVER_LIST_MAX:
        lines.append(i18n.t("leadership.map.more", language, n=len(part) - HOVER_LIST_MAX))
    return "<br>".join(lines)


def count_scale(values: list[float], zmax: float) -> list[list]:
    """The colour scale of a count (or reach) map over 0..`zmax`: 0 in the grey of "nothing"
    (BASE_FILL), every value above it on COUNT_SCALE — the smallest value drawn on the map
    already gets COUNT_SCALE's lightest green (3:1 on white), never a mix of grey and green."""
    positive = [v for v in values if v > 0]
    # green from just above 0 (the colour bar shows no grey-to-green blend), and below the
    # smallest value drawn whatever the values
    start = 1e-6
    if positive and zmax > 0:
        start = min(start, min(positive) / zmax / 2)
    return [[0.0, BASE_FILL], *[[start + (1 - start) * at, colour] for at, colour in COUNT_SCALE]]


def region_map(regions: pd.DataFrame, indicator: str = "participants",
               establishments: pd.DataFrame | None = None, language: str = i18n.DEFAULT_LANGUAGE,
               focus: str | None = None, height: int = 560, title: str | None = None,
               font_size: int = 12) -> go.Figure:
    """The 12 regions coloured by `indicator` (a column of `leadership.regional_indicators`:
    MAP_INDICATORS or any progress_<metric>), regions without a value (or a count of 0) in
    light grey, each region's hover giving its name and figures; establishments
    (`establishments_on_map`) as points sized by participants, one per city (a white dot ringed in
    blue: unknown city, drawn at the region's centre), their hover listing names and launch dates.
    `focus`: a region code to zoom on; only that region is coloured (its neighbours in grey give
    the context), cities are labelled and there is no colour scale.
    The coloured trace's `customdata` is the region code (for click selection)."""
    progress = indicator in PROGRESS_INDICATORS
    features = geo.regions_geojson()
    codes = [f["id"] for f in features["features"]]
    fig = go.Figure()
    fig.add_trace(go.Choropleth(  # every region in grey below, so missing values still show land
        geojson=features, featureidkey="id", locations=codes, z=[0] * len(codes),
        colorscale=[[0, BASE_FILL], [1, BASE_FILL]], showscale=False, hoverinfo="skip",
        marker=dict(line=dict(color=OUTLINE, width=0.8)), name=""))
    valued = regions[regions[indicator].notna()] if len(regions) else regions
    if focus is not None:
        valued = valued[valued["region_code"] == focus]
    values = [float(v) for v in valued[indicator]]
    zmax = PROGRESS_MAX if progress else max([*values, 1.0])
    colorbar = dict(title=dict(text=indicator_label(indicator, language), side="top",
                               font=dict(size=font_size)),
                    orientation="h", x=0.5, xanchor="center", y=-0.02, yanchor="top", len=0.6, thickness=12,
                    tickfont=dict(size=font_size - 1), outlinewidth=0)
    if progress:
        colorbar.update(tickformat=".0%", tickvals=[0, 0.5, 0.9, 1.0, PROGRESS_MAX])
    elif indicator != "reach_per_10k":
        colorbar.update(tickformat=",d")  # counts: whole numbers only
        if zmax <= 5:
            colorbar.update(tickvals=list(range(0, int(zmax) + 1)))
    if focus is None:
        scale = PROGRESS_SCALE if progress else count_scale(values, zmax)
    else:  # one region: a light fill on which points and city names stay readable
        scale = [[0, FOCUS_FILL], [1, FOCUS_FILL]]
    fig.add_trace(go.Choropleth(
        geojson=features, featureidkey="id", locations=list(valued["region_code"]),
        z=[min(v, PROGRESS_MAX) for v in values] if progress else values,
        zmin=0, zmax=zmax, colorscale=scale,
        marker=dict(line=dict(color=[BORDER if progress or v else OUTLINE for v in values] if focus is None
                              else BORDER, width=0.8)),
        colorbar=colorbar, showscale=focus is None,
        customdata=list(valued["region_code"]),
        text=[_region_hover(row, language) for _, row in valued.iterrows()],
        hovertemplate="%{text}<extra></extra>", name=""))
    if focus is not None:
        fig.add_trace(go.Choropleth(
            geojson=features, featureidkey="id", locations=[focus], z=[0],
            colorscale=[[0, "rgba(0,0,0,0)"], [1, "rgba(0,0,0,0)"]], showscale=False, hoverinfo="skip",
            marker=dict(line=dict(color=FOCUS_BORDER, width=1.5)), name=""))
    if establishments is not None and len(establishments):
        places = cities_on_map(establishments)
        largest = max(int(places["participants"].max()), 1)
        fig.add_trace(go.Scattergeo(
            lat=list(places["lat"]), lon=list(places["lon"]),
            mode="markers" if focus is None else "markers+text",
            marker=dict(size=[7 + 18 * (p / largest) ** 0.5 for p in places["participants"]],
                        # exact city: a blue dot ringed in white (it shows on white and on dark
                        # regions alike); unknown city: a white dot ringed in blue
                        color=[POINT_COLOUR if exact else "white" for exact in places["location_exact"]],
                        line=dict(color=["white" if exact else POINT_COLOUR for exact in places["location_exact"]],
                                  width=[1.5 if exact else 2.5 for exact in places["location_exact"]]),
                        symbol="circle", opacity=1),  # plotly draws sized points at 0.7 otherwise
            customdata=[_point_hover(place, language) for _, place in places.iterrows()],
            text=[place["city"] if place["location_exact"] else "" for _, place in places.iterrows()],
            textposition="top center", textfont=dict(size=font_size, color=charts.TEXT_COLOR),
            hovertemplate="%{customdata}<extra></extra>",
            name=i18n.t("leadership.map.points", language), showlegend=False))
    geo_layout = dict(visible=False, projection_type="mercator", bgcolor="rgba(0,0,0,0)",
                      showland=False, showcoastlines=False, showcountries=False, showframe=False,
                      showlakes=False, showocean=False, showrivers=False, showsubunits=False)
    if focus is None:
        geo_layout["fitbounds"] = "geojson"
    else:
        lon_min, lat_min, lon_max, lat_max = geo.region_bounds(focus)
        pad_lon, pad_lat = (lon_max - lon_min) * 0.2 + 0.3, (lat_max - lat_min) * 0.2 + 0.3
        geo_layout.update(fitbounds=False, lonaxis_range=[lon_min - pad_lon, lon_max + pad_lon],
                          lataxis_range=[lat_min - pad_lat, lat_max + pad_lat])
    fig.update_layout(template=charts.TEMPLATE, separators=charts.SEPARATORS.get(language, ",\u202f"),
                      geo=geo_layout, height=height, margin=dict(l=0, r=0, t=40 if title else 8, b=8),
                      dragmode=False, showlegend=False,
                      hoverlabel=dict(align="right" if language in i18n.RIGHT_TO_LEFT else "left"),
                      title=dict(text=title) if title else None)
    if language in i18n.RIGHT_TO_LEFT and title:
        fig.update_layout(title=dict(x=1, xanchor="right"))
    return fig


def rollout_chart(by_year: pd.DataFrame, language: str = i18n.DEFAULT_LANGUAGE) -> go.Figure:
    """Participants per academic year, stacked by region (`leadership.rollout(...).by_year`).

    Each region keeps its colour and pattern (REGION_COLOURS, REGION_PATTERNS: by HCP code) and
    is named beside the last year's bar, at the height of its part of that bar (names pushed
    apart by ROLLOUT_LABEL_GAP pixels where parts are thin), instead of a legend; in Arabic
    the chart is mirrored (charts.rtl) and the names stand on the left."""
    fig = go.Figure()
    years = sorted(by_year["academic_year"].unique()) if len(by_year) else []
    tallest = int(by_year.groupby("academic_year")["participants"].sum().max()) if len(by_year) else 0
    top = max(tallest, 1) * 1.05
    labels: list[tuple[float, str]] = []   # (middle of the region's part of the last bar, name)
    stacked = 0.0
    for index, (code, part) in enumerate(by_year.groupby("region_code", sort=True)):
        name = part["name_ar" if language == "ar" else "name_fr"].iloc[0]
        slot = int(code) - 1 if code.isdigit() and 0 < int(code) <= len(REGION_COLOURS) else index % len(REGION_COLOURS)
        colour, pattern = REGION_COLOURS[slot], REGION_PATTERNS[slot]
        fig.add_trace(go.Bar(
            name=name, x=list(part["academic_year"]), y=[int(v) for v in part["participants"]],
            marker=dict(color=colour, line=dict(color="white", width=1),
                        pattern=dict(shape=pattern, fillmode="overlay", fgcolor="white", size=7, solidity=0.35)),
            customdata=[i18n.fmt_number(v, language) for v in part["participants"]],
            hovertemplate="%{x}<br>" + name + " : %{customdata}<extra></extra>"))
        last = int(part.loc[part["academic_year"] == years[-1], "participants"].sum())
        labels.append((stacked + last / 2, name))
        stacked += last
    margin_top, margin_bottom = 24, 36
    plot_height = ROLLOUT_HEIGHT - margin_top - margin_bottom
    gap = ROLLOUT_LABEL_GAP * top / plot_height
    for y, (_, name) in zip(spread([y for y, _ in labels], gap, top), labels):
        # align="center" (one line: no visible effect) because in a right-to-left page (<html
        # dir="rtl">) Chromium draws a left- or right-aligned annotation one text width off
        # its place, so Arabic names stood over the plot or outside the figure
        fig.add_annotation(text=name, x=1, xref="paper", xanchor="left", xshift=LABEL_SHIFT, y=y, yref="y",
                           showarrow=False, align="center", font=dict(size=12, color=charts.TEXT_COLOR))
    fig.update_layout(template=charts.TEMPLATE, separators=charts.SEPARATORS.get(language, ",\u202f"),
                      barmode="stack", height=ROLLOUT_HEIGHT, showlegend=False,
                      margin=dict(t=margin_top, b=margin_bottom, l=8, r=max(8, 8 + 7 * max(
                          [len(name) for _, name in labels], default=0))),
                      xaxis=dict(type="category", title=None),
                      yaxis=dict(title=None, range=[0, top], tickformat=",d"))
    if tallest <= SMALL_COUNTS:  # plotly would put ticks at 0.5 steps, shown as 0 0 1 1 2 2 with ",d"
        fig.update_layout(yaxis=dict(dtick=1))
    fig = charts.rtl(fig, language)
    if i18n.is_rtl(language):  # names on the left of the plot: shifted away from it
        fig.update_annotations(xshift=-LABEL_SHIFT)
    return fig


LABEL_SHIFT = 4  # pixels between the plot and the region names beside it


def spread(wanted: list[float], gap: float, top: float) -> list[float]:
    """Heights for labels that want `wanted` (in increasing order), each at least `gap` above
    the one before, kept within 0..`top` when there is room, and as close to `wanted` as that
    allows (pushed up from the bottom, then back down from the top)."""
    placed: list[float] = []
    for y in wanted:
        placed.append(max(y, placed[-1] + gap) if placed else max(y, 0.0))
    ceiling = top
    for i in range(len(placed) - 1, -1, -1):
        placed[i] = min(placed[i], ceiling)
        ceiling = placed[i] - gap
    return placed


def progress_chart(targets: pd.DataFrame, metric: str = "participants",
                   language: str = i18n.DEFAULT_LANGUAGE) -> go.Figure:
    """Progress towards `metric`'s target per region that has one (`leadership.targets_vs_actuals`),
    horizontal bars coloured by status, bar text `actual / target`, and the reference each bar
    is judged against, labelled: for a year in progress at the data date T
    (`targets.attrs`), a mark on each bar at the value expected at T (expected ÷ target, the
    region's own pace); for a finished year, a line at 100 % of the target."""
    part = targets[(targets["metric"] == metric) & targets["target"].notna()]
    part = part.sort_values("progress", ascending=True, na_position="first")
    names = list(part["name_ar" if language == "ar" else "name_fr"])
    progress = [float(p) if not pd.isna(p) else 0.0 for p in part["progress"]]
    running, on = bool(targets.attrs.get("in_progress")), targets.attrs.get("data_date")
    # expected ÷ target: the share of the target expected at T (1 for a finished year; a target
    # of 0 is met whatever happens, so its reference is 100 %)
    references = [float(e) / float(t) if running and t and not pd.isna(e) else 1.0
                  for e, t in zip(part["expected"], part["target"])] if "expected" in part else [1.0] * len(part)
    texts = [f"{i18n.fmt_number(a, language)} / {i18n.fmt_number(t, language)}"
             f" · {i18n.fmt_percent(p, language, decimals=0)}"
             for a, t, p in zip(part["actual"], part["target"], progress)]
    if running:
        reference_name = i18n.t("leadership.progress.expected", language, date=i18n.fmt_date(on, language))
    else:
        reference_name = i18n.t("leadership.progress.target", language)
    fig = go.Figure(go.Bar(
        x=progress, y=names, orientation="h", text=texts, textposition="outside", cliponaxis=False,
        marker_color=[STATUS_COLOURS[s] for s in part["status"]],
        customdata=[[i18n.t(f"leadership.status.{s}", language), i18n.fmt_percent(r, language, decimals=0)]
                    for s, r in zip(part["status"], references)],
        hovertemplate="%{y}<br>%{text}<br>%{customdata[0]}<br>" + reference_name
                      + " : %{customdata[1]}<extra></extra>",
        name=indicator_label(f"progress_{metric}", language), showlegend=False))
    if running:
        fig.add_trace(go.Scatter(
            x=references, y=names, mode="markers", name=reference_name, showlegend=True,
            marker=dict(symbol="line-ns-open", size=30, color=charts.TEXT_COLOR, line=dict(width=3)),
            hovertemplate="%{y}<br>" + reference_name + " : %{x:.0%}<extra></extra>"))
    else:
        fig.add_vline(x=1.0, line=dict(color=charts.TEXT_COLOR, width=1, dash="dot"))
        fig.add_annotation(x=1.0, y=1, yref="paper", yanchor="bottom", text=reference_name, showarrow=False,
                           font=dict(size=12, color=charts.TEXT_COLOR))
    top = max([*progress, *references, 1.0]) * 1.35
    fig.update_layout(template=charts.TEMPLATE, separators=charts.SEPARATORS.get(language, ",\u202f"),
                      height=max(160, 44 * len(names) + 90), showlegend=running,
                      legend=dict(orientation="h", y=-0.12, yanchor="top", x=0, xanchor="left"),
                      title=dict(text=indicator_label(f"progress_{metric}", language)),
                      xaxis=dict(tickformat=".0%", range=[0, top], title=None),
                      yaxis=dict(title=None))
    if language in i18n.RIGHT_TO_LEFT:
        fig.update_layout(xaxis=dict(range=[top, 0]), yaxis=dict(side="right"),
                          title=dict(x=1, xanchor="right"))
    return fig


def banks_chart(banks: pd.DataFrame, language: str = i18n.DEFAULT_LANGUAGE) -> go.Figure:
    """The partner banks side by side (`leadership.banks_side_by_side`, without its every-bank
    row): per bank, its approval rate (green) and PAR30 (red) as grouped horizontal bars, most
    decisions on top, each labelled with its value (a dash when there is none); the hover adds
    the decisions and the median days to decide."""
    part = banks[~banks["is_total"].astype(bool)].iloc[::-1]
    names = [i18n.bank_name(code, language) for code in part["bank"]]
    fig = go.Figure()
    for key, colour in (("portfolio_at_risk_30", charts.RED), ("approval_rate", charts.GREEN)):
        values = [None if pd.isna(v) else float(v) for v in part[key]]
        fig.add_trace(go.Bar(
            x=[v or 0.0 for v in values], y=names, orientation="h", name=i18n.t(f"kpi.{key}", language),
            marker_color=colour, cliponaxis=False, textposition="outside",
            text=[i18n.EMPTY if v is None else i18n.fmt_percent(v, language) for v in values],
            customdata=[[i18n.fmt_number(n, language), i18n.fmt_number(d, language, 1) if not pd.isna(d) else i18n.EMPTY]
                        for n, d in zip(part["n_decisions"], part["median_days_to_decision"])],
            hovertemplate="%{y}<br>%{fullData.name} : %{text}<br>"
                          + i18n.t("leadership.banks.hover", language) + "<extra></extra>"))
    fig.update_layout(template=charts.TEMPLATE, separators=charts.SEPARATORS.get(language, ",\u202f"),
                      barmode="group", height=charts.bar_height(2 * len(names)), showlegend=True,
                      legend=dict(orientation="h", y=-0.12, yanchor="top", x=0, xanchor="left", traceorder="reversed"),
                      xaxis=charts.percent_axis(language, 1.0), yaxis=dict(title=None, type="category"),
                      margin=dict(l=8, r=8, t=16, b=8))
    return fig  # mirrored for Arabic by pie.charts.rtl (pie.ui.layout.figure)


__all__ = ["MAP_CONFIG", "banks_chart", "STATUS_COLOURS", "STATUSES", "TARGET_METRICS", "indicator_label", "format_value",
           "progress_chart", "region_map", "rollout_chart", "use_local_topology"]
