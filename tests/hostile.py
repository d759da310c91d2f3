"""Hostile import files built by hand (tests and benchmarks/fuzz_import.py)."""
from __future__ import annotations

import io
import zipfile

PARTICIPANTS_HEADER = "participant_id,cohort_id,gender,birth_year,profile,sector,enrolled_on"


def huge_sheet_xlsx(sheet: str = "participants", ref: str = "A1:XFD1048576", last_cell: str = "XFD1048576",
                    declare: bool = True) -> bytes:
    """A ~2 KB workbook whose sheet declares `ref` and holds one cell at `last_cell`
    (calamine would allocate every cell in between)."""
    dimension = f'<dimension ref="{ref}"/>' if declare else ""
    row = "".join(ch for ch in last_cell if ch.isdigit())
    files = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '</Types>'),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="xl/workbook.xml"/></Relationships>'),
        "xl/workbook.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            f'<sheets><sheet name="{sheet}" sheetId="1" r:id="rId1"/></sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'worksheet" Target="worksheets/sheet1.xml"/></Relationships>'),
        "xl/worksheets/sheet1.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f'{dimension}<sheetData>'
            '<row r="1"><c r="A1" t="inlineStr"><is><t>participant_id</t></is></c></row>'
            f'<row r="{row}"><c r="{last_cell}" t="inlineStr"><is><t>x</t></is></c></row>'
            '</sheetData></worksheet>'),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return out.getvalue()


def repeated_keys_csv(rows: int, key: str = "#N/A") -> bytes:
    """`rows` participants that all carry the same participant_id (a column of #N/A)."""
    line = f"{key},C1,F,2000,trainee,digital_ai,2023-10-02\n"
    return (PARTICIPANTS_HEADER + "\n" + line * rows).encode("utf-8")


def distinct_repeated_keys_csv(keys: int, copies: int = 2) -> bytes:
    """`keys` different participant_ids, each `copies` times."""
    lines = [PARTICIPANTS_HEADER]
    for copy in range(copies):
        lines.extend(f"P{k:07d},C1,F,2000,trainee,digital_ai,2023-10-02" for k in range(keys))
    return ("\n".join(lines) + "\n").encode("utf-8")
