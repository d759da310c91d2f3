"""Plotly figures of the programme pages (Overview, Funnel, Phases, Follow-up), in the house
style of pie/charts.py. No Streamlit here: builders take the frames of pie.kpis and
pie.programme.figures and a language.

Bars a user may click to narrow the page carry the code of their group in `customdata[0]`
(pages read it from the chart's selection).
"""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from pie import i18n
from pie import charts
from pie.charts import BLUE, GREEN, GREY, GROUP_ORDER, BROWN, ORANGE, PALE_GREY, PALETTE, RED, TEXT_COLOR, label_colour
from pie.programme.figures import GENDERS, OUTCOMES, PEOPLE, PHASES, PROFILES, PROJECTS, WAITING_DAYS, funnel_steps_of

# The three phases, light to dark: the further the phase, the darker the green.
# Each fill at least 3:1 against white (docs/ACCESSIBILITY.md); labels by charts.label_colour.
PHASE_COLOURS = {"awareness": "#2E9E5B", "fundamentals": "#1F7A45", "immersion": "#004D23"}
OUTCOME_COLOURS = {"completed": GREEN, "in_progress": BLUE, "dropped": RED, "not_started": PALE_GREY}
OUTCOME_TEXT = {outcome: label_colour(colour) for outcome, colour in OUTCOME_COLOURS.items()}
GROUP_COLOURS = (GREEN, ORANGE, BLUE, BROWN, GREY)
# Follow-up lists, in the page's order, and their colours.
FOLLOW_UP_LISTS = ("participants", "to_review", "without_decision", "not_disbursed")
FOLLOW_UP_COLOURS = dict(zip(FOLLOW_UP_LISTS, (ORANGE, BLUE, BROWN, GREEN)))
PERCENT_TICKS = (0, 0.25, 0.5, 0.75, 1)


def _phase_name(phase: str, language: str) -> str:
    return i18n.t(f"phases.short.{phase}", language)


# ------------------------------------------------------------------------------ phases
def phase_outcomes(summary: pd.DataFrame, language: str = i18n.DEFAULT_LANGUAGE) -> go.Figure:
    """What became of the participants who could start each phase (pie.programme.phase_summary):
    one horizontal bar per phase, 100 % = eligible, split into completed, in progress, dropped
    and not started (yet); each part reads `count · share`."""
    fig = go.Figure()
    phases = [_phase_name(p, language) for p in summary["phase"]]
    eligible = summary["eligible"].astype("float64").where(summary["eligible"] > 0)
    for outcome in OUTCOMES:
        counts = summary[outcome].astype("int64")
        shares = (counts / eligible).fillna(0.0)
        name = i18n.t(f"phases.outcome.{outcome}", language)
        fig.add_trace(go.Bar(
            name=name, orientation="h", y=phases, x=list(shares),
            marker_color=OUTCOME_COLOURS[outcome],
            text=[f"{i18n.fmt_number(c, language)} · {i18n.fmt_percent(s, language, 0)}" if c else ""
                  for c, s in zip(counts, shares)],
            textposition="inside", insidetextanchor="middle", textangle=0,
            textfont=dict(color=OUTCOME_TEXT[outcome], size=13),
            customdata=[[i18n.fmt_number(c, language), i18n.fmt_percent(s, language),
                         i18n.fmt_number(e, language)] for c, s, e in zip(counts, shares, summary["eligible"])],
            hovertemplate="%{y} · " + name + " : %{customdata[0]} (%{customdata[1]} "
                          + i18n.t("phases.outcome.of_eligible", language) + " %{customdata[2]})<extra></extra>",
        ))
    charts.style(fig, language, barmode="stack", height=260, margin=dict(t=40),
           xaxis=dict(range=[0, 1], tickvals=list(PERCENT_TICKS), title=None,
                      ticktext=[i18n.fmt_percent(v, language, decimals=0) for v in PERCENT_TICKS]),
           yaxis=dict(autorange="reversed", title=None), legend=dict(traceorder="normal"),
           uniformtext=dict(minsize=10, mode="hide"))
    return fig


