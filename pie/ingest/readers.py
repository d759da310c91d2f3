"""Reading import files as they really arrive: CSV and spreadsheets, folders, uploads.

`collect(sources)` turns paths (files or folders) and uploads (`(name, bytes)` pairs, or
objects with `.name` and `.getvalue()` such as Streamlit's UploadedFile) into `SourceFile`s.
`read(source)` returns the `Sheet`s of a file — one per table, every cell as text and the
row number the user sees (header = row 1) — and the problems that stop a file from being
read at all (never an exception: a fuzzed or binary file gives a problem).

Files as people save them (DATA_MODEL.md, Import rules): a file or sheet named after its
table with a copy or date suffix (`participants (1).csv`, `participants - Copie.csv`,
`participants_2025-10.csv`) is that table's (`table_of`); title rows above the header are
skipped with a note; a `sep=;` first line (Excel's) gives the separator and is not a row;
sheets naming no table are ignored with a note; text showing the marks of a wrong encoding
(`SalÃ©`, `Ø§`) refuses the file with one problem saying how to save it.

CSV: `,`, `;` or tab (sniffed on the header line), quoted fields, UTF-8 with or without BOM,
UTF-16 with BOM, else Windows-1252 (French accents, € and ’) or Windows-1256 (Arabic),
told apart by charset-normalizer; blank trailing lines are ignored and blank lines inside
keep the numbering Excel shows. Workbooks (xlsx, xlsm, xls, ods; python-calamine): one sheet
per table, named after it; Excel dates and numbers become the text the parser reads (an
Excel date -> `2023-10-02`, 12500.5 -> `12500.5`, 9.0 -> `9`). The sheet `codes` of our
template workbook and empty sheets with other names are skipped silently.
"""
from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Iterable

import pyarrow as pa
import pyarrow.csv as pacsv

from pie.errors import NotReadable, PieError
from pie.ingest import rules
from pie.ingest.report import WARNING, Problem

CSV_SUFFIXES = (".csv", ".txt", ".tsv")
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
SUFFIXES = CSV_SUFFIXES + WORKBOOK_SUFFIXES
SEPARATORS = (",", ";", "\t")
EXCEL_EPOCH = date(1899, 12, 30)
EXCEL_MAX_SERIAL = 2_958_465          # 9999-12-31
_NOT_TEXT = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f]")
# Lines above the header that may be titles (the header is the first line naming a column).
MAX_TITLE_ROWS = 10
# A copy or date suffix after a table's name, once the name is normalised (table_name):
# `_(1)`, `_copie`, `_copy`, `_2025_10`, `_2025_10_31`, `_31_10_2025`, `_20251031`, `_v2`.
_SUFFIX = r"(?:_?(?:\(\d+\)|copie|copy|\d{4}(?:[_.]\d{1,2}){0,2}|\d{1,2}[_.]\d{1,2}[_.]\d{2,4}|\d{6,8}|v\d+))"
_NAMED = re.compile(r"(?:copie_de_|copy_of_)?(" + "|".join(sorted(rules.TABLES, key=len, reverse=True))
                    + r")" + _SUFFIX + r"*")
# Marks of UTF-8 text read as Windows-1252/Latin-1 (then saved): `Ã©` for é, `Ã ` for à,
# `â€™` for ’, `Ø§`/`Ù„` for Arabic letters.
_CP1252_HIGH = "\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013-\u2122"
_MOJIBAKE = re.compile(f"[ÂÃ][{_CP1252_HIGH}]|[ØÙÚÛ][{_CP1252_HIGH}]|â€.?")
_SEP_LINE = re.compile(rb'\s*"?sep=([,;\t|])"?[,;\t]*\s*', re.IGNORECASE)


