"""A batch is all-or-nothing, idempotent and recorded (DATA_MODEL.md "Import rules";
DESIGN.md: demo databases refuse imports; a killed import leaves the database as it was)."""
from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from conftest import FIXTURES
from pie import db, ingest, kpis
from pie.config import PROJECT_ROOT
from pie.errors import PieError
from pie.ingest import load, rules

REGISTERS = FIXTURES / "imports" / "registers"
PARTICIPANTS = "participant_id,cohort_id,gender,birth_year,profile,sector,enrolled_on\n"


def read_only(path: Path):
    """The database of record itself, read-only (no writer is open in these tests)."""
    return duckdb.connect(str(path), read_only=True)


def snapshot(path: Path) -> dict[str, list[tuple]]:
    """Every programme table of the database of record, sorted."""
    with read_only(path) as con:
        return {t: con.execute(f"select * from {t} order by all").fetchall() for t in rules.TABLE_NAMES}


def batch_rows(path: Path) -> list[tuple]:
    with read_only(path) as con:
        return con.execute("select batch_id, user_name, dry_run, outcome, files_json, rows_json, problems_count, "
                           "warnings_count, started_at <= finished_at from import_batches order by started_at").fetchall()


def audit(path: Path) -> list[tuple]:
    """The import lines of the audit trail (in the accounts store beside the database)."""
    from pie import auth

    return [(r["user_name"], r["event"], r["detail"]) for r in auth.audit_log(path) if r["event"] == "import"]


def archived(path: Path) -> list[Path]:
    """Originals kept under imports/<batch_id>/ (not the staging area)."""
    return [p for p in (path.parent / "imports").glob("*/*") if not p.parent.name.startswith(".")]


def participants_file(n: int, bad_row: int | None = None) -> bytes:
    lines = [PARTICIPANTS]
    for i in range(n):
        sector = "sport" if i + 2 == bad_row else "other"
        lines.append(f"N{i:05d},C2,{'f' if i % 2 else 'm'},2000,trainee,{sector},2022-10-03\n")
    return "".join(lines).encode()


# ------------------------------------------------------------------------------ all or nothing
def test_ten_thousand_rows_with_one_bad_row_at_the_end_write_nothing(writable_small_db):
    """Test that one bad row at the end of 10,000 rejects the whole batch, names that row,
    leaves every table as it was, and still records the rejected batch."""
    before = snapshot(writable_small_db)
    files = [("participants.csv", participants_file(10_000, bad_row=10_001)),
             ("phase_progress.csv", b"participant_id,phase,status,started_on\nN00000,awareness,in_progress,2022-10-04\n")]
    report = ingest.ingest(files, writable_small_db, user="amina")
    assert report.outcome == "rejected"
    assert [(p.file, p.row, p.column, p.value) for p in report.problems] == [("participants.csv", 10_001, "sector", "sport")]
    assert snapshot(writable_small_db) == before
    [(batch_id, user, dry_run, outcome, files_json, rows_json, problems, warnings, ordered)] = batch_rows(writable_small_db)
    assert (batch_id, user, dry_run, outcome, problems, ordered) == (report.batch_id, "amina", False, "rejected", 1, True)
    assert json.loads(rows_json) == {"participants": 10_000, "phase_progress": 1}
    assert [f["archived_as"] for f in json.loads(files_json)] == [None, None]
    assert not archived(writable_small_db)


@pytest.mark.parametrize("failing", ["upsert", "record"])
def test_an_error_inside_the_transaction_changes_nothing(writable_small_db, monkeypatch, failing):
    """Test that an exception after the tables were written (or after the originals were
    archived) rolls everything back: tables, batch record and archive."""
    before = snapshot(writable_small_db)
    real = getattr(load, failing)

    def then_fail(*args):
        real(*args)
        raise RuntimeError("disk full")

    monkeypatch.setattr(load, failing, then_fail)
    files = [("participants.csv", participants_file(3)),
             ("participant_contacts.csv", b"participant_id,full_name\nN00000,Amina\n")]
    with pytest.raises(RuntimeError):
        ingest.ingest(files, writable_small_db)
    assert snapshot(writable_small_db) == before
    assert batch_rows(writable_small_db) == []
    assert not archived(writable_small_db)


def test_a_database_refusal_is_recorded_as_a_rejected_batch(writable_small_db, monkeypatch):
    """Test that if DuckDB refuses the load, nothing is written and the batch is recorded
    as rejected with a load-failed problem."""
    def refuse(con, batch, progress):
        con.execute("insert into participants values ('P01', 'C1', 'f', 2000, 'trainee', 'other', date '2020-01-01')")

    monkeypatch.setattr(load, "upsert", refuse)
    before = snapshot(writable_small_db)
    report = ingest.ingest([("participants.csv", participants_file(2))], writable_small_db)
    assert report.outcome == "rejected" and [p.type for p in report.problems] == ["load-failed"]
    assert snapshot(writable_small_db) == before
    assert [r[3] for r in batch_rows(writable_small_db)] == ["rejected"]


