"""Writing every programme table in the import format, so `init` + `ingest DIR` rebuilds it.

CSV: one `<table>.csv` per table, UTF-8 with BOM (Excel shows the accents), `,`, ISO dates,
`.` decimals, codes, empty cells for NULL. XLSX: one workbook `pie-export.xlsx` with a sheet
per table, real dates and numbers, identifiers and codes as text.

Text that a spreadsheet would run as a formula (`=HYPERLINK(…)`, starting with = + - @ tab CR)
is escaped by the project's one rule (pie.safety.neutralise_formula, the same as the pages'
downloads): a leading apostrophe, in CSV and XLSX alike, which the importer drops again
(parse.py); XLSX text cells are also written as strings, never formulas. Reads the published
snapshot: never blocks an import.
"""
from __future__ import annotations

import shutil
import tempfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from pie import db
from pie.errors import PieError
from pie.ingest import rules
from pie.ingest.parse import ident, literal
from pie.safety import FORMULA_PATTERN, neutralise_formula

FORMATS = ("csv", "xlsx")
WORKBOOK_NAME = "pie-export.xlsx"
XLSX_MAX_ROWS = 1_048_575
BOM = "\ufeff".encode("utf-8")


def escape_formula(text: str) -> str:
    """`text` made inert for a spreadsheet (pie.safety.neutralise_formula), undone by the importer."""
    return neutralise_formula(text)


def _escape_sql(column: rules.Column) -> str:
    name = ident(column.name)
    if column.kind not in rules.TEXT_KINDS:
        return name
    # the pattern of pie.safety.neutralise_formula (DuckDB's regular expressions read it alike)
    return (f"case when regexp_matches({name}, {literal(FORMULA_PATTERN)}) "
            f"then '''' || {name} else {name} end as {name}")


def table_sql(spec: rules.Table, escaped: bool) -> str:
    columns = ", ".join(_escape_sql(c) if escaped else ident(c.name) for c in spec.columns)
    order = ", ".join(ident(k) for k in spec.key)
    return f"select {columns} from main.{ident(spec.name)} order by {order}"


def export(out_dir: Path | str, db_path: Path | str | None = None, fmt: str = "csv") -> list[Path]:
    """Write every programme table of the database into `out_dir`; returns the files written."""
    if fmt not in FORMATS:
        raise PieError(key="ingest.refused.format", format=fmt, formats=", ".join(FORMATS))
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    with db.reader(db_path).connection().cursor() as cur:
        return _csv(cur, out) if fmt == "csv" else [_xlsx(cur, out)]


def _csv(cur, out: Path) -> list[Path]:
    written = []
    with tempfile.TemporaryDirectory() as tmp:
        for spec in rules.TABLES.values():
            partial = Path(tmp) / f"{spec.name}.csv"
            # COPY's path is ours (a temporary file), the data never go through SQL text.
            cur.execute(f"copy ({table_sql(spec, escaped=True)}) to {literal(partial.as_posix())} "
                        "(format csv, header true, delimiter ',', quote '\"')")
            target = out / f"{spec.name}.csv"
            with open(target, "wb") as sink, open(partial, "rb") as source:
                sink.write(BOM)
                shutil.copyfileobj(source, sink, 1 << 20)
            written.append(target)
    return written


def _xlsx(cur, out: Path) -> Path:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    counts = {s.name: cur.execute(f"select count(*) from main.{ident(s.name)}").fetchone()[0]
              for s in rules.TABLES.values()}
    too_big = [t for t, n in counts.items() if n > XLSX_MAX_ROWS]
    if too_big:
        raise PieError(key="ingest.refused.too_big_for_xlsx", tables=", ".join(too_big), limit=XLSX_MAX_ROWS)
    workbook = Workbook(write_only=True)
    for spec in rules.TABLES.values():
        sheet = workbook.create_sheet(spec.name)
        sheet.append(list(spec.names))
        texts = [c.kind in rules.TEXT_KINDS for c in spec.columns]  # escaped as in the CSV
        result = cur.execute(table_sql(spec, escaped=False))
        while rows := result.fetchmany(10_000):
            for row in rows:
                sheet.append([_xlsx_cell(sheet, v, WriteOnlyCell, text) for v, text in zip(row, texts)])
    target = out / WORKBOOK_NAME
    partial = out / f".{WORKBOOK_NAME}.partial"
    workbook.save(partial)
    partial.replace(target)
    return target


def _xlsx_cell(sheet, value, cell_type, text: bool = True):
    if value is None:
        return None
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (date, datetime, int, float)):
        cell = cell_type(sheet, value=value)
        if isinstance(value, date):
            cell.number_format = "yyyy-mm-dd"
        return cell
    cell = cell_type(sheet, value=neutralise_formula(str(value)) if text else str(value))
    cell.data_type = "s"      # never a formula, whatever the text starts with
    return cell