@dataclass
class SourceFile:
    """One original file of a batch. A file on disk is read when needed (`load`), so a
    batch of large files is not held in memory all at once; its sha256 is taken from the
    bytes that were checked."""

    name: str                     # the file's name (its suffix and stem say what it holds)
    data: bytes | None = None     # the bytes of an upload (None for a file on disk)
    path: Path | None = None      # where it is read from (None for an upload)
    sha256: str | None = None     # set by `load`
    size: int = 0
    label: str = ""               # as shown in reports: the name, told apart from a namesake

    def __post_init__(self) -> None:
        self.label = self.label or self.name
        if self.data is not None:
            self.size = len(self.data)
            self.sha256 = hashlib.sha256(self.data).hexdigest()
        elif self.path is not None:
            self.size = self.path.stat().st_size

    def load(self) -> bytes:
        """The file's bytes (read from disk for a path; sets sha256 and size)."""
        if self.data is not None:
            return self.data
        data = self.path.read_bytes()
        self.size, self.sha256 = len(data), hashlib.sha256(data).hexdigest()
        return data

    @property
    def suffix(self) -> str:
        return Path(self.name).suffix.lower()


@dataclass
class Sheet:
    """The rows of one table from one file (or workbook sheet), every cell as text."""

    file: str                     # label in reports: `participants.csv`, `registre.xlsx[participants]`
    table: str
    header: list[str]             # normalised column names ('' for an empty header cell)
    data: pa.Table                # string columns c0..cn in header order, data rows only
    rows: pa.Array                # int32: the sheet row number of each data row
    header_row: int = 1


@dataclass
class ReadResult:
    sheets: list[Sheet] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


# ------------------------------------------------------------------------------ sources
def collect(sources: Iterable[Any]) -> list[SourceFile]:
    """The files of a batch, in the order given (folders: their importable files by name).

    Raises PieError for a path that does not exist or a folder without any importable file.
    """
    found: list[tuple[str, bytes | None, Path | None]] = []
    if isinstance(sources, (str, Path)) or hasattr(sources, "getvalue") or _is_pair(sources):
        sources = [sources]
    for source in sources:
        if isinstance(source, (str, Path)):
            path = Path(source)
            if path.is_dir():
                files = sorted(p for p in path.iterdir() if p.is_file() and _importable(p.name))
                if not files:
                    raise PieError(key="ingest.refused.empty_folder", path=path, expected=", ".join(SUFFIXES))
                found.extend((p.name, None, p) for p in files)
            elif path.is_file():
                found.append((path.name, None, path))
            else:
                raise PieError(key="ingest.refused.no_such_path", path=path)
        elif _is_pair(source):
            name, data = source
            found.append((Path(str(name)).name, bytes(data), None))
        elif hasattr(source, "name") and hasattr(source, "getvalue"):
            found.append((Path(str(source.name)).name, bytes(source.getvalue()), None))
        elif hasattr(source, "name") and hasattr(source, "read"):
            found.append((Path(str(source.name)).name, bytes(source.read()), None))
        else:
            raise PieError(key="ingest.refused.bad_source", source=repr(source)[:80])
    result: list[SourceFile] = []
    seen: dict[str, int] = {}
    for name, data, path in found:
        seen[name] = seen.get(name, 0) + 1
        label = name
        if seen[name] > 1:        # two files with one name: say which is which
            label = str(path) if path is not None else f"{name} ({seen[name]})"
            if label == name or any(r.label == label for r in result):
                label = f"{name} ({seen[name]})"
        result.append(SourceFile(name, data, path, label=label))
    return result


def _is_pair(source: Any) -> bool:
    """A `(name, bytes)` upload."""
    return (isinstance(source, tuple) and len(source) == 2 and isinstance(source[0], (str, Path))
            and isinstance(source[1], (bytes, bytearray, memoryview)))


def _importable(name: str) -> bool:
    return not name.startswith((".", "~$")) and Path(name).suffix.lower() in SUFFIXES


def table_name(label: str) -> str:
    """A file or sheet name normalised: case, spaces and hyphens do not matter."""
    return re.sub(r"[\s\-]+", "_", label.strip().lower())


