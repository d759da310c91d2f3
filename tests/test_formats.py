"""One number format per language everywhere (issue 15): abbreviated amounts, day counts,
charts (separators and tick formats, the same as cards and tables write numbers), downloads
(ISO dates, numbers rounded to their meaning, XLSX number formats) and the "data as of" line
under every page title.

Expected texts are written by hand; NNBSP and NBSP are the spaces Babel's French uses.
"""
from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, datetime

import pandas as pd
import plotly.graph_objects as go
import pytest
from babel.numbers import get_decimal_symbol, get_group_symbol
from openpyxl import load_workbook

from pie import charts, db, i18n, kpis
from pie.companies import figures as companies
from pie.scope import Scope
from pie.ui import downloads, layout, navigation, partner_views, tables

NNBSP, NBSP = "\u202f", "\u00a0"
LANGUAGES = ("fr", "ar", "en")


# ------------------------------------------------------------------------------ abbreviated amounts
@pytest.mark.parametrize(("value", "language", "expected"), [
    (5_000_000, "fr", f"5,0{NBSP}M{NBSP}MAD"),          # not "5 M MAD" beside "6,7 M MAD"
    (6_700_000, "fr", f"6,7{NBSP}M{NBSP}MAD"),
    (12_345_678, "fr", f"12,3{NBSP}M{NBSP}MAD"),
    (170_000, "fr", f"170{NNBSP}000{NBSP}MAD"),          # below a million: in full
    (999_950_000, "fr", f"1,0{NBSP}Md{NBSP}MAD"),        # rounds up to the next abbreviation
    (5_000_000, "ar", f"5,0{NBSP}مليون{NBSP}درهم"),
    (170_000, "ar", f"170.000{NBSP}درهم"),
    (5_000_000, "en", f"5.0M{NBSP}MAD"),
    (2_500_000_000, "en", f"2.5B{NBSP}MAD"),
])
def test_abbreviated_amounts(value, language, expected):
    """Test that a large amount is abbreviated as the language does, always with one decimal."""
    assert i18n.fmt_mad_short(value, language) == expected


@pytest.mark.parametrize("language", LANGUAGES)
def test_same_abbreviation_same_decimals(language):
    """Test the one rule: every amount written with the same abbreviation has the same number
    of decimals (COMPACT_DECIMALS), whole millions included."""
    mark = get_decimal_symbol(i18n.BABEL_LOCALE[language])
    by_unit: dict[str, set[int]] = {}
    for value in (1_000_000, 5_000_000, 6_700_000, 10_000_000, 42_050_000, 120_000_000, 3_000_000_000):
        text = i18n.fmt_compact(value, language)
        number = re.match(r"[\d.,\u202f]+", text).group(0)
        unit = text[len(number):].strip()
        by_unit.setdefault(unit, set()).add(len(number.rsplit(mark, 1)[1]) if mark in number else 0)
    assert by_unit and all(decimals == {i18n.COMPACT_DECIMALS} for decimals in by_unit.values()), by_unit


def test_signed_abbreviated_amount():
    """Test that a change of amount carries its sign before the abbreviated figure."""
    assert i18n.fmt_mad_short(-5_000_000, "fr", sign=True) == f"-5,0{NBSP}M{NBSP}MAD"
    assert i18n.fmt_mad_short(1_234, "fr", sign=True) == f"+1{NNBSP}234{NBSP}MAD"


def test_absent_amount_is_a_dash():
    """Test that a missing amount is written as a dash, not 0 MAD nor an error."""
    assert i18n.fmt_mad_short(None, "fr") == i18n.EMPTY
    assert i18n.fmt_mad_short(float("nan"), "ar") == i18n.EMPTY


