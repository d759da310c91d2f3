"""Imports nothing can break (DATA_MODEL.md "Import rules"): files as clerks save them.

Each test builds its file (CSV bytes or an openpyxl workbook) and imports it into a private
copy of the small hand-made programme (tests/fixtures/small_programme.sql: P01..P10 in
cohorts C1 (start 2021-10-01), C2, C3; contacts of P01, P02, P05, …)."""
from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from conftest import workbook
from pie import ingest

PARTICIPANTS = "participant_id,cohort_id,gender,birth_year,profile,sector,enrolled_on\n"
PHASES = "participant_id,phase,status,started_on,completed_on,hours_attended\n"


def stored(db_path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db_path), read_only=True) as con:
        return con.execute(sql).fetchall()


def errors(report) -> set[tuple]:
    return {(p.file, p.row, p.column, p.type) for p in report.problems}




# ------------------------------------------------------------------------------ absent optional columns
def test_absent_optional_columns_keep_the_stored_values(writable_small_db):
    """Test that a contacts file with only participant_id and full_name renames P01 and keeps
    its CIN, phone and e-mail; a new row gets NULL there; an empty cell of a present column
    clears the value."""
    data = "participant_id;full_name\nP01;Fatima Zahra El Amrani-Idrissi\nP03;سعاد العلوي\n".encode()
    report = ingest.ingest([("participant_contacts.csv", data)], writable_small_db)
    assert report.accepted, report.problems
    assert stored(writable_small_db, "select * from participant_contacts where participant_id in ('P01', 'P03') "
                                "order by 1") == [
        ("P01", "Fatima Zahra El Amrani-Idrissi", "J123456", "+212612345678", "fz.elamrani@example.ma"),
        ("P03", "سعاد العلوي", None, None, None)]
    cleared = "participant_id;full_name;email\nP01;Fatima Zahra El Amrani;\n".encode()
    assert ingest.ingest([("participant_contacts.csv", cleared)], writable_small_db).accepted
    assert stored(writable_small_db, "select national_id, phone, email from participant_contacts "
                                "where participant_id = 'P01'") == [("J123456", "+212612345678", None)]


# ------------------------------------------------------------------------------ wrong encoding
def test_wrong_encoding_marks_refuse_the_file_once_saying_how_to_save_it(writable_small_db):
    """Test that UTF-8 read as Windows-1252 then saved (`SalÃ©`, Arabic `Ø³Ø¹Ø§Ø¯`) refuses the
    file with one problem (not one per cell) that says how to save it, in fr and ar."""
    garbled = "سعاد".encode("utf-8").decode("cp1252")
    text = ("establishment_id,name,kind,region_code,city\n"
            + "".join(f"E{n},CMC Rabat-SalÃ©-KÃ©nitra {n},cmc,4,{garbled}\n" for n in range(10, 30)))
    report = ingest.check([("establishments.csv", text.encode("utf-8"))], writable_small_db)
    [problem] = report.problems
    assert (problem.file, problem.type, problem.value) == ("establishments.csv", "unreadable-file", "Rabat-SalÃ©-KÃ©nitra")
    assert "Rabat-Salé-Kénitra" in problem.reason("fr") and "CSV UTF-8" in problem.reason("fr")
    assert "UTF-8" in problem.reason("ar") and "يحمل هذا الملف" in problem.reason("ar")
    arabic = ("participant_id;full_name\nP03;" + garbled + "\n").encode("utf-8")
    [problem] = ingest.check([("participant_contacts.csv", arabic)], writable_small_db).problems
    assert "سعاد" in problem.reason("en")
    # the same marks in a workbook sheet
    book = workbook({"establishments": [["establishment_id", "name", "kind", "region_code"],
                                        ["E10", "CMC Rabat-SalÃ©-KÃ©nitra", "cmc", 4]]})
    [problem] = ingest.check([("registre.xlsx", book)], writable_small_db).problems
    assert problem.file == "registre.xlsx[establishments]" and problem.key == "ingest.reason.mojibake"