def table_of(label: str) -> str | None:
    """The table a file or sheet name means (its stem), with or without a copy or date
    suffix (`participants (1)`, `Participants - Copie`, `participants_2025-10`); None if none."""
    name = table_name(label)
    if name in rules.TABLES:
        return name
    match = _NAMED.fullmatch(name)
    return match.group(1) if match else None


def mojibake(text: str) -> tuple[str, str | None] | None:
    """(the first word showing the marks of a wrong encoding, the word it was meant to be if
    it can be told) or None."""
    match = _MOJIBAKE.search(text)
    if match is None:
        return None
    start, end = match.start(), match.end()
    while start > 0 and not _word_end(text[start - 1]):
        start -= 1
    while end < len(text) and not _word_end(text[end]):
        end += 1
    word = text[start:end][:60]
    for encoding in ("cp1252", "latin-1"):
        try:
            meant = word.encode(encoding).decode("utf-8")
            return word, meant if meant != word else None
        except UnicodeError:
            continue
    return word, None


def _word_end(char: str) -> bool:
    return char in ' \t\r\n,;"|' or char == "\x00"


def _mojibake_problem(found: tuple[str, str | None], file: str) -> Problem:
    word, meant = found
    return Problem("unreadable-file", "ingest.reason.mojibake" if meant else "ingest.reason.mojibake_unknown",
                   {"meant": meant or ""}, file=file, value=word)


def normalise_header(name: Any) -> str:
    return re.sub(r"\s+", " ", str(name if name is not None else "")).strip().lstrip("\ufeff").strip().lower()


def _unknown_table(label: str, file: str) -> Problem:
    return Problem("unknown-table", "ingest.reason.unknown_table",
                   {"name": label, "expected": ", ".join(rules.TABLE_NAMES)}, file=file)


def read(source: SourceFile) -> ReadResult:
    """The sheets of one file, or the problem that stops it from being read."""
    try:
        if source.suffix in WORKBOOK_SUFFIXES:
            return _read_workbook(source, source.load())
        if source.suffix in CSV_SUFFIXES:
            data = source.load()
            table = table_of(Path(source.name).stem)
            if table is None:
                return ReadResult(problems=[_unknown_table(Path(source.name).stem, source.label)])
            return _read_csv(source, data, table)
        source.load()
        return ReadResult(problems=[Problem(
            "unsupported-file", "ingest.reason.unsupported_file",
            {"suffix": source.suffix or "—", "expected": ", ".join(SUFFIXES)}, file=source.label)])
    except NotReadable as error:
        key, params = error.key, error.values
        return ReadResult(problems=[Problem(
            "empty-file" if key == "ingest.reason.empty_file" else "unreadable-file", key, params,
            file=source.label)])
    except OSError:
        raise
    except Exception as error:  # noqa: BLE001 - a file we cannot read is a problem, not a crash
        return ReadResult(problems=[Problem("unreadable-file", "ingest.reason.unreadable",
                                            {"detail": _short(error)}, file=source.label)])


def _short(error: Exception) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return text[:200]


# ------------------------------------------------------------------------------ CSV
def to_utf8(data: bytes) -> tuple[bytes, str]:
    """(UTF-8 bytes without BOM, the encoding found) of a CSV file; raises NotReadable for
    a binary file. UTF-8 is tried strictly first; else Windows-1252 or -1256."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16").encode("utf-8"), "utf-16"
    encoding = "utf-8"
    if data.startswith(b"\xef\xbb\xbf"):
        data, encoding = data[3:], "utf-8-sig"
    if data.startswith(b"PK\x03\x04"):
        raise NotReadable(key="ingest.reason.workbook_named_csv")
    if b"\x00" in data[:65536]:
        raise NotReadable(key="ingest.reason.binary")
    if not _is_utf8(data):
        encoding = _single_byte_encoding(data)
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:      # a byte the Windows code page leaves undefined
            encoding, text = "latin-1", data.decode("latin-1")
        data = text.encode("utf-8")
    if _NOT_TEXT.search(data[:65536].decode("utf-8", errors="ignore")):
        raise NotReadable(key="ingest.reason.binary")
    return data, encoding


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding) of a CSV file's bytes (see to_utf8)."""
    utf8, encoding = to_utf8(data)
    return utf8.decode("utf-8"), encoding


