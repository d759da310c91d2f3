"""The house style of every chart: palette, theme, number separators, right-to-left mirroring
and the small helpers the domain chart modules (pie/<domain>/charts.py) share.

No Streamlit here. Pages show figures through pie.ui.layout.plotly_chart (theme=None, so
Streamlit's own theme does not replace these colours).
"""
from __future__ import annotations

import math
import numbers

import plotly.graph_objects as go
import plotly.io as pio

from pie import codes, i18n

# OFPPT-like palette: the institution's green first, then blue and orange. Every colour is at
# least 3:1 against the white background (WCAG 1.4.11, graphics), and the six stay apart for
# the common colour-vision deficiencies (protanopia, deuteranopia, tritanopia: checked with
# Machado et al.'s matrices in tests/test_accessibility.py). Bar labels drawn on a bar take
# the colour `label_colour` picks (4.5:1 against the bar at least).
GREEN = "#00843D"
BLUE = "#1B5FAA"
ORANGE = "#C96A00"   # was #E8860C (2.7:1 against white)
BROWN = "#5D4037"    # was a teal #2A9D8F, too close to the green and the grey for deuteranopes
GREY = "#6B7280"
RED = "#C0392B"
PALETTE = (GREEN, BLUE, ORANGE, BROWN, GREY, RED)
PALE_GREY = "#848C97"  # "not yet" bars (3.4:1 against white; was #CBD2DA, 1.5:1)
TEXT_COLOR = "#1F2933"
LABEL_DARK = "#0B0D12"  # dark text on a light bar (the theme's textColor)
LABEL_LIGHT = "#FFFFFF"
GRID_COLOR = "#E5E7EB"
TEMPLATE = "pie"

# Decimal mark then thousands separator, as Babel writes numbers in each language
# (fr: 12 500,5 with a narrow no-break space; ar_MA: 12.500,5; en: 12,500.5).
SEPARATORS = {"fr": ",\u202f", "ar": ",.", "en": ".,"}
# Codes of DATA_MODEL.md in the order charts show them.
GROUP_ORDER = {"gender": codes.GENDERS, "profile": codes.PROFILES}


def _luminance(colour: str) -> float:
    """WCAG relative luminance of a #RRGGBB colour."""
    channels = [int(colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one: str, other: str) -> float:
    """WCAG contrast ratio of two #RRGGBB colours (1 to 21)."""
    high, low = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def label_colour(fill: str) -> str:
    """The colour of a label drawn on a bar of colour `fill`: white or near-black, whichever
    contrasts more with it (at least 4.5:1 for any fill)."""
    return max((LABEL_LIGHT, LABEL_DARK), key=lambda text: contrast(text, fill))


def label_colours(fills) -> list[str]:
    """`label_colour` of each fill."""
    return [label_colour(fill) for fill in fills]


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


def figure(language: str, **layout: object) -> go.Figure:
    fig = go.Figure()
    style(fig, language, **layout)
    return fig


def style(fig: go.Figure, language: str, **layout: object) -> go.Figure:
    fig.update_layout(template=TEMPLATE, separators=SEPARATORS.get(language, SEPARATORS["fr"]), **layout)
    return fig


# ------------------------------------------------------------------------------ numbers as the language writes them
NUMBER_FORMAT = ","   # d3: thousands grouped, no needless decimals (6 000, 0,5) with the separators


def _numeric(values: object) -> bool:
    """True when a trace's coordinates are numbers (not categories, dates or text)."""
    if values is None or isinstance(values, str):
        return False
    items = [v for v in (values.tolist() if hasattr(values, "tolist") else list(values)) if v is not None]
    return bool(items) and all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in items)


def _axis_values(fig: go.Figure) -> dict[str, list[float]]:
    """The numbers each cartesian axis (xaxis, yaxis2…) carries, by layout name."""
    found: dict[str, list[float]] = {}
    for trace in fig.data:
        if not hasattr(trace, "xaxis"):
            continue
        for letter in ("x", "y"):
            values = getattr(trace, letter, None)
            if _numeric(values):
                name = f"{letter}axis{(getattr(trace, letter + 'axis') or letter)[1:]}"
                found.setdefault(name, []).extend(float(v) for v in values if v is not None)
    return found