def test_real_accents_and_arabic_are_not_mistaken_for_marks(writable_small_db):
    """Test that correct French and Arabic text (UTF-8 or Windows-1252) is accepted."""
    text = "establishment_id,name,kind,region_code,city\nE10,CMC Rabat-Salé-Kénitra — l’école,cmc,4,سلا\n"
    assert ingest.check([("establishments.csv", text.encode("utf-8"))], writable_small_db).valid
    latin = "establishment_id;name;kind;region_code\nE10;CMC Béni Mellal-Khénifra;cmc;5\n"
    assert ingest.check([("establishments.csv", latin.encode("cp1252"))], writable_small_db).valid


# ------------------------------------------------------------------------------ dates
def test_a_file_of_us_dates_is_refused_with_one_month_first_message(writable_small_db):
    """Test that phases written month first (`10/04/2021` for 4 October, in cohort C1 that
    starts 2021-10-01) are refused with one message, not one problem per row; the
    participants file, fine either way, is not blamed."""
    participants = PARTICIPANTS + "P60,C1,f,2001,trainee,other,10/01/2021\nP61,C1,m,2000,trainee,other,10/01/2021\n"
    phases = PHASES + ("P60,awareness,completed,10/04/2021,10/25/2021,12\n"
                       "P61,awareness,completed,10/05/2021,10/26/2021,12\n"
                       "P61,fundamentals,in_progress,11/02/2021,,20\n")
    report = ingest.check([("participants.csv", participants.encode()), ("phase_progress.csv", phases.encode())],
                          writable_small_db)
    [problem] = report.problems
    assert (problem.file, problem.type, problem.key) == ("phase_progress.csv", "bad-date", "ingest.reason.month_first")
    assert problem.value == "10/04/2021"       # a date both readings accept, not an invalid one
    assert "mois d'abord" in problem.reason("fr") and "الشهر أولًا" in problem.reason("ar")
    # read day first, the same file is right: accepted
    fixed = PHASES + "P60,awareness,completed,04/10/2021,25/10/2021,12\n"
    assert ingest.check([("participants.csv", (PARTICIPANTS + "P60,C1,f,2001,trainee,other,01/10/2021\n").encode()),
                         ("phase_progress.csv", fixed.encode())], writable_small_db).valid


def test_date_rules_phase_before_cohort_and_no_date_after_the_import(writable_small_db):
    """Test that a phase starting before its cohort's start_date, and a date after the day of
    the import, are problems on their rows (a file that is not month-first)."""
    phases = PHASES + "P10,awareness,in_progress,2022-10-11,,\n"
    assert ingest.check([("phase_progress.csv", phases.encode())], writable_small_db).valid
    early = PHASES + "P10,awareness,in_progress,25/09/2022,,\n"          # C3 starts 2022-10-10
    participants = PARTICIPANTS + "P60,C3,f,2001,trainee,other,25/09/2022\n"
    report = ingest.check([("phase_progress.csv", early.encode()), ("participants.csv", participants.encode())],
                          writable_small_db)
    assert errors(report) == {("phase_progress.csv", 2, "started_on", "rule-violation")}
    [before] = [p for p in report.problems if p.key == "ingest.rule.phase_before_cohort"]
    assert "C3" in before.reason() and "2022-10-10" in before.reason("ar")
    future = PHASES + "P10,awareness,in_progress,2099-01-02,,\n"
    report = ingest.check([("phase_progress.csv", future.encode())], writable_small_db)
    assert errors(report) == {("phase_progress.csv", 2, "started_on", "out-of-range")}
    assert report.problems[0].key == "ingest.reason.date_in_future"
    # a cohort moved after the start of a phase stored in the database is blamed
    cohorts = "cohort_id,establishment_id,academic_year,start_date,delivery_mode\nC1,E1,2021-2022,2021-12-01,in_person\n"
    report = ingest.check([("cohorts.csv", cohorts.encode())], writable_small_db)
    assert {(p.file, p.row, p.column, p.key) for p in report.problems} == {
        ("cohorts.csv", 2, "start_date", "ingest.rule.cohort_after_phase")}


# ------------------------------------------------------------------------------ files as people save them
@pytest.mark.parametrize("name", ["participants (1).csv", "participants - Copie.csv", "participants_2025-10.csv",
                                  "PARTICIPANTS - copie (2).CSV", "Participants 2025.csv"])