def _is_utf8(data: bytes) -> bool:
    if data.isascii():
        return True
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for start in range(0, len(data), 1 << 24):
            decoder.decode(data[start:start + (1 << 24)])
        decoder.decode(b"", final=True)
        return True
    except UnicodeDecodeError:
        return False


def _single_byte_encoding(data: bytes) -> str:
    """Windows-1252 (French) unless the bytes read much better as Windows-1256 (Arabic)."""
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000], cp_isolation=["cp1252", "cp1256"]).best()
    return best.encoding if best is not None and best.encoding in ("cp1252", "cp1256") else "cp1252"


def sniff_separator(line: str) -> str:
    """The separator of a header line: the one of `,` `;` tab outside quotes seen most."""
    outside = re.sub(r'"[^"]*"', "", line)
    counts = {sep: outside.count(sep) for sep in SEPARATORS}
    best = max(SEPARATORS, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def _line_cells(line: bytes, separator: str | None) -> list[str]:
    text = line.decode("utf-8", errors="ignore").rstrip("\r\n")
    return next(csv.reader([text], delimiter=separator or sniff_separator(text)), [])


def _names_a_column(cells: Iterable[Any], table: str) -> bool:
    names = rules.TABLES[table].names
    return any(normalise_header(c) in names for c in cells)


def _title_note(file: str, titles: list[tuple[int, str]], header_row: int) -> Problem:
    rows = ", ".join(str(n) for n, _ in titles)
    return Problem("unknown-column", "ingest.note.title_rows", {"rows": rows, "header": header_row},
                   file=file, row=titles[0][0], value=titles[0][1][:100], severity=WARNING)


def _read_csv(source: SourceFile, data: bytes, table: str) -> ReadResult:
    utf8, _ = to_utf8(data)
    if not utf8.isascii():
        found = mojibake(utf8.decode("utf-8"))
        if found is not None:
            return ReadResult(problems=[_mojibake_problem(found, source.label)])
    notes: list[Problem] = []
    separator: str | None = None
    end = _line_end(utf8)
    declared = _SEP_LINE.fullmatch(utf8[:end or len(utf8)].rstrip(b"\r\n"))
    if declared:   # Excel's `sep=;` line: it says the separator and Excel shows it as no row
        separator = declared.group(1).decode()
        utf8 = utf8[end:] if end is not None else b""
        notes.append(Problem("unknown-column", "ingest.note.sep_line", {"separator": separator},
                             file=source.label, value=declared.group(0).decode().strip(), severity=WARNING))
    # Blank lines and title lines before the header still count as rows in Excel; blank
    # lines after the data don't. The header is the first line naming a column of the table
    # within the first lines (else the first non-blank line, whose cells are then reported).
    lines: list[tuple[int, bytes, bool]] = []      # (offset, line, names a column) of non-blank lines
    offset, header_at = 0, None
    while len(lines) < MAX_TITLE_ROWS + 1 and offset < len(utf8):
        end = _line_end(utf8[offset:offset + (1 << 20)])
        line = utf8[offset:offset + end] if end is not None else utf8[offset:]
        cells = _line_cells(line, separator) if line.strip() else []
        if any(c.strip() for c in cells):      # a line of empty cells (`;;;;`) is a blank row
            named = _names_a_column(cells, table)
            lines.append((offset, line, named))
            if named:
                header_at = len(lines) - 1
                break
        if end is None:
            break
        offset += end
    skip = lines[header_at][0] if header_at else (lines[0][0] if lines else len(utf8))
    titles = []
    if header_at:
        for line_offset, line, _ in lines[:header_at]:
            titles.append((_breaks(utf8[:line_offset]) + 1,
                           " ".join(c.strip() for c in _line_cells(line, separator) if c.strip())))
    lines_before = _breaks(utf8[:skip])
    utf8 = utf8[skip:]
    if titles:
        notes.append(_title_note(source.label, titles, lines_before + 1))
    utf8 = _strip_blank_tail(utf8)
    if not utf8.strip():
        raise NotReadable(key="ingest.reason.empty_file")
    first_line = utf8[:_line_end(utf8) or len(utf8)].decode("utf-8")
    separator = separator or sniff_separator(first_line)
    head = utf8[:1 << 16].decode("utf-8", errors="ignore")
    header = next(csv.reader(io.StringIO(head, newline=""), delimiter=separator))
    header_names = [normalise_header(h) for h in header]
    data_table = _csv_fast(utf8, separator, len(header))
    if data_table is not None:
        row_numbers = pa.array(range(lines_before + 2, lines_before + 2 + data_table.num_rows), pa.int32())
        problems: list[Problem] = []
    else:
        data_table, row_numbers, problems = _csv_slow(utf8.decode("utf-8"), separator, len(header),
                                                      lines_before, source.label)
    return ReadResult([Sheet(source.label, table, header_names, data_table, row_numbers,
                             header_row=lines_before + 1)], notes + problems)


def _breaks(data: bytes) -> int:
    """Line breaks in `data` (\\r\\n, \\r or \\n)."""
    return len(re.findall(rb"\r\n|\r|\n", data))


def _line_end(data: bytes) -> int | None:
    """Index just after the first line break (None when there is none)."""
    positions = [p for p in (data.find(b"\n"), data.find(b"\r")) if p >= 0]
    if not positions:
        return None
    p = min(positions)
    return p + 2 if data[p:p + 2] == b"\r\n" else p + 1


def _strip_blank_tail(data: bytes) -> bytes:
    data = data.rstrip(b"\r\n")
    while True:
        cut = max(data.rfind(b"\n"), data.rfind(b"\r"))
        if cut < 0 or data[cut + 1:].strip():
            return data
        data = data[:cut].rstrip(b"\r\n")


def _csv_fast(utf8: bytes, separator: str, width: int) -> pa.Table | None:
    """pyarrow's reader; None when a row is ragged or blank (the slow path says where)."""
    names = [f"c{i}" for i in range(width)]

    def refuse(_row):
        return "error"

    try:
        table = pacsv.read_csv(
            io.BytesIO(utf8),
            read_options=pacsv.ReadOptions(column_names=names, block_size=1 << 24),
            parse_options=pacsv.ParseOptions(delimiter=separator, quote_char='"', double_quote=True,
                                              newlines_in_values=b'"' in utf8, ignore_empty_lines=False,
                                              invalid_row_handler=refuse),
            convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                                 strings_can_be_null=False, quoted_strings_can_be_null=False))
    except (pa.ArrowInvalid, pa.ArrowException):
        return None
    return table.slice(1)   # the header row


