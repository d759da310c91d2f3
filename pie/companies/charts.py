"""Plotly figures of the Companies-and-jobs page, in the house style of pie/charts.py.

No Streamlit here: builders take the frames of pie.companies.figures and a language.
"""
from __future__ import annotations


import pandas as pd
import plotly.graph_objects as go

from pie import charts, i18n
from pie.charts import BLUE, GREEN, GREY

def companies_by_group(frame: pd.DataFrame, breakdown: str, language: str = i18n.DEFAULT_LANGUAGE,
                       focus: str | None = None) -> go.Figure:
    """Companies per group (companies/by_group), active now and closed stacked; years in
    order, other groups most companies first. customdata is the group code."""
    if breakdown == "year":
        part = frame.sort_values("group_key")
    else:
        part = frame.sort_values(["companies_created", "group_key"], ascending=[False, True]).head(charts.TOP_GROUPS)
    labels = [charts.short(label) for label in i18n.group_labels(part, breakdown, language)]
    keys = ["" if k is None or pd.isna(k) else str(k) for k in part["group_key"]]
    horizontal = breakdown != "year"
    if horizontal:
        part, labels, keys = part.iloc[::-1], labels[::-1], keys[::-1]
    fig = charts.figure(language, legend_traceorder="normal", height=charts.bar_height(len(part)) if horizontal else 340, barmode="stack",
                  margin=dict(l=8, r=8, t=40, b=8), xaxis=dict(title=None, type=None if horizontal else "category"),
                  yaxis=dict(title=None, type="category" if horizontal else None),
                  **({} if horizontal else charts.gap(len(part))))
    if part.empty:
        return charts.empty(fig, i18n.t("partners.chart.empty", language))
    active = [int(v) for v in part["companies_active"]]
    if horizontal:
        fig.update_xaxes(**charts.count_axis(part["companies_created"].max()))
    else:
        fig.update_yaxes(**charts.count_axis(part["companies_created"].max()))
    closed = [int(c) - a for c, a in zip(part["companies_created"], active)]
    for name, values, colour in (("companies.active", active, GREEN), ("companies.closed", closed, GREY)):
        bars = dict(y=labels, x=values, orientation="h") if horizontal else dict(x=labels, y=values)
        fig.add_trace(go.Bar(
            **bars, name=i18n.t(name, language), customdata=keys,
            marker=dict(color=colour, opacity=charts.opacity(keys, focus)),
            hovertemplate=("%{y}" if horizontal else "%{x}") + "<br>%{fullData.name} : "
                          + ("%{x}" if horizontal else "%{y}") + "<extra></extra>",
        ))
    return fig


def jobs(frame: pd.DataFrame, breakdown: str, language: str = i18n.DEFAULT_LANGUAGE) -> go.Figure:
    """Jobs planned in the plans, created at registration and now, per group (companies/by_group)."""
    part = frame.sort_values("group_key") if breakdown in ("year", "all") else frame.sort_values(
        ["jobs_created", "group_key"], ascending=[False, True]).head(charts.TOP_GROUPS)
    labels = ([i18n.t("companies.all", language)] if breakdown == "all"
              else [charts.wrapped(charts.short(label, 28), 14)
                    for label in i18n.group_labels(part, breakdown, language)])
    fig = charts.figure(language, legend_traceorder="normal", height=360, barmode="group", margin=dict(l=8, r=8, t=40, b=8),
                  xaxis=dict(title=None, type="category"), yaxis=dict(title=None, rangemode="tozero"))
    if part.empty:
        return charts.empty(fig, i18n.t("partners.chart.empty", language))
    largest = max(part[key].max() for key in ("planned_jobs", "jobs_created", "jobs_now"))
    fig.update_yaxes(**charts.count_axis(largest), range=charts.room(largest, 0.15))
    for key, colour in (("planned_jobs", GREY), ("jobs_created", BLUE), ("jobs_now", GREEN)):
        values = [int(v) for v in part[key]]
        fig.add_trace(go.Bar(
            x=labels, y=values, name=i18n.t(f"companies.jobs.{key}", language), marker_color=colour,
            text=[charts.count_text(v, language) for v in values], textposition="outside", cliponaxis=False,
            hovertemplate="%{x}<br>%{fullData.name} : %{y}<extra></extra>",
        ))
    return fig


def survival(frame: pd.DataFrame, language: str = i18n.DEFAULT_LANGUAGE) -> go.Figure:
    """Survival after 12 and 24 months (companies/survival): the share active at each horizon
    among the companies whose status then is known, with the counts behind it."""
    ticks = [0, 0.25, 0.5, 0.75, 1]
    fig = charts.figure(language, legend_traceorder="normal", height=300, margin=dict(l=8, r=8, t=24, b=8), showlegend=False,
                  xaxis=dict(title=None, type="category"),
                  yaxis=dict(title=None, range=[0, 1.15], tickvals=ticks,
                             ticktext=[i18n.fmt_percent(v, language, decimals=0) for v in ticks]))
    if frame.empty or not frame["n_eligible"].any():
        return charts.empty(fig, i18n.t("partners.chart.empty", language))
    texts = [i18n.t("companies.survival.bar", language, rate=i18n.fmt_percent(r, language),
                active=charts.count_text(a, language), known=charts.count_text(a + c, language)) if pd.notna(r) else i18n.EMPTY
             for r, a, c in zip(frame["survival_rate"], frame["n_active"], frame["n_closed"])]
    fig.add_trace(go.Bar(
        x=[i18n.t("companies.survival.horizon", language, months=m) for m in frame["months"]],
        y=[float(r) if pd.notna(r) else 0 for r in frame["survival_rate"]], marker_color=[GREEN, "#00612C"],
        text=texts, textposition="outside", cliponaxis=False, hovertemplate="%{x}<br>%{text}<extra></extra>",
    ))
    return fig
