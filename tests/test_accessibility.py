"""Accessibility of the house style (docs/ACCESSIBILITY.md): colours at WCAG AA contrast, bar
labels readable on their bar, palettes that stay apart for the common colour-vision
deficiencies, the theme's text colours, and a text alternative for every chart."""
from __future__ import annotations

import itertools
import math
import tomllib
from pathlib import Path

import pytest

from pie import charts
from pie.incubation import charts as incubation_charts
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
}
FILLS = {*charts.PALETTE, charts.PALE_GREY, *programme_charts.PHASE_COLOURS.values(),
         *programme_charts.OUTCOME_COLOURS.values(), *programme_charts.FOLLOW_UP_COLOURS.values(),
         *incubation_charts.STAGE_COLOURS.values(), *incubation_charts.KIND_COLOURS}


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
