"""Reading files as they arrive (DATA_MODEL.md "Import rules"; pie/ingest/readers.py):
separators, encodings, quoting, blank lines, workbooks with real Excel types, folders,
uploads, and files that cannot be read at all."""
from __future__ import annotations

import io
import random
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import workbook, FIXTURES
from pie import db, ingest, kpis
from pie.ingest import readers, rules

REGISTERS = FIXTURES / "imports" / "registers"
PARTICIPANT_HEADER = "participant_id,cohort_id,gender,birth_year,profile,sector,enrolled_on"


def table_rows(path: Path, table: str) -> list[tuple]:
    """Every row of `table` in the published snapshot, sorted."""
    with db.reader(path).connection().cursor() as cur:
        return cur.execute(f"select * from {table} order by all").fetchall()


def problems(report, type_: str | None = None):
    return [p for p in report.problems if type_ is None or p.type == type_]


def upload(name: str, text: str, encoding: str = "utf-8") -> tuple[str, bytes]:
    return name, text.encode(encoding)


# ------------------------------------------------------------------------------ the mixed folder
def test_folder_of_registers_in_mixed_formats_rebuilds_the_small_programme(empty_db, small_db):
    """Test that the registers folder (every reading variant) imports into an empty database
    as exactly the small programme, with the KPIs worked out by hand in test_kpis.py."""
    report = ingest.ingest([REGISTERS], empty_db, user="test")
    assert report.outcome == "accepted", report.to_rows()
    assert report.rows["participants"] == 10 and report.rows["phase_progress"] == 23
    for table in rules.TABLE_NAMES:
        assert table_rows(empty_db, table) == table_rows(small_db, table), table
    values = kpis.compute(db.reader(empty_db))
    assert values["participants"] == 10
    assert values["women_share"] == 0.5                  # P01 P03 P05 P08 P09
    assert values["amount_approved_mad"] == 170000.0     # FD1 120 000 + FD2 50 000
    assert values["amount_disbursed_mad"] == 150000.0    # 100 000 + 50 000
    assert values["portfolio_at_risk_30"] == 0.6         # FD1 60 000 late / 100 000
    assert values["coaching_hours"] == 11.0              # 3.5 + 2 + 4 + 1.5
    assert values == kpis.compute(db.reader(small_db))


# ------------------------------------------------------------------------------ CSV variants
def test_comma_semicolon_and_tab_give_the_same_rows(tmp_path):
    """Test that the separator is sniffed: `,`, `;` and tab files load the same rows."""
    line = "P50,C1,f,2001,trainee,other,2023-10-02"
    results = []
    for sep in (",", ";", "\t"):
        target = db.init_database(tmp_path / f"sep{ord(sep)}" / "pie.duckdb")
        with db.writing(target) as con:
            con.execute("insert into establishments values ('E1', 'x', 'cmc', '09', null, null)")
            con.execute("insert into cohorts values ('C1', 'E1', '2022-2023', '2022-10-03', 'online')")
        text = (PARTICIPANT_HEADER + "\n" + line + "\n").replace(",", sep)
        report = ingest.ingest([upload("participants.csv", text)], target)
        assert report.outcome == "accepted", report.to_rows()
        results.append(table_rows(target, "participants"))
    assert results[0] == results[1] == results[2] == [("P50", "C1", "f", 2001, "trainee", "other", date(2023, 10, 2))]


def test_utf8_bom_cp1252_and_cp1256_are_read_right(writable_small_db):
    """Test that UTF-8 with BOM, Windows-1252 (French accents, ’ and œ) and Windows-1256
    (Arabic) are each decoded correctly."""
    header = "participant_id;full_name;national_id;phone;email\n"
    files = [
        ("participant_contacts.csv", ("\ufeff" + header + "P03;Hélène Lévêque;;;\n").encode("utf-8")),
    ]
    report = ingest.ingest(files, writable_small_db)
    assert report.accepted, report.to_rows()
    report = ingest.ingest([("participant_contacts.csv",
                             (header + "P04;Aïcha l’Œuvre Fès;;;\nP07;Salé Ça;;;\n").encode("cp1252"))],
                           writable_small_db)
    assert report.accepted, report.to_rows()
    report = ingest.ingest([("participant_contacts.csv",
                             (header + "P09;فاطمة الزهراء العمراني;;;\nP10;يوسف بنعلي;;;\n").encode("cp1256"))],
                           writable_small_db)
    assert report.accepted, report.to_rows()
    names = dict((r[0], r[1]) for r in table_rows(writable_small_db, "participant_contacts"))
    assert names["P03"] == "Hélène Lévêque"
    assert names["P04"] == "Aïcha l’Œuvre Fès" and names["P07"] == "Salé Ça"
    assert names["P09"] == "فاطمة الزهراء العمراني" and names["P10"] == "يوسف بنعلي"


