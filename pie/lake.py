"""The DuckLake backend (issue 20): the database of record as a DuckLake whose catalog is a
PostgreSQL database and whose data are Parquet files under PIE_DATA_PATH, shared by N machines.

Chosen by configuration: `PIE_DB=ducklake:postgres:dbname=… host=… port=… user=…` (or `--db`).
pie.db's public functions (`writing`, `reader`, `init_database`, `exists`, `inspect`) dispatch
to this plumbing for such a location (the writer's steps, shared with the file's, stay in
pie.db: `_lake_writing`); everything above them (queries, scope macros, importer, pages) is the
same code and the same SQL as on a DuckDB file.

- Reads: a `LakeReader` answers every query from one DuckLake snapshot, attached read-only at
  that snapshot's version in a private in-memory DuckDB whose `main` schema holds a view per lake
  table and the scope macros (queries/scope/macros.sql, unchanged). Its data version (the cache
  key) is the snapshot id, so a new import is visible at the next click on every machine, and a
  page run pinned to one version (`at`) never mixes two imports.
- Writes: a writer holds a PostgreSQL advisory lock (`writer_lock`) (one writer at a time over all machines;
  the others wait up to PIE_LOCK_WAIT_SECONDS; a killed writer's lock goes with its connection),
  copies the lake into an in-memory working copy made from pie/schema.sql (primary keys, unique
  and check constraints, which DuckLake does not support, so the importer's upserts and the
  schema's rules behave exactly as on a file), runs the caller's block there, then writes the
  tables that changed back to the lake in ONE DuckLake transaction: all-or-nothing, and a writer
  killed before that commit leaves the lake as it was.
- Extensions: DuckLake and postgres exist only for DuckDB 1.5.5 (PyPI wheels
  duckdb-extension-ducklake / -postgres, requirements-lake.txt); they are loaded from the wheel
  files, copied once into a private cache folder (the postgres one under its real name
  postgres_scanner, ../shared/FIELD_NOTES.md).
"""
from __future__ import annotations

import contextlib
import importlib
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable, Iterator

import duckdb
import pandas as pd

from pie import queries
from pie.config import PROJECT_ROOT, QUERIES_DIR, lake_catalog, settings
from pie.errors import DatabaseBusy, DatabaseMissing, PieError
from pie.scope import Scope

SCHEMA_FILE = Path(__file__).with_name("schema.sql")
MACROS_FILE = QUERIES_DIR / "scope" / "macros.sql"
LAKE_DUCKDB_VERSION = "1.5.5"
ALIAS = "lake"
# The key of the PostgreSQL advisory lock every writer of a lake holds (any constant: the lock
# is per catalog database).
WRITER_LOCK_KEY = 2026_12_05_20
UNAVAILABLE = ("needs DuckDB 1.5.5 and the extension wheels (duckdb-extension-ducklake, "
               "duckdb-extension-postgres, psycopg: requirements-lake.txt)")


def is_lake(location: object) -> bool:
    """True when `location` (PIE_DB, a `--db` value, a Path made of one) names a DuckLake."""
    return location is not None and lake_catalog(str(location)) is not None


def unavailable_reason() -> str | None:
    """Why this Python cannot open a lake (None when it can)."""
    if duckdb.__version__ != LAKE_DUCKDB_VERSION:
        return f"{UNAVAILABLE}; this is DuckDB {duckdb.__version__}"
    for module in ("duckdb_extension_ducklake", "duckdb_extension_postgres", "psycopg"):
        try:
            importlib.import_module(module)
        except ImportError:
            return f"{UNAVAILABLE}; {module} is not installed"
    return None


def _require() -> None:
    reason = unavailable_reason()
    if reason:
        raise PieError(key="db.error.lake_unavailable", detail=reason)


_extensions_lock = threading.Lock()
_extension_files: dict[str, Path] = {}


def _extension_file(name: str, module: str) -> Path:
    """The extension's file in the private cache folder (copied from its wheel once)."""
    with _extensions_lock:
        if name not in _extension_files:
            package = importlib.import_module(module)
            source = next(Path(package.__path__[0]).rglob("*.duckdb_extension"))
            cache = Path(tempfile.gettempdir()) / f"pie-duckdb-extensions-{os.getuid()}" / duckdb.__version__
            cache.mkdir(parents=True, exist_ok=True)
            os.chmod(cache.parent, 0o700)
            target = cache / f"{name}.duckdb_extension"
            if not target.exists() or target.stat().st_size != source.stat().st_size:
                partial = cache / f".{name}.{os.getpid()}.partial"
                shutil.copyfile(source, partial)
                os.replace(partial, target)
            _extension_files[name] = target
        return _extension_files[name]