def _csv_slow(text: str, separator: str, width: int, lines_before: int,
              file: str) -> tuple[pa.Table, pa.Array, list[Problem]]:
    """Python's csv module, record by record: exact row numbers, ragged rows reported."""
    csv.field_size_limit(1 << 24)
    columns: list[list[str]] = [[] for _ in range(width)]
    numbers: list[int] = []
    problems: list[Problem] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    next(reader)
    for index, record in enumerate(reader):
        row = lines_before + 2 + index
        if not record:
            continue
        if len(record) > width:
            extra = [c for c in record[width:] if c.strip()]
            if extra:
                problems.append(Problem("extra-cells", "ingest.reason.extra_cells",
                                        {"count": len(record), "expected": width},
                                        file=file, row=row, value=extra[0][:100]))
            record = record[:width]
        for i in range(width):
            columns[i].append(record[i] if i < len(record) else "")
        numbers.append(row)
    data = pa.table({f"c{i}": pa.array(col, pa.string()) for i, col in enumerate(columns)})
    return data, pa.array(numbers, pa.int32()), problems


# ------------------------------------------------------------------------------ workbooks
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Za-z]*)(\d*)(?::([A-Za-z]*)(\d*))?"')
_SHEET = re.compile(rb'<(?:\w+:)?sheet\b[^>]*?\bname="([^"]*)"[^>]*?\br:id="([^"]*)"')
_SHEET_ID_FIRST = re.compile(rb'<(?:\w+:)?sheet\b[^>]*?\br:id="([^"]*)"[^>]*?\bname="([^"]*)"')
_RELATION = re.compile(rb'<Relationship\b[^>]*?\bId="([^"]*)"[^>]*?\bTarget="([^"]*)"')
_RELATION_TARGET_FIRST = re.compile(rb'<Relationship\b[^>]*?\bTarget="([^"]*)"[^>]*?\bId="([^"]*)"')


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + (letter - 64)
    return number