def _percent_ticks(axis, language: str, values: list[float]) -> None:
    """A d3 percentage axis (tickformat ".0%") with ticks written as the language writes them
    (French puts a no-break space before %, which d3 cannot): explicit tick values and texts."""
    decimals = int(axis.tickformat[1]) if axis.tickformat[:1] == "." and axis.tickformat[1:2].isdigit() else 0
    if axis.tickvals is not None:
        ticks = list(axis.tickvals)
    else:
        low, high = (list(axis.range) if axis.range is not None and None not in axis.range
                     else [0, max(values or [1.0])])
        low, high = sorted((float(low), float(high)))
        span = high - low or 1.0
        step = next(step for step in (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0) if span / step <= 8)
        start = math.ceil(low / step - 1e-9)
        ticks = [round(i * step, 4) for i in range(start, int(high / step + 1e-9) + 1)]
    axis.update(tickvals=ticks, ticktext=[i18n.fmt_percent(v, language, decimals=decimals) for v in ticks])


def localised(fig: go.Figure, language: str) -> go.Figure:
    """`fig` with its numbers written as `language` writes them everywhere, the way cards and
    tables write them (pie.i18n): the language's decimal and thousands marks (layout.separators,
    for ticks and hovers), thousands grouped on every number axis without a format of its own
    (6 000, not 6000), and in French percentage ticks with their space (20 %, not 20%), on axes
    and colour bars. A copy; `fig` itself when it is localised for `language` already (the
    figure is marked, as `rtl` marks its own)."""
    meta = fig.layout.meta if isinstance(fig.layout.meta, dict) else {}
    if meta.get("numbers") == language:
        return fig
    fig = go.Figure(fig)
    fig.update_layout(separators=SEPARATORS.get(language, SEPARATORS[i18n.DEFAULT_LANGUAGE]),
                      meta={**meta, "numbers": language})
    values = _axis_values(fig)
    names = set(values) | {name for name in fig.layout._subplotid_props if name[1:5] == "axis"}
    for name in sorted(names):
        axis = fig.layout[name]
        if axis.type in ("category", "multicategory", "date", "log") or axis.ticktext is not None:
            continue
        if axis.tickformat and axis.tickformat.endswith("%"):
            if language == "fr":
                _percent_ticks(axis, language, values.get(name, []))
        elif not axis.tickformat and name in values:
            axis.tickformat = NUMBER_FORMAT
    for trace in fig.data:
        colorbar = getattr(trace, "colorbar", None)
        if colorbar is None or colorbar.ticktext is not None:
            continue
        if colorbar.tickformat and colorbar.tickformat.endswith("%") and language == "fr":
            if colorbar.tickvals is not None:
                _percent_ticks(colorbar, language, [])
        elif not colorbar.tickformat:
            colorbar.tickformat = NUMBER_FORMAT
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


PALE = 0.3            # opacity of the bars outside the page's focus
TOP_GROUPS = 15       # bars drawn in a by-group chart; the table below has every group


def empty(fig: go.Figure, text: str) -> go.Figure:
    """`fig` with its axes hidden and `text` in the middle (a chart with nothing to draw)."""
    fig.add_annotation(text=text, showarrow=False, xref="paper", yref="paper", x=0.5, y=0.5,
                       font=dict(size=14, color=GREY))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


def opacity(keys: list, focus: str | None) -> list[float] | float:
    """Bar opacities: every bar opaque without a focus, else the focused group's bar only."""
    if not focus:
        return 1.0
    return [1.0 if str(key) == focus else PALE for key in keys]


def short(text: str, width: int = 34) -> str:
    """`text` cut to `width` characters with an ellipsis."""
    return text if len(text) <= width else text[: width - 1] + "…"


def bar_height(n: int) -> int:
    """The height of a horizontal bar chart of `n` bars."""
    return max(220, 90 + 30 * n)


def count_axis(largest: float, **axis: object) -> dict:
    """An axis of counts: whole numbers only (no 0,5 decision), steps of 1 when counts are small."""
    return dict(tickformat=",d", rangemode="tozero", **({"dtick": 1} if largest <= 6 else {}), **axis)


def room(largest: float, share: float = 0.3) -> list[float]:
    """An axis range leaving `share` of room after the longest bar for its outside label."""
    return [0, float(largest) * (1 + share) if largest else 1]


def gap(n: int) -> dict:
    """A bar gap that keeps one or two bars from filling the whole width."""
    return {"bargap": 0.6} if n <= 2 else {}


def count_text(value: object, language: str) -> str:
    """A count as the language writes it."""
    return i18n.fmt_number(int(value), language)


def mad_text(value: object, language: str) -> str:
    """An amount in dirhams as the language writes it."""
    return i18n.fmt_mad(float(value), language)


