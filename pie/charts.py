"""Plotly figure builders and the one theme every chart of the dashboard uses.

No Streamlit here: builders take data frames (as pie.kpis and the queries return them) and a
language, and return a `go.Figure`. Pages show them with `st.plotly_chart(fig, theme=None)`
so Streamlit's own theme does not replace these colours.
"""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from plotly.subplots import make_subplots

from pie import i18n, kpis

# OFPPT-like palette: the institution's green first, then blue and orange.
GREEN = "#00843D"
BLUE = "#1B5FAA"
ORANGE = "#E8860C"
TEAL = "#2A9D8F"
GREY = "#6B7280"
RED = "#C0392B"
PALETTE = (GREEN, BLUE, ORANGE, TEAL, GREY, RED)
TEXT_COLOR = "#1F2933"
GRID_COLOR = "#E5E7EB"
TEMPLATE = "pie"

# Decimal mark then thousands separator, as Babel writes numbers in each language
# (fr: 12 500,5 with a narrow no-break space; ar_MA: 12.500,5; en: 12,500.5).
SEPARATORS = {"fr": ",\u202f", "ar": ",.", "en": ".,"}
# Codes of DATA_MODEL.md in the order charts show them.
GROUP_ORDER = {"gender": ("f", "m"), "profile": ("trainee", "graduate", "trainer")}


def _register_theme() -> None:
    """Register the `pie` plotly template (once per process)."""
    if TEMPLATE in pio.templates:
        return
    axis = dict(gridcolor=GRID_COLOR, zeroline=False, automargin=True, linecolor=GRID_COLOR,
                tickfont=dict(size=13), title=dict(font=dict(size=13, color=GREY)))
    pio.templates[TEMPLATE] = go.layout.Template(
        layout=dict(
            font=dict(family='"Source Sans Pro", "Noto Sans", "Noto Naskh Arabic", Arial, sans-serif',
                      size=14, color=TEXT_COLOR),
            colorway=list(PALETTE),
            paper_bgcolor="white",
            plot_bgcolor="white",
            margin=dict(l=8, r=8, t=56, b=8),
            title=dict(x=0, xanchor="left", font=dict(size=16, color=TEXT_COLOR)),
            legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="left", x=0, title=None),
            hoverlabel=dict(font=dict(size=13)),
            xaxis=axis,
            yaxis=axis,
            bargap=0.25,
            bargroupgap=0.08,
            uniformtext=dict(minsize=11, mode="hide"),
        ),
    )


_register_theme()


def _figure(language: str, **layout: object) -> go.Figure:
    fig = go.Figure()
    _style(fig, language, **layout)
    return fig


def _style(fig: go.Figure, language: str, **layout: object) -> go.Figure:
    fig.update_layout(template=TEMPLATE, separators=SEPARATORS.get(language, SEPARATORS["fr"]), **layout)
    return fig


def _flipped_anchor(anchor: object) -> object:
    return {"left": "right", "right": "left"}.get(anchor, anchor)


