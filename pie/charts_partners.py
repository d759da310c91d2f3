"""Plotly figures of the Financing, Incubation and Companies-and-jobs pages.

No Streamlit here. Builders take the frames of pie.partners's questions and a language and
return a `go.Figure` in the dashboard's one theme (pie.charts). Bars that can narrow the page
when clicked carry their group's code in `customdata`; when a group is the page's focus the
other bars are drawn pale, so the chart shows what the tables below are limited to.
"""
from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from pie import charts, i18n, partners
from pie.charts import BLUE, GREEN, GREY, ORANGE, RED, TEAL

PALE = 0.3            # opacity of the bars outside the focus
TOP_GROUPS = 15       # bars drawn in a by-group chart; the table below has every group
DECISION_COLOURS = {"approved": GREEN, "rejected": RED, "pending": GREY}
STAGE_COLOURS = {"pre_incubation": "#8CCB9F", "incubation": "#3FA667", "acceleration": GREEN,
                 "post_creation": "#00612C", "graduated": BLUE, "abandoned": RED,
                 "in_progress": "#C9CED6", "next_missing": GREY, "exited": GREY, "advanced": GREY}
KIND_COLOURS = (GREEN, BLUE, ORANGE, TEAL, GREY, RED)
SANKEY_X = (0.01, 0.26, 0.51, 0.76)     # the four stages
SANKEY_EXIT_Y = {"graduated": 0.08, "abandoned": 0.4, "in_progress": 0.75, "next_missing": 0.92, "exited": 0.98}


def _t(key: str, language: str, **values: object) -> str:
    return i18n.t(key, language, **values)


def _figure(language: str, **layout: object) -> go.Figure:
    fig = go.Figure()
    # legends list the traces in the order they are added (plotly reverses stacked bars otherwise)
    fig.update_layout(template=charts.TEMPLATE, legend_traceorder="normal",
                      separators=charts.SEPARATORS.get(language, charts.SEPARATORS["fr"]), **layout)
    return fig


def _opacity(keys: list, focus: str | None) -> list[float] | float:
    if not focus:
        return 1.0
    return [1.0 if str(key) == focus else PALE for key in keys]


def _empty(fig: go.Figure, language: str) -> go.Figure:
    fig.add_annotation(text=_t("partners.chart.empty", language), showarrow=False, x=0.5, y=0.5,
                       xref="paper", yref="paper", font=dict(size=14, color=GREY))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


def _short(text: str, width: int = 34) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _bar_height(n: int) -> int:
    return max(220, 90 + 30 * n)


def _count_axis(largest: float, **axis: object) -> dict:
    """An axis of counts: whole numbers only (no 0,5 decision), steps of 1 when counts are small."""
    return dict(tickformat=",d", rangemode="tozero", **({"dtick": 1} if largest <= 6 else {}), **axis)


def _room(largest: float, share: float = 0.3) -> list[float]:
    """An axis range leaving `share` of room after the longest bar for its outside label."""
    return [0, float(largest) * (1 + share) if largest else 1]


def _gap(n: int) -> dict:
    """A bar gap that keeps one or two bars from filling the whole width."""
    return {"bargap": 0.6} if n <= 2 else {}


def _count(value: object, language: str) -> str:
    return i18n.fmt_number(int(value), language)


def _mad(value: object, language: str) -> str:
    return i18n.fmt_mad(float(value), language)


# ------------------------------------------------------------------------------ financing
def pipeline(frame: pd.DataFrame, language: str = i18n.DEFAULT_LANGUAGE) -> go.Figure:
    """The financing pipeline (financing/pipeline) as a funnel of projects: each bar holds the
    number of projects, its label the step and, below it, the amount (requested for the plan
    steps, then approved and disbursed), so no figure is ever cut off."""
    fig = _figure(language, height=360, margin=dict(l=8, r=8, t=16, b=8), showlegend=False,
                  uniformtext=dict(mode=False))
    amounts = [_t(f"financing.amount.{kind}", language, amount=_mad(amount, language))
               for kind, amount in zip(frame["amount_kind"], frame["amount_mad"])]
    labels = [f"{_t(f'financing.step.{step}', language)}<br><span style='font-size:12px;color:{GREY}'>{amount}</span>"
              for step, amount in zip(frame["step"], amounts)]
    fig.add_trace(go.Funnel(
        y=labels, x=[int(n) for n in frame["n_projects"]],
        text=[_count(n, language) for n in frame["n_projects"]], customdata=amounts,
        textinfo="text", textposition="inside", insidetextanchor="middle", textfont=dict(size=15),
        marker=dict(color=[GREEN, GREEN, BLUE, BLUE, TEAL][: len(frame)]),
        connector=dict(fillcolor="#DDE7E1", line=dict(width=0)),
        hovertemplate="%{x} " + _t("partners.unit.projects", language) + "<br>%{customdata}<extra></extra>",
    ))
    fig.update_xaxes(visible=False)
    if not frame["n_projects"].any():
        return _empty(fig, language)
    return fig


