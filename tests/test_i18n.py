"""Translations and locale formats: every key in every language, every key used, every code
translated, placeholders kept, Arabic written in Arabic, numbers as each locale writes them,
and charts and tables mirrored for Arabic.

French (pie/locales/fr.json) is the reference catalogue.
"""
from __future__ import annotations

import ast
import re
from datetime import date
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import pytest

from pie import charts, codes, db, i18n, kpis
from pie.programme import charts as programme_charts
from pie.programme import figures as programme
from pie.ingest import report as ingest_report
from pie.ui import navigation

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [ROOT / "dashboard.py", *sorted((ROOT / "pie").rglob("*.py")), *sorted((ROOT / "pages").rglob("*.py"))]
OTHERS = [language for language in i18n.LANGUAGES if language != i18n.DEFAULT_LANGUAGE]
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
ARABIC_LETTER = re.compile(r"[\u0621-\u064a]")
LATIN_LETTER = re.compile(r"[A-Za-zÀ-ÿ]")
# Keys whose Arabic text is rightly written without Arabic letters: file names (kept in ASCII so
# any system saves them) and Latin acronyms or brand names.
NOT_ARABIC = re.compile(r"(\.file(\.|$)|_file$|\.table\.all_years$|\.loans\.par_label$)")
# Key families whose values come from the contracts, not from the code's text: a key of such a
# family counts as used only when the contract has it (an f"code.{kind}.{code}" in the code
# does not make every code.* key used).
FAMILIES = {
    "code.": set(codes.label_keys()),
    "kpi.": {f"kpi.{key}" for key in kpis.KEYS} | {f"kpi.help.{key}" for key in kpis.KEYS},
    "page.": {f"page.{page.name}.{part}" for page in navigation.PAGES for part in ("nav", "title", "question")},
    "role.": {f"role.{role}" for role in navigation.ALL_ROLES},
    "ingest.type.": {f"ingest.type.{kind}" for kind in ingest_report.PROBLEM_TYPES},
    "ingest.severity.": {f"ingest.severity.{level}" for level in (ingest_report.ERROR, ingest_report.WARNING)},
}


def catalogue(language: str) -> dict[str, str]:
    return i18n.catalog(language)


# ------------------------------------------------------------------------------ keys
@pytest.mark.parametrize("language", OTHERS)
def test_every_french_key_is_translated(language):
    """Test that every key of fr.json has a non-empty text in ar.json and en.json."""
    reference, other = catalogue("fr"), catalogue(language)
    missing = [key for key in reference if not str(other.get(key, "")).strip()]
    assert missing == []


@pytest.mark.parametrize("language", OTHERS)
def test_no_key_outside_the_french_reference(language):
    """Test that ar.json and en.json hold no key that fr.json does not have."""
    assert [key for key in catalogue(language) if key not in catalogue("fr")] == []


def test_no_empty_french_text():
    """Test that every French text is filled in."""
    assert [key for key, text in catalogue("fr").items() if not str(text).strip()] == []


@pytest.mark.parametrize("language", OTHERS)
def test_placeholders_are_the_same_in_every_language(language):
    """Test that each translation has exactly the {placeholders} of its French text."""
    other = catalogue(language)
    different = [key for key, text in catalogue("fr").items()
                 if key in other and sorted(PLACEHOLDER.findall(text)) != sorted(PLACEHOLDER.findall(other[key]))]
    assert different == []


def test_arabic_texts_are_written_in_arabic():
    """Test that every Arabic text with words has Arabic letters (not a French text left as it is)."""
    arabic = catalogue("ar")
    untranslated = [key for key, text in arabic.items()
                    if LATIN_LETTER.search(PLACEHOLDER.sub("", catalogue("fr").get(key, "")))
                    and not ARABIC_LETTER.search(text) and not NOT_ARABIC.search(key)]
    assert untranslated == []


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_catalogues_hold_no_bidi_marks(language):
    """Test that no text carries invisible bidi marks (they misplace text in tables and charts)."""
    assert [key for key, text in catalogue(language).items() if any(m in text for m in i18n.BIDI_MARKS)] == []


def test_english_texts_are_not_left_in_french():
    """Test that English texts with words are not the French text copied (names excepted)."""
    english, french = catalogue("en"), catalogue("fr")
    same = {key for key, text in english.items()
            if text == french.get(key) and len(LATIN_LETTER.findall(PLACEHOLDER.sub("", text))) > 12}
    names = {key for key in same if key.startswith(("code.bank.", "region.name."))}
    assert sorted(same - names) == []


