"""Answers shared by the processes of a machine and prepared by an import's writer before
readers switch to its snapshot (pie/answers.py; issue 18)."""
from __future__ import annotations

import os
import stat
import subprocess
import sys
from datetime import date, datetime

import pytest

from pie import answers, db, ingest, kpis
from pie.config import PROJECT_ROOT
from pie.privacy import erasure
from pie.scope import Scope

from conftest import FIXTURES

REGISTERS = FIXTURES / "imports" / "registers"
INDICATORS = ("pie.kpis:compute", Scope(), (), ())
IN_REGION = ("pie.kpis:compute", Scope.for_role("leadership").with_filters(region_code="09"), (), ())


@pytest.fixture
def shared(monkeypatch):
    """Answers shared through the disk, as in production (the suite switches it off)."""
    monkeypatch.setenv("PIE_SHARED_ANSWERS", "1")


def current_version(db_path) -> str:
    return db.Reader(db_path).data_version()


def kept_files(db_path, version: str) -> list[str]:
    folder = answers.folder(db_path, version)
    return sorted(p.name for p in folder.glob("*.pickle")) if folder.is_dir() else []


def test_questions_survive_their_encoding_and_odd_ones_are_not_kept():
    """Test that a question written down (JSON) reads back equal, with the same key, and that a
    question with an argument that is not text, number, boolean, None or tuple gets no key."""
    question = ("pie.financing.figures:by_group", Scope.for_role("bank", "BOA").with_filters(region_code="09"),
                (3, None, ("a", True), date(2026, 12, 5)), (("breakdown", "product"), ("limit", 2.5)))
    data = answers.encode(question)
    assert answers.decode(data) == question
    assert answers.key(answers.decode(data)) == answers.key(question) and len(answers.key(question)) == 64
    assert answers.key(INDICATORS) != answers.key(IN_REGION)
    assert answers.encode(("pie.kpis:compute", Scope(), ([1, 2],), ())) is None
    assert answers.key(("pie.kpis:compute", Scope(), (), (("when", object()),))) is None
    assert answers.key(("pie.kpis:compute", Scope(), (datetime(2026, 12, 5, 9, 0),), ())) is None
    with pytest.raises(ValueError):
        answers.figure_function("os:system")


def test_an_answer_is_computed_once_per_machine(writable_small_db, shared, monkeypatch):
    """Test that what one process computed, another reads (its own computation never runs),
    kept in a private file; a damaged file is computed again; another code version does not
    read it; switched off, nothing is kept."""
    version = current_version(writable_small_db)
    first = answers.load_or_compute(writable_small_db, version, INDICATORS, lambda: {"participants": 10})
    second = answers.load_or_compute(writable_small_db, version, INDICATORS,
                                     lambda: pytest.fail("computed twice"))
    assert first == second == {"participants": 10}
    [name] = kept_files(writable_small_db, version)
    path = answers.folder(writable_small_db, version) / name
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    # another snapshot: another answer
    assert answers.load(writable_small_db, "pie-v999999-0.duckdb", INDICATORS) is answers.MISSING

    path.write_bytes(b"not a pickle")
    assert answers.load_or_compute(writable_small_db, version, INDICATORS, lambda: {"participants": 11}) == \
        {"participants": 11}
    monkeypatch.setattr(answers, "code_digest", lambda: "another version of the code")
    assert answers.load(writable_small_db, version, INDICATORS) is answers.MISSING


def test_switched_off_and_lake_keep_nothing(writable_small_db, monkeypatch):
    """Test that PIE_SHARED_ANSWERS=0 and a lake keep no answer on disk."""
    monkeypatch.setenv("PIE_SHARED_ANSWERS", "0")
    version = current_version(writable_small_db)
    answers.load_or_compute(writable_small_db, version, INDICATORS, lambda: 1)
    assert answers.root(writable_small_db) is None
    assert not (db.published_dir(writable_small_db) / "answers").exists()
    monkeypatch.setenv("PIE_SHARED_ANSWERS", "1")
    assert answers.root("ducklake:postgres:dbname=pie") is None


