"""Empty import templates: one CSV per table (its header) and one workbook with a sheet per
table and a `codes` sheet listing the allowed codes of every code column (the importer
skips that sheet, so a filled-in workbook imports as it is).

In the workbook, identifier, code and number-like text columns (region_code, phone, ICE…)
are formatted as text so Excel keeps their leading zeros, date columns as dates, and code
columns offer their codes in a drop-down list.

A partner's workbook (`template_workbook(language, tables=…, fixed=…)`, the import page's
template for a bank, an incubator or an establishment account) holds only the sheets of the
tables its role may submit, and its own code where a column names the partner: `fixed` maps
(table, column) to the only values offered (e.g. ("financing_decisions", "bank") -> ["BOA"]),
listed in the `codes` sheet and in the column's drop-down list. The cells themselves stay
empty: a row holding only the partner's code would be read as an incomplete row.
"""
from __future__ import annotations

import io
from pathlib import Path

from pie import i18n
from pie.ingest import rules

WORKBOOK_NAME = "pie-modeles.xlsx"
BOM = "\ufeff"


def template_csv(table: str) -> bytes:
    """The CSV template of `table`: its header line, UTF-8 with BOM."""
    return (BOM + ",".join(rules.TABLES[table].names) + "\r\n").encode("utf-8")


def _label(column: str, code: str, language: str) -> str:
    key = f"code.{column}.{code}"
    text = i18n.t(key, language)
    return "" if text == key else text


def template_workbook(language: str = i18n.DEFAULT_LANGUAGE, tables: tuple[str, ...] | None = None,
                      fixed: dict[tuple[str, str], list[str]] | None = None) -> bytes:
    """The XLSX template: a sheet per table (of `tables`, None: every table, in load order),
    then the `codes` sheet. `fixed` (table, column) -> values: the only values offered for that
    column (a partner's own code), instead of its code list if it has one."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    workbook.remove(workbook.active)
    codes = workbook.create_sheet(rules.CODES_SHEET)
    codes.append(["table", "column", "code", "label"])
    fixed = {key: [str(v) for v in values] for key, values in (fixed or {}).items() if values}
    chosen = [spec for spec in rules.TABLES.values() if tables is None or spec.name in tables]
    listed = {(spec.name, column.name): list(fixed.get((spec.name, column.name), column.codes))
              for spec in chosen for column in spec.columns
              if column.codes or (spec.name, column.name) in fixed}
    code_ranges: dict[tuple[str, str], str] = {}
    for (table, name), values in listed.items():
        first = codes.max_row + 1
        for code in values:
            codes.append([table, name, code, _label(name, code, language)])
        code_ranges[(table, name)] = f"{rules.CODES_SHEET}!$C${first}:$C${codes.max_row}"
    for cell in codes[1]:
        cell.font = Font(bold=True)
    codes.freeze_panes = "A2"
    for letter, width in zip("ABCD", (22, 20, 22, 40)):
        codes.column_dimensions[letter].width = width

    for spec in chosen:
        sheet = workbook.create_sheet(spec.name, index=len(workbook.sheetnames) - 1)
        sheet.append(list(spec.names))
        sheet.freeze_panes = "A2"
        for index, column in enumerate(spec.columns, start=1):
            letter = get_column_letter(index)
            header = sheet.cell(row=1, column=index)
            header.font = Font(bold=True, underline="single" if column.not_null else None)
            dimension = sheet.column_dimensions[letter]
            dimension.width = max(14, len(column.name) + 4)
            if column.kind == rules.DATE:
                dimension.number_format = "dd/mm/yyyy"
            elif column.kind not in rules.NUMERIC_KINDS:
                dimension.number_format = "@"
            if (spec.name, column.name) in code_ranges:
                validation = DataValidation(type="list", formula1=f"={code_ranges[(spec.name, column.name)]}",
                                            allow_blank=not column.not_null, showErrorMessage=True)
                validation.add(f"{letter}2:{letter}100000")
                sheet.add_data_validation(validation)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def write_templates(out_dir: Path | str, language: str = i18n.DEFAULT_LANGUAGE) -> list[Path]:
    """Write `<table>.csv` for every table and the workbook into `out_dir`; returns them."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for table in rules.TABLE_NAMES:
        path = out / f"{table}.csv"
        path.write_bytes(template_csv(table))
        written.append(path)
    path = out / WORKBOOK_NAME
    path.write_bytes(template_workbook(language))
    written.append(path)
    return written