# ------------------------------------------------------------------------------ day counts
@pytest.mark.parametrize(("value", "expected"), [(85.0, "85"), (20.5, "21"), (1234.4, f"1{NNBSP}234"), (0, "0")])
def test_day_counts_are_whole(value, expected):
    """Test that a median of days is written whole (85, never 85,0; a half day rounds up)."""
    assert kpis.format_indicator("median_days_to_decision", value, "fr") == expected
    assert tables._text(tables.DAYS, lang="fr")(value) == expected


def test_hours_keep_their_decimal():
    """Test that coaching hours, which are not days, keep one decimal."""
    assert kpis.format_indicator("coaching_hours", 5.5, "fr") == "5,5"


# ------------------------------------------------------------------------------ charts
@pytest.mark.parametrize("language", LANGUAGES)
def test_chart_separators_are_the_cards(language):
    """Test that plotly's separators (decimal mark, then thousands) are Babel's for the
    language, so a chart's ticks and hovers write numbers as the cards do."""
    locale = i18n.BABEL_LOCALE[language]
    assert charts.SEPARATORS[language] == get_decimal_symbol(locale) + get_group_symbol(locale)
    decimal, group = charts.SEPARATORS[language]
    assert i18n.fmt_number(12500.5, language, 1) == f"12{group}500{decimal}5"


def _bars() -> go.Figure:
    fig = go.Figure(go.Bar(x=["2022-2023", "2023-2024"], y=[5952, 6100]))
    fig.add_trace(go.Bar(x=[0.2, 0.25], y=["A", "B"], orientation="h", xaxis="x2", yaxis="y2"))
    fig.update_layout(xaxis2=dict(tickformat=".0%", range=[0, 0.5], anchor="y2"), yaxis2=dict(anchor="x2"))
    return fig


def test_localised_chart_groups_thousands_and_writes_french_percentages():
    """Test that a count axis groups thousands (6 000, not 6000), a percentage axis in French
    writes 20 % like the labels (not 20%), category axes are left alone, and the figure gets
    the language's separators."""
    fig = charts.localised(_bars(), "fr")
    assert fig.layout.separators == f",{NNBSP}"
    assert fig.layout.yaxis.tickformat == charts.NUMBER_FORMAT
    assert fig.layout.xaxis.tickformat is None          # academic years: categories
    assert list(fig.layout.xaxis2.ticktext)[:3] == [f"0{NBSP}%", f"10{NBSP}%", f"20{NBSP}%"]
    assert list(fig.layout.xaxis2.tickvals)[:3] == [0, 0.1, 0.2]


def test_localised_chart_keeps_d3_percentages_where_the_language_writes_them_so():
    """Test that in English and Arabic (45.3%, 45,3%: no space) a percentage axis keeps its
    d3 format, with the language's separators."""
    for language in ("en", "ar"):
        fig = charts.localised(_bars(), language)
        assert fig.layout.xaxis2.tickformat == ".0%" and fig.layout.xaxis2.ticktext is None
        assert fig.layout.separators == charts.SEPARATORS[language]


def test_localised_chart_is_a_copy_made_once():
    """Test that localising copies the figure (shared cached figures stay untouched) and that a
    localised figure is returned as it is."""
    original = _bars()
    once = charts.localised(original, "fr")
    assert original.layout.separators is None and once is not original
    assert charts.localised(once, "fr") is once


# ------------------------------------------------------------------------------ downloads
def _sample() -> tables.Table:
    frame = pd.DataFrame({
        "Name": ["=HYPERLINK(1)", "B"],
        "Count": [3, None],
        "Rate": [6 / 7, None],
        "Amount": [268.96711393857646, 1_000_000],
        "Days": [85.5, 20.0],
        "On": [date(2024, 7, 1), None],
        "Registered": pd.to_datetime(["2023-10-02", "2022-01-31"]),
        "Reach": [1.23456, 2.0],
        "Hours": [3.14159, None],
    })
    kinds = {"Name": tables.TEXT, "Count": tables.COUNT, "Rate": tables.RATE, "Amount": tables.AMOUNT,
             "Days": tables.DAYS, "On": tables.DATE, "Registered": tables.DATE, "Reach": tables.DECIMAL,
             "Hours": tables.TEXT}
    return tables.Table(frame, kinds, decimals={"Reach": 2})


