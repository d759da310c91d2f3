"""The DuckLake backend (issue 20): the same figures, pages, imports and guarantees as on a file.

A throwaway PostgreSQL on loopback holds the catalogs (fixture `postgres`); each lake's Parquet
files go to a temporary folder. The lake tests need DuckDB 1.5.5 and its extension wheels: they
run in .venv-lake (scripts/test.sh runs `pytest -m lake` there) and skip, saying so, elsewhere.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from conftest import FIXTURES, PROJECT_ROOT, build_small_programme
from pie import db, ingest, kpis, lake
from pie.scope import Scope

REASON = "needs DuckDB 1.5.5 and the extension wheels: run in .venv-lake by scripts/test.sh"


def lake_test(function):
    """A test on a lake: marked `lake`, skipped (saying why) without DuckDB 1.5.5 and its wheels."""
    return pytest.mark.lake(pytest.mark.skipif(lake.unavailable_reason() is not None, reason=REASON)(function))


REGISTERS = FIXTURES / "imports" / "registers"
LAKE_PINS = {"duckdb==1.5.5", "duckdb-extension-ducklake==1.5.5", "duckdb-extension-postgres==1.5.5",
             "psycopg[binary]==3.3.9"}


def _requirements(name: str) -> list[str]:
    lines = (PROJECT_ROOT / name).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def test_requirements_lake_is_requirements_with_the_lake_pins():
    """Test that requirements-lake.txt is requirements.txt with DuckDB 1.5.5, its two extension
    wheels and psycopg instead of duckdb==2.0.0, so the two lists never drift apart."""
    lake_lines = _requirements("requirements-lake.txt")
    main_lines = _requirements("requirements.txt")
    assert LAKE_PINS <= set(lake_lines)
    assert [line for line in lake_lines if line not in LAKE_PINS] == [
        line for line in main_lines if line != "duckdb==2.0.0"]
    assert "duckdb==2.0.0" in main_lines


def test_a_lake_location_is_recognised_and_refused_without_the_wheels():
    """Test that a `ducklake:postgres:` location is a lake (not a file path) on every version."""
    location = "ducklake:postgres:dbname=pie host=127.0.0.1 port=5432 user=pie"
    assert lake.is_lake(location) and lake.is_lake(Path(location))
    assert not lake.is_lake("data/pie.duckdb") and not lake.is_lake(None)
    if lake.unavailable_reason() is not None:
        from pie.errors import PieError
        with pytest.raises(PieError) as refused:
            db.exists(location)
        assert refused.value.key == "db.error.lake_unavailable"


# ------------------------------------------------------------------------------ fixtures
@pytest.fixture(scope="module")
def lake_env(postgres, tmp_path_factory):
    """PIE_STATE_DIR for the module's lakes (each lake gets its own data path: `new_lake`)."""
    folder = tmp_path_factory.mktemp("lake")
    saved = {key: os.environ.get(key) for key in ("PIE_DATA_PATH", "PIE_STATE_DIR", "PIE_READ_ONLY")}
    os.environ["PIE_STATE_DIR"] = str(folder / "state")
    os.environ.pop("PIE_READ_ONLY", None)
    yield folder
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def new_lake(postgres, folder: Path) -> str:
    """A fresh, empty catalog database, made the configured lake's: its files will go to
    `folder`/<its name>/data, its imports/ and accounts store to `folder`/<its name>/state."""
    name = postgres.create_database()
    location = "ducklake:postgres:" + postgres.libpq(name)
    _folders[location] = folder / name
    return use_lake(location)


_folders: dict[str, Path] = {}


def use_lake(location: str) -> str:
    """Point PIE_DATA_PATH and PIE_STATE_DIR at `location`'s own folders (made by `new_lake`)."""
    os.environ["PIE_DATA_PATH"] = str(_folders[location] / "data")
    os.environ["PIE_STATE_DIR"] = str(_folders[location] / "state")
    return location


