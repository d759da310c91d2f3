"""The database layer: schema, regions, writers, published snapshots, concurrency."""
from __future__ import annotations

import subprocess
import sys
import textwrap
import time

import duckdb
import pytest

from pie import db
from pie.config import PROJECT_ROOT
from pie.errors import DatabaseBusy, DatabaseMissing, DatabaseNotEmpty

NATIONAL_YOUTH_15_29 = 8_125_089  # sum of the 12 regions' estimates (FIELD_NOTES: ≈ 8.1 M)


def test_init_creates_every_table_and_the_12_regions(empty_db):
    """Test that init creates the schema and the 12 regions with census figures."""
    con = db.reader(empty_db).connection()
    regions = con.execute("select region_code, name_fr, name_ar, population_2024, youth_15_29_2024 "
                          "from regions order by region_code").fetchall()
    assert [r[0] for r in regions] == [f"{i:02d}" for i in range(1, 13)]
    assert regions[8][1:4] == ("Souss-Massa", "سوس-ماسة", 3020431)
    assert abs(sum(r[4] for r in regions) - NATIONAL_YOUTH_15_29) <= 12  # rounding per region
    tables = {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}
    assert set(db.PROGRAMME_TABLES) | {"regions", "import_batches", "app_meta"} <= tables
    assert not {"users", "audit_log"} & tables  # accounts live in their own store (pie.auth)


def test_schema_enforces_codes_and_rules(empty_db):
    """Test that CHECK constraints refuse a bad code and an approval without amount."""
    with pytest.raises(duckdb.ConstraintException):
        with db.writing(empty_db) as con:
            con.execute("insert into establishments values ('E1', 'X', 'university', '09', null, null)")
    with pytest.raises(duckdb.ConstraintException):
        with db.writing(empty_db) as con:
            con.execute("insert into financing_decisions (decision_id, plan_id, bank, decision, decided_on) "
                        "values ('FD1', 'BP1', 'BOA', 'approved', '2023-01-01')")


def test_init_refuses_a_database_with_data(small_db):
    """Test that init does not touch a database that holds data without --force."""
    with pytest.raises(DatabaseNotEmpty):
        db.init_database(small_db)


def test_init_force_replaces_the_database(tmp_path):
    """Test that init --force empties a database that held data."""
    path = tmp_path / "pie.duckdb"
    db.init_database(path)
    with db.writing(path) as con:
        con.execute("insert into establishments values ('E1', 'CMC', 'cmc', '09', null, null)")
    db.init_database(path, force=True)
    assert db.reader(path).connection().execute("select count(*) from establishments").fetchone()[0] == 0


def test_failed_write_changes_nothing(empty_db):
    """Test that an exception inside writing() rolls everything back and publishes nothing."""
    before = db.reader(empty_db).data_version()
    with pytest.raises(RuntimeError):
        with db.writing(empty_db) as con:
            con.execute("insert into establishments values ('E1', 'CMC', 'cmc', '09', null, null)")
            raise RuntimeError("interrupted")
    assert db.reader(empty_db).data_version() == before
    with db.writing(empty_db, publish=False) as con:
        assert con.execute("select count(*) from establishments").fetchone()[0] == 0


def test_reader_sees_a_new_snapshot_at_the_next_query(empty_db):
    """Test that a write is visible to an open reader at once, through a new snapshot."""
    reader = db.reader(empty_db)
    count = "select count(*) from establishments"
    assert reader.connection().execute(count).fetchone()[0] == 0
    with db.writing(empty_db) as con:
        con.execute("insert into establishments values ('E1', 'CMC', 'cmc', '09', null, null)")
    assert reader.connection().execute(count).fetchone()[0] == 1


def test_missing_database_is_a_clear_error(tmp_path):
    """Test that reading a database that does not exist says how to create one."""
    with pytest.raises(DatabaseMissing, match="init"):
        db.reader(tmp_path / "nothing.duckdb").snapshot()