def percent_axis(language: str, top: float = 1.0) -> dict:
    """A 0..`top` share axis with ticks written as the language writes percentages, and room
    above (or to the right) for the bars' labels."""
    step = 0.25 if top > 0.5 else 0.1 if top > 0.2 else 0.05
    ticks = [round(i * step, 2) for i in range(int(top / step + 1e-9) + 1)]
    return dict(range=[0, top * 1.15], tickvals=ticks, title=None,
                ticktext=[i18n.fmt_percent(v, language, decimals=0) for v in ticks])


def wrapped(text: str, width: int = 14) -> str:
    """`text` broken onto lines of about `width` characters (plotly does not wrap labels)."""
    lines, line = [], ""
    for word in text.split(" "):
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "<br>".join([*lines, line])


# ------------------------------------------------------------------------------ text alternative
SUMMARY_POINTS = 12   # points named per series in a chart's summary sentence; the table has them all
TABLE_ROWS = 500      # rows of a chart's data table on screen


def _plain(text: object) -> str:
    """Chart text without plotly's markup (<br>, <b>, <span …>)."""
    import re

    return re.sub(r"\s+", " ", re.sub(r"<[^>]*>", " ", str(text))).strip()


def _pairs(trace) -> list[tuple[str, str]]:
    """(category, value as written) of each point of a trace, whatever its type."""
    kind = trace.type
    if kind == "sankey":
        labels = list(trace.node.label or [])
        link = trace.link
        return [(f"{_plain(labels[s])} → {_plain(labels[t])}", v)
                for s, t, v in zip(link.source or (), link.target or (), link.value or ())]
    if kind == "pie":
        categories, values = trace.labels, trace.values
    elif kind in ("choropleth", "choroplethmap", "choroplethmapbox"):
        categories, values = (trace.text if trace.text is not None and not isinstance(trace.text, str)
                              else trace.locations), trace.z
    elif kind in ("scattergeo", "scattermap", "scattermapbox"):
        categories, values = trace.text, [None] * len(trace.text or ())
    elif getattr(trace, "orientation", None) == "h" or kind == "funnel":
        categories, values = trace.y, trace.x
    else:
        categories, values = trace.x, trace.y
    categories, values = list(categories if categories is not None else ()), list(values if values is not None else ())
    if not categories and values:
        categories = [str(i + 1) for i in range(len(values))]
    texts = trace.text if hasattr(trace, "text") and trace.text is not None and not isinstance(trace.text, str) else None
    pairs = []
    for i, (category, value) in enumerate(zip(categories, values + [None] * (len(categories) - len(values)))):
        written = _plain(texts[i]) if texts is not None and i < len(texts) and texts[i] not in (None, "") else None
        pairs.append((_plain(category), written if written is not None else value))
    return pairs


def _written(value: object, language: str) -> str:
    if isinstance(value, str):
        return value
    if value is None or (isinstance(value, float) and value != value):
        return i18n.EMPTY
    if isinstance(value, (int, float)):
        return i18n.fmt_number(value, language, 0 if float(value).is_integer() else 2)
    return str(value)


def data_rows(fig: go.Figure, language: str) -> list[tuple[str, str, str]]:
    """(series, category, value as written) of every point the figure draws: its data table."""
    rows = []
    for trace in fig.data:
        if trace.visible is False:
            continue
        name = _plain(trace.name) if trace.name else ""
        rows += [(name, category, _written(value, language)) for category, value in _pairs(trace)]
    return rows


def summary(fig: go.Figure, language: str) -> str:
    """A sentence saying what the figure shows, for screen readers: its title, then for each
    series its name and its first points (category: value), numbers as the language writes them."""
    title = _plain(fig.layout.title.text) if fig.layout.title.text else ""
    notes = [_plain(note.text) for note in fig.layout.annotations if note.text]
    series = []
    for trace in fig.data:
        if trace.visible is False:
            continue
        pairs = _pairs(trace)
        shown = "; ".join(f"{c}: {_written(v, language)}" if v is not None else c for c, v in pairs[:SUMMARY_POINTS])
        if len(pairs) > SUMMARY_POINTS:
            shown += "; " + i18n.t("chart.more", language, count=i18n.fmt_number(len(pairs) - SUMMARY_POINTS, language))
        name = _plain(trace.name) if trace.name else ""
        series.append(f"{name} — {shown}" if name and shown else name or shown)
    parts = [part for part in (title, *series) if part]
    if not series and notes:  # an empty chart says so in a note
        parts += notes
    return i18n.t("chart.summary", language, text=". ".join(parts) if parts else i18n.EMPTY)