def test_a_copy_or_date_suffix_still_names_the_table(writable_small_db, name):
    """Test that a table's file named with a copy or date suffix, in any case, is read."""
    report = ingest.check([(name, (PARTICIPANTS + "P60,C1,f,2001,trainee,other,2021-10-02\n").encode())],
                          writable_small_db)
    assert report.valid and report.rows == {"participants": 1}, report.to_rows()


def test_two_files_for_one_table_is_a_clear_problem(writable_small_db):
    data = (PARTICIPANTS + "P60,C1,f,2001,trainee,other,2021-10-02\n").encode()
    report = ingest.check([("participants.csv", data), ("participants (1).csv", data)], writable_small_db)
    twice = [p for p in report.problems if p.key == "ingest.reason.table_twice"]
    assert [(p.file, p.type) for p in twice] == [("participants (1).csv", "rule-violation")]
    assert "participants.csv" in twice[0].reason()


def test_title_rows_above_the_header_are_skipped_with_one_note(writable_small_db):
    """Test that title rows (CSV from Excel, with empty cells) are skipped with one note, and
    rows keep the numbers the sheet shows."""
    text = ("Registre des participants — CMC Souss-Massa;;;;;;\n;;;;;;\nExport du 02/10/2025;;;;;;\n"
            + PARTICIPANTS.replace(",", ";") + "P60;C1;f;2001;trainee;other;2021-10-02\nP61;C1;x;2001;trainee;other;2021-10-02\n")
    report = ingest.check([("participants.csv", text.encode())], writable_small_db)
    assert errors(report) == {("participants.csv", 6, "gender", "unknown-code")}
    [note] = report.warnings
    assert (note.severity, note.row) == ("warning", 1)
    assert note.reason("fr") == ("Ligne(s) 1, 3 lue(s) comme titre, pas comme données : "
                                 "l'en-tête (les noms de colonnes) est la ligne 4.")
    assert "1, 3" in note.reason("ar")
    book = workbook({"participants": [["Registre 2025"], PARTICIPANTS.strip().split(","),
                                      ["P60", "C1", "f", 2001, "trainee", "other", "2021-10-02"]]})
    report = ingest.check([("registre.xlsx", book)], writable_small_db)
    assert report.valid and [w.key for w in report.warnings] == ["ingest.note.title_rows"]


def test_a_sep_line_is_honoured(writable_small_db):
    """Test that Excel's `sep=;` first line gives the separator: one note, no problem."""
    text = "sep=;\n" + PARTICIPANTS.replace(",", ";") + "P60;C1;f;2001;trainee;other;2021-10-02\nP61;C1;x;2001;trainee;other;2021-10-02\n"
    report = ingest.check([("participants.csv", text.encode("utf-8-sig"))], writable_small_db)
    assert errors(report) == {("participants.csv", 3, "gender", "unknown-code")}
    assert [w.key for w in report.warnings] == ["ingest.note.sep_line"]


def test_a_notes_sheet_is_ignored_with_a_note(writable_small_db):
    book = workbook({"participants": [PARTICIPANTS.strip().split(","),
                                      ["P60", "C1", "f", 2001, "trainee", "other", "2021-10-02"]],
                     "Notes": [["Envoyé par Amina le 2 octobre"]]})
    report = ingest.ingest([("registre.xlsx", book)], writable_small_db)
    assert report.accepted and report.rows == {"participants": 1}
    [note] = report.warnings
    assert (note.file, note.key, note.severity) == ("registre.xlsx[Notes]", "ingest.note.sheet_ignored", "warning")


