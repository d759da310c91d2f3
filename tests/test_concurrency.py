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


# The small programme per establishment (leadership/establishments_on_map): E1 holds C1 and C2
# (P01-P07), E2 holds C3 (P08-P10); E3 has no cohort and so is not on the map.
BEFORE = {"E1": 7, "E2": 3}
# After the writer adds cohort C4 of E3 with P11 and P12.
AFTER = {"E1": 7, "E2": 3, "E3": 2}


def participants_per_establishment(reader) -> dict[str, int]:
    frame = reader.query("leadership/establishments_on_map")
    return dict(zip(frame["establishment_id"], (int(n) for n in frame["participants"])))


def test_readers_see_the_old_or_the_new_snapshot_while_a_thread_writes(writable_small_db):
    """Test that reader threads keep answering while a writer thread imports a cohort, each
    answer being the whole old programme or the whole new one, never a mix or an error."""
    path = writable_small_db
    reader = db.reader(path)
    inside_write = threading.Event()
    published = threading.Event()
    reads_during_write = threading.Barrier(4)  # the three readers and the writer
    answers: list[tuple[str, dict[str, int]]] = []
    errors: list[BaseException] = []

    def write() -> None:
        try:
            with db.writing(path) as con:
                con.execute("insert into cohorts values ('C4', 'E3', '2022-2023', '2022-10-17', 'in_person')")
                inside_write.set()
                reads_during_write.wait(timeout=30)  # every reader read while the cohort has no one
                con.execute("insert into participants values "
                            "('P11', 'C4', 'f', 2002, 'trainee', 'health', '2022-10-17'), "
                            "('P12', 'C4', 'm', 2001, 'trainee', 'industry', '2022-10-17')")
            published.set()
        except BaseException as error:  # noqa: BLE001 — collected for the assertion
            errors.append(error)
            published.set()

    def read() -> None:
        try:
            inside_write.wait(timeout=30)
            answers.append(("during", participants_per_establishment(reader)))
            reads_during_write.wait(timeout=30)
            while not published.is_set():
                answers.append(("any", participants_per_establishment(reader)))
            answers.append(("after", participants_per_establishment(reader)))
        except BaseException as error:  # noqa: BLE001 — collected for the assertion
            errors.append(error)

    threads = [threading.Thread(target=write), *(threading.Thread(target=read) for _ in range(3))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert [a for when, a in answers if when == "during"] == [BEFORE] * 3
    assert all(a in (BEFORE, AFTER) for _, a in answers), answers
    assert [a for when, a in answers if when == "after"] == [AFTER] * 3


def test_a_read_only_process_reads_and_logs_in_but_never_publishes(empty_db, monkeypatch):
    auth.add_user(empty_db, "amina", "manager", PASSWORD)
    snapshot = db.reader(empty_db).snapshot()
    monkeypatch.setenv("PIE_READ_ONLY", "1")
    assert len(db.reader(empty_db).query("filters/regions")) == 12  # the 12 regions of Morocco
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