def progress_by_group(frame: pd.DataFrame, value: str, count: str, language: str = i18n.DEFAULT_LANGUAGE,
                      partial: pd.Series | None = None) -> go.Figure:
    """Groups (cohorts or academic years) side by side, one row per group from the top in the
    frame's order, one bar per phase: `value` (a share 0..1) of each group's participants,
    `count` people (frames of phase_by_group or completion_within, one row per group and
    phase). Groups in `partial` (a boolean per row: True = not yet comparable) are hatched.
    Each bar carries its group's code (customdata[0])."""
    fig = go.Figure()
    groups = frame.drop_duplicates("group_key")
    labels = {key: charts.wrapped(label, 34) for key, label in zip(groups["group_key"], groups["group_label"])}
    for phase in PHASES:
        part = frame[frame["phase"] == phase]
        shares = [None if pd.isna(v) else float(v) for v in part[value]]
        hatched = [bool(p) for p in (partial[part.index] if partial is not None else [False] * len(part))]
        fig.add_trace(go.Bar(
            name=_phase_name(phase, language), orientation="h", y=[labels[k] for k in part["group_key"]], x=shares,
            marker=dict(color=PHASE_COLOURS[phase],
                        pattern=dict(shape=["/" if h else "" for h in hatched], fillmode="overlay",
                                     fgcolor="white", solidity=0.45)),
            text=[i18n.fmt_percent(s, language, 0) for s in shares], textposition="outside", cliponaxis=False,
            textfont=dict(size=11),
            customdata=[[key, i18n.fmt_number(c, language), i18n.fmt_number(n, language),
                         i18n.fmt_percent(s, language)]
                        for key, c, n, s in zip(part["group_key"], part[count], part["participants"], shares)],
            hovertemplate="%{y}<br>" + _phase_name(phase, language) + " : %{customdata[1]} "
                          + i18n.t("phases.of", language) + " %{customdata[2]} (%{customdata[3]})<extra></extra>",
        ))
    charts.style(fig, language, barmode="group", height=max(240, 90 + 54 * len(groups)), margin=dict(t=48),
           xaxis=charts.percent_axis(language), yaxis=dict(autorange="reversed", title=None, type="category"),
           legend=dict(traceorder="normal"), clickmode="event+select", bargap=0.22, bargroupgap=0.0,
           uniformtext=dict(mode=False))
    return fig


def dropoff_by_group(frame: pd.DataFrame, breakdown: str, labels: dict[str, str],
                     language: str = i18n.DEFAULT_LANGUAGE) -> go.Figure:
    """Drop-off rate (dropped ÷ started) of each phase per group, as horizontal bars, one colour
    per phase, groups in the order of `labels` (group code -> label) from the top. Each bar
    carries its group's code (customdata[0])."""
    fig = go.Figure()
    order = list(labels)
    top = 0.0
    for phase in PHASES:
        part = frame[frame["phase"] == phase].set_index("group_key").reindex(order)
        rates = [None if pd.isna(v) else float(v) for v in part["dropoff_rate"]]
        top = max([top, *[r for r in rates if r is not None]])
        fig.add_trace(go.Bar(
            name=_phase_name(phase, language), orientation="h",
            y=[charts.wrapped(labels[k], 28) for k in order], x=rates, marker_color=PHASE_COLOURS[phase],
            text=[i18n.fmt_percent(r, language, 0) if r is not None else "" for r in rates],
            textposition="outside", cliponaxis=False, textfont=dict(size=11),
            customdata=[[key, i18n.fmt_number(d, language, 0), i18n.fmt_number(s, language, 0),
                         i18n.fmt_percent(r, language)]
                        for key, d, s, r in zip(order, part["dropped"].fillna(0), part["started"].fillna(0), rates)],
            hovertemplate="%{y}<br>" + _phase_name(phase, language) + " : %{customdata[1]} "
                          + i18n.t("phases.dropoff.hover", language) + " %{customdata[2]} (%{customdata[3]})<extra></extra>",
        ))
    top = min(1.0, max(0.1, top))
    charts.style(fig, language, barmode="group", height=max(240, 90 + 54 * len(order)), margin=dict(t=48),
           xaxis=charts.percent_axis(language, top), legend=dict(traceorder="normal"),
           yaxis=dict(autorange="reversed", title=None), clickmode="event+select", bargap=0.22,
           bargroupgap=0.0, uniformtext=dict(mode=False))
    return fig