@pytest.fixture(scope="module")
def small_lake(postgres, lake_env) -> str:
    """The small hand-made programme (tests/fixtures/small_programme.sql) on a lake (tests
    using it call `use_lake(small_lake)` first: other tests make lakes of their own)."""
    return build_small_programme(new_lake(postgres, lake_env))


def cli(location: str, *args: str, fault: str = "", **env: str) -> subprocess.CompletedProcess:
    full_env = {key: value for key, value in os.environ.items() if key != "PIE_PASSWORD"}
    full_env.update({"PIE_DB": location, "PIE_FAULT": fault, **env})
    return subprocess.run([sys.executable, "-m", "pie", *args], cwd=PROJECT_ROOT, env=full_env,
                          capture_output=True, text=True, timeout=180, stdin=subprocess.DEVNULL)


# ------------------------------------------------------------------------------ figures
ROLES = [("admin", None), ("manager", None), ("leadership", None), ("bank", "BOA"), ("bank", "CAM"),
         ("incubator", "MCISE"), ("establishment", "E1"), ("establishment", "E2")]


def kpi_matrix(location) -> dict[str, dict]:
    """Every indicator for every role of the test programme and every year and region filter
    (scripts/kpis_matrix.py's matrix, with the establishment accounts)."""
    reader = db.reader(location)
    years = [None, *sorted(reader.query("filters/academic_years", Scope())["academic_year"])]
    regions = [None, *sorted(reader.query("filters/regions", Scope())["region_code"])]
    found = {}
    for year in years:
        for region in regions:
            for role, code in ROLES:
                scope = Scope.for_role(role, code).with_filters(academic_year=year, region_code=region)
                found[f"{role}:{code} {year} {region}"] = kpis.compute(reader, scope)
    return found


@lake_test
def test_every_indicator_is_the_same_on_the_file_and_on_the_lake(small_db, small_lake, lake_env):
    """Test that every indicator, for every role and filter of the hand-made programme, is the
    same to the last figure on the DuckDB file and on the lake (and that the lake is one)."""
    use_lake(small_lake)
    assert lake.is_lake(small_lake) and isinstance(db.reader(small_lake), lake.LakeReader)
    on_file, on_lake = kpi_matrix(small_db), kpi_matrix(small_lake)
    assert len(on_file) >= len(ROLES) * 4
    assert on_lake == on_file
    assert on_lake["admin:None None None"]["participants"] == 10   # the hand-counted programme


@lake_test
def test_the_cli_kpis_and_export_read_the_lake(small_db, small_lake, tmp_path):
    """Test that `kpis --json` gives the file's figures on the lake, and `export` writes its rows."""
    use_lake(small_lake)
    for filters in ([], ["--year", "2021-2022"], ["--region", "09"]):
        on_lake = cli(small_lake, "kpis", "--json", *filters)
        on_file = cli(str(small_db), "kpis", "--json", *filters)
        assert on_lake.returncode == 0, on_lake.stderr[-2000:]
        assert json.loads(on_lake.stdout) == json.loads(on_file.stdout)
    # the lake's `kpis --json` against METRICS.md (tools/check_contracts.py reads a DuckDB file for
    # the tables: the file the lake was compared with above)
    (tmp_path / "kpis.json").write_text(on_lake.stdout, encoding="utf-8")
    contracts = PROJECT_ROOT.parent / "shared" / "tools" / "check_contracts.py"
    if contracts.exists():
        checked = subprocess.run([sys.executable, str(contracts), "--db", str(small_db),
                                  "--kpis-json", str(tmp_path / "kpis.json")], capture_output=True, text=True)
        assert checked.returncode == 0, checked.stdout + checked.stderr
    exported = cli(small_lake, "export", str(tmp_path / "out"))
    assert exported.returncode == 0, exported.stderr[-2000:]
    rows = (tmp_path / "out" / "participants.csv").read_text(encoding="utf-8-sig").strip().splitlines()
    assert len(rows) - 1 == 10