def load_extensions(con: duckdb.DuckDBPyConnection) -> None:
    """Load postgres (as postgres_scanner, its real name) and ducklake from the wheels' files."""
    _require()
    for name, module in (("postgres_scanner", "duckdb_extension_postgres"),
                         ("ducklake", "duckdb_extension_ducklake")):
        con.execute(f"load '{_extension_file(name, module)}'")


def catalog_of(location: object) -> str:
    catalog = lake_catalog(str(location))
    if catalog is None:
        raise ValueError(f"not a DuckLake location: {location}")
    return catalog


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def attach(con: duckdb.DuckDBPyConnection, location: object, *, snapshot: int | None = None,
           read_only: bool = False, create: bool = False, alias: str = ALIAS) -> None:
    """Attach the lake as `alias`: read-write at its newest snapshot, or read-only at `snapshot`.
    `create`: the catalog holds no lake yet; its data path is then PIE_DATA_PATH (default
    `data/lake/` of the project), which the catalog keeps: later attaches use the stored one
    (DuckLake refuses another), so every machine must see the data at the same path."""
    options = []
    if create:
        data_path = settings().data_path or str(PROJECT_ROOT / "data" / "lake")
        if "://" not in data_path:
            Path(data_path).mkdir(parents=True, exist_ok=True)
        options.append(f"data_path {_quote(data_path.rstrip('/') + '/')}")
    if snapshot is not None:
        options += [f"snapshot_version {int(snapshot)}", "read_only"]
    elif read_only:
        options.append("read_only")
    con.execute(f"attach {_quote('ducklake:postgres:' + catalog_of(location))} as {alias}"
                + (f" ({', '.join(options)})" if options else ""))


def _pg(location: object):
    import psycopg
    try:
        return psycopg.connect(catalog_of(location), autocommit=True, connect_timeout=10)
    except psycopg.OperationalError as error:
        raise PieError(key="db.error.cannot_open", path=location, detail=str(error).strip()) from error


def current_snapshot(pg) -> int | None:
    """The newest snapshot id of the lake whose catalog `pg` (a psycopg connection) holds; None
    when the catalog holds no lake yet (or a lake without the PIE schema: see `exists`)."""
    row = pg.execute("select to_regclass('ducklake_snapshot') is not null").fetchone()
    if not row[0]:
        return None
    return pg.execute("select max(snapshot_id) from ducklake_snapshot").fetchone()[0]


def exists(location: object) -> bool:
    """True when the lake holds the PIE schema (app_meta), i.e. `init` ran on it."""
    _require()
    with contextlib.closing(_pg(location)) as pg:
        if current_snapshot(pg) is None:
            return False
        return pg.execute("select count(*) from ducklake_table where table_name = 'app_meta' "
                          "and end_snapshot is null").fetchone()[0] > 0


# ------------------------------------------------------------------------------ reading
SNAPSHOT_PREFIX = "lake-snapshot-"


def version_name(snapshot: int) -> str:
    return f"{SNAPSHOT_PREFIX}{snapshot:09d}"


def snapshot_of(version: str) -> int:
    return int(version[len(SNAPSHOT_PREFIX):])


def _snapshot_connection(location: object, snapshot: int) -> duckdb.DuckDBPyConnection:
    """A private in-memory DuckDB with the lake attached read-only at `snapshot`, a view in
    `main` per lake table and the scope macros over them (so queries run unchanged)."""
    con = duckdb.connect()
    try:
        load_extensions(con)
        attach(con, location, snapshot=snapshot)
        # duckdb_tables(), not information_schema (which costs a second on a lake)
        tables = [r[0] for r in con.execute(
            "select table_name from duckdb_tables() where database_name = $alias "
            "and schema_name = 'main' order by 1", {"alias": ALIAS}).fetchall()]
        for table in tables:
            con.execute(f'create view main."{table}" as select * from {ALIAS}.main."{table}"')
        if "cohorts" in tables:
            con.execute(MACROS_FILE.read_text(encoding="utf-8"))
        return con
    except BaseException:
        con.close()
        raise