def test_region_names_are_the_reference_names():
    """Test that the region names of the catalogues (region.name.<code>, what by-group tables
    and charts show) are those of the regions table (pie.reference: HCP, French and Arabic),
    English using the French names."""
    from pie import reference

    frame = reference.regions_frame()
    for code, french, arabic in zip(frame["region_code"], frame["name_fr"], frame["name_ar"]):
        assert (i18n.region_name(code, "fr"), i18n.region_name(code, "ar"), i18n.region_name(code, "en")) \
            == (french, arabic, french)
    assert i18n.region_name("99", "ar") == "99" and i18n.region_name(None, "fr") == i18n.t("partners.not_given")


# ------------------------------------------------------------------------------ codes
def test_every_code_has_a_label_in_every_language():
    """Test that every code list of the data model (pie.codes.CODES) is translated in fr, ar, en."""
    missing = [(language, key) for language in i18n.LANGUAGES for key in codes.label_keys()
               if key not in catalogue(language)]
    assert missing == []


def test_no_label_for_a_code_that_does_not_exist():
    """Test that every code.<kind>.<code> key names a code of pie.codes.CODES."""
    assert [key for key in catalogue("fr") if key.startswith("code.") and key not in FAMILIES["code."]] == []


def test_code_lists_are_the_import_formats():
    """Test that every code column of the import format allows exactly its pie.codes list, in
    the same order (one place writes them), and that every code column has a translation kind."""
    from pie.ingest import rules

    for table, column in rules.code_columns():
        kind = codes.kind_of(table, column.name)
        if kind is None:
            assert (table, column.name) in codes.OTHER_FAMILIES
            continue
        assert column.codes == codes.CODES[kind], (table, column.name)
    assert rules.table("targets").column("metric").codes == codes.TARGET_METRICS


# ------------------------------------------------------------------------------ unused keys
def _key_patterns() -> tuple[set[str], list[re.Pattern]]:
    """String literals of the code, and f-strings / concatenations turned into patterns
    (each `{…}` one dotless segment), except those of a contract family (FAMILIES)."""
    literals: set[str] = set()
    patterns: list[re.Pattern] = []

    def template(parts: list[str | None]) -> None:
        if not parts or parts[0] is None or "." not in parts[0]:
            return  # no literal head such as "kpi.": too loose to say which keys it uses
        if any(parts[0].startswith(prefix) for prefix in FAMILIES):
            return
        patterns.append(re.compile("".join(r"[^.\s]+" if p is None else re.escape(p) for p in parts) + "$"))

    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                literals.add(node.value)
            elif isinstance(node, ast.JoinedStr):
                template([v.value if isinstance(v, ast.Constant) else None for v in node.values])
            elif (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add)
                  and isinstance(node.left, ast.Constant) and isinstance(node.left.value, str)):
                template([node.left.value, None])
    return literals, patterns


def test_every_key_is_used_in_the_code():
    """Test that every key of fr.json is used: written in the code, built by an f-string of the
    code (f"follow_up.list.{name}"), or a member of a contract family (every code of
    pie.codes, every indicator of pie.kpis, every page of pie.ui.navigation)."""
    literals, patterns = _key_patterns()
    family_keys = set().union(*FAMILIES.values())
    unused = [key for key in catalogue("fr")
              if key not in literals and key not in family_keys
              and not any(pattern.match(key) for pattern in patterns)]
    assert unused == []


def test_contract_families_are_complete():
    """Test that every indicator and page the code names has its texts."""
    french = catalogue("fr")
    family_keys = FAMILIES["kpi."] | FAMILIES["page."] | FAMILIES["role."]
    assert sorted(key for key in family_keys if key not in french) == []


# ------------------------------------------------------------------------------ formats
NNBSP, NBSP = "\u202f", "\u00a0"


