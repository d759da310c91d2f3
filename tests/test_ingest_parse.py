"""Cell parsing (pie/ingest/parse.py): every spelling DATA_MODEL.md accepts, and what it refuses.

The parsers are SQL; `parse_values` runs exactly the importer's expressions on a list."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from pie.ingest import rules
from pie.ingest.export import escape_formula
from pie.ingest.parse import parse_values


def one(kind: str, text: str | None, **options):
    return parse_values(kind, [text], **options)[0]


@pytest.mark.parametrize("text", ["2023-10-02", "02/10/2023", "2/10/2023", "02.10.2023", "02-10-2023",
                                  " 2023-10-02 ", "2023-10-02 00:00:00", "2023-10-02T00:00", "2023/10/02"])
def test_dates_iso_and_french_day_first(text):
    """Test that ISO and French (day first) dates give the same date."""
    assert one(rules.DATE, text) == date(2023, 10, 2)


@pytest.mark.parametrize("text", ["31/02/2023", "02/10/23", "2023-13-01", "octobre 2023", "45201", "1850-01-01",
                                  "2023-10-02 14:30"])
def test_dates_refused(text):
    """Test that impossible, two-digit-year, worded or out-of-range dates are not read."""
    assert one(rules.DATE, text) is None


@pytest.mark.parametrize("text", ["12500.50", "12 500,50", "12\u00a0500,50", "12\u202f500,50", "12500,50",
                                  "12.500,50", "12,500.50", " 12500.5 ", "12 500,50 MAD", "12500,50 DH"])
def test_amounts_every_accepted_spelling(text):
    """Test that the amount spellings of DATA_MODEL.md all read 12500.50."""
    assert one(rules.AMOUNT, text) == Decimal("12500.50")


@pytest.mark.parametrize("text", ["12 5000", "1 2", "abc", "12500.505", "12,50,0", "1e5", "--5", "12..5"])
def test_amounts_refused(text):
    """Test that malformed amounts and amounts with more than 2 decimals are not read."""
    assert one(rules.AMOUNT, text) is None


def test_whole_numbers_accept_integer_valued_decimals_only():
    """Test that integers read '3', '3.0' and '1 200' but not '3,5'."""
    assert parse_values(rules.INTEGER, ["3", "3.0", "1 200", "3,5", "x"]) == [3, 3, 1200, None, None]


def test_region_code_leading_zero_restored():
    """Test that 9, ' 9 ' and 9.0 (an Excel number) read 09, and 13 is no region."""
    assert parse_values(rules.REGION, ["9", " 9 ", "9.0", "09", "12", "13", "0", "x"]) == \
        ["09", "09", "09", "09", "12", None, None, None]


def test_codes_any_case_surrounding_spaces_and_gender_words():
    """Test that codes are read in any case with spaces around, gender also as femme/homme."""
    gender = rules.TABLES["participants"].column("gender")
    assert parse_values(rules.CODE, ["F", " m ", "Femme", "HOMME", "female", "f m"],
                        codes=gender.codes, aliases=gender.aliases) == ["f", "m", "f", "m", None, None]
    assert parse_values(rules.CODE, [" In_Person ", "in person"], codes=("in_person",)) == ["in_person", None]


@pytest.mark.parametrize("text", ["0612345678", "06 12 34 56 78", "06.12.34.56.78", "06-12-34-56-78",
                                  "+212612345678", "+212 6 12 34 56 78", "00212612345678", "+212 (0)6 12 34 56 78",
                                  "612345678"])
def test_phones_normalised(text):
    """Test that Moroccan numbers written the usual ways are stored as +212XXXXXXXXX."""
    assert one(rules.PHONE, text) == "+212612345678"


def test_phone_prefixes_and_refusals():
    """Test 05/07 numbers, and that short, foreign or 04 numbers are refused."""
    assert parse_values(rules.PHONE, ["0512345678", "0712345678", "061234567", "0412345678",
                                      "+33612345678"]) == ["+212512345678", "+212712345678", None, None, None]


def test_cin_ice_academic_year_bank():
    """Test CIN upper-cased, ICE 15 digits (13 or 14 get their leading zeros back), consecutive
    academic years, bank upper-cased."""
    assert parse_values(rules.CIN, ["be123456", " J 123456 ", "ABC123", "B1234567", "123"]) == \
        ["BE123456", "J123456", None, None, None]
    assert parse_values(rules.ICE, ["001234567000089", "001 234 567 000 089", "1234567000089", "00123456700008X",
                                    "123456700089"]) == \
        ["001234567000089", "001234567000089", "001234567000089", None, None]
    assert parse_values(rules.ACADEMIC_YEAR, ["2022-2023", "2022/2023", " 2022 - 2023 ", "2022-2024", "22-23"]) == \
        ["2022-2023", "2022-2023", "2022-2023", None, None]
    assert parse_values(rules.BANK, [" boa ", "Cam"]) == ["BOA", "CAM"]


def test_empty_cells_are_null():
    """Test that empty or blank cells are NULL whatever the kind."""
    for kind in (rules.TEXT, rules.DATE, rules.AMOUNT, rules.CODE, rules.PHONE):
        assert parse_values(kind, ["", "   ", "\u00a0", None], codes=("x",)) == [None] * 4


def test_text_is_kept_verbatim_and_the_export_guard_is_undone():
    """Test that text is stored as typed (trimmed), and our export's apostrophe guard is dropped."""
    values = ["x'); drop table participants; --", "=HYPERLINK(\"http://x\")", "'=1+1", "''=x", "'abc", "l’œuvre"]
    assert parse_values(rules.TEXT, values) == [values[0], values[1], "=1+1", "'=x", "'abc", "l’œuvre"]
    for value in values:
        assert parse_values(rules.TEXT, [escape_formula(value)]) == [value]


# ------------------------------------------------------------------------------ properties
hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=60, deadline=None)
@given(st.lists(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)), min_size=1, max_size=20))
def test_property_dates_read_back_in_both_formats(days):
    """Test that any date written ISO or French reads back as itself."""
    texts = [d.isoformat() for d in days] + [d.strftime("%d/%m/%Y") for d in days]
    assert parse_values(rules.DATE, texts) == days + days


@settings(max_examples=60, deadline=None)
@given(st.lists(st.decimals(min_value=0, max_value=Decimal("999999999999.99"), places=2,
                            allow_nan=False, allow_infinity=False), min_size=1, max_size=20))
def test_property_amounts_read_back_in_every_spelling(amounts):
    """Test that any amount written plain, French (comma, spaces, no-break spaces) reads back."""
    def french(a: Decimal, sep: str) -> str:
        whole, cents = f"{a:.2f}".split(".")
        groups = []
        while whole:
            groups.insert(0, whole[-3:])
            whole = whole[:-3]
        return sep.join(groups) + "," + cents

    texts = [f"{a:.2f}" for a in amounts] + [french(a, " ") for a in amounts] + \
            [french(a, "\u00a0") for a in amounts] + [f"{a:.2f}".replace(".", ",") for a in amounts]
    assert parse_values(rules.AMOUNT, texts) == amounts * 4


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(max_size=30), min_size=1, max_size=10))
def test_property_any_text_parses_or_is_null_never_fails(texts):
    """Test that arbitrary text never breaks a parser: a value or NULL."""
    for kind in (rules.DATE, rules.AMOUNT, rules.INTEGER, rules.REGION, rules.PHONE, rules.ACADEMIC_YEAR):
        assert len(parse_values(kind, texts)) == len(texts)
