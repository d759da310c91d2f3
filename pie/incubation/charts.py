"""Plotly figures of the Incubation page, in the house style of pie/charts.py.

No Streamlit here: builders take the frames of pie.incubation.figures and a language.
"""
from __future__ import annotations


import pandas as pd
import plotly.graph_objects as go

from pie import charts, codes, i18n
from pie.charts import BLUE, BROWN, GREEN, GREY, ORANGE, PALE_GREY, RED
from pie.incubation.figures import STAGE_EXITS, STAGES

STAGE_COLOURS = {"pre_incubation": "#2E9E5B", "incubation": "#1F7A45", "acceleration": GREEN,
                 "post_creation": "#00612C", "graduated": BLUE, "abandoned": RED,
                 "in_progress": PALE_GREY, "next_missing": GREY, "exited": GREY, "advanced": GREY}
KIND_COLOURS = (GREEN, BLUE, ORANGE, BROWN, GREY, RED)
SANKEY_X = (0.01, 0.26, 0.51, 0.76)     # the four stages
SANKEY_EXIT_Y = {"graduated": 0.08, "abandoned": 0.4, "in_progress": 0.75, "next_missing": 0.92, "exited": 0.98}


def stages_now(frame: pd.DataFrame, language: str = i18n.DEFAULT_LANGUAGE, focus: str | None = None) -> go.Figure:
    """Projects per status now (incubation/stages_now) as horizontal bars, top to bottom: the
    open stages in order, then how stays ended. customdata is the status code."""
    part = frame.iloc[::-1]  # plotly draws the first category at the bottom
    fig = charts.figure(language, legend_traceorder="normal", height=charts.bar_height(len(part)), margin=dict(l=8, r=8, t=16, b=8), showlegend=False,
                  yaxis=dict(title=None, type="category"), xaxis=dict(title=None))
    if part.empty:
        return charts.empty(fig, i18n.t("partners.chart.empty", language))
    keys = [str(k) for k in part["status_now"]]
    fig.update_xaxes(**charts.count_axis(part["n_projects"].max()), range=charts.room(part["n_projects"].max(), 0.15))
    fig.add_trace(go.Bar(
        y=[i18n.code_label("incubation_status", k, language) for k in keys], orientation="h",
        x=[int(n) for n in part["n_projects"]], customdata=keys,
        marker=dict(color=[STAGE_COLOURS.get(k, GREY) for k in keys], opacity=charts.opacity(keys, focus)),
        text=[charts.count_text(n, language) for n in part["n_projects"]], textposition="outside", cliponaxis=False,
        constraintext="none", hovertemplate="%{y} : %{x}<extra></extra>",
    ))
    return fig


def flows(frame: pd.DataFrame, language: str = i18n.DEFAULT_LANGUAGE) -> go.Figure:
    """The flows between stages (incubation/flows) as a Sankey diagram: stages in order from
    left to right, then where the stays ended (graduated, abandoned, still in the stage)."""
    fig = charts.figure(language, legend_traceorder="normal", height=420, margin=dict(l=8, r=8, t=16, b=8))
    if frame.empty:
        return charts.empty(fig, i18n.t("partners.chart.empty", language))
    nodes = [s for s in STAGES if s in set(frame["source"]) | set(frame["target"])]
    nodes += [e for e in STAGE_EXITS if e in set(frame["target"])]
    index = {code: i for i, code in enumerate(nodes)}
    totals = {code: max(int(frame.loc[frame["target"] == code, "n_projects"].sum()),
                        int(frame.loc[frame["source"] == code, "n_projects"].sum())) for code in nodes}
    labels = [f"{i18n.t(f'incubation.node.{code}', language)} ({charts.count_text(totals[code], language)})" for code in nodes]
    colours = [STAGE_COLOURS.get(code, GREY) for code in nodes]
    link_colours = [_rgba(STAGE_COLOURS.get(t, GREY), 0.35) for t in frame["target"]]
    # stages left to right in their order, the issues stacked on the right, so labels never collide
    x = [SANKEY_X[STAGES.index(code)] if code in STAGES else 0.99 for code in nodes]
    y = [0.4 if code in STAGES else SANKEY_EXIT_Y[code] for code in nodes]
    fig.add_trace(go.Sankey(
        arrangement="snap",
        node=dict(label=labels, color=colours, pad=18, thickness=18, line=dict(width=0), x=x, y=y,
                  hovertemplate="%{label}<extra></extra>"),
        link=dict(source=[index[s] for s in frame["source"]], target=[index[t] for t in frame["target"]],
                  value=[int(n) for n in frame["n_projects"]], color=link_colours,
                  hovertemplate="%{source.label} → %{target.label}<br>%{value}<extra></extra>"),
    ))
    return fig


