"""Accessibility of the house style (docs/ACCESSIBILITY.md): colours at WCAG AA contrast, bar
labels readable on their bar, palettes that stay apart for the common colour-vision
deficiencies, the map's colour scales and the rollout chart's 12 regions, the theme's text
colours, plotly's mode bar in the page's language, and a text alternative for every chart."""
from __future__ import annotations

import itertools
import math
import tomllib
from pathlib import Path

import pytest

import pandas as pd
from plotly.colors import sample_colorscale, unlabel_rgb

from pie import charts
from pie.incubation import charts as incubation_charts
from pie.leadership import charts as leadership_charts
from pie.programme import charts as programme_charts

ROOT = Path(__file__).resolve().parents[1]
WHITE = "#FFFFFF"

# Machado, Oliveira & Fernandes (2009), severity 1.0, applied to linear RGB.
CVD = {
    "protanopia": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216), (-0.003882, -0.048116, 1.051998)),
    "deuteranopia": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413), (-0.011820, 0.042940, 0.968881)),
    "tritanopia": ((1.255528, -0.076749, -0.178779), (-0.078411, 0.930809, 0.147602), (0.004733, 0.691367, 0.303900)),
}
MIN_DISTANCE = 15  # CIE76 ΔE between any two colours of a palette, as seen with each deficiency

# The colour sets drawn side by side in one chart.
PALETTES = {
    "house": charts.PALETTE,
    "groups": programme_charts.GROUP_COLOURS,
    "outcomes": tuple(programme_charts.OUTCOME_COLOURS.values()),
    "follow_up": tuple(programme_charts.FOLLOW_UP_COLOURS.values()),
    "incubation kinds": incubation_charts.KIND_COLOURS,
    "target status": tuple(leadership_charts.STATUS_COLOURS.values()),
    # the progress map's stops: under target, close (90 %), met (100 %), far above (125 %)
    "progress map": tuple(colour for _, colour in leadership_charts.PROGRESS_SCALE),
}
FILLS = {*charts.PALETTE, charts.PALE_GREY, *programme_charts.PHASE_COLOURS.values(),
         *programme_charts.OUTCOME_COLOURS.values(), *programme_charts.FOLLOW_UP_COLOURS.values(),
         *incubation_charts.STAGE_COLOURS.values(), *incubation_charts.KIND_COLOURS,
         *leadership_charts.STATUS_COLOURS.values(), *leadership_charts.REGION_COLOURS}


def _linear(colour: str) -> list[float]:
    channels = [int(colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    return [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]


def _lab(rgb: list[float]) -> tuple[float, float, float]:
    r, g, b = rgb
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883
    f = lambda t: t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116  # noqa: E731
    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def seen(colour: str, deficiency: str | None) -> tuple[float, float, float]:
    rgb = _linear(colour)
    if deficiency:
        rgb = [min(1.0, max(0.0, sum(m * c for m, c in zip(row, rgb)))) for row in CVD[deficiency]]
    return _lab(rgb)


def test_contrast_ratio_matches_wcag_examples():
    """Test that charts.contrast gives WCAG's ratios (black on white 21:1, same colour 1:1)."""
    assert charts.contrast("#000000", WHITE) == pytest.approx(21)
    assert charts.contrast(charts.GREEN, charts.GREEN) == pytest.approx(1)
    assert charts.contrast("#767676", WHITE) == pytest.approx(4.54, abs=0.01)


@pytest.mark.parametrize("fill", sorted(FILLS))
def test_every_fill_is_3_to_1_on_white_and_its_label_4_5_to_1(fill):
    """Test that every bar colour stands out from the white background (WCAG 1.4.11, 3:1) and
    that the label charts.label_colour picks for it reads at 4.5:1 (WCAG 1.4.3)."""
    assert charts.contrast(fill, WHITE) >= 3, fill
    assert charts.contrast(charts.label_colour(fill), fill) >= 4.5, fill


@pytest.mark.parametrize("name", sorted(PALETTES))
@pytest.mark.parametrize("deficiency", [None, *CVD])
def test_palettes_stay_apart_for_colour_vision_deficiencies(name, deficiency):
    """Test that any two colours of a palette drawn together stay at least MIN_DISTANCE apart
    (CIE76) with normal vision and as protanopes, deuteranopes and tritanopes see them."""
    colours = sorted(set(PALETTES[name]))
    closest = min(itertools.combinations(colours, 2),
                  key=lambda pair: math.dist(seen(pair[0], deficiency), seen(pair[1], deficiency)))
    distance = math.dist(seen(closest[0], deficiency), seen(closest[1], deficiency))
    assert distance >= MIN_DISTANCE, (name, deficiency, closest, round(distance, 1))


def test_chart_labels_on_bars_use_the_contrast_helper():
    """Test that no domain chart writes a fixed white label any more (charts.label_colour picks)."""
    for path in (ROOT / "pie").glob("*/charts.py"):
        assert 'textfont=dict(color="white"' not in path.read_text(encoding="utf-8"), path


def test_theme_text_colours_meet_aa():
    """Test that the theme's primary colour reads at 4.5:1 on white and on its 10 % tint (a
    selected option), and that captions (Streamlit: the text colour at 60 %) read at 4.5:1."""
    theme = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))["theme"]

    def mix(colour: str, alpha: float) -> str:
        channels = [int(colour.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4)]
        return "#" + "".join(f"{round(alpha * c + (1 - alpha) * 255):02X}" for c in channels)

    primary, text = theme["primaryColor"], theme["textColor"]
    assert charts.contrast(primary, WHITE) >= 4.5
    assert charts.contrast(primary, mix(primary, 0.1)) >= 4.5
    assert charts.contrast(mix(text, 0.6), WHITE) >= 4.5
    assert charts.contrast(mix(text, 0.6), "#F0F2F6") >= 4.5  # the sidebar's background