def amounts(totals: pd.Series, language: str = i18n.DEFAULT_LANGUAGE) -> go.Figure:
    """Requested (plans the banks decided or have pending), approved and disbursed amounts:
    the `all` row of financing/by_group, as three bars with their ratio to the previous one."""
    keys = ("requested_mad", "approved_mad", "disbursed_mad")
    values = [float(totals[key]) for key in keys]
    ratios = ["", *(f"<br>({i18n.fmt_percent(b / a, language)})" if a else "" for a, b in zip(values, values[1:]))]
    fig = _figure(language, height=330, margin=dict(l=8, r=8, t=24, b=8), showlegend=False,
                  yaxis=dict(title=None, range=_room(max(values), 0.25), showticklabels=False),
                  xaxis=dict(title=None, tickangle=0), uniformtext=dict(mode=False))
    fig.add_trace(go.Bar(
        x=[charts._wrapped(_t(f"financing.amounts.{key}", language), 12) for key in keys], y=values,
        marker_color=[BLUE, GREEN, TEAL],
        text=[_mad(v, language) + r for v, r in zip(values, ratios)], textposition="outside",
        constraintext="none", cliponaxis=False, hovertemplate="%{x}<br>%{text}<extra></extra>",
    ))
    if not any(values):
        return _empty(fig, language)
    return fig


def days_to_decision(frame: pd.DataFrame, median: float | None,
                     language: str = i18n.DEFAULT_LANGUAGE) -> go.Figure:
    """How many decisions took how long (financing/days_to_decision): a histogram stacked by
    outcome, with the median as a dashed line."""
    fig = _figure(language, height=330, barmode="stack", margin=dict(l=8, r=8, t=40, b=8),
                  xaxis=dict(title=_t("financing.days.axis", language), rangemode="tozero"),
                  yaxis=dict(title=_t("financing.days.count_axis", language)))
    if frame.empty:
        return _empty(fig, language)
    days = frame["days_to_decision"].astype(float)
    size = 7 * max(1, math.ceil(days.max() / (7 * 25)))  # whole weeks, at most about 25 bars
    largest = int(pd.cut(days, bins=range(0, int(days.max()) + size + 1, size), right=False).value_counts().max())
    fig.update_yaxes(**_count_axis(largest), range=_room(largest, 0.2))  # room for the median's label
    for decision in ("approved", "rejected"):
        part = frame[frame["decision"] == decision]
        fig.add_trace(go.Histogram(
            x=part["days_to_decision"].astype(float), name=partners.code_label("decision", decision, language),
            marker_color=DECISION_COLOURS[decision], xbins=dict(start=0, size=size),
            hovertemplate=_t("financing.days.hover", language) + "<extra>%{fullData.name}</extra>",
        ))
    if median is not None:
        fig.add_vline(x=median, line=dict(color=charts.TEXT_COLOR, dash="dash", width=2),
                      annotation_text=_t("financing.days.median", language, days=i18n.fmt_number(median, language)),
                      annotation_position="top right", annotation_bgcolor="rgba(255,255,255,0.85)")
    return fig