def test_an_import_prepares_the_answers_before_readers_switch(empty_db, shared, monkeypatch):
    """Test that `ingest` computes the remembered questions from its new snapshot while readers
    still see the old one, and that what it kept equals what the new snapshot answers."""
    answers.remember_questions(empty_db, [INDICATORS, IN_REGION, INDICATORS])
    assert answers.remembered_questions(empty_db) == [INDICATORS, IN_REGION]
    before = current_version(empty_db)
    seen = {}
    prepare = answers.prepare

    def watching(db_path, source, version, **kwargs):
        seen["readers_saw"] = current_version(db_path)
        seen["result"] = prepare(db_path, source, version, **kwargs)
        return seen["result"]

    monkeypatch.setattr(answers, "prepare", watching)
    report = ingest.ingest([REGISTERS], empty_db, user="amina")
    assert report.outcome == "accepted"
    after = current_version(empty_db)
    assert after != before and seen["readers_saw"] == before and seen["result"] == (2, 2)
    assert len(kept_files(empty_db, after)) == 2
    expected = kpis.compute(db.Reader(empty_db), Scope())
    assert answers.load(empty_db, after, INDICATORS) == expected and expected["participants"] == 10


def test_a_dry_run_prepares_nothing_and_the_budget_bounds_it(empty_db, shared, monkeypatch):
    """Test that a dry run (nothing published to pages) prepares nothing, and that
    PIE_PREPARE_SECONDS=0 switches preparing off."""
    answers.remember_questions(empty_db, [INDICATORS])
    ingest.check([REGISTERS], empty_db, user="amina")
    assert kept_files(empty_db, current_version(empty_db)) == []
    monkeypatch.setenv("PIE_PREPARE_SECONDS", "0")
    assert ingest.ingest([REGISTERS], empty_db, user="amina").outcome == "accepted"
    assert kept_files(empty_db, current_version(empty_db)) == []


def test_the_cli_import_prepares_answers(empty_db, shared):
    """Test the same through `python -m pie ingest` (the load benchmark's and operators' way)."""
    answers.remember_questions(empty_db, [INDICATORS])
    done = subprocess.run([sys.executable, "-m", "pie", "ingest", str(REGISTERS), "--db", str(empty_db),
                           "--user", "amina", "--json"], capture_output=True, text=True, cwd=PROJECT_ROOT,
                          env={**os.environ, "PIE_SHARED_ANSWERS": "1"}, timeout=300)
    assert done.returncode == 0, done.stderr
    assert len(kept_files(empty_db, current_version(empty_db))) == 1


def test_answers_go_with_their_snapshots_and_all_but_the_newest_after_an_erasure(empty_db, shared):
    """Test that a snapshot's answers are removed with it (SNAPSHOTS_KEPT), and that an erasure
    leaves none of an older snapshot (they may hold the erased person's data)."""
    ingest.ingest([REGISTERS], empty_db, user="amina")
    versions = []
    for _ in range(db.SNAPSHOTS_KEPT + 1):
        with db.writing(empty_db, programme_changes=False):
            pass
        version = current_version(empty_db)
        answers.save(empty_db, version, INDICATORS, {"version": version})
        versions.append(version)
    folders = {p.name for p in answers.root(empty_db).iterdir() if p.is_dir()}
    assert versions[0] not in folders and set(versions[1:]) <= folders
    person = db.Reader(empty_db).connection().execute(
        "select participant_id from participant_contacts limit 1").fetchone()[0]
    erasure.erase(empty_db, [person], reason="test")
    newest = current_version(empty_db)
    assert {p.name for p in answers.root(empty_db).iterdir() if p.is_dir()} <= {newest}
    assert answers.load(empty_db, versions[-1], INDICATORS) is answers.MISSING


def _opened_by_another_process(path) -> bool:
    done = subprocess.run([sys.executable, "-c", "import duckdb, sys; duckdb.connect(sys.argv[1], read_only=True)",
                           str(path)], capture_output=True, text=True, timeout=60)
    return done.returncode == 0


def test_the_writer_keeps_its_lock_while_it_prepares_and_publishes(empty_db, shared, monkeypatch):
    """Test that no other process can open the file of record while the writer prepares the
    answers and publishes (DuckDB's POSIX lock was lost when the snapshot copy closed its
    descriptor of the file: a read-only dashboard then took the working writer for a dead one
    and showed an error on every page)."""
    answers.remember_questions(empty_db, [INDICATORS])
    seen = []
    prepare, remove = answers.prepare, db._remove_old_snapshots

    def preparing(db_path, *args, **kwargs):
        seen.append(("preparing", _opened_by_another_process(db_path)))
        return prepare(db_path, *args, **kwargs)

    def removing(db_path, *args, **kwargs):
        seen.append(("removing old snapshots", _opened_by_another_process(db_path)))
        return remove(db_path, *args, **kwargs)

    monkeypatch.setattr(answers, "prepare", preparing)
    monkeypatch.setattr(db, "_remove_old_snapshots", removing)
    assert ingest.ingest([REGISTERS], empty_db, user="amina").outcome == "accepted"
    assert seen == [("preparing", False), ("removing old snapshots", False)]
    assert _opened_by_another_process(empty_db)   # and once the writer is done, it can


