"""Imports nothing can break (DATA_MODEL.md "Import rules"): files as clerks save them.

Each test builds its file (CSV bytes or an openpyxl workbook) and imports it into a private
copy of the small hand-made programme (tests/fixtures/small_programme.sql: P01..P10 in
cohorts C1 (start 2021-10-01), C2, C3; contacts of P01, P02, P05, …)."""
from __future__ import annotations

import io
import shutil
from pathlib import Path

import duckdb
import pytest

from conftest import build_small_programme
from pie import ingest

PARTICIPANTS = "participant_id,cohort_id,gender,birth_year,profile,sector,enrolled_on\n"
PHASES = "participant_id,phase,status,started_on,completed_on,hours_attended\n"


@pytest.fixture(scope="module")
def programme_template(tmp_path_factory) -> Path:
    return build_small_programme(tmp_path_factory.mktemp("template") / "pie.duckdb")


@pytest.fixture
def programme_db(programme_template, tmp_path) -> Path:
    """A private copy of the small programme (tests write to it)."""
    shutil.copytree(programme_template.parent, tmp_path / "db")
    return tmp_path / "db" / programme_template.name


def stored(db_path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db_path), read_only=True) as con:
        return con.execute(sql).fetchall()


def errors(report) -> set[tuple]:
    return {(p.file, p.row, p.column, p.type) for p in report.problems}


def workbook(sheets: dict[str, list[list]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# ------------------------------------------------------------------------------ absent optional columns
def test_absent_optional_columns_keep_the_stored_values(programme_db):
    """Test that a contacts file with only participant_id and full_name renames P01 and keeps
    its CIN, phone and e-mail; a new row gets NULL there; an empty cell of a present column
    clears the value."""
    data = "participant_id;full_name\nP01;Fatima Zahra El Amrani-Idrissi\nP03;سعاد العلوي\n".encode()
    report = ingest.ingest([("participant_contacts.csv", data)], programme_db)
    assert report.accepted, report.problems
    assert stored(programme_db, "select * from participant_contacts where participant_id in ('P01', 'P03') "
                                "order by 1") == [
        ("P01", "Fatima Zahra El Amrani-Idrissi", "J123456", "+212612345678", "fz.elamrani@example.ma"),
        ("P03", "سعاد العلوي", None, None, None)]
    cleared = "participant_id;full_name;email\nP01;Fatima Zahra El Amrani;\n".encode()
    assert ingest.ingest([("participant_contacts.csv", cleared)], programme_db).accepted
    assert stored(programme_db, "select national_id, phone, email from participant_contacts "
                                "where participant_id = 'P01'") == [("J123456", "+212612345678", None)]