def test_csv_rounds_numbers_to_their_meaning_and_writes_iso_dates():
    """Test the CSV: amounts with 2 decimals (268,97, not 268,96711393857646), rates as
    percentages with the fraction's 4 decimals (85,71), days and counts whole, decimals with
    the table's decimals, any other float 4 decimals, dates ISO; formulas still neutralised."""
    rows = list(csv.reader(io.StringIO(downloads.csv_bytes(_sample()).decode("utf-8-sig")), delimiter=";"))
    assert rows[1] == ["'=HYPERLINK(1)", "3", "85,71", "268,97", "86", "2024-07-01", "2023-10-02", "1,23", "3,1416"]
    assert rows[2] == ["B", "", "", "1000000,00", "20", "", "2022-01-31", "2,00", ""]


def test_xlsx_cells_are_numbers_and_dates_with_number_formats():
    """Test the XLSX: numbers as numbers rounded like the CSV (rates as fractions to 4
    decimals), each with its number format, dates as dates shown yyyy-mm-dd."""
    sheet = load_workbook(io.BytesIO(downloads.xlsx_bytes(_sample()))).active
    cells = {sheet.cell(row=1, column=i).value: sheet.cell(row=2, column=i) for i in range(1, sheet.max_column + 1)}
    expected = {"Count": (3, "#,##0"), "Rate": (0.8571, "0.00%"), "Amount": (268.97, "#,##0.00"),
                "Days": (86, "#,##0"), "On": (datetime(2024, 7, 1), "yyyy-mm-dd"),
                "Registered": (datetime(2023, 10, 2), "yyyy-mm-dd"), "Reach": (1.23, "#,##0.00")}
    assert {name: (cells[name].value, cells[name].number_format) for name in expected} == expected
    assert cells["Name"].value == "'=HYPERLINK(1)" and cells["Name"].data_type == "s"
    assert cells["Hours"].value == 3.1416


def test_company_download_holds_iso_dates_and_amounts_to_the_centime(small_db):
    """Test a real table (the Companies page's list): registration and follow-up dates ISO,
    CO1's revenue 350 000 MAD written 350000,00 (tests/fixtures/small_programme.sql)."""
    table = partner_views.companies(companies.companies(db.reader(small_db), Scope()))
    rows = list(csv.DictReader(io.StringIO(downloads.csv_bytes(table).decode("utf-8-sig")), delimiter=";"))
    co1 = next(row for row in rows if "CO1" in row.values())
    assert "2022-07-01" in co1.values() and "2024-07-01" in co1.values()   # registered, latest follow-up
    assert "350000,00" in co1.values()


# ------------------------------------------------------------------------------ no data yet
def test_revenue_without_any_report_is_no_data_not_zero(small_db):
    """Test that a group whose active companies reported no revenue has none (NaN, shown as
    "no data yet"), not 0 MAD: CO2 (2023) is closed, so 2023 has no active company's revenue;
    2022 has CO1's 350 000."""
    frame = companies.by_group(db.reader(small_db), Scope(), breakdown="year").set_index("group_key")
    assert frame.loc["2022", "revenue_mad"] == 350_000
    assert frame.loc["2023", "n_with_revenue"] == 0 and pd.isna(frame.loc["2023", "revenue_mad"])


# ------------------------------------------------------------------------------ data as of
@pytest.mark.parametrize(("language", "expected"), [
    ("fr", "Données au 01/07/2024 · dernier import le 04/12/2026"),
    ("ar", "المعطيات إلى غاية 01/07/2024 · آخر استيراد في 04/12/2026"),
    ("en", "Data as of 07/01/2024 · last import 12/04/2026"),
])
def test_data_as_of_line(language, expected):
    """Test the line under every title, dates as the language writes them."""
    assert i18n.data_as_of(date(2024, 7, 1), date(2026, 12, 4), language) == expected