def test_a_process_killed_mid_import_leaves_the_database_as_it_was(writable_small_db, tmp_path):
    """Test that killing the importing process after the first table was written (inside the
    transaction) leaves the database unchanged and openable, with no batch recorded."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "participants.csv").write_bytes(participants_file(2000))
    (folder / "participant_contacts.csv").write_text(
        "participant_id,full_name\n" + "".join(f"N{i:05d},Nom {i}\n" for i in range(2000)))
    before = snapshot(writable_small_db)
    script = textwrap.dedent(f"""
        import os, signal
        from pie import ingest
        calls = []
        def progress(step, fraction):
            if step == "load":
                calls.append(fraction)
                if len(calls) == 2:          # the first table is written, the second is next
                    os.kill(os.getpid(), signal.SIGKILL)
        ingest.ingest([{str(folder)!r}], {str(writable_small_db)!r}, "killed", progress=progress)
        """)
    done = subprocess.run([sys.executable, "-c", script], cwd=PROJECT_ROOT, capture_output=True, timeout=120)
    assert done.returncode == -signal.SIGKILL, done.stderr.decode()
    assert snapshot(writable_small_db) == before
    assert batch_rows(writable_small_db) == []
    assert not archived(writable_small_db)
    # the killed import's staging folder is swept by an import a day later
    [left] = (writable_small_db.parent / "imports" / ".staging").iterdir()
    os.utime(left, (left.stat().st_atime - 2 * 86400, left.stat().st_mtime - 2 * 86400))
    ingest.check([("participants.csv", participants_file(1))], writable_small_db)
    assert not left.exists()


# ------------------------------------------------------------------------------ upserts
def test_importing_the_same_files_twice_changes_nothing(empty_db):
    """Test that a second import of the same folder is accepted and leaves the same data."""
    first = ingest.ingest([REGISTERS], empty_db)
    assert first.accepted, first.to_rows()
    after_first, kpis_first = snapshot(empty_db), kpis.compute(db.reader(empty_db))
    second = ingest.ingest([REGISTERS], empty_db)
    assert second.accepted and second.rows == first.rows
    assert snapshot(empty_db) == after_first
    assert kpis.compute(db.reader(empty_db)) == kpis_first


def test_a_row_with_an_existing_key_replaces_the_stored_row(writable_small_db):
    """Test upsert: an existing key updates every column the file has; an absent optional
    column keeps the stored value (DATA_MODEL.md, Import rules)."""
    report = ingest.ingest([("participants.csv", b"participant_id,cohort_id,gender,profile,sector,enrolled_on\n"
                                                 b"P10,C3,F,graduate,Crafts,2022-10-11\n")], writable_small_db)
    assert report.accepted, report.to_rows()
    rows = {r[0]: r for r in snapshot(writable_small_db)["participants"]}
    assert rows["P10"][1:6] == ("C3", "f", 2003, "graduate", "crafts")


def test_sql_looking_text_is_stored_verbatim_and_inert(writable_small_db):
    """Test that text such as x'); drop table participants; -- is just text."""
    evil = "x'); drop table participants; --"
    text = f'project_id,cohort_id,name,sector,created_on\nPR9,C1,"{evil}",other,2023-01-01\n'
    report = ingest.ingest([("projects.csv", text.encode())], writable_small_db)
    assert report.accepted, report.to_rows()
    tables = snapshot(writable_small_db)
    assert len(tables["participants"]) == 10
    assert ("PR9", "C1", evil, "other") == tables["projects"][-1][:4]
    report = ingest.check([(f"{evil}.csv", b"a\n1\n")], writable_small_db)
    assert report.problems[0].type == "unknown-table"
    assert len(snapshot(writable_small_db)["participants"]) == 10


# ------------------------------------------------------------------------------ records
def test_accepted_batch_is_recorded_and_its_originals_archived(writable_small_db, tmp_path):
    """Test the batch record (who, when, files with sha256 and size, rows, outcome), the audit
    line, and the archived originals (same bytes) under imports/<batch_id>/."""
    source = tmp_path / "participants.csv"
    source.write_bytes(participants_file(5))
    upload = ("participant_contacts.csv", b"participant_id,full_name\nN00000,Amina\n")
    report = ingest.ingest([source, upload], writable_small_db, user="amina")
    assert report.accepted
    [(batch_id, user, dry_run, outcome, files_json, rows_json, problems, warnings, ordered)] = batch_rows(writable_small_db)
    assert (batch_id, user, dry_run, outcome, problems, warnings, ordered) == \
        (report.batch_id, "amina", False, "accepted", 0, 0, True)
    assert json.loads(rows_json) == {"participants": 5, "participant_contacts": 1}
    files = json.loads(files_json)
    assert [f["file"] for f in files] == ["participants.csv", "participant_contacts.csv"]
    for record, data in zip(files, [source.read_bytes(), upload[1]]):
        assert record["sha256"] == hashlib.sha256(data).hexdigest() and record["size"] == len(data)
        kept = writable_small_db.parent / record["archived_as"]
        assert kept.parent == writable_small_db.parent / "imports" / batch_id
        assert kept.read_bytes() == data
    assert list((writable_small_db.parent / "imports" / ".staging").iterdir()) == []   # staging cleaned up
    [(who, event, detail)] = audit(writable_small_db)
    assert (who, event) == ("amina", "import")
    assert json.loads(detail)["batch_id"] == batch_id and json.loads(detail)["outcome"] == "accepted"
    history = ingest.history(writable_small_db)
    assert [b["batch_id"] for b in history] == [batch_id] and history[0]["rows"] == {"participants": 5,
                                                                                     "participant_contacts": 1}


