"""Plotly figures of the Financing page, in the house style of pie/charts.py.

No Streamlit here: builders take the frames of pie.financing.figures and a language. Bars that
narrow the page when clicked carry their group's code in `customdata`; when a group is the
page's focus the other bars are drawn pale.
"""
from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from pie import charts, i18n
from pie.financing import figures
from pie.charts import BLUE, BROWN, GREEN, GREY, RED, label_colours

DECISION_COLOURS = {"approved": GREEN, "rejected": RED, "pending": GREY}


def pipeline(frame: pd.DataFrame, language: str = i18n.DEFAULT_LANGUAGE) -> go.Figure:
    """The financing pipeline (financing/pipeline) as a funnel of projects: each bar holds the
    number of projects that reached its step (the amounts are the `amounts` chart, each named
    once)."""
    fig = charts.figure(language, legend_traceorder="normal", height=360, margin=dict(l=8, r=8, t=16, b=8), showlegend=False,
                  uniformtext=dict(mode=False))
    colours = [GREEN, GREEN, BLUE, BLUE, BROWN][: len(frame)]
    fig.add_trace(go.Funnel(
        y=[i18n.t(f"financing.step.{step}", language) for step in frame["step"]],
        x=[int(n) for n in frame["n_projects"]],
        text=[charts.count_text(n, language) for n in frame["n_projects"]],
        textinfo="text", textposition="inside", insidetextanchor="middle",
        textfont=dict(size=15, color=label_colours(colours)), marker=dict(color=colours),
        connector=dict(fillcolor="#DDE7E1", line=dict(width=0)),
        hovertemplate="%{y}<br>%{x} " + i18n.t("partners.unit.projects", language) + "<extra></extra>",
    ))
    fig.update_xaxes(visible=False)
    if not frame["n_projects"].any():
        return charts.empty(fig, i18n.t("partners.chart.empty", language))
    return fig


def amounts(totals: pd.Series, language: str = i18n.DEFAULT_LANGUAGE) -> go.Figure:
    """The four amounts of the chain (pie.financing.figures.amounts), each named once and in
    this order: asked in plans, asked in the files sent to banks, approved, disbursed. Approved
    and disbursed carry their share of the amount before them; the files' amount does not (a
    plan may go to several banks, so it can exceed what the plans ask)."""
    keys = figures.AMOUNTS
    values = [float(totals[key]) for key in keys]
    ratios = ["", "", *(f"<br>({i18n.fmt_percent(b / a, language)})" if a else ""
                        for a, b in zip(values[1:], values[2:]))]
    fig = charts.figure(language, legend_traceorder="normal", height=330, margin=dict(l=8, r=8, t=24, b=8), showlegend=False,
                  yaxis=dict(title=None, range=charts.room(max(values), 0.25), showticklabels=False),
                  xaxis=dict(title=None, tickangle=0), uniformtext=dict(mode=False))
    fig.add_trace(go.Bar(
        x=[charts.wrapped(i18n.t(f"financing.amounts.{key}", language), 14) for key in keys], y=values,
        marker_color=[GREY, BLUE, GREEN, BROWN],
        # abbreviated on the bar (four full amounts do not fit side by side), in full on hover
        text=[i18n.fmt_mad_short(v, language) + r for v, r in zip(values, ratios)], textposition="outside",
        customdata=[charts.mad_text(v, language) for v in values],
        constraintext="none", cliponaxis=False, hovertemplate="%{x}<br>%{customdata}<extra></extra>",
    ))
    if not any(values):
        return charts.empty(fig, i18n.t("partners.chart.empty", language))
    return fig