COMPUTE_IN_A_PROCESS = """
import sys, time
from pathlib import Path
from pie import answers
from pie.scope import Scope

db_path, version, log = sys.argv[1], sys.argv[2], Path(sys.argv[3])

def compute():
    with log.open("a") as out:
        out.write("computed\\n")
    time.sleep(1.0)
    return {"participants": 10}

print(answers.load_or_compute(db_path, version, ("pie.kpis:compute", Scope(), (), ()), compute))
"""


def test_processes_asking_at_once_compute_once(writable_small_db, shared, tmp_path):
    """Test that three processes asking the same question at the same moment (every process
    warms the same landing pages when it starts) compute it once; the others wait and read it."""
    version = current_version(writable_small_db)
    log = tmp_path / "computed.log"
    env = {**os.environ, "PIE_SHARED_ANSWERS": "1", "PYTHONPATH": str(PROJECT_ROOT)}
    running = [subprocess.Popen([sys.executable, "-c", COMPUTE_IN_A_PROCESS, str(writable_small_db), version,
                                 str(log)], stdout=subprocess.PIPE, text=True, env=env, cwd=PROJECT_ROOT)
               for _ in range(3)]
    outputs = [process.communicate(timeout=120)[0].strip() for process in running]
    assert all(process.returncode == 0 for process in running)
    assert outputs == ["{'participants': 10}"] * 3
    assert log.read_text().count("computed") == 1


def test_a_partners_submission_and_its_approval_both_prepare(writable_small_db, shared, tmp_path):
    """Test that a partner's submission (its batch row makes a new snapshot, so every cached
    answer is new) and the manager's approval each prepare the remembered answers before
    readers switch; the approved figures are the new ones."""
    from pie import auth
    from pie.ingest import submissions

    for name, role, scope in (("amina", "manager", None), ("cmc09", "establishment", "E1")):
        auth.add_user(writable_small_db, name, role, "unused-password", scope, _demo=True)
    answers.remember_questions(writable_small_db, [INDICATORS])
    files = tmp_path / "cmc09"
    files.mkdir()
    (files / "participants.csv").write_text(
        "participant_id,cohort_id,gender,birth_year,profile,sector,enrolled_on\n"
        "P91,C2,f,2003,trainee,digital_ai,2022-10-03\nP92,C2,m,2002,graduate,digital_ai,2022-10-03\n",
        encoding="utf-8")
    report = ingest.ingest([files], writable_small_db, user="cmc09")
    assert report.outcome == "submitted"
    submitted = current_version(writable_small_db)
    assert answers.load(writable_small_db, submitted, INDICATORS)["participants"] == 10
    submissions.approve(writable_small_db, report.batch_id, user="amina")
    approved = current_version(writable_small_db)
    assert approved != submitted
    assert answers.load(writable_small_db, approved, INDICATORS)["participants"] == 12


def test_a_process_that_cannot_write_the_answers_computes_its_own(writable_small_db, shared, caplog):
    """Test that when the answers' folder cannot be written (here a file stands in its place;
    in production, a dashboard running as another system user), answers are computed as before
    and the log says so once, not at every answer."""
    version = current_version(writable_small_db)
    answers.root(writable_small_db).write_text("not a folder")
    caplog.set_level("WARNING", logger="pie.answers")
    assert answers.load_or_compute(writable_small_db, version, INDICATORS, lambda: 1) == 1
    for _ in range(3):
        answers.save(writable_small_db, version, IN_REGION, 2)
    assert answers.load(writable_small_db, version, IN_REGION) is answers.MISSING
    assert len([r for r in caplog.records if "not kept" in r.getMessage()]) == 1


def test_recorded_questions_of_several_processes_are_merged(writable_small_db, shared):
    """Test that each process's record puts its own questions first and keeps the others'
    (two processes with sticky sessions see different visitors), without repeats."""
    answers.remember_questions(writable_small_db, [INDICATORS])
    answers.remember_questions(writable_small_db, [IN_REGION, INDICATORS])
    assert answers.remembered_questions(writable_small_db) == [IN_REGION, INDICATORS]
    third = ("pie.kpis:compute", Scope(academic_year="2025-2026", region_code="09"), (), ())
    answers.remember_questions(writable_small_db, [third])
    assert answers.remembered_questions(writable_small_db) == [third, IN_REGION, INDICATORS]