def test_utf16_unicode_text_from_excel(writable_small_db):
    """Test that Excel's "Unicode text" (UTF-16 with BOM, tab-separated) is read."""
    text = "participant_id\tfull_name\nP03\tNaïma\n"
    report = ingest.ingest([("participant_contacts.csv", text.encode("utf-16"))], writable_small_db)
    assert report.accepted, report.to_rows()
    assert ("P03", "Naïma", None, None, None) in table_rows(writable_small_db, "participant_contacts")


def test_quoted_fields_blank_lines_and_header_in_any_order(writable_small_db):
    """Test quoted separators, doubled quotes and line breaks in a cell, columns in another
    order, header names in any case, and blank trailing lines."""
    text = ('Email,FULL_NAME , participant_id\r\n'
            '"a@b.ma","Benali, ""Youssef""\nDit Yo",P03\r\n'
            '\r\n\r\n   \r\n')
    report = ingest.ingest([upload("participant_contacts.csv", text)], writable_small_db)
    assert report.accepted, report.to_rows()
    assert ("P03", 'Benali, "Youssef"\nDit Yo', None, None, "a@b.ma") in table_rows(writable_small_db, "participant_contacts")


def test_blank_lines_inside_keep_the_row_numbers_the_user_sees(writable_small_db):
    """Test that after blank lines inside a file the reported row is still the sheet row."""
    text = PARTICIPANT_HEADER + "\n" + "P50,C1,f,2001,trainee,other,2023-10-02\n\n\n" + \
        "P51,C1,x,2001,trainee,other,2023-10-02\n"
    report = ingest.check([upload("participants.csv", text)], writable_small_db)
    [problem] = problems(report)
    assert (problem.file, problem.row, problem.column, problem.type) == ("participants.csv", 5, "gender", "unknown-code")


def test_a_row_with_too_many_cells_is_reported_at_its_row(writable_small_db):
    """Test that a CSV row longer than the header is an error naming its row."""
    text = PARTICIPANT_HEADER + "\nP50,C1,f,2001,trainee,other,2023-10-02\nP51,C1,f,2001,trainee,other,2023-10-02,oops\n"
    report = ingest.check([upload("participants.csv", text)], writable_small_db)
    [problem] = problems(report)
    assert (problem.type, problem.row, problem.value) == ("extra-cells", 3, "oops")


def test_optional_columns_may_be_absent(writable_small_db):
    """Test that a file without its optional columns loads (they are NULL)."""
    text = "participant_id,cohort_id,gender,profile,sector,enrolled_on\nP50,C1,m,trainer,other,02/10/2023\n"
    report = ingest.ingest([upload("participants.csv", text)], writable_small_db)
    assert report.accepted, report.to_rows()
    assert ("P50", "C1", "m", None, "trainer", "other", date(2023, 10, 2)) in table_rows(writable_small_db, "participants")


def test_missing_required_and_unknown_columns_list_the_expected_names(writable_small_db):
    """Test that a missing required column and an unknown column are errors on the header
    row that list the expected column names, once each."""
    text = "participant_id,cohort,gender,profile,sector,enrolled_on\nP50,C1,m,trainer,other,02/10/2023\n" \
           "P51,C1,m,trainer,other,02/10/2023\n"
    report = ingest.check([upload("participants.csv", text)], writable_small_db)
    unknown, missing = problems(report, "unknown-column"), problems(report, "missing-column")
    assert [(p.row, p.column) for p in unknown] == [(1, "cohort")]
    assert [(p.row, p.column) for p in missing] == [(1, "cohort_id")]
    assert PARTICIPANT_HEADER.replace(",", ", ") in unknown[0].reason()
    assert "cohort_id" in missing[0].reason() and "enrolled_on" in missing[0].reason()
    assert report.problems_count == 2          # the rows are not each reported as missing a value