def check_workbook_size(data: bytes, max_cells: int) -> None:
    """Refuse (NotReadable) an XLSX whose sheet declares more than `max_cells` cells in its
    `<dimension ref=…>`, before calamine allocates them (a 2 KB file can declare
    A1:XFD1048576, 17 billion cells). Only the first 64 KB of each sheet is inflated."""
    import zipfile

    if not data.startswith(b"PK"):
        return
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        parts = [n for n in archive.namelist() if re.fullmatch(r"xl/worksheets/[^/]+\.xml", n)]
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return                          # calamine says what is wrong with it
    names = _sheet_names(archive)
    for part in parts:
        try:
            with archive.open(part) as stream:
                head = stream.read(1 << 16)
        except Exception:  # noqa: BLE001 - a damaged part: calamine reports it
            continue
        found = _DIMENSION.search(head)
        if not found:
            continue
        first_col, first_row, last_col, last_row = found.groups()
        last_col, last_row = (last_col or first_col), (last_row or first_row)
        # to_python(skip_empty_area=False) builds the range from A1 to the last cell
        rows, cols = int(last_row or 1), _column_number(last_col or b"A")
        if rows * cols > max_cells:
            raise NotReadable(key="ingest.reason.too_many_cells", sheet=names.get(part, part),
                              cells=f"{rows * cols:,}".replace(",", " "), rows=rows, columns=cols,
                              limit=f"{max_cells:,}".replace(",", " "))


def _sheet_names(archive) -> dict[str, str]:
    """Worksheet part -> the sheet's name (best effort: the part's name when unknown)."""
    try:
        workbook = archive.read("xl/workbook.xml")
        relations = archive.read("xl/_rels/workbook.xml.rels")
    except (KeyError, Exception):  # noqa: BLE001
        return {}
    targets = {rid: target for rid, target in _RELATION.findall(relations)}
    targets.update({rid: target for target, rid in _RELATION_TARGET_FIRST.findall(relations)})
    sheets = {rid: name for name, rid in _SHEET.findall(workbook)}
    sheets.update({rid: name for rid, name in _SHEET_ID_FIRST.findall(workbook)})
    result = {}
    for rid, name in sheets.items():
        target = targets.get(rid)
        if target is None:
            continue
        target = target.decode("utf-8", "replace").lstrip("/")
        part = target if target.startswith("xl/") else "xl/" + target
        result[part] = name.decode("utf-8", "replace")
    return result