def test_chart_summary_says_title_series_and_numbers_in_the_language():
    """Test that the generic text alternative of a chart names its title, each series and its
    points with numbers as the language writes them, and that its data table has every point."""
    import plotly.graph_objects as go

    fig = charts.figure("fr", title="Participants <b>par année</b>")
    fig.add_trace(go.Bar(name="Femmes", x=["2021-2022", "2022-2023"], y=[12500, 3]))
    fig.add_trace(go.Bar(name="Hommes", orientation="h", y=["2021-2022"], x=[7], text=["7 (45 %)"]))
    text = charts.summary(fig, "fr")
    assert text == ("Graphique : Participants par année. Femmes — 2021-2022: 12\u202f500; 2022-2023: 3. "
                    "Hommes — 2021-2022: 7 (45 %)")
    assert charts.summary(fig, "en").startswith("Chart: Participants par année. Femmes — 2021-2022: 12,500")
    assert charts.data_rows(fig, "fr") == [("Femmes", "2021-2022", "12\u202f500"), ("Femmes", "2022-2023", "3"),
                                           ("Hommes", "2021-2022", "7 (45 %)")]
    many = charts.figure("fr")
    many.add_trace(go.Bar(x=[str(i) for i in range(20)], y=list(range(20))))
    assert charts.summary(many, "fr").endswith("11: 11; et 8 autres")


# ------------------------------------------------------------------------------ map and rollout
def _hex(plotly_rgb: str) -> str:
    return "#" + "".join(f"{round(channel):02X}" for channel in unlabel_rgb(plotly_rgb)[:3])


def _drawn_colours(trace) -> list[str]:
    """The colour plotly draws for each location of a choropleth trace (its colour scale
    interpolated at the location's z, as plotly.js does)."""
    low, high = trace.zmin, trace.zmax
    scale = [list(stop) for stop in trace.colorscale]
    return [_hex(sample_colorscale(scale, [(z - low) / (high - low)])[0]) for z in trace.z]


def _regions(values: dict[str, float], column: str = "participants") -> pd.DataFrame:
    return pd.DataFrame([{"region_code": code, "name_fr": f"Région {code}", "name_ar": f"جهة {code}", column: value}
                         for code, value in values.items()])