def durations(summary: pd.DataFrame, language: str = i18n.DEFAULT_LANGUAGE) -> go.Figure:
    """Two panels per phase (pie.programme.phase_summary): the median days from enrolment to the
    phase's completion, and the median hours attended by a participant (total in the label)."""
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.16,
                        subplot_titles=[i18n.t("phases.durations.days", language), i18n.t("phases.durations.hours", language)])
    phases = [_phase_name(p, language) for p in summary["phase"]]
    colours = [PHASE_COLOURS[p] for p in summary["phase"]]
    days = [None if pd.isna(v) else float(v) for v in summary["median_days_to_complete"]]
    hours = [None if pd.isna(v) else float(v) for v in summary["hours_median"]]
    totals = [None if pd.isna(v) else float(v) for v in summary["hours_total"]]
    fig.add_trace(go.Bar(
        orientation="h", y=phases, x=days, marker_color=colours, cliponaxis=False,
        text=[i18n.t("unit.days", language, value=i18n.fmt_days(d, language))
              if d is not None else "" for d in days],
        textposition="outside", hovertemplate="%{y} : %{text}<extra></extra>"), row=1, col=1)
    fig.add_trace(go.Bar(
        orientation="h", y=phases, x=hours, marker_color=colours, cliponaxis=False,
        text=[i18n.t("phases.durations.hours_text", language,
                 median=i18n.fmt_number(h, language, 0 if h == int(h) else 1),
                 total=i18n.fmt_number(tot, language, 0)) if h is not None else ""
              for h, tot in zip(hours, totals)],
        textposition="outside", hovertemplate="%{y} : %{text}<extra></extra>"), row=1, col=2)
    charts.style(fig, language, showlegend=False, height=240, margin=dict(t=40, r=8))
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title=None, showticklabels=False, showgrid=False)
    for column, values in ((1, days), (2, hours)):  # room right of the longest bar for its label
        fig.update_xaxes(range=[0, max([v for v in values if v is not None], default=1) * 1.9], row=1, col=column)
    for annotation in fig.layout.annotations:
        annotation.update(font=dict(size=14, color=TEXT_COLOR))
    return fig


def composition(frame: pd.DataFrame, kind: str, language: str = i18n.DEFAULT_LANGUAGE) -> go.Figure:
    """Who is at each stage (phase_by_group for gender or profile): for participants, each phase
    completed and the drop-outs of all phases, the share of each group (100 % per bar), one
    colour per group. Each bar carries its group's code (customdata[0])."""
    order = {"gender": GENDERS, "profile": PROFILES}[kind]
    groups = [g for g in order if g in set(frame["group_key"])]
    stages = ["participants", *PHASES, "dropped"]
    stage_labels = [i18n.t(f"phases.stage.{s}", language) for s in stages]
    counts: dict[str, list[int]] = {}
    for group in groups:
        part = frame[frame["group_key"] == group].set_index("phase")
        counts[group] = [int(part["participants"].iloc[0]),
                         *[int(part.at[p, "completed"]) for p in PHASES],
                         int(part["dropped"].sum())]
    totals = [sum(counts[g][i] for g in groups) for i in range(len(stages))]
    fig = go.Figure()
    for group, colour in zip(groups, GROUP_COLOURS):
        shares = [c / n if n else 0.0 for c, n in zip(counts[group], totals)]
        name = i18n.label(kind, group, language)
        fig.add_trace(go.Bar(
            name=name, orientation="h", y=stage_labels, x=shares, marker_color=colour,
            text=[i18n.fmt_percent(s, language, 0) if c else "" for s, c in zip(shares, counts[group])],
            textposition="inside", insidetextanchor="middle", textangle=0,
            textfont=dict(color=label_colour(colour), size=13),
            customdata=[[group, i18n.fmt_number(c, language), i18n.fmt_number(n, language),
                         i18n.fmt_percent(s, language)] for c, n, s in zip(counts[group], totals, shares)],
            hovertemplate="%{y}<br>" + name + " : %{customdata[1]} " + i18n.t("phases.of", language)
                          + " %{customdata[2]} (%{customdata[3]})<extra></extra>",
        ))
    charts.style(fig, language, barmode="stack", height=300, title=i18n.t(f"breakdown.{kind}", language), showlegend=True,
           margin=dict(t=80), clickmode="event+select", uniformtext=dict(minsize=10, mode="hide"),
           legend=dict(traceorder="normal"),
           xaxis=dict(range=[0, 1], tickvals=list(PERCENT_TICKS), title=None,
                      ticktext=[i18n.fmt_percent(v, language, decimals=0) for v in PERCENT_TICKS]),
           yaxis=dict(autorange="reversed", title=None))
    return fig