def decisions_by_group(frame: pd.DataFrame, breakdown: str, language: str = i18n.DEFAULT_LANGUAGE,
                       focus: str | None = None, top: int = TOP_GROUPS) -> go.Figure:
    """Decisions per group (financing/by_group) as horizontal bars stacked by outcome, the
    groups with most decisions first (at most `top`). Each bar's customdata is its group code."""
    part = frame.sort_values(["n_decisions", "group_key"], ascending=[False, True]).head(top)
    part = part.iloc[::-1]  # plotly draws the first category at the bottom
    labels = [_short(label) for label in partners.group_labels(part, breakdown, language)]
    keys = ["" if k is None or pd.isna(k) else str(k) for k in part["group_key"]]
    fig = _figure(language, height=_bar_height(len(part)), barmode="stack",
                  margin=dict(l=8, r=8, t=40, b=8), xaxis=dict(title=None),
                  yaxis=dict(title=None, type="category"))
    if part.empty:
        return _empty(fig, language)
    rates = [i18n.fmt_percent(r, language) if pd.notna(r) else i18n.EMPTY for r in part["approval_rate"]]
    fig.update_xaxes(**_count_axis(part["n_decisions"].max()))
    for decision, column in (("approved", "n_approved"), ("rejected", "n_rejected"), ("pending", "n_pending")):
        fig.add_trace(go.Bar(
            y=labels, x=[int(v) for v in part[column]], orientation="h",
            name=partners.code_label("decision", decision, language),
            marker=dict(color=DECISION_COLOURS[decision], opacity=_opacity(keys, focus)),
            customdata=[[k, r] for k, r in zip(keys, rates)],
            hovertemplate="%{y}<br>%{fullData.name} : %{x}<br>" + _t("financing.rate_hover", language)
                          + " %{customdata[1]}<extra></extra>",
        ))
    return fig


def rejection_reasons(frame: pd.DataFrame, language: str = i18n.DEFAULT_LANGUAGE, top: int = 10) -> go.Figure:
    """The most frequent rejection reasons (financing/rejection_reasons), with their share."""
    part = frame.head(top).iloc[::-1]
    fig = _figure(language, height=_bar_height(len(part)), margin=dict(l=8, r=8, t=16, b=8),
                  xaxis=dict(title=None, visible=False), yaxis=dict(title=None, type="category"), showlegend=False)
    if part.empty:
        return _empty(fig, language)
    labels = [_short(partners.code_label("free", r, language), 44) for r in part["rejection_reason"]]
    fig.update_xaxes(range=_room(part["n_decisions"].max()))
    fig.add_trace(go.Bar(
        y=labels, x=[int(n) for n in part["n_decisions"]], orientation="h", marker_color=RED, constraintext="none",
        text=[f"{_count(n, language)} · {i18n.fmt_percent(s, language)}"
              for n, s in zip(part["n_decisions"], part["share"])],
        textposition="outside", cliponaxis=False, hovertemplate="%{y}<br>%{text}<extra></extra>",
    ))
    return fig


def portfolio_at_risk(frame: pd.DataFrame, breakdown: str, language: str = i18n.DEFAULT_LANGUAGE,
                      focus: str | None = None, top: int = TOP_GROUPS) -> go.Figure:
    """Outstanding per group (financing/loan_health) split into more than 30 days past due (red)
    and the rest, with each group's PAR30; customdata is the group code."""
    part = frame[frame["n_loans"] > 0].sort_values(["outstanding_mad", "group_key"], ascending=[False, True]).head(top)
    part = part.iloc[::-1]
    labels = [_short(label) for label in partners.group_labels(part, breakdown, language)]
    keys = ["" if k is None or pd.isna(k) else str(k) for k in part["group_key"]]
    fig = _figure(language, height=_bar_height(len(part)), barmode="stack", margin=dict(l=8, r=8, t=40, b=8),
                  xaxis=dict(title=_t("financing.loans.outstanding_axis", language)),
                  yaxis=dict(title=None, type="category"))
    if part.empty or not part["outstanding_mad"].any():
        return _empty(fig, language)
    par = [i18n.fmt_percent(p, language) if pd.notna(p) else i18n.EMPTY for p in part["portfolio_at_risk_30"]]
    at_risk = [float(v) for v in part["at_risk_mad"]]
    fig.update_xaxes(range=_room(part["outstanding_mad"].max(), 0.35))
    healthy = [float(o) - r for o, r in zip(part["outstanding_mad"], at_risk)]
    for name, values, colour, text in (("financing.loans.healthy", healthy, GREEN, None),
                                       ("financing.loans.at_risk", at_risk, RED, par)):
        fig.add_trace(go.Bar(
            y=labels, x=values, orientation="h", name=_t(name, language),
            marker=dict(color=colour, opacity=_opacity(keys, focus)),
            customdata=[[k, p] for k, p in zip(keys, par)],
            text=[_t("financing.loans.par_label", language, rate=p) for p in text] if text else None,
            textposition="outside" if text else None, cliponaxis=False, constraintext="none",
            hovertemplate="%{y}<br>" + _t("financing.loans.hover", language) + "<extra></extra>",
        ))
    return fig