# ------------------------------------------------------------------------------ snapshots
@lake_test
def test_a_reader_pinned_to_a_snapshot_keeps_it_while_a_write_commits(postgres, lake_env):
    """Test that a reader pinned to a data version answers from that snapshot after a writer
    committed, while the unpinned reader sees the new one at the next call."""
    location = build_small_programme(new_lake(postgres, lake_env))
    reader = db.reader(location)
    before = reader.data_version()
    pinned = reader.at(before)
    with db.writing(location) as con:
        con.execute("insert into cohorts values ('C9', 'E3', '2022-2023', '2022-10-17', 'in_person')")
        con.execute("insert into participants values ('P91', 'C9', 'f', 2002, 'trainee', 'health', '2022-10-17')")
    after = reader.data_version()
    assert after != before
    assert kpis.compute(pinned, Scope())["participants"] == 10
    assert kpis.compute(reader, Scope())["participants"] == 11
    assert kpis.compute(reader.at(after), Scope())["participants"] == 11


@lake_test
def test_a_failed_write_leaves_the_lake_as_it_was(postgres, lake_env):
    """Test that an exception inside `writing` commits nothing: same snapshot, same rows."""
    location = build_small_programme(new_lake(postgres, lake_env))
    reader = db.reader(location)
    before = reader.data_version()
    with pytest.raises(RuntimeError):
        with db.writing(location) as con:
            con.execute("delete from participants")
            raise RuntimeError("stop")
    assert reader.data_version() == before
    assert kpis.compute(reader, Scope())["participants"] == 10


@lake_test
def test_the_schema_rules_hold_on_the_lake(postgres, lake_env):
    """Test that a primary key and a check of pie/schema.sql are enforced on a lake's writes
    (DuckLake has no constraints: the working copy carries them)."""
    import duckdb
    location = build_small_programme(new_lake(postgres, lake_env))
    with pytest.raises(duckdb.ConstraintException):
        with db.writing(location) as con:
            con.execute("insert into cohorts values ('C1', 'E1', '2021-2022', '2021-10-01', 'in_person')")
    with pytest.raises(duckdb.ConstraintException):
        with db.writing(location) as con:
            con.execute("insert into cohorts values ('C8', 'E1', '2021-2023', '2021-10-01', 'in_person')")
    assert kpis.compute(db.reader(location), Scope())["participants"] == 10


# ------------------------------------------------------------------------------ imports
def _batches(location: str) -> list[str]:
    listed = cli(location, "batches", "--json")
    assert listed.returncode == 0, listed.stderr[-2000:]
    return [batch["outcome"] for batch in json.loads(listed.stdout)]


@lake_test
@pytest.mark.parametrize("stage", ["publish", "commit"])
def test_an_import_killed_mid_way_leaves_the_lake_as_before(postgres, lake_env, stage):
    """Test that an import killed half-way through writing the lake's tables (before the
    DuckLake commit) leaves the lake as it was, one killed just after the commit leaves the whole
    batch, and the next import works."""
    location = new_lake(postgres, lake_env)
    db.init_database(location)
    before = db.reader(location).data_version()
    killed = cli(location, "ingest", str(REGISTERS), "--user", "amina", "--json", fault=stage)
    assert killed.returncode == db.FAULT_EXIT, killed.stderr[-2000:]
    committed = stage == "commit"
    assert (db.reader(location).data_version() != before) == committed
    assert [batch["outcome"] for batch in ingest.history(location)] == (["accepted"] if committed else [])
    assert kpis.compute(db.reader(location), Scope())["participants"] == (10 if committed else 0)
    again = cli(location, "ingest", str(REGISTERS), "--user", "amina", "--json")
    assert again.returncode == 0, again.stderr[-2000:]
    assert json.loads(again.stdout)["outcome"] == "accepted"
    assert kpis.compute(db.reader(location), Scope())["participants"] == 10


def cli_init(postgres, folder: Path) -> str:
    """A new lake made by `python -m pie init` (with its first admin)."""
    location = new_lake(postgres, folder)
    made = cli(location, "init", PIE_PASSWORD="correct horse battery staple")
    assert made.returncode == 0, made.stderr[-2000:]
    assert db.exists(location)
    return location