# ------------------------------------------------------------------------------ follow-up
def follow_up_by_establishment(counts: pd.DataFrame, language: str = i18n.DEFAULT_LANGUAGE) -> go.Figure:
    """Where to act: per establishment (rows of `counts`: establishment_id, establishment_name
    and one count column per FOLLOW_UP_LISTS), the items of each list, stacked horizontally,
    the busiest establishment on top. Each bar carries its establishment's id (customdata[0])."""
    fig = go.Figure()
    if counts.empty:
        charts.style(fig, language, height=160)
        return charts.empty(fig, i18n.t("follow_up.chart.empty", language))
    names = [charts.wrapped(n, 28) for n in counts["establishment_name"]]
    for key in FOLLOW_UP_LISTS:
        values = [int(v) for v in counts[key]]
        # the same label as the list's card, threshold included (pie.thresholds)
        name = i18n.t(f"follow_up.list.{key}", language, days=i18n.fmt_number(WAITING_DAYS.get(key, 0), language))
        fig.add_trace(go.Bar(
            name=name, orientation="h", y=names, x=values, marker_color=FOLLOW_UP_COLOURS[key],
            text=[i18n.fmt_number(v, language) if v else "" for v in values],
            textposition="inside", insidetextanchor="middle", textangle=0,
            textfont=dict(color=label_colour(FOLLOW_UP_COLOURS[key]), size=12),
            customdata=[[e, i18n.fmt_number(v, language)] for e, v in zip(counts["establishment_id"], values)],
            hovertemplate="%{y}<br>" + name + " : %{customdata[1]}<extra></extra>",
        ))
    small = int(counts[list(FOLLOW_UP_LISTS)].sum(axis=1).max()) <= 10   # whole numbers only on the axis
    charts.style(fig, language, barmode="stack", height=max(200, 100 + 34 * len(counts)), margin=dict(t=48),
           xaxis=dict(title=None, rangemode="tozero", tickformat=",d", dtick=1 if small else None),
           yaxis=dict(autorange="reversed", title=None),
           legend=dict(traceorder="normal"), clickmode="event+select",
           uniformtext=dict(minsize=10, mode="hide"))
    return fig


# ------------------------------------------------------------------------------ funnel and overview
def _step_label(key: str, language: str) -> str:
    return i18n.t(f"kpi.{key}", language)


def _count_and_rate(count: int, rate: float | None, language: str) -> str:
    """`8` or `8 · 80,0 %` (the rate from the previous step of the same unit)."""
    text = i18n.fmt_number(count, language)
    if rate is None or pd.isna(rate):
        return text
    return f"{text} · {i18n.fmt_percent(rate, language)}"


def _present(value: object) -> bool:
    return value is not None and not pd.isna(value)