def test_codes_given_as_their_labels_in_fr_ar_en_are_read_with_one_note_per_value(writable_small_db):
    text = PARTICIPANTS + ("P60,C1,Féminin,2001,Stagiaire,Digital & IA,2021-10-02\n"
                           "P61,C1,FEMININ,2001,stagiaire,digital & ia,2021-10-02\n"
                           "P62,C1,ذكر,2001,خريج,الصحة,2021-10-02\n"
                           "P63,C1,Woman,2001,Trainer,E-commerce,2021-10-02\n"
                           "P64,C1,H,2001,formateur,Énergies renouvelables,2021-10-02\n"
                           "P65,C1,F,2001,trainee,other,2021-10-02\n")
    report = ingest.ingest([("participants.csv", text.encode())], writable_small_db)
    assert report.accepted, report.to_rows()
    assert stored(writable_small_db, "select participant_id, gender, profile, sector from participants "
                                "where participant_id >= 'P60' order by 1") == [
        ("P60", "f", "trainee", "digital_ai"), ("P61", "f", "trainee", "digital_ai"),
        ("P62", "m", "graduate", "health"), ("P63", "f", "trainer", "ecommerce"),
        ("P64", "m", "trainer", "renewable_energy"), ("P65", "f", "trainee", "other")]
    notes = {(w.column, w.value): w for w in report.warnings}
    assert set(notes) == {("gender", "Féminin"), ("gender", "FEMININ"), ("gender", "ذكر"), ("gender", "Woman"),
                          ("gender", "H"), ("profile", "Stagiaire"), ("profile", "stagiaire"), ("profile", "خريج"),
                          ("profile", "formateur"), ("sector", "Digital & IA"),
                          ("sector", "digital & ia"), ("sector", "الصحة"), ("sector", "E-commerce"),
                          ("sector", "Énergies renouvelables")}
    assert notes[("gender", "Féminin")].reason("fr") == "« Féminin » lu comme le code « f » (1 ligne(s))."
    assert all(w.severity == "warning" for w in report.warnings)


def test_an_ice_that_lost_its_leading_zeros_gets_them_back(writable_small_db):
    companies = "company_id,project_id,legal_form,registered_on,ice,jobs_created,status\n"
    report = ingest.ingest([("companies.csv", (companies + "CO9,PR3,sarl,2024-01-01,1234567000089,1,active\n").encode())],
                           writable_small_db)
    assert report.accepted, report.to_rows()
    assert stored(writable_small_db, "select ice from companies where company_id = 'CO9'") == [("001234567000089",)]
    report = ingest.check([("companies.csv", (companies + "CO9,PR3,sarl,2024-01-01,123456700089,1,active\n").encode())],
                          writable_small_db)
    assert errors(report) == {("companies.csv", 2, "ice", "bad-format")}


def test_bidi_controls_are_removed_and_long_text_is_a_problem(writable_small_db):
    name = "\u202bسعاد \u200fالعلوي\u202c"
    text = f"participant_id;full_name;email\n\u200eP03;{name};\u2066s.alaoui@example.ma\u2069\n"
    assert ingest.ingest([("participant_contacts.csv", text.encode())], writable_small_db).accepted
    assert stored(writable_small_db, "select full_name, email from participant_contacts where participant_id = 'P03'") == [
        ("سعاد العلوي", "s.alaoui@example.ma")]
    ok = f"participant_id;full_name\nP03;{'a' * 500}\n"
    assert ingest.check([("participant_contacts.csv", ok.encode())], writable_small_db).valid
    long = f"participant_id;full_name\nP03;{'a' * 501}\n"
    report = ingest.check([("participant_contacts.csv", long.encode())], writable_small_db)
    assert errors(report) == {("participant_contacts.csv", 2, "full_name", "out-of-range")}
    assert "500" in report.problems[0].reason("ar")


def test_third_party_errors_come_in_our_words(writable_small_db):
    """Test that calamine's `Cannot detect file format` is a sentence of ours, in each language."""
    [problem] = ingest.check([("registre.xlsx", b"plain text, not a workbook")], writable_small_db).problems
    for language in ("fr", "ar", "en"):
        assert "Cannot detect" not in problem.reason(language) and ".xlsx" in problem.reason(language)


def test_the_hand_made_registers_get_no_note(empty_db):
    """Test that the valid registers (tests/fixtures/imports/registers/) are accepted without a
    note: codes, aliases (`homme`, `F`) and headers as they are need none."""
    registers = Path(__file__).parent / "fixtures" / "imports" / "registers"
    report = ingest.check([registers], empty_db)
    assert report.valid, report.to_rows()
    assert [w.key for w in report.warnings if w.key.startswith("ingest.note.")] == []