def test_data_as_of_line_without_import():
    """Test that a database never imported into (a demo, the test programme) says so."""
    assert i18n.data_as_of(date(2024, 7, 1), None, "fr") == "Données au 01/07/2024 · aucun import"


def test_data_dates_are_the_latest_event_and_the_newest_accepted_import(writable_small_db):
    """Test that the data date is the latest event date (1 July 2024, company follow-ups) and
    the last import the newest *accepted* batch (a later rejected one does not count)."""
    with db.writing(writable_small_db) as con:
        con.execute("""insert into import_batches (batch_id, started_at, finished_at, outcome, files_json, rows_json)
                       values ('B1', '2026-12-04 15:00', '2026-12-04 15:30', 'accepted', '[]', '{}'),
                              ('B2', '2026-12-05 09:00', '2026-12-05 09:01', 'rejected', '[]', '{}')""")
    assert layout.data_dates(db.reader(writable_small_db), Scope()) == (date(2024, 7, 1), date(2026, 12, 4))


# ------------------------------------------------------------------------------ every page
# Who opens each page: a manager sees them all; a bank, an incubator and leadership their own.
ACCOUNTS = {"financing": "boa", "incubation": "mcise", "regions": "leadership", "users": "admin",
            "access_log": "admin"}
PAGES = {page.name: page.path for page in navigation.PAGES}


@pytest.fixture(scope="module")
def page_in(rendered_page):
    """`page_in(name, language)`: page `name` opened by its account, rendered once for the test
    session (the same renders as test_i18n_pages; the checks only read them)."""
    def render(name: str, language: str):
        return rendered_page(ACCOUNTS.get(name, "manager"), PAGES[name], language)
    return render


def _numeric_axes_without_format(layout_spec: dict, data: list[dict]) -> list[str]:
    """Cartesian axes that draw numbers (a trace's x or y values are numbers) with neither a
    tick format nor tick texts: plotly would write 6000 there."""
    numeric = set()
    for trace in data:
        for letter in ("x", "y"):
            values = trace.get(letter)
            if isinstance(values, list) and values and all(isinstance(v, (int, float)) and not isinstance(v, bool)
                                                            for v in values if v is not None):
                numeric.add(f"{letter}axis{(trace.get(letter + 'axis') or letter)[1:]}")
    return sorted(name for name in numeric
                  if not (layout_spec.get(name, {}).get("tickformat") or layout_spec.get(name, {}).get("ticktext"))
                  and layout_spec.get(name, {}).get("type") not in ("category", "date"))


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", list(PAGES))
def test_every_chart_writes_numbers_as_the_language(page_in, name, language):
    """Test that every chart of every page has the language's separators and a format on each
    axis of numbers."""
    at = page_in(name, language)
    assert [e.value for e in at.exception] == []
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        assert spec["layout"].get("separators") == charts.SEPARATORS[language]
        assert _numeric_axes_without_format(spec["layout"], spec["data"]) == []


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", list(PAGES))
def test_every_page_says_how_recent_its_data_are(page_in, name, language):
    """Test that right under every page's title a caption gives the data date (1 July 2024,
    the small programme's latest event) and says that nothing was imported."""
    at = page_in(name, language)
    assert at.caption[0].value == i18n.data_as_of(date(2024, 7, 1), None, language)


def test_report_says_how_recent_its_data_are(small_db):
    """Test that the PDF report's stamp line gives the data date like the pages (1 July 2024),
    and says that the small programme was never imported into."""
    from pie.leadership import report

    for language, as_of in (("fr", "Données au 01/07/2024"), ("en", "Data as of 07/01/2024")):
        line = report._stamp_line(report.collect(db.reader(small_db), "2022-2023", None, language))
        assert as_of in line and i18n.t("report.data.no_import", language, date="").split("(")[0].strip() in line