def _funnel_tick(key: str, unit: str, women_share: object, language: str) -> str:
    """A funnel step's name, with the women's share among its people (its projects led by a
    woman) on a second line when there is one."""
    name = i18n.t(f"funnel.step.{key}", language)
    if not _present(women_share):
        return name
    women = i18n.t(f"funnel.women.{unit}", language, share=i18n.fmt_percent(women_share, language))
    return f"{name}<br><span style='font-size:12px'>{women}</span>"


def _funnel_hover(row: pd.Series, unit: str, language: str) -> str:
    """Every figure of a step, each saying what it is a share of."""
    parts = [i18n.t(f"funnel.hover.count.{unit}", language, count=i18n.fmt_number(row["count"], language))]
    if _present(row["rate"]):
        parts.append(i18n.t("funnel.hover.rate", language, rate=i18n.fmt_percent(row["rate"], language)))
    if _present(row.get("share")):
        parts.append(i18n.t(f"funnel.hover.share.{unit}", language, share=i18n.fmt_percent(row["share"], language)))
    if _present(row.get("women_share")):
        parts.append(i18n.t(f"funnel.women.{unit}", language, share=i18n.fmt_percent(row["women_share"], language)))
    return "<br>".join(parts)


# A funnel bar narrower than this share of its funnel's first bar gets its figures beside it.
NARROW_FUNNEL_BAR = 0.4


def funnel(steps: pd.DataFrame, language: str = i18n.DEFAULT_LANGUAGE) -> go.Figure:
    """The programme funnel (the frame of `pie.programme.figures.funnel_steps`) as two funnels
    side by side, titled with the unit they count and what their percentages are a share of:
    the people steps in green on the left, the project steps in blue on the right. Each bar
    reads `count · rate`, the rate being the step ÷ the previous step of the same unit; each
    step's name carries the women's share at that step when the frame has one."""
    units = ((PEOPLE, GREEN, "#B7DFC5"), (PROJECTS, BLUE, "#BFD3EC"))
    fig = make_subplots(
        rows=1, cols=2, column_widths=[0.54, 0.46], horizontal_spacing=0.3,
        subplot_titles=[i18n.t(f"funnel.title.{unit}", language) for unit, _, _ in units])
    for column, (unit, colour, connector) in enumerate(units, start=1):
        part = steps[steps["unit"] == unit]
        women = part["women_share"] if "women_share" in part.columns else [None] * len(part)
        labels = [_funnel_tick(key, unit, share, language) for key, share in zip(part["key"], women)]
        texts = [_count_and_rate(c, r, language) for c, r in zip(part["count"], part["rate"])]
        # Inside the bar when it is wide enough to hold the text, beside it when not (a bar a
        # fifth as wide as the first showed nothing); beside every bar ran into the other funnel.
        widest = max(int(part["count"].max()) if len(part) else 0, 1)
        positions = ["inside" if count / widest >= NARROW_FUNNEL_BAR else "outside" for count in part["count"]]
        fig.add_trace(go.Funnel(
            name=i18n.t(f"funnel.unit.{unit}", language),
            y=labels, x=[int(c) for c in part["count"]], text=texts,
            textinfo="text", textposition=positions, insidetextanchor="middle",
            textfont=dict(size=14), insidetextfont=dict(size=14, color=label_colour(colour)),
            outsidetextfont=dict(size=14, color=TEXT_COLOR),
            marker=dict(color=colour),
            connector=dict(fillcolor=connector, line=dict(width=0)),
            customdata=[_funnel_hover(row, unit, language) for _, row in part.iterrows()],
            hovertemplate="%{y}<br>%{customdata}<extra></extra>",
            constraintext="both",
        ), row=1, col=column)
        if not part["count"].any():  # zero-width bars draw nothing: say so
            axis = column if column > 1 else ""
            fig.add_annotation(text=charts.wrapped(i18n.t(f"funnel.empty.{unit}", language), 24), showarrow=False,
                               # plotly names the first axes x/y, not x1/y1
                               xref=f"x{axis} domain", yref=f"y{axis} domain", x=0.5, y=0.5,
                               font=dict(size=14, color=GREY))
    charts.style(fig, language, showlegend=False, height=440, margin=dict(l=8, r=8, t=48, b=8))
    fig.update_yaxes(tickfont=dict(size=13))
    fig.update_xaxes(visible=False)
    # Each title ends where its funnel's area ends and runs back over the step names: started
    # at the bars, the second title ran past the figure's edge ("…de l'étape précédent").
    for title, axis in zip(fig.layout.annotations, (fig.layout.xaxis, fig.layout.xaxis2)):
        title.update(x=axis.domain[1], xanchor="right", font=dict(size=15, color=TEXT_COLOR))
    return fig