def outcomes(summary: dict[str, int], language: str = i18n.DEFAULT_LANGUAGE) -> go.Figure:
    """What became of the financed projects: financed → company created → still active."""
    keys = ("financed", "with_company", "active")
    values = [summary[key] for key in keys]
    fig = _figure(language, height=220, margin=dict(l=8, r=8, t=16, b=8), showlegend=False)
    fig.add_trace(go.Funnel(
        y=[_t(f"financing.outcome.{key}", language) for key in keys], x=values,
        text=[_count(v, language) + (f" · {i18n.fmt_percent(v / values[0], language)}" if values[0] and i else "")
              for i, v in enumerate(values)],
        textinfo="text", marker=dict(color=[BLUE, GREEN, "#00612C"]),
        connector=dict(fillcolor="#DDE7E1", line=dict(width=0)),
        hovertemplate="%{y} : %{x}<extra></extra>",
    ))
    fig.update_xaxes(visible=False)
    if not summary["financed"]:
        return _empty(fig, language)
    return fig


# ------------------------------------------------------------------------------ incubation
def stages_now(frame: pd.DataFrame, language: str = i18n.DEFAULT_LANGUAGE, focus: str | None = None) -> go.Figure:
    """Projects per status now (incubation/stages_now) as horizontal bars, top to bottom: the
    open stages in order, then how stays ended. customdata is the status code."""
    part = frame.iloc[::-1]  # plotly draws the first category at the bottom
    fig = _figure(language, height=_bar_height(len(part)), margin=dict(l=8, r=8, t=16, b=8), showlegend=False,
                  yaxis=dict(title=None, type="category"), xaxis=dict(title=None))
    if part.empty:
        return _empty(fig, language)
    keys = [str(k) for k in part["status_now"]]
    fig.update_xaxes(**_count_axis(part["n_projects"].max()), range=_room(part["n_projects"].max(), 0.15))
    fig.add_trace(go.Bar(
        y=[partners.code_label("incubation_status", k, language) for k in keys], orientation="h",
        x=[int(n) for n in part["n_projects"]], customdata=keys,
        marker=dict(color=[STAGE_COLOURS.get(k, GREY) for k in keys], opacity=_opacity(keys, focus)),
        text=[_count(n, language) for n in part["n_projects"]], textposition="outside", cliponaxis=False,
        constraintext="none", hovertemplate="%{y} : %{x}<extra></extra>",
    ))
    return fig