def test_a_column_named_twice_is_reported(writable_small_db):
    """Test that the same column twice in a header is an error."""
    text = "participant_id,full_name,full_name\nP03,A,B\n"
    report = ingest.check([upload("participant_contacts.csv", text)], writable_small_db)
    assert [(p.type, p.column) for p in report.problems] == [("duplicate-column", "full_name")]


# ------------------------------------------------------------------------------ workbooks
def test_xlsx_real_dates_and_numbers(writable_small_db):
    """Test Excel-typed cells: dates (and datetimes at midnight), an amount 12500.5, a region
    9.0, integers as floats, and a date cell that lost its format (a serial number)."""
    data = workbook({
        "Establishments": [["establishment_id", "name", "kind", "region_code", "city", "pie_launch_date"],
                           ["E9", "CMC Laâyoune", "CMC", 9.0, "Laâyoune", datetime(2024, 10, 1)]],
        "business_plans": [["plan_id", "project_id", "version", "status", "submitted_on", "reviewed_on",
                            "requested_amount_mad", "planned_jobs"],
                           ["BP9", "PR3", 3.0, "submitted", date(2023, 10, 2), None, 12500.5, 2.0],
                           ["BP8", "PR3", 4, "draft", None, None, "12\u00a0500,50", None]],
        "cohorts": [["cohort_id", "establishment_id", "academic_year", "start_date", "delivery_mode"],
                    ["C9", "E9", "2024-2025", 45566.0, "online"]],      # 45566 = 2024-10-01
        "codes": [["table", "column", "code"], ["x", "y", "z"]],
        "Feuil1": [],
    })
    report = ingest.ingest([("registre.xlsx", data)], writable_small_db)
    assert report.accepted, report.to_rows()
    assert report.rows == {"establishments": 1, "cohorts": 1, "business_plans": 2}
    assert ("E9", "CMC Laâyoune", "cmc", "09", "Laâyoune", date(2024, 10, 1)) in table_rows(writable_small_db, "establishments")
    assert ("C9", "E9", "2024-2025", date(2024, 10, 1), "online") in table_rows(writable_small_db, "cohorts")
    plans = {r[0]: r for r in table_rows(writable_small_db, "business_plans")}
    assert plans["BP9"] == ("BP9", "PR3", 3, "submitted", date(2023, 10, 2), None, Decimal("12500.50"), 2)
    assert plans["BP8"][6] == Decimal("12500.50")


def test_xlsx_problems_name_the_sheet_and_its_row(writable_small_db):
    """Test that a workbook's problem says file[sheet] and the row number of the sheet."""
    data = workbook({"participants": [PARTICIPANT_HEADER.split(","),
                                      ["P50", "C1", "f", 2001, "trainee", "other", date(2023, 1, 2)],
                                      [None] * 7,
                                      ["P51", "C1", "f", 2001, "trainee", "sport", date(2023, 1, 2)]]})
    report = ingest.check([("registre.xlsx", data)], writable_small_db)
    [problem] = report.problems
    assert (problem.file, problem.row, problem.column, problem.value) == ("registre.xlsx[participants]", 4, "sector", "sport")


def test_unknown_sheet_and_unknown_file_names_list_the_tables(writable_small_db):
    """Test that a file named after no table is an error listing the table names, that a
    sheet named after no table is ignored with a note (a warning) listing them, and that an
    empty sheet with another name (Excel's Feuil1) is skipped silently."""
    data = workbook({"Inscrits 2024": [["participant_id"], ["P50"]], "Feuil2": []})
    report = ingest.check([("registre.xlsx", data), upload("inscrits.csv", PARTICIPANT_HEADER + "\n")], writable_small_db)
    found = sorted((p.type, p.file) for p in report.problems)
    assert found == [("empty-file", "registre.xlsx"), ("unknown-table", "inscrits.csv")]
    [note] = report.warnings
    assert (note.type, note.file) == ("unknown-table", "registre.xlsx[Inscrits 2024]")
    for problem in [report.problems[1], note]:
        assert ", ".join(rules.TABLE_NAMES) in problem.reason()


