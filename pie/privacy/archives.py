"""Erased people in the archived import files (imports/<batch_id>/, docs/IMPORT.md).

The importer keeps the exact files of every committed batch, so a figure can be traced back to
a file; those files hold the contacts the database held. An erasure (docs/PRIVACY.md) must
reach them too. `redact` rewrites every archived CSV or XLSX file that names an erased person:
- in a participant_contacts file or sheet, the contact cells (full_name, national_id, phone,
  email) of the rows of those participant_ids become ERASED_TEXT — by id, so it works again
  on a second run, when the database no longer knows the values (and whatever form the phone
  was typed in);
- in every cell of every file, the person's full name (case-insensitive) becomes ERASED_TEXT,
  as in the database's free texts (projects.name, financing_decisions.rejection_reason).
Participant ids stay (the figures keep them). Each file is rewritten beside itself and renamed
over the original (atomic; a crash leaves either version), private (0600). A rewritten file no
longer matches the sha256 its batch recorded: the audit line of the erasure says which files
were changed.
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from pie.db import private_file
from pie.ingest import archive, readers

ERASED_TEXT = "[effacé]"
CONTACT_COLUMNS = ("full_name", "national_id", "phone", "email")
CONTACTS_TABLE = "participant_contacts"
# How far down a sheet the header row may be (titles above it are allowed: docs/IMPORT.md).
HEADER_SEARCH_ROWS = 20


def archived_files(db_path: Path | str) -> Iterator[Path]:
    """Every archived CSV/XLSX file of a committed batch (not the staging area)."""
    root = archive.imports_dir(Path(db_path))
    if not root.is_dir():
        return
    for folder in sorted(root.iterdir()):
        if folder.name.startswith(".") or not folder.is_dir():
            continue
        for file in sorted(folder.iterdir()):
            if file.is_file() and not file.name.startswith(".") and file.suffix.lower() in (".csv", ".xlsx"):
                yield file


def redact(db_path: Path | str, participant_ids: Iterable[str], names: Iterable[str]) -> list[Path]:
    """Remove the contacts of `participant_ids` and every occurrence of `names` (their full
    names) from the archived files of the database at `db_path`; returns the files changed."""
    ids = {pid for pid in participant_ids if pid}
    patterns = [re.compile(re.escape(name.strip()), re.IGNORECASE) for name in names if name and name.strip()]
    if not ids and not patterns:
        return []
    changed = []
    for file in archived_files(db_path):
        rewrite = _redact_workbook if file.suffix.lower() == ".xlsx" else _redact_csv
        if rewrite(file, ids, patterns):
            changed.append(file)
    return changed


def _redact_rows(rows: list[list[object]], is_contacts: bool, ids: set[str],
                 patterns: list[re.Pattern]) -> bool:
    """Redact `rows` (lists of cells) in place; True when a cell changed."""
    changed = False
    contact_columns: list[int] = []
    id_column = None
    if is_contacts:
        for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
            header = [readers.normalise_header(cell) if cell is not None else "" for cell in row]
            if "participant_id" in header:
                id_column = header.index("participant_id")
                contact_columns = [i for i, name in enumerate(header) if name in CONTACT_COLUMNS]
                header_row = index
                break
    for index, row in enumerate(rows):
        if id_column is not None and index > header_row and id_column < len(row) \
                and str(row[id_column] or "").strip() in ids:
            for column in contact_columns:
                if column < len(row) and row[column] not in (None, "", ERASED_TEXT):
                    row[column] = ERASED_TEXT
                    changed = True
        for column, cell in enumerate(row):
            if isinstance(cell, str) and cell:
                text = cell
                for pattern in patterns:
                    text = pattern.sub(ERASED_TEXT, text)
                if text != cell:
                    row[column] = text
                    changed = True
    return changed


def _replace(file: Path, content: bytes) -> None:
    partial = file.with_name(f".{file.name}.redacting")
    partial.write_bytes(content)
    private_file(partial)
    partial.replace(file)


def _redact_csv(file: Path, ids: set[str], patterns: list[re.Pattern]) -> bool:
    data = file.read_bytes()
    try:
        text, encoding = readers.decode(data)
    except Exception:  # not a readable CSV (the importer refused it at the time): nothing to redact
        return False
    first_line = text.split("\n", 1)[0]
    separator = readers.sniff_separator(first_line)
    rows: list[list[object]] = [list(row) for row in csv.reader(io.StringIO(text, newline=""), delimiter=separator)]
    if not _redact_rows(rows, readers.table_of(file.stem) == CONTACTS_TABLE, ids, patterns):
        return False
    out = io.StringIO(newline="")
    terminator = "\r\n" if "\r\n" in text[:65536] else "\n"
    csv.writer(out, delimiter=separator, lineterminator=terminator).writerows(rows)
    # Written back as UTF-8 (with its BOM when the original had one): ERASED_TEXT's "é" exists
    # in every encoding the importer reads, but UTF-8 is the one it reads without guessing.
    bom = b"\xef\xbb\xbf" if encoding in ("utf-8-sig", "utf-16") else b""
    _replace(file, bom + out.getvalue().encode("utf-8"))
    return True


def _redact_workbook(file: Path, ids: set[str], patterns: list[re.Pattern]) -> bool:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(file)
    except Exception:  # not a readable workbook (the importer refused it at the time)
        return False
    changed = False
    for sheet in workbook.worksheets:
        rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
        before = [list(row) for row in rows]
        if _redact_rows(rows, readers.table_of(sheet.title) == CONTACTS_TABLE, ids, patterns):
            changed = True
            for row_cells, old, new in zip(sheet.iter_rows(), before, rows):
                for cell, old_value, new_value in zip(row_cells, old, new):
                    if new_value != old_value:
                        cell.value = new_value
    if changed:
        buffer = io.BytesIO()
        workbook.save(buffer)
        _replace(file, buffer.getvalue())
    return changed