def flows(frame: pd.DataFrame, language: str = i18n.DEFAULT_LANGUAGE) -> go.Figure:
    """The flows between stages (incubation/flows) as a Sankey diagram: stages in order from
    left to right, then where the stays ended (graduated, abandoned, still in the stage)."""
    fig = _figure(language, height=420, margin=dict(l=8, r=8, t=16, b=8))
    if frame.empty:
        return _empty(fig, language)
    nodes = [s for s in partners.STAGES if s in set(frame["source"]) | set(frame["target"])]
    nodes += [e for e in partners.STAGE_EXITS if e in set(frame["target"])]
    index = {code: i for i, code in enumerate(nodes)}
    totals = {code: max(int(frame.loc[frame["target"] == code, "n_projects"].sum()),
                        int(frame.loc[frame["source"] == code, "n_projects"].sum())) for code in nodes}
    labels = [f"{_t(f'incubation.node.{code}', language)} ({_count(totals[code], language)})" for code in nodes]
    colours = [STAGE_COLOURS.get(code, GREY) for code in nodes]
    link_colours = [_rgba(STAGE_COLOURS.get(t, GREY), 0.35) for t in frame["target"]]
    # stages left to right in their order, the issues stacked on the right, so labels never collide
    x = [SANKEY_X[partners.STAGES.index(code)] if code in partners.STAGES else 0.99 for code in nodes]
    y = [0.4 if code in partners.STAGES else SANKEY_EXIT_Y[code] for code in nodes]
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
    fig = _figure(language, height=330, margin=dict(l=8, r=8, t=24, b=8), showlegend=False,
                  xaxis=dict(title=None, type="category"),
                  yaxis=dict(title=_t("incubation.time.axis", language), rangemode="tozero"))
    part = frame[frame["median_days"].notna()]
    if part.empty:
        return _empty(fig, language)
    fig.update_layout(**_gap(len(part)))
    medians = part["median_days"].astype(float)
    fig.add_trace(go.Bar(
        x=[_t(f"code.stage.{s}", language) for s in part["stage"]], y=medians,
        marker_color=[STAGE_COLOURS[s] for s in part["stage"]],
        error_y=dict(type="data", symmetric=False, array=part["q3_days"].astype(float) - medians,
                     arrayminus=medians - part["q1_days"].astype(float), color=GREY, thickness=1.5),
        text=[_t("incubation.time.days", language, days=i18n.fmt_number(m, language)) for m in medians],
        textposition="inside", insidetextanchor="start",
        customdata=[[_count(n, language), i18n.fmt_number(q1, language), i18n.fmt_number(q3, language)]
                    for n, q1, q3 in zip(part["n_exited"], part["q1_days"], part["q3_days"])],
        hovertemplate="%{x}<br>" + _t("incubation.time.hover", language) + "<extra></extra>",
    ))
    return fig


def coaching(frame: pd.DataFrame, language: str = i18n.DEFAULT_LANGUAGE, focus: str | None = None,
             top: int = 12) -> go.Figure:
    """Coaching hours per partner (incubation/coaching), stacked by kind, partners with most hours
    first (at most `top`). customdata is the partner."""
    hours = frame.groupby("partner", as_index=False)["hours"].sum().sort_values(
        ["hours", "partner"], ascending=[False, True]).head(top)
    partners_shown = list(hours["partner"])[::-1]
    fig = _figure(language, height=_bar_height(len(partners_shown)), barmode="stack",
                  margin=dict(l=8, r=8, t=40, b=8), xaxis=dict(title=_t("incubation.coaching.axis", language)),
                  yaxis=dict(title=None, type="category"))
    if not partners_shown:
        return _empty(fig, language)
    kinds = [k for k in ("coaching", "mentoring", "bank_advice", "workshop", "study_trip") if k in set(frame["kind"])]
    kinds += sorted(set(frame["kind"]) - set(kinds))
    for kind, colour in zip(kinds, KIND_COLOURS * 3):
        part = frame[frame["kind"] == kind].set_index("partner")
        values = [float(part["hours"].get(p, 0)) for p in partners_shown]
        fig.add_trace(go.Bar(
            y=[_short(p) for p in partners_shown], x=values, orientation="h",
            name=partners.code_label("coaching_kind", kind, language),
            marker=dict(color=colour, opacity=_opacity(partners_shown, focus)), customdata=partners_shown,
            hovertemplate="%{customdata}<br>" + _t("incubation.coaching.hover", language) + "<extra></extra>",
        ))
    return fig