def test_a_table_name_tolerates_case_spaces_and_hyphens(writable_small_db):
    """Test that `Phase Progress.CSV` and `phase-progress.csv` mean phase_progress."""
    text = "participant_id,phase,status,started_on\nP10,awareness,in_progress,2022-10-12\n"
    for name in ("Phase Progress.CSV", "phase-progress.csv"):
        report = ingest.check([upload(name, text)], writable_small_db)
        assert report.valid and report.rows == {"phase_progress": 1}, report.to_rows()


# ------------------------------------------------------------------------------ unreadable input
@pytest.mark.parametrize("name, data, type_", [
    ("participants.csv", b"", "empty-file"),
    ("participants.csv", b"\n\n  \n", "empty-file"),
    ("participants.csv", bytes(range(256)) * 4, "unreadable-file"),
    ("participants.csv", b"PK\x03\x04" + b"\x00" * 100, "unreadable-file"),
    ("participants.xlsx", b"this is not a workbook", "unreadable-file"),
    ("participants.pdf", b"%PDF-1.4", "unsupported-file"),
])
def test_files_that_cannot_be_read_are_reported_not_raised(writable_small_db, name, data, type_):
    """Test that empty, binary, misnamed or corrupt files give one problem on the file."""
    report = ingest.check([(name, data)], writable_small_db)
    assert [(p.type, p.file, p.row) for p in report.problems] == [(type_, name, None)]
    assert report.json_outcome() == "rejected"


def test_folders_uploads_and_file_objects(writable_small_db, tmp_path):
    """Test the three ways to give files: folder paths, (name, bytes) pairs, objects with
    .name and .getvalue() (Streamlit's UploadedFile)."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "participants.csv").write_text(PARTICIPANT_HEADER + "\nP50,C1,f,2001,trainee,other,2023-10-02\n")
    (folder / "notes.md").write_text("ignored: not an import file")
    (folder / "~$participants.xlsx").write_bytes(b"Excel lock file, ignored")

    class Uploaded(io.BytesIO):
        name = "phase_progress.csv"

    uploaded = Uploaded(b"participant_id,phase,status,started_on\nP50,awareness,in_progress,2023-10-03\n")
    pair = upload("participant_contacts.csv", "participant_id,full_name\nP50,Amina\n")
    report = ingest.ingest([folder, uploaded, pair], writable_small_db)
    assert report.accepted, report.to_rows()
    assert report.rows == {"participants": 1, "participant_contacts": 1, "phase_progress": 1}
    assert [f.file for f in report.files] == ["participants.csv", "phase_progress.csv", "participant_contacts.csv"]


def test_a_missing_path_is_refused_before_anything_is_recorded(writable_small_db, tmp_path):
    """Test that a path that does not exist is a PieError and no batch is recorded."""
    with pytest.raises(ingest.ImportRefused.__mro__[1]):
        ingest.ingest([tmp_path / "nope.csv"], writable_small_db)
    assert ingest.history(writable_small_db) == []


def test_fuzzed_csv_never_crashes(writable_small_db):
    """Test that random bytes and random text named participants.csv give sheets or a
    problem from the reader, never an exception, and a report from the whole check."""
    rng = random.Random(4)
    alphabet = 'P0123456789,;"\n\r\t ab=éà\u00a0\u202f\x00\x01\xff'
    inputs = []
    for n in range(300):
        if n % 4 == 0:
            data = bytes(rng.randrange(256) for _ in range(rng.randrange(0, 300)))
        else:
            text = PARTICIPANT_HEADER + "\n" + "".join(rng.choice(alphabet) for _ in range(rng.randrange(300)))
            data = text.encode("utf-8", errors="replace") if n % 3 else text.encode("cp1252", errors="replace")
        inputs.append(data)
    for data in inputs:
        result = readers.read(readers.SourceFile("participants.csv", data))
        assert result.sheets or result.problems
    for data in inputs[:6]:
        report = ingest.check([("participants.csv", data)], writable_small_db, max_problems=50)
        assert report.outcome == "checked"
        assert all(p.reason() and "{" not in p.reason() for p in report.problems)
