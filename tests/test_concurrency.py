"""Writers and readers of one process at the same time (DESIGN.md, Concurrency).

DuckDB's file lock keeps other processes out, but the connections of one process share a
database instance: the dashboard's threads (several logins at once, a login during an import
from the import page) must take turns, not collide.
"""
from __future__ import annotations

import threading

import pytest

from pie import auth, db
from pie.errors import DatabaseMissing


PASSWORD = "correct horse battery"


def test_threads_of_one_process_take_turns_to_write(empty_db):
    names = [f"user{i}" for i in range(4)]
    for name in names:
        auth.add_user(empty_db, name, "manager", PASSWORD)
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def log_in(name: str) -> None:
        try:
            start.wait()
            for _ in range(2):
                auth.authenticate(empty_db, name, PASSWORD)
        except BaseException as error:  # noqa: BLE001 — collected for the assertion
            errors.append(error)

    threads = [threading.Thread(target=log_in, args=(names[i % len(names)],)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def test_a_reader_keeps_reading_while_a_thread_writes(empty_db):
    reader = db.reader(empty_db)
    before = reader.data_version()
    with db.writing(empty_db) as con:
        con.execute("insert into establishments values ('E1', 'CMC', 'cmc', '09', 'Agadir', null)")
        assert reader.query("filters/regions") is not None  # the old snapshot answers meanwhile
    assert reader.data_version() != before


def test_a_read_only_process_reads_and_logs_in_but_never_publishes(empty_db, monkeypatch):
    auth.add_user(empty_db, "amina", "manager", PASSWORD)
    snapshot = db.reader(empty_db).snapshot()
    monkeypatch.setenv("PIE_READ_ONLY", "1")
    assert db.reader(empty_db).query("filters/regions") is not None
    assert auth.authenticate(empty_db, "amina", PASSWORD).role == "manager"  # account records still written
    with pytest.raises(db.ReadOnly):
        with db.writing(empty_db) as con:
            con.execute("insert into establishments values ('E1', 'CMC', 'cmc', '09', 'Agadir', null)")
    assert db.reader(empty_db).snapshot() == snapshot


def test_a_read_only_process_without_a_snapshot_says_so(tmp_path, monkeypatch):
    path = db.init_database(tmp_path / "pie.duckdb", publish=False)
    monkeypatch.setenv("PIE_READ_ONLY", "1")
    with pytest.raises(DatabaseMissing, match="PIE_READ_ONLY"):
        db.Reader(path).snapshot()