@lake_test
def test_two_imports_at_once_both_land(postgres, lake_env, tmp_path):
    """Test that two imports started at the same time by two processes both land: one waits for
    the other's writer lock, nothing is lost."""
    location = cli_init(postgres, lake_env)
    first = tmp_path / "first"
    second = tmp_path / "second"
    first.mkdir()
    second.mkdir()
    for name in ("establishments.csv", "cohorts.csv"):
        (first / name).write_bytes((REGISTERS / name).read_bytes())
    (second / "establishments.csv").write_text(
        "establishment_id,name,kind,region_code,city,pie_launch_date\nE7,ISTA Tanger,ista,01,Tanger,2022-10-01\n",
        encoding="utf-8")
    env = {**os.environ, "PIE_DB": location, "PIE_FAULT": ""}
    processes = [subprocess.Popen([sys.executable, "-m", "pie", "ingest", str(folder), "--user", "amina", "--json"],
                                  cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True) for folder in (first, second)]
    outputs = [process.communicate(timeout=180) for process in processes]
    for process, (out, err) in zip(processes, outputs):
        assert process.returncode == 0, err[-2000:]
        assert json.loads(out)["outcome"] == "accepted"
    assert _batches(location) == ["accepted", "accepted"]
    with db.reader(location).connection().cursor() as cur:
        establishments = [r[0] for r in cur.execute("select establishment_id from establishments order by 1").fetchall()]
        cohorts = cur.execute("select count(*) from cohorts").fetchone()[0]
    registered = len((REGISTERS / "cohorts.csv").read_text(encoding="utf-8-sig").strip().splitlines()) - 1
    assert establishments == ["E1", "E2", "E3", "E7"] and cohorts == registered == 3   # E1-E3, C1-C3: the registers