# ------------------------------------------------------------------------------ companies
def companies_by_group(frame: pd.DataFrame, breakdown: str, language: str = i18n.DEFAULT_LANGUAGE,
                       focus: str | None = None) -> go.Figure:
    """Companies per group (companies/by_group), active now and closed stacked; years in
    order, other groups most companies first. customdata is the group code."""
    if breakdown == "year":
        part = frame.sort_values("group_key")
    else:
        part = frame.sort_values(["companies_created", "group_key"], ascending=[False, True]).head(TOP_GROUPS)
    labels = [_short(label) for label in partners.group_labels(part, breakdown, language)]
    keys = ["" if k is None or pd.isna(k) else str(k) for k in part["group_key"]]
    horizontal = breakdown != "year"
    if horizontal:
        part, labels, keys = part.iloc[::-1], labels[::-1], keys[::-1]
    fig = _figure(language, height=_bar_height(len(part)) if horizontal else 340, barmode="stack",
                  margin=dict(l=8, r=8, t=40, b=8), xaxis=dict(title=None, type=None if horizontal else "category"),
                  yaxis=dict(title=None, type="category" if horizontal else None),
                  **({} if horizontal else _gap(len(part))))
    if part.empty:
        return _empty(fig, language)
    active = [int(v) for v in part["companies_active"]]
    if horizontal:
        fig.update_xaxes(**_count_axis(part["companies_created"].max()))
    else:
        fig.update_yaxes(**_count_axis(part["companies_created"].max()))
    closed = [int(c) - a for c, a in zip(part["companies_created"], active)]
    for name, values, colour in (("companies.active", active, GREEN), ("companies.closed", closed, GREY)):
        bars = dict(y=labels, x=values, orientation="h") if horizontal else dict(x=labels, y=values)
        fig.add_trace(go.Bar(
            **bars, name=_t(name, language), customdata=keys,
            marker=dict(color=colour, opacity=_opacity(keys, focus)),
            hovertemplate=("%{y}" if horizontal else "%{x}") + "<br>%{fullData.name} : "
                          + ("%{x}" if horizontal else "%{y}") + "<extra></extra>",
        ))
    return fig


def jobs(frame: pd.DataFrame, breakdown: str, language: str = i18n.DEFAULT_LANGUAGE) -> go.Figure:
    """Jobs planned in the plans, created at registration and now, per group (companies/by_group)."""
    part = frame.sort_values("group_key") if breakdown in ("year", "all") else frame.sort_values(
        ["jobs_created", "group_key"], ascending=[False, True]).head(TOP_GROUPS)
    labels = ([_t("companies.all", language)] if breakdown == "all"
              else [charts._wrapped(_short(label, 28), 14)
                    for label in partners.group_labels(part, breakdown, language)])
    fig = _figure(language, height=360, barmode="group", margin=dict(l=8, r=8, t=40, b=8),
                  xaxis=dict(title=None, type="category"), yaxis=dict(title=None, rangemode="tozero"))
    if part.empty:
        return _empty(fig, language)
    largest = max(part[key].max() for key in ("planned_jobs", "jobs_created", "jobs_now"))
    fig.update_yaxes(**_count_axis(largest), range=_room(largest, 0.15))
    for key, colour in (("planned_jobs", GREY), ("jobs_created", BLUE), ("jobs_now", GREEN)):
        values = [int(v) for v in part[key]]
        fig.add_trace(go.Bar(
            x=labels, y=values, name=_t(f"companies.jobs.{key}", language), marker_color=colour,
            text=[_count(v, language) for v in values], textposition="outside", cliponaxis=False,
            hovertemplate="%{x}<br>%{fullData.name} : %{y}<extra></extra>",
        ))
    return fig


def survival(frame: pd.DataFrame, language: str = i18n.DEFAULT_LANGUAGE) -> go.Figure:
    """Survival after 12 and 24 months (companies/survival): the share active at each horizon
    among the companies whose status then is known, with the counts behind it."""
    ticks = [0, 0.25, 0.5, 0.75, 1]
    fig = _figure(language, height=300, margin=dict(l=8, r=8, t=24, b=8), showlegend=False,
                  xaxis=dict(title=None, type="category"),
                  yaxis=dict(title=None, range=[0, 1.15], tickvals=ticks,
                             ticktext=[i18n.fmt_percent(v, language, decimals=0) for v in ticks]))
    if frame.empty or not frame["n_eligible"].any():
        return _empty(fig, language)
    texts = [_t("companies.survival.bar", language, rate=i18n.fmt_percent(r, language),
                active=_count(a, language), known=_count(a + c, language)) if pd.notna(r) else i18n.EMPTY
             for r, a, c in zip(frame["survival_rate"], frame["n_active"], frame["n_closed"])]
    fig.add_trace(go.Bar(
        x=[_t("companies.survival.horizon", language, months=m) for m in frame["months"]],
        y=[float(r) if pd.notna(r) else 0 for r in frame["survival_rate"]], marker_color=[GREEN, "#00612C"],
        text=texts, textposition="outside", cliponaxis=False, hovertemplate="%{x}<br>%{text}<extra></extra>",
    ))
    return fig
