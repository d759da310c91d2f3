"""Fix it here: the rows of a checked batch that have problems, in an editable grid.

From a Report's problems (file, row, column, reason) the page rebuilds, per file or workbook
sheet, a frame of the rows with problems — their cells as the file holds them (text), each
column with a problem followed by a read-only column giving the reason beside the cell, and a
read-only `problems` column for a problem of the whole row. The user corrects the cells and
checks again: the files are rebuilt with the corrected rows and checked by pie.ingest.check,
exactly as an upload; what is finally submitted (and archived as the batch's files) are these
corrected files, which the user may also download.

How a corrected file is written (the choice, docs/IMPORT.md "Corriger sur la page"):
- a CSV stays a CSV of the same name, rewritten from the cells the importer read: its header
  (column names as the importer reads them), then every data row, UTF-8 with BOM, separator `,`.
  Title lines above the header, blank lines and cells beyond the header are not kept, so the
  row numbers of the corrected file are its own (the next check reports on them);
- an XLSX workbook stays the same workbook with only the corrected cells changed (openpyxl;
  formulas are replaced by the values the importer read, which is what was checked);
- other workbooks (xls, xlsm, ods) are not corrected here: the page says to correct the file.
Every text written is made inert for a spreadsheet (pie.safety.neutralise_formula, undone by
the importer for text columns as for an export), so a corrected file is safe to download.

Rows come from files the import worker already read without trouble (a file it could not read
has no row problem), and the page reads them again only when they have row problems.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pie.ingest import readers, rules
from pie.safety import neutralise_formula

FIXABLE_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx")
MAX_GRID_ROWS = 200               # rows with problems shown per sheet (the first ones)
_NUMBER_LIKE = re.compile(r"[+-]?[\d\s.,\u00a0\u202f]+")
_QUOTED = re.compile(r"^'[=+\-@\t\r']")
ROW_COLUMN = "#"


@dataclass
class FixSheet:
    """The rows with problems of one CSV file or workbook sheet."""

    label: str                    # as reports name it: `x.csv`, `book.xlsx[sheet]`
    file_index: int               # which file of the batch
    sheet_name: str | None        # the workbook sheet (None for a CSV)
    table: str
    header: list[str]
    rows: list[int]               # sheet row numbers (header = 1 as in Excel)
    cells: list[list[str]]        # their cells, in header order
    reasons: dict[tuple[int, int | None], list[str]] = field(default_factory=dict)  # (row, column index)

    def columns(self) -> list[str]:
        """A unique frame column name per header cell (an empty or repeated header is numbered)."""
        seen: dict[str, int] = {}
        names = []
        for index, name in enumerate(self.header):
            seen[name] = seen.get(name, 0) + 1
            names.append(name if name and seen[name] == 1 and name != ROW_COLUMN else f"{name or '?'} ({index + 1})")
        return names


def _inert(text: str, kind: str | None) -> str:
    """`text` as a file cell: the importer reads it back as it reads `text` now, and a
    spreadsheet never runs it. Text columns: one apostrophe the importer drops (its
    pie_unquote) is removed first, then pie.safety adds one back where needed; other columns
    keep a number as it is (-3) and anything else formula-like gets the apostrophe."""
    if kind in rules.TEXT_KINDS:
        meaning = text[1:] if _QUOTED.match(text) else text
        return neutralise_formula(meaning)
    if _NUMBER_LIKE.fullmatch(text):
        return text
    return neutralise_formula(text)


def _kinds(table: str, header: list[str]) -> list[str | None]:
    spec = rules.TABLES[table]
    return [spec.column(name).kind if name in spec.names else None for name in header]


def problem_sheets(files: list[tuple[str, bytes]], report, language: str) -> list[FixSheet]:
    """The sheets of `files` (the batch `report` was made on) that have rows with problems, each
    with those rows (at most MAX_GRID_ROWS) and the reasons in `language`."""
    wanted: dict[str, dict[int, list]] = {}
    for problem in report.problems:
        if problem.file and problem.row is not None:
            wanted.setdefault(problem.file, {}).setdefault(problem.row, []).append(problem)
    if not wanted:
        return []
    found = []
    for index, source in enumerate(readers.collect(list(files))):
        if source.suffix not in FIXABLE_SUFFIXES or not any(
                label == source.label or label.startswith(source.label + "[") for label in wanted):
            continue
        for sheet in readers.read(source).sheets:
            problems = wanted.get(sheet.file)
            if not problems:
                continue
            numbers = sheet.rows.to_pylist()
            position = {number: i for i, number in enumerate(numbers)}
            rows = [row for row in sorted(problems) if row in position][:MAX_GRID_ROWS]
            if not rows:
                continue
            columns = [sheet.data.column(f"c{j}").to_pylist() for j in range(len(sheet.header))]
            cells = [[columns[j][position[row]] or "" for j in range(len(sheet.header))] for row in rows]
            reasons: dict[tuple[int, int | None], list[str]] = {}
            for row in rows:
                for problem in problems[row]:
                    column = sheet.header.index(problem.column) if problem.column in sheet.header else None
                    reasons.setdefault((row, column), []).append(problem.reason(language))
            sheet_name = sheet.file[len(source.label) + 1:-1] if sheet.file != source.label else None
            found.append(FixSheet(sheet.file, index, sheet_name, sheet.table, list(sheet.header), rows, cells,
                                  reasons))
    return found


def grid_frame(sheet: FixSheet, problems_title: str) -> tuple[pd.DataFrame, list[str]]:
    """The frame the grid shows and the names of its read-only columns: the row number, then
    each cell of the file, each column with a problem followed by `⚠ column` (the reason), and
    `problems_title` for problems of the whole row when there are some."""
    names = sheet.columns()
    with_reason = {column for (_, column) in sheet.reasons if column is not None}
    data: dict[str, list] = {ROW_COLUMN: sheet.rows}
    read_only = [ROW_COLUMN]
    for j, name in enumerate(names):
        data[name] = [cells[j] for cells in sheet.cells]
        if j in with_reason:
            title = f"⚠ {name}"
            data[title] = [" · ".join(sheet.reasons.get((row, j), [])) for row in sheet.rows]
            read_only.append(title)
    if any(column is None for (_, column) in sheet.reasons):
        data[problems_title] = [" · ".join(sheet.reasons.get((row, None), [])) for row in sheet.rows]
        read_only.append(problems_title)
    frame = pd.DataFrame(data)
    return frame.astype({column: "object" for column in frame.columns if column != ROW_COLUMN}), read_only


def edits_of(sheet: FixSheet, edited: pd.DataFrame) -> dict[int, list[str]]:
    """Row number -> its corrected cells, for the rows of `edited` (the grid's frame after the
    user's changes, indexed as `grid_frame` made it) that differ from the file. Only the rows
    with problems and the file's columns are read: rows added to the grid, and the row number
    and reason columns, are ignored whatever the browser sends."""
    names = sheet.columns()
    edited = edited[~edited.index.duplicated(keep="first")]
    changes = {}
    for position, row in enumerate(sheet.rows):
        if position not in edited.index:      # a row the grid no longer holds (a forged deletion): unchanged
            continue
        cells = []
        for j, name in enumerate(names):
            value = edited.at[position, name] if name in edited.columns else sheet.cells[position][j]
            cells.append("" if value is None or (isinstance(value, float) and value != value) else str(value))
        if cells != sheet.cells[position]:
            changes[row] = cells
    return changes


def _csv_bytes(sheet: readers.Sheet, corrections: dict[int, list[str]]) -> bytes:
    kinds = _kinds(sheet.table, sheet.header)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(sheet.header)
    columns = [sheet.data.column(f"c{j}").to_pylist() for j in range(len(sheet.header))]
    for position, row_number in enumerate(sheet.rows.to_pylist()):
        cells = corrections.get(row_number) or [columns[j][position] or "" for j in range(len(sheet.header))]
        writer.writerow([_inert(cell, kind) if cell else "" for cell, kind in zip(cells, kinds)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _xlsx_bytes(data: bytes, sheets: list[FixSheet], corrections: dict[str, dict[int, list[str]]]) -> bytes:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), data_only=True)
    for sheet in sheets:
        changes = corrections.get(sheet.label)
        if not changes:
            continue
        worksheet = workbook[sheet.sheet_name]
        kinds = _kinds(sheet.table, sheet.header)
        before = dict(zip(sheet.rows, sheet.cells))
        for row, cells in changes.items():
            for j, (cell, kind) in enumerate(zip(cells, kinds)):
                if cell == before[row][j]:
                    continue
                target = worksheet.cell(row=row, column=j + 1)
                target.value = _inert(cell, kind) if cell else None
                if cell:
                    target.data_type = "s"       # a text cell, never a formula
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def corrected_files(files: list[tuple[str, bytes]], sheets: list[FixSheet],
                    corrections: dict[str, dict[int, list[str]]]) -> tuple[list[tuple[str, bytes]], list[str]]:
    """`files` with the corrected rows written in (see the module docstring), and the names of
    the files that changed. `corrections`: sheet label -> row number -> its cells."""
    result = list(files)
    changed = []
    sources = readers.collect(list(files))
    for index, (name, data) in enumerate(files):
        mine = [sheet for sheet in sheets if sheet.file_index == index and corrections.get(sheet.label)]
        if not mine:
            continue
        suffix = Path(name).suffix.lower()
        if suffix == ".xlsx":
            result[index] = (name, _xlsx_bytes(data, mine, corrections))
        else:
            read = readers.read(sources[index])
            sheet = next(s for s in read.sheets if s.file == mine[0].label)
            result[index] = (name, _csv_bytes(sheet, corrections[mine[0].label]))
        changed.append(name)
    return result, changed


# ------------------------------------------------------------------------------ on the page
import streamlit as st  # noqa: E402 - the pure part above runs without Streamlit in tests

from pie.ui.lang import language, md, number, t  # noqa: E402

WORK_KEY = "import_work"


@dataclass
class Work:
    """The batch being prepared in this session: the uploaded files as last corrected, the
    names of the files corrected here, and their last check."""

    origin: str                               # fingerprint of the upload it comes from
    files: list[tuple[str, bytes]]
    corrected: list[str] = field(default_factory=list)
    report: object | None = None              # pie.ingest.Report of the last check
    round: int = 0                            # a new grid after each check again


def work_for(uploaded, fingerprint: str) -> Work:
    """This session's batch for the upload `uploaded` (a new upload starts afresh)."""
    work = st.session_state.get(WORK_KEY)
    if not isinstance(work, Work) or work.origin != fingerprint:
        work = Work(fingerprint, [(file.name, file.getvalue()) for file in uploaded])
        st.session_state[WORK_KEY] = work
    return work


def forget() -> None:
    st.session_state.pop(WORK_KEY, None)


def fix_grid(work: Work, check) -> None:
    """The rows with problems of `work`'s last check in editable grids (one per file or
    sheet), then "check again": the corrected files are checked by `check(files)` (which
    returns a Report, or None after saying why it could not run) and become the batch."""
    sheets = problem_sheets(work.files, work.report, language())
    if not sheets:
        return
    st.subheader(t("import.fix.title"), anchor=False)
    st.markdown(t("import.fix.text"))
    corrections: dict[str, dict[int, list[str]]] = {}
    for number_, sheet in enumerate(sheets):
        frame, read_only = grid_frame(sheet, t("import.fix.problems"))
        st.markdown(md("import.fix.sheet", file=sheet.label, rows=number(len(sheet.rows))))
        config = {column: st.column_config.TextColumn(column, disabled=True, width="medium")
                  for column in read_only if column != ROW_COLUMN}
        config[ROW_COLUMN] = st.column_config.NumberColumn(t("import.column.row"), disabled=True, format="%d")
        edited = st.data_editor(frame, key=f"import_fix_{work.round}_{number_}", hide_index=True,
                                num_rows="fixed", disabled=read_only, column_config=config)
        corrections[sheet.label] = edits_of(sheet, edited)
    if st.button(t("import.fix.check_again"), type="primary", icon=":material/refresh:", key="import_check_again"):
        files, changed = corrected_files(work.files, sheets, corrections)
        report = check(files)
        if report is not None:
            work.files, work.report, work.round = files, report, work.round + 1
            work.corrected = sorted(set(work.corrected) | set(changed))
            st.rerun()


def corrected_downloads(work: Work) -> None:
    """A download button per file corrected on the page (already inert for a spreadsheet)."""
    corrected = [(name, data) for name, data in work.files if name in work.corrected]
    if not corrected:
        return
    st.caption(t("import.fix.corrected"))
    for index, (name, data) in enumerate(corrected):
        xlsx = name.lower().endswith(".xlsx")
        st.download_button(md("import.fix.download", file=name), data=data, file_name=name,
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" if xlsx
                           else "text/csv", on_click="ignore", icon=":material/download:",
                           key=f"import_corrected_{index}")