def test_writer_waits_then_gives_up_while_another_process_writes(empty_db):
    """Test that a second writer waits for the lock and fails with DatabaseBusy, not a crash."""
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import duckdb, sys, time
            con = duckdb.connect({str(empty_db)!r})
            print("locked", flush=True)
            time.sleep(30)
        """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        started = time.monotonic()
        with pytest.raises(DatabaseBusy, match="another process"):
            with db.writing(empty_db, wait_seconds=1):
                pass
        assert time.monotonic() - started >= 1
    finally:
        holder.kill()
        holder.wait()


def test_readers_of_the_snapshot_never_block_a_writer(empty_db):
    """Test that a process reading the published snapshot does not stop a write."""
    snapshot = db.reader(empty_db).snapshot()
    reader_process = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import duckdb, time
            con = duckdb.connect({str(snapshot)!r}, read_only=True)
            print(con.execute("select count(*) from regions").fetchone()[0], flush=True)
            time.sleep(30)
        """)], stdout=subprocess.PIPE, text=True, cwd=PROJECT_ROOT)
    try:
        assert reader_process.stdout.readline().strip() == "12"
        with db.writing(empty_db, wait_seconds=2) as con:
            con.execute("insert into establishments values ('E1', 'CMC', 'cmc', '09', null, null)")
        assert db.reader(empty_db).connection().execute(
            "select count(*) from establishments").fetchone()[0] == 1
    finally:
        reader_process.kill()
        reader_process.wait()


def test_old_snapshots_are_cleaned_up(empty_db):
    """Test that publishing keeps only the newest few snapshots."""
    for _ in range(db.SNAPSHOTS_KEPT + 2):
        with db.writing(empty_db):
            pass
    assert len(list(db.published_dir(empty_db).glob("*.duckdb"))) == db.SNAPSHOTS_KEPT


# ------------------------------------------------------------------------------ derived tables
def test_derived_tables_follow_every_publishing_write(tmp_path, small_db):
    """Test that scope_participants / scope_phase_progress hold exactly the programme rows with
    their cohort's year, region and establishment, and are rebuilt by a write that publishes."""
    path = tmp_path / "pie.duckdb"
    path.write_bytes(small_db.read_bytes())
    con = db.reader(path).connection()
    expected = con.execute(
        "select pp.participant_id, pp.phase, pa.cohort_id, c.academic_year, e.region_code, c.establishment_id, "
        "pa.gender, pa.profile, pa.sector, pa.enrolled_on, c.start_date from phase_progress pp "
        "join participants pa using (participant_id) join cohorts c on c.cohort_id = pa.cohort_id "
        "join establishments e on e.establishment_id = c.establishment_id order by all").fetchall()
    derived = con.execute(
        "select participant_id, phase, cohort_id, academic_year, region_code, establishment_id, gender, profile, "
        "sector, enrolled_on, cohort_start_date from scope_phase_progress order by all").fetchall()
    assert derived == expected and len(expected) > 10
    assert con.execute("select count(*) from scope_participants").fetchone() == \
        con.execute("select count(*) from participants").fetchone()
    with db.writing(path) as writer:
        writer.execute("update participants set gender = 'm' where gender = 'f'")
    con = db.reader(path).connection()
    assert con.execute("select count(*) from scope_phase_progress where gender = 'f'").fetchone() == (0,)
    assert con.execute("select count(*) from scope_participants where gender = 'f'").fetchone() == (0,)


def _age_snapshot(path) -> None:
    """Make the current snapshot look like one published by an older version of the code."""
    snapshot = db.reader(path).snapshot()
    db._readers.pop(path.resolve(), None)
    with duckdb.connect(str(snapshot)) as old:
        old.execute("drop macro table scoped_phase_progress")
        old.execute("drop table scope_phase_progress")
        old.execute("update app_meta set value = 'older' where key = 'macros_sha256'")


def test_a_snapshot_from_an_older_version_is_upgraded_when_read(tmp_path, small_db):
    """Test that a reader given a snapshot without the current macros publishes an up-to-date one."""
    path = tmp_path / "pie.duckdb"
    path.write_bytes(small_db.read_bytes())
    _age_snapshot(path)
    reader = db.reader(path)
    assert int(reader.query("kpis/indicators", as_of=None).loc[0, "participants"]) == 10  # P01-P10
    con = reader.connection()
    # rebuilt from the 23 phase_progress rows of the small programme (P01-P09; P10 has none)
    assert con.execute("select count(*) from scope_phase_progress").fetchone()[0] == 23


def test_a_read_only_process_says_how_to_upgrade_an_older_snapshot(tmp_path, small_db, monkeypatch):
    """Test that PIE_READ_ONLY=1 refuses to upgrade and says what to run on the writer."""
    path = tmp_path / "pie.duckdb"
    path.write_bytes(small_db.read_bytes())
    _age_snapshot(path)
    monkeypatch.setenv("PIE_READ_ONLY", "1")
    with pytest.raises(db.PieError, match="older version.*import"):
        db.reader(path).connection()