def _rgba(colour: str, alpha: float) -> str:
    red, green, blue = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},{alpha})"


def time_in_stage(frame: pd.DataFrame, language: str = i18n.DEFAULT_LANGUAGE) -> go.Figure:
    """Median days in each stage over the stays that ended (incubation/time_in_stage), with the
    first and third quartiles as a range."""
    fig = charts.figure(language, legend_traceorder="normal", height=330, margin=dict(l=8, r=8, t=24, b=8), showlegend=False,
                  xaxis=dict(title=None, type="category"),
                  yaxis=dict(title=i18n.t("incubation.time.axis", language), rangemode="tozero"))
    part = frame[frame["median_days"].notna()]
    if part.empty:
        return charts.empty(fig, i18n.t("partners.chart.empty", language))
    fig.update_layout(**charts.gap(len(part)))
    medians = part["median_days"].astype(float)
    fig.add_trace(go.Bar(
        x=[i18n.t(f"code.stage.{s}", language) for s in part["stage"]], y=medians,
        marker_color=[STAGE_COLOURS[s] for s in part["stage"]],
        error_y=dict(type="data", symmetric=False, array=part["q3_days"].astype(float) - medians,
                     arrayminus=medians - part["q1_days"].astype(float), color=GREY, thickness=1.5),
        text=[i18n.t("incubation.time.days", language, days=i18n.fmt_number(m, language)) for m in medians],
        textposition="inside", insidetextanchor="start",
        insidetextfont=dict(color=[charts.label_colour(STAGE_COLOURS[s]) for s in part["stage"]]),
        customdata=[[charts.count_text(n, language), i18n.fmt_number(q1, language), i18n.fmt_number(q3, language)]
                    for n, q1, q3 in zip(part["n_exited"], part["q1_days"], part["q3_days"])],
        hovertemplate="%{x}<br>" + i18n.t("incubation.time.hover", language) + "<extra></extra>",
    ))
    return fig


def coaching(frame: pd.DataFrame, language: str = i18n.DEFAULT_LANGUAGE, focus: str | None = None,
             top: int = 12) -> go.Figure:
    """Coaching hours per partner (incubation/coaching), stacked by kind, partners with most hours
    first (at most `top`). customdata is the partner."""
    hours = frame.groupby("partner", as_index=False)["hours"].sum().sort_values(
        ["hours", "partner"], ascending=[False, True]).head(top)
    partners_shown = list(hours["partner"])[::-1]
    fig = charts.figure(language, legend_traceorder="normal", height=charts.bar_height(len(partners_shown)), barmode="stack",
                  margin=dict(l=8, r=8, t=40, b=8), xaxis=dict(title=i18n.t("incubation.coaching.axis", language)),
                  yaxis=dict(title=None, type="category"))
    if not partners_shown:
        return charts.empty(fig, i18n.t("partners.chart.empty", language))
    kinds = [k for k in codes.COACHING_KINDS if k in set(frame["kind"])]
    kinds += sorted(set(frame["kind"]) - set(kinds))
    for kind, colour in zip(kinds, KIND_COLOURS * 3):
        part = frame[frame["kind"] == kind].set_index("partner")
        values = [float(part["hours"].get(p, 0)) for p in partners_shown]
        fig.add_trace(go.Bar(
            y=[charts.short(p) for p in partners_shown], x=values, orientation="h",
            name=i18n.code_label("coaching_kind", kind, language),
            marker=dict(color=colour, opacity=charts.opacity(partners_shown, focus)), customdata=partners_shown,
            hovertemplate="%{customdata}<br>" + i18n.t("incubation.coaching.hover", language) + "<extra></extra>",
        ))
    return fig
