"""`export` writes every table in the import format, so init + ingest rebuilds the same data;
`templates` writes empty templates (pie/ingest/export.py, pie/ingest/templates.py)."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from conftest import build_small_programme
from pie import db, ingest, kpis
from pie.ingest import export, rules, templates

FORMULA = '=HYPERLINK("http://example.com","clic")'


def tables(path: Path) -> dict[str, list[tuple]]:
    with db.reader(path).connection().cursor() as cur:
        return {t: cur.execute(f"select * from {t} order by all").fetchall() for t in rules.TABLE_NAMES}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_ingest_rebuilds_the_same_data(small_db, tmp_path, fmt):
    """Test that export DIR + init + ingest DIR gives the same tables and the same KPIs."""
    written = export.export(tmp_path / "out", small_db, fmt)
    assert [p.name for p in written] == ([f"{t}.csv" for t in rules.TABLE_NAMES] if fmt == "csv"
                                         else [export.WORKBOOK_NAME])
    rebuilt = db.init_database(tmp_path / "new" / "pie.duckdb")
    report = ingest.ingest([tmp_path / "out"], rebuilt)
    assert report.accepted, report.to_rows()
    assert tables(rebuilt) == tables(small_db)
    assert kpis.compute(db.reader(rebuilt)) == kpis.compute(db.reader(small_db))


def test_export_uses_iso_dates_dot_decimals_and_codes(small_db, tmp_path):
    """Test the exported CSV: UTF-8 with BOM, the header of the table, ISO dates, '.' decimals."""
    export.export(tmp_path, small_db)
    raw = (tmp_path / "financing_decisions.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == list(rules.TABLES["financing_decisions"].names)
    assert rows[1] == ["FD1", "BP1", "BOA", "BOA Agadir Talborjt", "intelaka", "approved", "2022-06-01",
                       "120000.00", "2022-06-20", "100000.00", ""]


def test_demo_programme_round_trips(tmp_path):
    """Test that a generated demo programme (every table filled) exports and re-imports into
    a real database unchanged."""
    demo = pytest.importorskip("pie.demo")
    source = tmp_path / "demo" / "pie.duckdb"
    demo.build_demo(source, participants=300, seed=3)
    export.export(tmp_path / "out", source)
    rebuilt = db.init_database(tmp_path / "real" / "pie.duckdb")
    report = ingest.ingest([tmp_path / "out"], rebuilt)
    assert report.accepted, report.to_rows()[:5]
    assert tables(rebuilt) == tables(source)
    assert kpis.compute(db.reader(rebuilt)) == kpis.compute(db.reader(source))


def test_formula_like_text_is_stored_as_text_and_escaped_when_exported(tmp_path):
    """Test that a =HYPERLINK(...) cell is stored as typed, escaped in the CSV and XLSX exports
    (leading apostrophe, pie.safety), written as a text cell in the XLSX export, and both re-import to the same text."""
    database = build_small_programme(tmp_path / "db" / "pie.duckdb")
    text = f'project_id,cohort_id,name,sector,created_on\nPR9,C1,"{FORMULA.replace(chr(34), chr(34) * 2)}",other,2023-01-01\n'
    assert ingest.ingest([("projects.csv", text.encode())], database).accepted
    assert ("PR9", "C1", FORMULA) == tables(database)["projects"][-1][:3]

    export.export(tmp_path / "csv", database, "csv")
    exported = (tmp_path / "csv" / "projects.csv").read_text(encoding="utf-8-sig")
    assert "'" + FORMULA.replace('"', '""') in exported
    export.export(tmp_path / "xlsx", database, "xlsx")
    from openpyxl import load_workbook

    sheet = load_workbook(tmp_path / "xlsx" / export.WORKBOOK_NAME)["projects"]
    cell = next(row[2] for row in sheet.iter_rows(min_row=2) if row[0].value == "PR9")
    assert cell.value == "'" + FORMULA and cell.data_type == "s"  # pie.safety: the same rule as the CSV

    for folder in ("csv", "xlsx"):
        rebuilt = db.init_database(tmp_path / f"re-{folder}" / "pie.duckdb")
        assert ingest.ingest([tmp_path / folder], rebuilt).accepted
        assert tables(rebuilt)["projects"] == tables(database)["projects"]


def test_templates_have_every_table_and_the_codes(tmp_path):
    """Test the CSV templates (header only) and the workbook (a sheet per table, then
    `codes` listing every allowed code), and that the filled workbook imports."""
    written = templates.write_templates(tmp_path)
    assert sorted(p.name for p in written) == sorted([f"{t}.csv" for t in rules.TABLE_NAMES] + [templates.WORKBOOK_NAME])
    for table in rules.TABLE_NAMES:
        assert (tmp_path / f"{table}.csv").read_text(encoding="utf-8-sig").strip() == ",".join(rules.TABLES[table].names)
    book = CalamineWorkbook.from_path(str(tmp_path / templates.WORKBOOK_NAME))
    assert book.sheet_names == [*rules.TABLE_NAMES, rules.CODES_SHEET]
    for table in rules.TABLE_NAMES:
        assert book.get_sheet_by_name(table).to_python()[0] == list(rules.TABLES[table].names)
    codes = {(r[0], r[1], r[2]) for r in book.get_sheet_by_name(rules.CODES_SHEET).to_python()[1:]}
    expected = {(t, c.name, code) for t, c in rules.code_columns() for code in c.codes}
    assert codes == expected and ("participants", "gender", "f") in codes

    database = db.init_database(tmp_path / "db" / "pie.duckdb")
    report = ingest.ingest([tmp_path], database)          # the empty templates: nothing to load
    assert report.accepted and sum(report.rows.values()) == 0

    from openpyxl import load_workbook

    filled = load_workbook(tmp_path / templates.WORKBOOK_NAME)
    filled["establishments"].append(["E1", "CMC Oriental", "cmc", "02", "Oujda", None])
    filled.save(tmp_path / "filled.xlsx")
    report = ingest.ingest([tmp_path / "filled.xlsx"], database)
    assert report.accepted and report.rows["establishments"] == 1, report.to_rows()