class LakeReader:
    """Read access to one lake, the twin of pie.db.Reader: `connection()` (the newest snapshot),
    `data_version()` (its name, the key of cached answers), `at(version)` (a reader pinned to one
    snapshot), `query`, `meta`. Thread-safe."""

    CONNECTIONS_KEPT = 3

    def __init__(self, location: str, snapshot: int | None = None, parent: "LakeReader | None" = None):
        self.db_path = location      # str: the cache key and what pie.db.reader() maps back
        self._pinned = snapshot
        self._parent = parent
        self._lock = threading.Lock()
        self._pg = None
        self._connections: dict[int, duckdb.DuckDBPyConnection] = {}

    def snapshot_id(self) -> int:
        """The snapshot this reader answers from: its pinned one, else the lake's newest."""
        if self._pinned is not None:
            return self._pinned
        _require()
        with self._lock:
            for attempt in (1, 2):
                try:
                    if self._pg is None or self._pg.closed:
                        self._pg = _pg(self.db_path)
                    found = current_snapshot(self._pg)
                    break
                except Exception:  # noqa: BLE001 - a dropped connection: reconnect once
                    with contextlib.suppress(Exception):
                        self._pg.close()
                    self._pg = None
                    if attempt == 2:
                        raise
        if found is None:
            raise DatabaseMissing(key="db.error.missing", path=self.db_path)
        return found

    def data_version(self) -> str:
        return version_name(self.snapshot_id())

    def snapshot(self) -> str:
        return self.data_version()

    def at(self, version: str) -> "LakeReader":
        """A reader of the same lake pinned to snapshot `version` (a `data_version()` value)."""
        owner = self._parent or self
        return LakeReader(self.db_path, snapshot_of(version), parent=owner)

    def connection(self) -> duckdb.DuckDBPyConnection:
        owner = self._parent or self
        return owner._connection_at(self.snapshot_id())

    def _connection_at(self, snapshot: int) -> duckdb.DuckDBPyConnection:
        with self._lock:
            con = self._connections.get(snapshot)
            if con is None:
                con = _snapshot_connection(self.db_path, snapshot)
                self._connections[snapshot] = con
                # Older connections are dropped, not closed: threads may still run on their cursors.
                for old in sorted(self._connections)[:-self.CONNECTIONS_KEPT]:
                    self._connections.pop(old)
            return con

    def query(self, name: str, scope: Scope | None = None, **params: object) -> pd.DataFrame:
        return queries.run(self, name, scope, **params)

    def meta(self) -> dict[str, str]:
        with self.connection().cursor() as cur:
            return dict(cur.execute("select key, value from app_meta").fetchall())


# ------------------------------------------------------------------------------ writing
_turns: dict[str, threading.RLock] = {}
_turns_guard = threading.Lock()