def test_a_file_changed_during_the_import_is_refused(writable_small_db, tmp_path):
    """Test that if a file changes on disk between its check and its archiving, the batch is
    refused and nothing is written."""
    source = tmp_path / "participants.csv"
    source.write_bytes(participants_file(3))
    before = snapshot(writable_small_db)

    def tamper(step: str, fraction: float) -> None:
        if step == "load":
            source.write_bytes(participants_file(4))

    with pytest.raises(PieError, match="participants.csv"):
        ingest.ingest([source], writable_small_db, progress=tamper)
    assert snapshot(writable_small_db) == before and batch_rows(writable_small_db) == []
    assert not archived(writable_small_db)


def test_dry_run_writes_only_the_batch_record(writable_small_db):
    """Test that a dry run checks everything, writes no data and records a `checked` batch."""
    before = snapshot(writable_small_db)
    report = ingest.check([("participants.csv", participants_file(3))], writable_small_db, user="amina")
    assert report.outcome == "checked" and report.valid and report.json_outcome() == "accepted"
    assert snapshot(writable_small_db) == before
    assert [(r[2], r[3]) for r in batch_rows(writable_small_db)] == [(True, "checked")]
    assert not archived(writable_small_db)


def test_only_an_import_that_loads_rebuilds_the_derived_tables(writable_small_db, monkeypatch):
    """Test that a dry run (and the record of a refused batch) publishes without rebuilding the
    derived scope tables, while an accepted import rebuilds them and pages see its rows."""
    rebuilds = []
    real = db.refresh_derived
    monkeypatch.setattr(db, "refresh_derived", lambda con: (rebuilds.append(1), real(con)))
    ingest.check([("participants.csv", participants_file(3))], writable_small_db, user="amina")
    assert rebuilds == []
    report = ingest.ingest([("participants.csv", participants_file(3))], writable_small_db, user="amina")
    assert report.outcome == "accepted" and rebuilds == [1]
    with read_only(writable_small_db) as con:
        assert con.execute("select count(*) from scope_participants").fetchone() == \
            con.execute("select count(*) from participants").fetchone()


def test_progress_is_reported_from_zero_to_one(writable_small_db):
    """Test that the progress callback goes through the steps up to done = 1."""
    seen: list[tuple[str, float]] = []
    ingest.ingest([("participants.csv", participants_file(3))], writable_small_db,
                  progress=lambda step, fraction: seen.append((step, fraction)))
    assert seen[-1] == ("done", 1.0)
    assert [f for _, f in seen] == sorted(f for _, f in seen)
    assert {s for s, _ in seen} <= set(ingest.STEPS) and {"read", "check", "load", "record"} <= {s for s, _ in seen}


def test_import_into_a_demo_database_is_refused(writable_small_db):
    """Test that a demo database refuses imports (and dry runs) with a message to create a
    real one with `python -m pie init`, recording nothing."""
    with db.writing(writable_small_db) as con:
        con.execute("update app_meta set value = 'true' where key = 'is_demo'")
    before = snapshot(writable_small_db)
    for dry_run in (True, False):
        with pytest.raises(ingest.ImportRefused) as refused:
            ingest.ingest([("participants.csv", participants_file(2))], writable_small_db, dry_run=dry_run)
        assert "python -m pie init" in str(refused.value)
        assert isinstance(refused.value, PieError)
    assert snapshot(writable_small_db) == before and batch_rows(writable_small_db) == []


def test_an_import_runs_while_a_reader_is_open(writable_small_db):
    """Test that an open dashboard reader does not block an import, and sees it next query."""
    reader = db.reader(writable_small_db)
    assert reader.query("kpis/indicators", as_of=None).iloc[0]["participants"] == 10
    report = ingest.ingest([("participants.csv", participants_file(4))], writable_small_db)
    assert report.accepted
    assert reader.query("kpis/indicators", as_of=None).iloc[0]["participants"] == 14