def rtl(fig: go.Figure, language: str) -> go.Figure:
    """`fig` mirrored for a right-to-left language (Arabic), as a copy; in other languages, or
    when `fig` is mirrored already, `fig` itself. Cartesian charts read from the right: x axes reversed (bars grow to the
    left, the first year or category on the right), y axes on the right, subplots and
    paper-placed notes swapped left-right, title and legend on the right, hover text aligned
    right, Sankey nodes placed by hand swapped left-right; maps and pies keep their geometry.
    Applying it twice changes nothing more (the figure is marked), and axes a builder already
    mirrored stay so."""
    if not i18n.is_rtl(language):
        return fig
    meta = fig.layout.meta if isinstance(fig.layout.meta, dict) else {}
    if meta.get("rtl"):
        return fig  # mirrored already (pie.ui.layout.figure shares mirrored figures): no copy needed
    fig = go.Figure(fig)
    layout = fig.layout
    layout.meta = {**meta, "rtl": True}
    # every cartesian axis a trace draws on, and any the layout names
    cartesian = [trace for trace in fig.data if hasattr(trace, "xaxis")]
    x_names = {f"xaxis{(trace.xaxis or 'x')[1:]}" for trace in cartesian}
    y_names = {f"yaxis{(trace.yaxis or 'y')[1:]}" for trace in cartesian}
    x_names |= {name for name in layout._subplotid_props if name.startswith("xaxis")}
    y_names |= {name for name in layout._subplotid_props if name.startswith("yaxis")}
    for name in sorted(x_names):
        axis = layout[name]
        if axis.range is not None and len(axis.range) == 2 and None not in axis.range:
            low, high = axis.range
            if _ordered(low, high):
                axis.range = [high, low]
        elif axis.autorange != "reversed":
            axis.autorange = "reversed"
        if axis.domain is not None and tuple(axis.domain) != (0, 1):
            axis.domain = [1 - axis.domain[1], 1 - axis.domain[0]]
    for name in sorted(y_names):
        axis = layout[name]
        axis.side = "left" if axis.overlaying else "right"
    for trace in fig.data:  # a Sankey placed by hand flows from right to left
        if trace.type == "sankey" and trace.node.x is not None:
            trace.node.x = [None if x is None else round(1 - x, 6) for x in trace.node.x]
    for note in layout.annotations:
        if note.xref is None or note.xref == "paper" or str(note.xref).endswith("domain"):
            note.x = 1 - (note.x if note.x is not None else 0.5)
            note.xanchor = _flipped_anchor(note.xanchor)
            note.align = _flipped_anchor(note.align)
    if layout.title.text:
        layout.title.update(x=1, xanchor="right")
    if layout.legend.orientation == "h" or layout.legend.orientation is None:
        legend_x = layout.legend.x if layout.legend.x is not None else 0
        layout.legend.update(x=1 - legend_x, xanchor=_flipped_anchor(layout.legend.xanchor or "left"),
                             traceorder="normal" if layout.legend.traceorder == "reversed" else "reversed")
    layout.hoverlabel.align = "right"
    left, right = layout.margin.l, layout.margin.r
    layout.margin.update(l=right, r=left)
    return fig


def _ordered(low: object, high: object) -> bool:
    try:
        return low < high
    except TypeError:
        return False


def _step_label(key: str, language: str) -> str:
    return i18n.t(f"kpi.{key}", language)


def _wrapped(text: str, width: int = 14) -> str:
    """`text` broken onto lines of about `width` characters (plotly does not wrap labels)."""
    lines, line = [], ""
    for word in text.split(" "):
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "<br>".join([*lines, line])


def _count_and_rate(count: int, rate: float | None, language: str) -> str:
    """`8` or `8 · 80,0 %` (the rate from the previous step of the same unit)."""
    text = i18n.fmt_number(count, language)
    if rate is None or pd.isna(rate):
        return text
    return f"{text} · {i18n.fmt_percent(rate, language)}"