def yearly_trend(years: pd.DataFrame, series: tuple[str, ...],
                 language: str = i18n.DEFAULT_LANGUAGE) -> go.Figure:
    """Grouped bars per academic year (rows of queries/programme/participants_by_year.sql),
    one colour per indicator in `series`, each bar labelled with its count."""
    fig = charts.figure(language, height=340, barmode="group", margin=dict(t=32),
                  yaxis=dict(title=None, rangemode="tozero"),
                  xaxis=dict(title=None, type="category"))
    for key, colour in zip(series, PALETTE):
        values = [int(v) for v in years[key]]
        fig.add_trace(go.Bar(
            name=_step_label(key, language), x=list(years["academic_year"]), y=values,
            marker_color=colour, text=[i18n.fmt_number(v, language) for v in values],
            textposition="outside", cliponaxis=False,
            hovertemplate="%{x}<br>%{fullData.name} : %{text}<extra></extra>",
        ))
    return fig


def people_shares(frame: pd.DataFrame, breakdown: str, language: str = i18n.DEFAULT_LANGUAGE) -> go.Figure:
    """Share of each group's participants who reached each nested people step (the frame of
    `pie.programme.figures.funnel_by_group` for gender or profile: share_<step> = step ÷ all
    the group's participants), as grouped bars, one colour per group; the title says what
    the percentages are a share of."""
    steps = [step.key for step in funnel_steps_of(PEOPLE)][1:]
    ticks = [0, 0.25, 0.5, 0.75, 1]
    title = i18n.t("funnel.people.chart_title", language, group=i18n.t(f"breakdown.{breakdown}", language))
    fig = charts.figure(language, height=380, barmode="group", title=title,
                  yaxis=dict(title=None, range=[0, 1.12], tickvals=ticks,
                             ticktext=[i18n.fmt_percent(v, language, decimals=0) for v in ticks]),
                  xaxis=dict(title=None, tickangle=0), margin=dict(t=80))
    # groups in the data model's order, so each keeps its colour whatever the filters
    order = {code: i for i, code in enumerate(GROUP_ORDER.get(breakdown, ()))}
    frame = frame.sort_values("group_key", key=lambda keys: keys.map(lambda k: order.get(k, len(order))))
    colours = (GREEN, ORANGE, BLUE, BROWN, GREY)
    for (_, row), colour in zip(frame.iterrows(), colours):
        base = int(row["participants"])
        counts = [int(row[key]) for key in steps]
        shares = [float(row[f"share_{key}"]) if _present(row[f"share_{key}"]) else None for key in steps]
        group = i18n.label(breakdown, row["group_key"], language)
        fig.add_trace(go.Bar(
            name=f"{group} ({i18n.fmt_number(base, language)})",
            x=[charts.wrapped(i18n.t(f"funnel.short.{key}", language)) for key in steps], y=shares,
            marker_color=colour,
            text=[i18n.fmt_percent(s, language, decimals=0) for s in shares],
            textposition="outside", cliponaxis=False,
            customdata=[i18n.t("funnel.people.hover", language, count=i18n.fmt_number(c, language),
                               total=i18n.fmt_number(base, language),
                               share=i18n.fmt_percent(s, language)) for c, s in zip(counts, shares)],
            hovertemplate="%{x}<br>" + group + " : %{customdata}<extra></extra>",
        ))
    return fig