@pytest.mark.parametrize("column,values", [
    ("participants", {"01": 0, "02": 1, "03": 2, "04": 40, "05": 2000}),   # 1 beside 2,000: still green
    ("reach_per_10k", {"01": 0.0, "02": 0.04, "09": 12.5, "11": 310.0}),
])
def test_count_map_draws_every_counted_region_3_to_1_on_white(column, values):
    """Test that on a map of counts (or reach) every region with something is drawn in a colour
    at 3:1 or more against the white page with white borders (WCAG 1.4.11), even the smallest
    value beside a large one, and that a region with 0 is the grey of "nothing" outlined in a
    colour at 3:1."""
    fig = leadership_charts.region_map(_regions(values, column), column, language="fr")
    base, coloured = fig.data
    assert charts.contrast(base.marker.line.color, WHITE) >= 3  # every region's outline, under the colours
    borders = dict(zip(coloured.locations, coloured.marker.line.color))
    for code, colour in zip(coloured.locations, _drawn_colours(coloured)):
        if values[code] == 0:
            assert colour == leadership_charts.BASE_FILL and charts.contrast(borders[code], WHITE) >= 3, code
        else:
            assert charts.contrast(colour, WHITE) >= 3 and borders[code] == "white", (code, colour)


def test_progress_map_scale_is_3_to_1_on_white_everywhere():
    """Test that every colour of the progress scale (sampled every 0.5 %, between its stops
    too) is at 3:1 or more against white, and that the regions of a progress map use it."""
    samples = sample_colorscale(leadership_charts.PROGRESS_SCALE, [i / 250 for i in range(251)])
    assert min(charts.contrast(_hex(colour), WHITE) for colour in samples) >= 3
    fig = leadership_charts.region_map(_regions({"01": 0.0, "02": 0.95, "09": 1.1, "11": 3.0}, "progress_participants"),
                                       "progress_participants", language="fr")
    coloured = fig.data[1]
    assert [list(stop) for stop in coloured.colorscale] == [list(stop) for stop in leadership_charts.PROGRESS_SCALE]
    assert all(charts.contrast(colour, WHITE) >= 3 for colour in _drawn_colours(coloured))


@pytest.mark.parametrize("deficiency", [None, *CVD])
def test_count_scale_darkens_at_every_stop_for_colour_vision_deficiencies(deficiency):
    """Test that the count scale is sequential for everyone: each stop is darker (CIE L*) than
    the one before by at least 8, with normal vision and each colour-vision deficiency."""
    lightness = [seen(colour, deficiency)[0] for _, colour in leadership_charts.COUNT_SCALE]
    assert all(lighter - darker >= 8 for lighter, darker in itertools.pairwise(lightness)), lightness


def test_map_points_and_outlines_stand_out():
    """Test the map's other graphics: establishments' points, the zoomed region's border and
    the outline of grey regions are 3:1 or more against white."""
    for colour in (leadership_charts.POINT_COLOUR, leadership_charts.FOCUS_BORDER, leadership_charts.OUTLINE):
        assert charts.contrast(colour, WHITE) >= 3, colour


def test_rollout_regions_differ_by_colour_or_pattern_for_colour_vision_deficiencies():
    """Test the 12 regions of the rollout chart: 12 different colour-and-pattern pairs; with
    normal vision any two colours stay MIN_DISTANCE apart; for each colour-vision deficiency any
    two regions drawn with the same pattern do too (those closer differ by pattern)."""
    styles = list(zip(leadership_charts.REGION_COLOURS, leadership_charts.REGION_PATTERNS))
    assert len(styles) == 12 and len(set(styles)) == 12
    for (one, pattern_one), (other, pattern_other) in itertools.combinations(styles, 2):
        assert math.dist(seen(one, None), seen(other, None)) >= MIN_DISTANCE, (one, other)
        if pattern_one == pattern_other:
            for deficiency in CVD:
                assert math.dist(seen(one, deficiency), seen(other, deficiency)) >= MIN_DISTANCE, (one, other, deficiency)


def _rollout(regions: int = 12) -> pd.DataFrame:
    """Participants by year and region: region k has k participants in 2021-2022, 10 × k in 2022-2023."""
    rows = []
    for k in range(1, regions + 1):
        code = f"{k:02d}"
        rows += [{"academic_year": "2021-2022", "region_code": code, "name_fr": f"Région {code}",
                  "name_ar": f"جهة {code}", "participants": k},
                 {"academic_year": "2022-2023", "region_code": code, "name_fr": f"Région {code}",
                  "name_ar": f"جهة {code}", "participants": 10 * k}]
    return pd.DataFrame(rows)