def funnel(steps: pd.DataFrame, language: str = i18n.DEFAULT_LANGUAGE) -> go.Figure:
    """The programme funnel (the frame of `kpis.funnel`) as two funnels side by side: the
    people steps in green on the left, the project steps in blue on the right. Each bar
    reads `count · rate`, the rate being the step ÷ the previous step of the same unit."""
    units = ((kpis.PEOPLE, GREEN, "#B7DFC5"), (kpis.PROJECTS, BLUE, "#BFD3EC"))
    fig = make_subplots(
        rows=1, cols=2, column_widths=[0.54, 0.46], horizontal_spacing=0.2,
        subplot_titles=[i18n.t(f"funnel.unit.{unit}", language) for unit, _, _ in units])
    for column, (unit, colour, connector) in enumerate(units, start=1):
        part = steps[steps["unit"] == unit]
        labels = [_step_label(key, language) for key in part["key"]]
        texts = [_count_and_rate(c, r, language) for c, r in zip(part["count"], part["rate"])]
        fig.add_trace(go.Funnel(
            name=i18n.t(f"funnel.unit.{unit}", language),
            y=labels, x=[int(c) for c in part["count"]], text=texts,
            textinfo="text", textposition="auto", insidetextanchor="middle",
            textfont=dict(size=14),
            marker=dict(color=colour),
            connector=dict(fillcolor=connector, line=dict(width=0)),
            hovertemplate="%{y}<br>%{text}<extra></extra>",
            constraintext="both",
        ), row=1, col=column)
        if not part["count"].any():  # zero-width bars draw nothing: say so
            axis = column if column > 1 else ""
            fig.add_annotation(text=_wrapped(i18n.t(f"funnel.empty.{unit}", language), 24), showarrow=False,
                               # plotly names the first axes x/y, not x1/y1
                               xref=f"x{axis} domain", yref=f"y{axis} domain", x=0.5, y=0.5,
                               font=dict(size=14, color=GREY))
    _style(fig, language, showlegend=False, height=380, margin=dict(l=8, r=8, t=40, b=8))
    fig.update_yaxes(tickfont=dict(size=13))
    fig.update_xaxes(visible=False)
    for title, axis in zip(fig.layout.annotations, (fig.layout.xaxis, fig.layout.xaxis2)):
        title.update(x=axis.domain[0], xanchor="left", font=dict(size=15, color=TEXT_COLOR))
    return fig


def yearly_trend(years: pd.DataFrame, series: tuple[str, ...],
                 language: str = i18n.DEFAULT_LANGUAGE) -> go.Figure:
    """Grouped bars per academic year (rows of queries/programme/participants_by_year.sql),
    one colour per indicator in `series`, each bar labelled with its count."""
    fig = _figure(language, height=340, barmode="group", margin=dict(t=32),
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
    """Share of each group's participants who reached each people step (the frame of
    `kpis.funnel_by_group` for gender or profile), as grouped bars, one colour per group."""
    steps = [s.key for s in kpis.FUNNEL_STEPS if s.unit == kpis.PEOPLE and s.key in frame.columns][1:]
    ticks = [0, 0.25, 0.5, 0.75, 1]
    fig = _figure(language, height=360, barmode="group", title=i18n.t(f"breakdown.{breakdown}", language),
                  yaxis=dict(title=None, range=[0, 1.12], tickvals=ticks,
                             ticktext=[i18n.fmt_percent(v, language, decimals=0) for v in ticks]),
                  xaxis=dict(title=None, tickangle=0), margin=dict(t=80))
    # groups in the data model's order, so each keeps its colour whatever the filters
    order = {code: i for i, code in enumerate(GROUP_ORDER.get(breakdown, ()))}
    frame = frame.sort_values("group_key", key=lambda keys: keys.map(lambda k: order.get(k, len(order))))
    colours = (GREEN, ORANGE, BLUE, TEAL, GREY)
    for (_, row), colour in zip(frame.iterrows(), colours):
        base = int(row["participants"])
        counts = [int(row[key]) for key in steps]
        shares = [count / base if base else None for count in counts]
        group = i18n.label(breakdown, row["group_key"], language)
        fig.add_trace(go.Bar(
            name=f"{group} ({i18n.fmt_number(base, language)})",
            x=[_wrapped(i18n.t(f"step.short.{key}", language)) for key in steps], y=shares,
            marker_color=colour,
            text=[i18n.fmt_percent(s, language, decimals=0) for s in shares],
            textposition="outside", cliponaxis=False,
            customdata=[i18n.fmt_number(c, language) for c in counts],
            hovertemplate="%{x}<br>" + group + " : %{customdata} (%{text})<extra></extra>",
        ))
    return fig