@pytest.mark.parametrize("language, number, amount, rate, day", [
    ("fr", f"12{NNBSP}500,50", f"12{NNBSP}500,50{NBSP}MAD", f"45,3{NBSP}%", "02/10/2023"),
    ("ar", "12.500,50", f"12.500,50{NBSP}درهم", "45,3%", "02/10/2023"),
    ("en", "12,500.50", f"12,500.50{NBSP}MAD", "45.3%", "10/02/2023"),
])
def test_numbers_amounts_rates_and_dates_follow_the_locale(language, number, amount, rate, day):
    """Test Babel's formats per language: fr 12 500,50 MAD; ar_MA 12.500,50 درهم (Latin digits); en 12,500.50."""
    assert i18n.fmt_number(12500.5, language, 2) == number
    assert i18n.fmt_mad(12500.5, language, 2) == amount
    assert i18n.fmt_percent(0.453, language) == rate
    assert i18n.fmt_date(date(2023, 10, 2), language) == day
    assert not any(mark in number + amount + rate + day for mark in i18n.BIDI_MARKS)


def test_chart_separators_match_babel():
    """Test that plotly's axis separators write numbers as Babel does in each language."""
    for language in i18n.LANGUAGES:
        text = i18n.fmt_number(12500.5, language, 1)
        decimal, thousands = charts.SEPARATORS[language]
        assert text == f"12{thousands}500{decimal}5"


def test_language_names_and_normalising():
    """Test that each language has its own name and that unknown URL values fall back to French."""
    assert set(i18n.LANGUAGE_NAMES) == set(i18n.LANGUAGES)
    assert i18n.normalise_language(" AR ") == "ar"
    assert i18n.normalise_language("de") == i18n.normalise_language(None) == "fr"


# ------------------------------------------------------------------------------ right to left
def _bars() -> go.Figure:
    fig = go.Figure(go.Bar(x=[3, 5], y=["a", "b"], orientation="h"))
    fig.update_layout(title=dict(text="T"), xaxis=dict(range=[0, 6]), margin=dict(l=10, r=40),
                      annotations=[dict(text="note", x=0, xref="paper", xanchor="left", y=1, yref="paper")])
    return fig


def test_rtl_mirrors_charts_for_arabic_only():
    """Test that charts.rtl mirrors a cartesian chart for Arabic (x reversed, y axis, title and notes on
    the right) on a copy, and leaves other languages' figures untouched."""
    fig = _bars()
    assert charts.rtl(fig, "fr") is fig and charts.rtl(fig, "en") is fig
    mirrored = charts.rtl(fig, "ar")
    layout = mirrored.layout
    assert list(layout.xaxis.range) == [6, 0]
    assert layout.yaxis.side == "right"
    assert (layout.title.x, layout.title.xanchor) == (1, "right")
    assert (layout.annotations[0].x, layout.annotations[0].xanchor) == (1, "right")
    assert (layout.margin.l, layout.margin.r) == (40, 10)
    assert layout.hoverlabel.align == "right"
    assert list(fig.layout.xaxis.range) == [0, 6]  # the original is not changed


def test_rtl_twice_is_rtl_once():
    """Test that mirroring an already mirrored figure changes nothing more."""
    once = charts.rtl(_bars(), "ar")
    assert charts.rtl(once, "ar").to_plotly_json() == once.to_plotly_json()


def test_rtl_swaps_subplots_and_reverses_category_axes(small_db):
    """Test that side-by-side subplots swap places and vertical bars read from the right."""
    funnel = programme_charts.funnel(programme.funnel(db.reader(small_db)), "ar")
    mirrored = charts.rtl(funnel, "ar").layout
    assert mirrored.xaxis.domain[0] > mirrored.xaxis2.domain[0]  # people on the right
    assert mirrored.yaxis.side == mirrored.yaxis2.side == "right"
    years = pd.DataFrame({"academic_year": ["2021-2022", "2022-2023"], "participants": [4, 6]})
    trend = charts.rtl(programme_charts.yearly_trend(years, ("participants",), "ar"), "ar").layout
    assert trend.xaxis.autorange == "reversed"


def test_pages_draw_charts_and_tables_through_the_rtl_helpers():
    """Test that pages and pie/ui draw plotly charts with layout.plotly_chart and tables with
    tables.dataframe, the two places that mirror them for Arabic."""
    files = [*sorted((ROOT / "pages").rglob("*.py")), *sorted((ROOT / "pie" / "ui").rglob("*.py"))]
    helpers = {ROOT / "pie" / "ui" / "layout.py": "plotly_chart", ROOT / "pie" / "ui" / "tables.py": "dataframe"}
    direct = []
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("plotly_chart", "dataframe")
                    and not (isinstance(node.func.value, ast.Name) and node.func.value.id in ("layout", "tables"))
                    and helpers.get(path) != node.func.attr):
                direct.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.func.attr}")
    assert direct == []