def test_rollout_names_each_region_beside_the_last_bar():
    """Test that the rollout chart names its 12 regions beside the last year's bar (no legend),
    each name in the order of the stack and at least ROLLOUT_LABEL_GAP pixels from the next,
    each region drawn with its colour and pattern; in Arabic the names stand on the left."""
    fig = leadership_charts.rollout_chart(_rollout(), "fr")
    assert fig.layout.showlegend is False
    names = [note.text for note in fig.layout.annotations]
    assert names == [f"Région {k:02d}" for k in range(1, 13)]
    assert [trace.marker.color for trace in fig.data] == list(leadership_charts.REGION_COLOURS)
    assert [trace.marker.pattern.shape for trace in fig.data] == list(leadership_charts.REGION_PATTERNS)
    heights = [note.y for note in fig.layout.annotations]
    top = fig.layout.yaxis.range[1]  # 1.05 × 780, the tallest bar
    plot_pixels = fig.layout.height - fig.layout.margin.t - fig.layout.margin.b
    assert all(b - a >= leadership_charts.ROLLOUT_LABEL_GAP * top / plot_pixels - 1e-9
               for a, b in itertools.pairwise(heights)), heights
    # the largest part, région 12 (120 of the last bar's 780, from 660 to 780), keeps its middle
    assert heights[-1] == pytest.approx(720)
    assert {(note.x, note.xanchor, note.xshift) for note in fig.layout.annotations} == {(1, "left", 4)}
    arabic = leadership_charts.rollout_chart(_rollout(), "ar")
    assert {(note.x, note.xanchor, note.xshift) for note in arabic.layout.annotations} == {(0, "right", -4)}
    assert arabic.layout.xaxis.autorange == "reversed" and arabic.layout.yaxis.side == "right"


def test_spread_keeps_labels_apart_and_inside():
    """Test that label heights are pushed apart by the gap, up from the bottom and back down
    from the top, and otherwise stay where they want to be."""
    assert leadership_charts.spread([0, 1, 2, 50], gap=5, top=100) == [0, 5, 10, 50]
    assert leadership_charts.spread([98, 99, 100], gap=5, top=100) == [90, 95, 100]
    assert leadership_charts.spread([10, 40], gap=5, top=100) == [10, 40]


# ------------------------------------------------------------------------------ plotly's own texts
@pytest.mark.parametrize("language", ["fr", "ar"])
def test_plotly_mode_bar_speaks_the_page_language(language):
    """Test that every chart's config gives plotly its mode bar texts and month names in the
    page's language (translated, not left in English), keeping a chart's own config (the map's)."""
    from pie import i18n
    from pie.ui import layout

    config = layout.plotly_config(language, leadership_charts.MAP_CONFIG)
    assert config["topojsonURL"] == leadership_charts.MAP_CONFIG["topojsonURL"] and config["displaylogo"] is False
    assert config["locale"] == language
    dictionary = config["locales"][language]["dictionary"]
    assert dictionary == {english: i18n.t(key, language) for english, key in layout.PLOTLY_TEXTS.items()}
    assert all(text != english for english, text in dictionary.items()), dictionary
    months = config["locales"][language]["format"]["months"]
    assert months[0] == {"fr": "janvier", "ar": "يناير"}[language] and len(months) == 12
    assert config["locales"][language]["format"]["days"][0] == {"fr": "dimanche", "ar": "الأحد"}[language]


def test_plotly_texts_are_those_of_the_plotly_streamlit_ships():
    """Test that each English text we translate is still one plotly.js (as bundled in the
    installed Streamlit) looks up, so a Streamlit upgrade that rewords one is noticed."""
    import streamlit

    from pie.ui import layout

    bundle = next((Path(streamlit.__file__).parent / "static" / "static" / "js").glob("PlotlyChart*.js"))
    source = bundle.read_text(encoding="utf-8")
    assert [english for english in layout.PLOTLY_TEXTS if f"`{english}`" not in source] == []