@contextlib.contextmanager
def writer_lock(location: object, wait_seconds: float | None = None,
                on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the lake's writer lock: this process's turn (threads), then the PostgreSQL advisory
    lock (processes and machines), waiting up to `wait_seconds` (PIE_LOCK_WAIT_SECONDS)."""
    wait = settings().lock_wait_seconds if wait_seconds is None else wait_seconds
    with _turns_guard:
        turn = _turns.setdefault(str(location), threading.RLock())
    acquired = turn.acquire(timeout=wait) if wait > 0 else turn.acquire(blocking=False)
    if not acquired:
        raise DatabaseBusy(key="db.error.busy_in_process", path=location, seconds=f"{wait:.0f}")
    try:
        pg = _pg(location)
        try:
            deadline = time.monotonic() + wait
            told = False
            while not pg.execute("select pg_try_advisory_lock(%s)", (WRITER_LOCK_KEY,)).fetchone()[0]:
                if time.monotonic() >= deadline:
                    raise DatabaseBusy(key="db.error.busy", path=location, seconds=f"{wait:.0f}")
                if not told and on_wait is not None:
                    on_wait(f"the lake is being written by another writer; waiting up to {wait:.0f} s…")
                    told = True
                time.sleep(0.2)
            yield
        finally:
            pg.close()              # ends the session: PostgreSQL releases the advisory lock
    finally:
        turn.release()


def _lake_tables(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """The lake's tables and their columns, in order."""
    found: dict[str, list[str]] = {}
    for table, column in con.execute(
            "select table_name, column_name from duckdb_columns() where database_name = $alias "
            "and schema_name = 'main' order by table_name, column_index", {"alias": ALIAS}).fetchall():
        found.setdefault(table, []).append(column)
    return found


def _local_tables(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for table, column in con.execute(
            "select c.table_name, c.column_name from duckdb_columns() as c join duckdb_tables() as t "
            "on t.table_oid = c.table_oid where t.database_name = 'memory' and t.schema_name = 'main' "
            "and not t.temporary order by c.table_name, c.column_index").fetchall():
        found.setdefault(table, []).append(column)
    return found


def _fingerprints(con: duckdb.DuckDBPyConnection, tables: list[str]) -> dict[str, tuple]:
    """Per table, its row count and the sum of its rows' hashes: what tells a changed table."""
    return {table: con.execute(
        f'select count(*), coalesce(sum(hash(t)::hugeint), 0) from memory.main."{table}" as t').fetchone()
        for table in tables}


def working_copy(location: object, snapshot: int | None = None) -> tuple[duckdb.DuckDBPyConnection, dict[str, tuple]]:
    """An in-memory DuckDB holding the lake's newest snapshot (or `snapshot`, attached read-only:
    a partner batch's preview) in tables made from pie/schema.sql (with their constraints), the
    lake attached as `lake`; and the tables' fingerprints."""
    with contextlib.closing(_pg(location)) as pg:
        new = current_snapshot(pg) is None
    con = duckdb.connect()
    try:
        load_extensions(con)
        attach(con, location, create=new and snapshot is None, snapshot=snapshot)
        lake_tables = _lake_tables(con)
        if "app_meta" in lake_tables:
            con.execute(SCHEMA_FILE.read_text(encoding="utf-8"))
        local = _local_tables(con)
        for table in lake_tables:
            if table in local:
                common = ", ".join(f'"{c}"' for c in lake_tables[table] if c in local[table])
                con.execute(f'insert into memory.main."{table}" ({common}) select {common} from {ALIAS}.main."{table}"')
            else:
                con.execute(f'create table memory.main."{table}" as select * from {ALIAS}.main."{table}"')
        if "cohorts" in lake_tables:
            # the lake holds no macro (app_meta's macros_sha256 may say otherwise): create them here
            con.execute(MACROS_FILE.read_text(encoding="utf-8"))
        return con, _fingerprints(con, list(_local_tables(con)))
    except BaseException:
        con.close()
        raise


def forget_old_snapshots(con: duckdb.DuckDBPyConnection) -> None:
    """Expire every snapshot but the newest and delete the files only they used: after an
    erasure (Law 09-08, docs/PRIVACY.md) no older snapshot may still hold the erased contacts.
    Run by the writer, on the lake attached read-write as ALIAS, after its commit. A page run
    pinned to an expired snapshot fails once and the next click reads the new one."""
    con.execute(f"call ducklake_expire_snapshots({_quote(ALIAS)}, older_than => now() + interval 1 second)")
    con.execute(f"call ducklake_cleanup_old_files({_quote(ALIAS)}, cleanup_all => true)")


def commit_to_lake(con: duckdb.DuckDBPyConnection, before: dict[str, tuple],
                   half_written: Callable[[], None] = lambda: None, recreate: bool = False) -> list[str]:
    """Write the working copy's changed tables to the lake in one DuckLake transaction (a new
    snapshot); nothing when nothing changed. Returns the tables written. `half_written` is
    called with half the tables written (pie.db's fault point "publish", for the tests).
    `recreate`: each changed table is dropped and created anew rather than emptied and refilled —
    DuckLake keeps a table's column statistics (the min and max of its text columns: names,
    phones) across deletes, and only a new table starts without an erased person's values."""
    local = _local_tables(con)
    after = _fingerprints(con, list(local))
    lake_tables = _lake_tables(con)
    changed = [t for t in local if t not in lake_tables or before.get(t) != after[t]
               or lake_tables[t] != local[t]]
    if not changed:
        return []
    con.execute("begin transaction")
    try:
        for number, table in enumerate(changed):
            if table in lake_tables and lake_tables[table] == local[table] and not recreate:
                con.execute(f'delete from {ALIAS}.main."{table}"')
                con.execute(f'insert into {ALIAS}.main."{table}" select * from memory.main."{table}"')
            else:
                if table in lake_tables:
                    con.execute(f'drop table {ALIAS}.main."{table}"')
                con.execute(f'create table {ALIAS}.main."{table}" as select * from memory.main."{table}"')
            if number == len(changed) // 2:
                half_written()
        con.execute("commit")
    except BaseException:
        with contextlib.suppress(duckdb.Error):
            con.execute("rollback")
        raise
    return changed
