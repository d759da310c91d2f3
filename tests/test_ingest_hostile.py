"""Imports nothing can break: hostile files end in a report (the process lives, the batch is
recorded), problems are grouped in bounded memory, and an import killed at any stage leaves
readers, `batches` and `export` agreeing with the database of record."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

import hostile
from pie import db, ingest
from pie.errors import DatabaseBusy

ROOT = Path(__file__).resolve().parent.parent
REGISTERS = Path(__file__).parent / "fixtures" / "imports" / "registers"


def _outcomes(database: Path) -> list[str]:
    return [b["outcome"] for b in ingest.history(database)]


def test_a_2kb_sheet_declaring_17_billion_cells_is_a_problem(empty_db):
    """Test that the 2 KB workbook whose sheet claims A1:XFD1048576 is refused before it
    is read, with a problem saying why, and the batch is recorded as rejected."""
    data = hostile.huge_sheet_xlsx()
    assert len(data) < 2500
    started = time.monotonic()
    report = ingest.ingest([("participants.xlsx", data)], empty_db)
    assert time.monotonic() - started < 10
    assert report.outcome == "rejected"
    [problem] = report.problems
    assert problem.type == "unreadable-file" and problem.key == "ingest.reason.too_many_cells"
    assert "participants" in problem.reason("en") and "could not be read" in problem.reason("en")
    assert "n'a pas pu être lu" in problem.reason("fr")
    assert _outcomes(empty_db) == ["rejected"]


def test_a_sheet_that_hides_its_size_kills_only_the_worker(empty_db):
    """Test that a sheet without a dimension but with a cell at XFD1048576 (calamine aborts
    the process that reads it) kills the worker, not the importer: a problem, a record."""
    report = ingest.ingest([("participants.xlsx", hostile.huge_sheet_xlsx(declare=False))], empty_db)
    assert report.outcome == "rejected"
    assert [p.key for p in report.problems] == ["ingest.reason.worker_memory"]
    assert report.problems[0].file == "participants.xlsx"
    assert _outcomes(empty_db) == ["rejected"]


def test_a_worker_that_takes_too_long_is_killed(empty_db, monkeypatch):
    """Test that the deadline kills a worker that hangs and the batch is a problem."""
    monkeypatch.setenv("PIE_FAULT", "worker-hang")
    monkeypatch.setenv("PIE_IMPORT_SECONDS", "2")
    started = time.monotonic()
    report = ingest.ingest([("participants.csv", hostile.repeated_keys_csv(3))], empty_db)
    assert time.monotonic() - started < 10
    assert [p.key for p in report.problems] == ["ingest.reason.worker_time"]
    assert _outcomes(empty_db) == ["rejected"]


def test_10000_identical_keys_are_one_short_group(empty_db):
    """Test that a column of #N/A (10,000 identical keys) gives one group with its count
    and a few rows, quickly (it used to grow with the square of the repeats)."""
    started = time.monotonic()
    report = ingest.check([("participants.csv", hostile.repeated_keys_csv(10_000))], empty_db)
    assert time.monotonic() - started < 20
    [group] = [g for g in report.groups if g.type == "duplicate-key"]
    assert group.count == 10_000 and group.column == "participant_id"
    duplicates = [p for p in report.problems if p.type == "duplicate-key"]
    assert 2 <= len(duplicates) <= 6
    assert "10000" in duplicates[0].reason("en") and "#N/A" in duplicates[0].reason("en")


def test_100000_repeated_keys_in_seconds_and_bounded(empty_db):
    """Test that 100,000 keys each repeated are reported in seconds, every row counted,
    the listed rows bounded, the JSON saying how many were left out."""
    started = time.monotonic()
    report = ingest.check([("participants.csv", hostile.distinct_repeated_keys_csv(100_000))], empty_db)
    assert time.monotonic() - started < 30
    group = next(g for g in report.groups if g.type == "duplicate-key")
    assert group.count == 200_000 and len(group.examples) <= 20
    assert len(report.problems) <= 20_000
    out = report.as_json("en")
    assert out["truncated"] == report.problems_count - len(out["problems"]) > 0


def test_lock_wait_refusal_is_recorded(empty_db, monkeypatch):
    """Test that a batch refused because another writer held the database too long is in
    the history (recorded by the next writer)."""
    holder = subprocess.Popen([sys.executable, "-c", (
        "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); print('held', flush=True); "
        "time.sleep(30)"), str(empty_db)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        monkeypatch.setenv("PIE_LOCK_WAIT_SECONDS", "0.5")
        with pytest.raises(DatabaseBusy):
            ingest.ingest([REGISTERS / "establishments.csv"], empty_db)
    finally:
        holder.kill()
        holder.wait()
    monkeypatch.setenv("PIE_LOCK_WAIT_SECONDS", "30")
    with db.writing(empty_db, programme_changes=False):
        pass
    [batch] = ingest.history(empty_db)
    assert batch["outcome"] == "rejected" and batch["files"][0]["file"] == "establishments.csv"


# ------------------------------------------------------------------------------ crashes
STAGES = ("read", "check", "load", "derived", "archive", "commit", "publish")


def _cli(database: Path, *args: str, fault: str = "") -> subprocess.CompletedProcess:
    env = {**os.environ, "PIE_DB": str(database), "PIE_FAULT": fault, "PIE_READ_ONLY": ""}
    return subprocess.run([sys.executable, "-m", "pie", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)


def _record_state(database: Path) -> tuple[int, list[tuple]]:
    con = duckdb.connect(str(database), read_only=True)
    try:
        version = int(con.execute("select value from app_meta where key = 'data_version'").fetchone()[0])
        batches = con.execute("select batch_id, outcome from import_batches order by batch_id").fetchall()
        participants = con.execute("select count(*) from participants").fetchone()[0]
    finally:
        con.close()
    return version, batches, participants


@pytest.mark.parametrize("stage", STAGES)
def test_an_import_killed_at_any_stage_leaves_a_consistent_database(empty_db, tmp_path, stage):
    """Test that after an import killed at `stage`, the next reader sees exactly the
    database of record: `batches` and `export` agree with it, no `.partial` is left in
    published/, and an archive folder exists only for a committed batch."""
    killed = _cli(empty_db, "ingest", str(REGISTERS), "--user", "amina", "--json", fault=stage)
    assert killed.returncode == db.FAULT_EXIT, killed.stderr[-2000:]
    listed = _cli(empty_db, "batches", "--json")           # the next process to start: a reader
    assert listed.returncode == 0, listed.stderr[-2000:]
    version, batches, participants = _record_state(empty_db)
    committed = stage in ("commit", "publish")
    assert [outcome for _, outcome in batches] == (["accepted"] if committed else [])
    assert participants == (10 if committed else 0)
    assert [(b["batch_id"], b["outcome"]) for b in json.loads(listed.stdout)] == [tuple(b) for b in batches]
    assert db._published_version(empty_db) == version            # the snapshot is the record
    assert not list(db.published_dir(empty_db).glob(".*.partial"))
    assert not db._marker(empty_db).exists()
    imports = empty_db.parent / "imports"
    folders = sorted(p.name for p in imports.iterdir() if not p.name.startswith(".")) if imports.exists() else []
    assert folders == [b for b, _ in batches]
    staging = imports / ".staging"
    assert not staging.exists() or not [p for p in staging.iterdir() if p.name.endswith(".archive")]
    exported = _cli(empty_db, "export", str(tmp_path / "out"))
    assert exported.returncode == 0, exported.stderr[-2000:]
    rows = (tmp_path / "out" / "participants.csv").read_text(encoding="utf-8-sig").strip().splitlines()
    assert len(rows) - 1 == participants
    again = _cli(empty_db, "ingest", str(REGISTERS), "--json")     # and the next writer works
    assert json.loads(again.stdout)["outcome"] == "accepted", again.stderr[-2000:]