def days_to_decision(frame: pd.DataFrame, median: float | None,
                     language: str = i18n.DEFAULT_LANGUAGE) -> go.Figure:
    """How many decisions took how long (financing/days_to_decision): a histogram stacked by
    outcome, with the median as a dashed line."""
    fig = charts.figure(language, legend_traceorder="normal", height=330, barmode="stack", margin=dict(l=8, r=8, t=40, b=8),
                  xaxis=dict(title=i18n.t("financing.days.axis", language), rangemode="tozero"),
                  yaxis=dict(title=i18n.t("financing.days.count_axis", language)))
    if frame.empty:
        return charts.empty(fig, i18n.t("partners.chart.empty", language))
    days = frame["days_to_decision"].astype(float)
    size = 7 * max(1, math.ceil(days.max() / (7 * 25)))  # whole weeks, at most about 25 bars
    largest = int(pd.cut(days, bins=range(0, int(days.max()) + size + 1, size), right=False).value_counts().max())
    fig.update_yaxes(**charts.count_axis(largest), range=charts.room(largest, 0.2))  # room for the median's label
    for decision in ("approved", "rejected"):
        # counted here, one value per bin (its first day) summed by plotly into the same bins:
        # the same bars and hovers as the raw days, without sending every decision (25,000 at
        # national scale) to the browser on each run of the page
        part = frame.loc[frame["decision"] == decision, "days_to_decision"].astype(float)
        per_bin = (part // size * size).value_counts().sort_index()
        fig.add_trace(go.Histogram(
            x=[float(start) for start in per_bin.index], y=[int(n) for n in per_bin], histfunc="sum",
            name=i18n.code_label("decision", decision, language),
            marker_color=DECISION_COLOURS[decision], xbins=dict(start=0, size=size),
            hovertemplate=i18n.t("financing.days.hover", language) + "<extra>%{fullData.name}</extra>",
        ))
    if median is not None:
        fig.add_vline(x=median, line=dict(color=charts.TEXT_COLOR, dash="dash", width=2),
                      annotation_text=i18n.t("financing.days.median", language, days=i18n.fmt_number(median, language)),
                      annotation_position="top right", annotation_bgcolor="rgba(255,255,255,0.85)")
    return fig


def decisions_by_group(frame: pd.DataFrame, breakdown: str, language: str = i18n.DEFAULT_LANGUAGE,
                       focus: str | None = None, top: int = charts.TOP_GROUPS) -> go.Figure:
    """Decisions per group (financing/by_group) as horizontal bars stacked by outcome, the
    groups with most decisions first (at most `top`). Each bar's customdata is its group code."""
    part = frame.sort_values(["n_decisions", "group_key"], ascending=[False, True]).head(top)
    part = part.iloc[::-1]  # plotly draws the first category at the bottom
    labels = [charts.short(label) for label in i18n.group_labels(part, breakdown, language)]
    keys = ["" if k is None or pd.isna(k) else str(k) for k in part["group_key"]]
    fig = charts.figure(language, legend_traceorder="normal", height=charts.bar_height(len(part)), barmode="stack",
                  margin=dict(l=8, r=8, t=40, b=8), xaxis=dict(title=None),
                  yaxis=dict(title=None, type="category"))
    if part.empty:
        return charts.empty(fig, i18n.t("partners.chart.empty", language))
    rates = [i18n.fmt_percent(r, language) if pd.notna(r) else i18n.EMPTY for r in part["approval_rate"]]
    fig.update_xaxes(**charts.count_axis(part["n_decisions"].max()))
    for decision, column in (("approved", "n_approved"), ("rejected", "n_rejected"), ("pending", "n_pending")):
        fig.add_trace(go.Bar(
            y=labels, x=[int(v) for v in part[column]], orientation="h",
            name=i18n.code_label("decision", decision, language),
            marker=dict(color=DECISION_COLOURS[decision], opacity=charts.opacity(keys, focus)),
            customdata=[[k, r] for k, r in zip(keys, rates)],
            hovertemplate="%{y}<br>%{fullData.name} : %{x}<br>" + i18n.t("financing.rate_hover", language)
                          + " %{customdata[1]}<extra></extra>",
        ))
    return fig


def rejection_reasons(frame: pd.DataFrame, language: str = i18n.DEFAULT_LANGUAGE, top: int = 10) -> go.Figure:
    """The most frequent rejection reasons (financing/rejection_reasons), with their share."""
    part = frame.head(top).iloc[::-1]
    fig = charts.figure(language, legend_traceorder="normal", height=charts.bar_height(len(part)), margin=dict(l=8, r=8, t=16, b=8),
                  xaxis=dict(title=None, visible=False), yaxis=dict(title=None, type="category"), showlegend=False)
    if part.empty:
        return charts.empty(fig, i18n.t("partners.chart.empty", language))
    labels = [charts.short(i18n.code_label("free", r, language), 44) for r in part["rejection_reason"]]
    fig.update_xaxes(range=charts.room(part["n_decisions"].max()))
    fig.add_trace(go.Bar(
        y=labels, x=[int(n) for n in part["n_decisions"]], orientation="h", marker_color=RED, constraintext="none",
        text=[f"{charts.count_text(n, language)} · {i18n.fmt_percent(s, language)}"
              for n, s in zip(part["n_decisions"], part["share"])],
        textposition="outside", cliponaxis=False, hovertemplate="%{y}<br>%{text}<extra></extra>",
    ))
    return fig


def portfolio_at_risk(frame: pd.DataFrame, breakdown: str, language: str = i18n.DEFAULT_LANGUAGE,
                      focus: str | None = None, top: int = charts.TOP_GROUPS) -> go.Figure:
    """Outstanding per group (financing/loan_health) split into more than 30 days past due (red)
    and the rest, with each group's PAR30; customdata is the group code."""
    part = frame[frame["n_loans"] > 0].sort_values(["outstanding_mad", "group_key"], ascending=[False, True]).head(top)
    part = part.iloc[::-1]
    labels = [charts.short(label) for label in i18n.group_labels(part, breakdown, language)]
    keys = ["" if k is None or pd.isna(k) else str(k) for k in part["group_key"]]
    fig = charts.figure(language, legend_traceorder="normal", height=charts.bar_height(len(part)), barmode="stack", margin=dict(l=8, r=8, t=40, b=8),
                  xaxis=dict(title=i18n.t("financing.loans.outstanding_axis", language)),
                  yaxis=dict(title=None, type="category"))
    if part.empty or not part["outstanding_mad"].any():
        return charts.empty(fig, i18n.t("partners.chart.empty", language))
    par = [i18n.fmt_percent(p, language) if pd.notna(p) else i18n.EMPTY for p in part["portfolio_at_risk_30"]]
    at_risk = [float(v) for v in part["at_risk_mad"]]
    fig.update_xaxes(range=charts.room(part["outstanding_mad"].max(), 0.35))
    healthy = [float(o) - r for o, r in zip(part["outstanding_mad"], at_risk)]
    for name, values, colour, text in (("financing.loans.healthy", healthy, GREEN, None),
                                       ("financing.loans.at_risk", at_risk, RED, par)):
        fig.add_trace(go.Bar(
            y=labels, x=values, orientation="h", name=i18n.t(name, language),
            marker=dict(color=colour, opacity=charts.opacity(keys, focus)),
            customdata=[[k, p] for k, p in zip(keys, par)],
            text=[i18n.t("financing.loans.par_label", language, rate=p) for p in text] if text else None,
            textposition="outside" if text else None, cliponaxis=False, constraintext="none",
            hovertemplate="%{y}<br>" + i18n.t("financing.loans.hover", language) + "<extra></extra>",
        ))
    return fig


def outcomes(summary: dict[str, int], language: str = i18n.DEFAULT_LANGUAGE) -> go.Figure:
    """What became of the financed projects: financed → company created → still active."""
    keys = ("financed", "with_company", "active")
    values = [summary[key] for key in keys]
    fig = charts.figure(language, legend_traceorder="normal", height=220, margin=dict(l=8, r=8, t=16, b=8), showlegend=False)
    fig.add_trace(go.Funnel(
        y=[i18n.t(f"financing.outcome.{key}", language) for key in keys], x=values,
        text=[charts.count_text(v, language) + (f" · {i18n.fmt_percent(v / values[0], language)}" if values[0] and i else "")
              for i, v in enumerate(values)],
        textinfo="text", marker=dict(color=[BLUE, GREEN, "#00612C"]),
        insidetextfont=dict(color=label_colours([BLUE, GREEN, "#00612C"])),
        connector=dict(fillcolor="#DDE7E1", line=dict(width=0)),
        hovertemplate="%{y} : %{x}<extra></extra>",
    ))
    fig.update_xaxes(visible=False)
    if not summary["financed"]:
        return charts.empty(fig, i18n.t("partners.chart.empty", language))
    return fig


def par30_by_month(frame: pd.DataFrame, language: str = i18n.DEFAULT_LANGUAGE) -> go.Figure:
    """PAR30 at each month end (financing/par30_by_month) as a line, each point's hover giving
    the amount more than 30 days late and the outstanding it is a share of."""
    fig = charts.figure(language, height=320, margin=dict(l=8, r=8, t=24, b=8), showlegend=False,
                        xaxis=dict(title=None, type="date", tickformat="%m/%Y"))
    months = frame[frame["portfolio_at_risk_30"].notna()]
    if months.empty:
        return charts.empty(fig, i18n.t("partners.chart.empty", language))
    rates = [float(v) for v in months["portfolio_at_risk_30"]]
    fig.update_layout(yaxis=charts.percent_axis(language, max(0.25, min(1.0, max(rates) * 1.1))))
    fig.add_trace(go.Scatter(
        x=[pd.Timestamp(day) for day in months["month_end"]], y=rates, mode="lines+markers",
        name=i18n.t("kpi.portfolio_at_risk_30", language), line=dict(color=RED, width=2), marker=dict(size=6),
        customdata=[[i18n.fmt_date(day, language), i18n.fmt_percent(rate, language), charts.mad_text(risk, language),
                     charts.mad_text(out, language)]
                    for day, rate, risk, out in zip(months["month_end"], rates, months["at_risk_mad"],
                                                    months["outstanding_mad"])],
        hovertemplate=i18n.t("financing.par30_month.hover", language) + "<extra></extra>",
    ))
    return fig