@lake_test
def test_writers_of_one_process_and_of_two_take_turns(postgres, lake_env):
    """Test that threads writing at once each add their row (the writer lock serialises them)."""
    location = build_small_programme(new_lake(postgres, lake_env))
    errors: list[BaseException] = []

    def add(number: int) -> None:
        try:
            with db.writing(location) as con:
                con.execute("insert into cohorts values ($id, 'E3', '2022-2023', '2022-10-17', 'online')",
                            {"id": f"T{number}"})
        except BaseException as error:  # noqa: BLE001 - collected for the assertion
            errors.append(error)

    threads = [threading.Thread(target=add, args=(n,)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with db.reader(location).connection().cursor() as cur:
        assert cur.execute("select count(*) from cohorts where cohort_id like 'T%'").fetchone()[0] == 3



# ------------------------------------------------------------------------------ pages
def _page_figures(monkeypatch, database, account: str, pages: list[str]) -> dict[str, list[str]]:
    """The KPI cards of every page of `account`'s role on `database`, each page run without error."""
    from apptest_support import dashboard
    import streamlit as st
    st.cache_data.clear()
    st.cache_resource.clear()
    at = dashboard(monkeypatch, database, account=account)
    assert not at.exception, [e.value for e in at.exception]
    figures = {}
    for path in pages:
        at.switch_page(path).run()
        assert not at.exception, (path, [e.value for e in at.exception])
        figures[path] = [card.value for card in at.metric]
    return figures


@lake_test
@pytest.mark.parametrize("account", ["admin", "leadership", "boa", "mcise", "cmc09"])
def test_every_page_of_every_role_shows_the_files_figures_on_the_lake(monkeypatch, small_lake, programme_db,
                                                                       account):
    """Test that each role opens each of its pages on the lake without error, with the KPI cards
    of the same pages on the DuckDB file."""
    from apptest_support import ACCOUNTS
    from pie import auth
    from test_roles import PAGES_OF_ROLE
    use_lake(small_lake)
    monkeypatch.setitem(ACCOUNTS, "cmc09", auth.User("cmc09", "establishment", "E1"))
    pages = PAGES_OF_ROLE[ACCOUNTS[account].role]
    on_lake = _page_figures(monkeypatch, small_lake, account, pages)
    on_file = _page_figures(monkeypatch, programme_db, account, pages)
    assert on_lake == on_file
    assert any(on_lake.values())              # some page of the role shows KPI cards


# ------------------------------------------------------------------------------ partners' batches
@lake_test
def test_a_partners_batch_is_previewed_then_approved_on_the_lake(postgres, lake_env, tmp_path):
    """Test that BOA's batch (tests/test_submissions.py's) is submitted without touching the
    lake's figures, previewed (before → after) and, once approved, in one snapshot with its
    derived tables: BOA's financed projects go from 1 to 2."""
    from pie.ingest import submissions
    from test_submissions import BOA_FINANCED, BOA_NEW, DECISIONS
    location = build_small_programme(new_lake(postgres, lake_env))
    from pie import auth
    for name, role, scope in (("amina", "manager", None), ("boa", "bank", "BOA")):
        auth.add_user(location, name, role, "unused-password", scope, _demo=True)
    (tmp_path / "boa").mkdir()
    (tmp_path / "boa" / "financing_decisions.csv").write_text(DECISIONS + BOA_NEW, encoding="utf-8")
    boa = Scope.for_role("bank", "BOA")
    report = ingest.ingest([tmp_path / "boa"], location, user="boa")
    assert report.outcome == "submitted"
    assert kpis.compute(db.reader(location), boa)["projects_financed"] == BOA_FINANCED
    preview = submissions.preview(location, report.batch_id)
    assert preview["figures"]["projects_financed"] == {"before": BOA_FINANCED, "after": BOA_FINANCED + 1}
    approved = submissions.approve(location, report.batch_id, "amina")
    assert approved.outcome == "approved"
    assert kpis.compute(db.reader(location), boa)["projects_financed"] == BOA_FINANCED + 1


@lake_test
def test_an_erasure_leaves_no_snapshot_file_or_catalog_row_with_the_contacts(postgres, lake_env, tmp_path):
    """Test that erasing a person on a lake (Law 09-08) keeps the figures and leaves their contacts
    nowhere: not in the current snapshot, not in an older one's Parquet files (expired and deleted),
    not in the catalog's PostgreSQL (small tables are stored inline there), not in the archived
    import files of PIE_STATE_DIR."""
    from pie.privacy import erasure
    location = build_small_programme(new_lake(postgres, lake_env))
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "participant_contacts.csv").write_text(
        "participant_id,full_name,national_id,phone,email\n"
        "P01,Fatima Zahra El Amrani,J123456,+212612345678,fz.elamrani@example.ma\n", encoding="utf-8")
    assert ingest.ingest([tmp_path / "in"], location).accepted   # one more snapshot holding P01
    before = kpis.compute(db.reader(location), Scope())
    [done] = erasure.erase(location, ["P01"], "request")
    assert done["contacts"] == 1 and len(done["archived_files"]) == 1
    assert kpis.compute(db.reader(location), Scope()) == before
    p01 = ("Fatima Zahra El Amrani", "J123456", "+212612345678", "fz.elamrani@example.ma")
    import duckdb
    files = [f for f in Path(os.environ["PIE_DATA_PATH"]).rglob("*.parquet")]
    assert files
    for file in files:
        text = str(duckdb.connect().execute("select * from read_parquet($f)", {"f": str(file)}).fetchall())
        assert not any(value in text for value in p01), file.name
    dbname = location.split("dbname=")[1].split()[0]
    dump = subprocess.run(["pg_dump", "-h", postgres.host, "-p", str(postgres.port), "-U", postgres.user,
                           dbname], capture_output=True, check=True).stdout
    current = None
    leaks = []
    for line in dump.decode().splitlines():
        if line.startswith("COPY"):
            current = line.split(" (")[0]
        elif any(value in line for value in p01):
            leaks.append(current)
    assert not leaks, leaks
    archived = Path(os.environ["PIE_STATE_DIR"]) / done["archived_files"][0]
    assert "[effacé]" in archived.read_text(encoding="utf-8")