def _read_workbook(source: SourceFile, data: bytes) -> ReadResult:
    from python_calamine import CalamineWorkbook

    from pie.config import settings

    check_workbook_size(data, settings().import_max_cells)
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as error:  # noqa: BLE001 - calamine raises several error types
        if "cannot detect file format" in str(error).lower():
            raise NotReadable(key="ingest.reason.not_a_workbook", suffix=source.suffix) from error
        raise NotReadable(key="ingest.reason.bad_workbook", detail=_short(error)) from error
    result = ReadResult()
    for sheet_name in workbook.sheet_names:
        table = table_of(sheet_name)
        label = f"{source.label}[{sheet_name}]"
        if table_name(sheet_name) == rules.CODES_SHEET:
            continue
        cells = workbook.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
        if table is None:
            if any(_cell_present(v) for row in cells for v in row):
                result.problems.append(Problem(
                    "unknown-table", "ingest.note.sheet_ignored",
                    {"name": sheet_name, "expected": ", ".join(rules.TABLE_NAMES)}, file=label, severity=WARNING))
            continue
        filled = [i for i, row in enumerate(cells) if any(_cell_present(v) for v in row)]
        if not filled:
            result.problems.append(Problem("empty-file", "ingest.reason.empty_sheet", {}, file=label))
            continue
        # The header is the first row naming a column (title rows above it are noted).
        header_index = next((i for i in filled[:MAX_TITLE_ROWS + 1]
                             if _names_a_column((_cell_text(v, None) for v in cells[i]), table)), filled[0])
        titles = [(i + 1, " ".join(_cell_text(v, None).strip() for v in cells[i] if _cell_present(v)))
                  for i in filled if i < header_index]
        if titles:
            result.problems.append(_title_note(label, titles, header_index + 1))
        header = [normalise_header(_cell_text(v, None)) for v in cells[header_index]]
        while header and not header[-1]:
            header.pop()
        spec = rules.TABLES[table]
        kinds = [spec.column(h).kind if h in spec.names else None for h in header]
        columns: list[list[str]] = [[] for _ in header]
        numbers: list[int] = []
        texts: list[str] = []
        for index in range(header_index + 1, len(cells)):
            row = cells[index]
            if not any(_cell_present(v) for v in row):
                continue
            for j, kind in enumerate(kinds):
                columns[j].append(_cell_text(row[j], kind) if j < len(row) else "")
            texts.extend(v for v in row if isinstance(v, str) and not v.isascii())
            extra = [v for v in row[len(header):] if _cell_present(v)]
            if extra:
                result.problems.append(Problem("extra-cells", "ingest.reason.extra_cells_sheet",
                                               {"expected": len(header)}, file=label, row=index + 1,
                                               value=_cell_text(extra[0], None)[:100]))
            numbers.append(index + 1)
        found = mojibake("\n".join(texts)) if texts else None
        if found is not None:
            result.problems = [p for p in result.problems if p.file != label]
            result.problems.append(_mojibake_problem(found, label))
            continue
        data = pa.table({f"c{i}": pa.array(col, pa.string()) for i, col in enumerate(columns)})
        result.sheets.append(Sheet(label, table, header, data, pa.array(numbers, pa.int32()),
                                   header_row=header_index + 1))
    if not result.sheets and not any(p.severity != WARNING for p in result.problems):
        result.problems.append(Problem("empty-file", "ingest.reason.empty_workbook",
                                       {"expected": ", ".join(rules.TABLE_NAMES)}, file=source.label))
    return result


def _cell_present(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _cell_text(value: Any, kind: str | None) -> str:
    """The text the parser reads for a typed spreadsheet cell of a column of `kind`."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value.date().isoformat() if kind == rules.DATE or value.time() == time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (time, timedelta)):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if kind == rules.DATE and value.is_integer() and 1 <= value <= EXCEL_MAX_SERIAL:
            return (EXCEL_EPOCH + timedelta(days=int(value))).isoformat()   # a date cell formatted as a number
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return format(value, ".15g")
    return str(value)
