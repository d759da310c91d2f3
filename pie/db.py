"""The database: schema, writers, published read-only snapshots, named queries.

DuckDB lets one process hold a file read-write and then nobody else may open it at all
(FIELD_NOTES.md). So the file of record (PIE_DB) is opened read-write only for the length
of one unit of work (`writing`), and every write that changes what pages show ends by
publishing an immutable copy under published/ and atomically switching a pointer to it.
Readers (`Reader`, the dashboard and the CLI's read commands) only ever open the current
snapshot read-only, so a running dashboard never blocks an import.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import subprocess
import sys
import threading
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator

import duckdb
import pandas as pd

from pie import answers, lake, queries, reference
from pie.config import QUERIES_DIR, published_dir_of, settings
from pie.errors import DatabaseBusy, DatabaseMissing, DatabaseNotEmpty, PieError, ReadOnly
from pie.scope import Scope

SCHEMA_VERSION = "1"
SCHEMA_FILE = lake.SCHEMA_FILE              # pie/schema.sql
MACROS_FILE = lake.MACROS_FILE              # queries/scope/macros.sql
DERIVED_FILE = QUERIES_DIR / "scope" / "derived.sql"
# Tables built from the programme tables by DERIVED_FILE (read by the scope macros).
DERIVED_TABLES = ("scope_participants", "scope_phase_progress")
SNAPSHOTS_KEPT = 3

# Programme tables in load order (parents first), exactly as in DATA_MODEL.md.
PROGRAMME_TABLES = (
    "establishments", "cohorts", "participants", "participant_contacts", "phase_progress",
    "projects", "project_members", "business_plans", "financing_decisions",
    "incubation_stages", "coaching_sessions", "companies", "loan_followups",
    "company_followups", "targets",
)
# Tables of our own design written from the pages (docs/FOLLOW_UP_ACTIONS.md), exported and
# imported like the programme tables, after them (they refer to participants).
RECORDED_TABLES = ("follow_up_actions",)
# Every table `python -m pie export` writes and `ingest` reads, in load order.
IMPORTED_TABLES = PROGRAMME_TABLES + RECORDED_TABLES


def _db_path(path: Path | str | None) -> Path:
    return Path(path) if path is not None else settings().db_path


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def install_macros(con: duckdb.DuckDBPyConnection) -> None:
    """Create or refresh the scope macros stored in the database (so snapshots carry them).

    DuckDB binds a macro's tables when it is created: on a file without the schema yet
    (before `init`) this does nothing, and `create_schema` installs them afterwards. The
    derived tables the macros read are built first when the database has none yet (a file
    made before they existed).
    """
    tables = {r[0] for r in con.execute(
        "select table_name from information_schema.tables "
        "where table_name in ('cohorts', 'app_meta', $derived)", {"derived": DERIVED_TABLES[-1]}).fetchall()}
    if "cohorts" not in tables:
        return
    if DERIVED_TABLES[-1] not in tables:
        refresh_derived(con)
    text, digest = _macros()
    # Re-creating a dozen macros costs 0.05-0.15 s on every write (each login is one): skip
    # it when the database already holds this version of the file.
    if "app_meta" in tables and con.execute(
            "select value from app_meta where key = 'macros_sha256'").fetchall() == [(digest,)]:
        return
    con.execute(text)
    if "app_meta" in tables:
        con.execute("insert into app_meta values ('macros_sha256', $digest) "
                    "on conflict (key) do update set value = excluded.value", {"digest": digest})


def _macros() -> tuple[str, str]:
    """The text of queries/scope/macros.sql and its sha256 (stored as app_meta.macros_sha256)."""
    text = MACROS_FILE.read_text(encoding="utf-8")
    return text, hashlib.sha256(text.encode()).hexdigest()


def refresh_derived(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild the derived tables (queries/scope/derived.sql) from the programme tables.

    Runs inside every writer transaction that publishes programme changes, so a snapshot's
    derived tables always match its programme tables (about 3 s at 1,000,000 participants).
    """
    con.execute(DERIVED_FILE.read_text(encoding="utf-8"))


def _macros_current(con: duckdb.DuckDBPyConnection) -> bool:
    """True when `con`'s database holds this code's scope macros (and so its derived tables),
    or has no schema at all yet."""
    tables = {r[0] for r in con.execute(
        "select table_name from information_schema.tables where table_name in "
        "('cohorts', 'app_meta', 'follow_up_actions')").fetchall()}
    if "cohorts" not in tables:
        return True
    if "follow_up_actions" not in tables:  # made before follow-up actions: a writer adds the table
        return False
    _, digest = _macros()
    return "app_meta" in tables and con.execute(
        "select value from app_meta where key = 'macros_sha256'").fetchall() == [(digest,)]


# ------------------------------------------------------------------------------ private files
# The database, its snapshots and the archived imports hold personal data: files the project
# creates are 0600 and its folders 0700 (the service account only), whatever the umask.
PRIVATE_FILE, PRIVATE_DIR = 0o600, 0o700


def private_dir(folder: Path) -> Path:
    """`folder`, created if missing (with its parents), readable by the owner only when this
    call created it or it is one of the project's own folders (published/, imports/…). A
    folder that was already there and is not ours (the database's parent, e.g. /srv/pie/data or
    a temporary folder) keeps its mode: docs/DEPLOYMENT.md says to make it 0700."""
    existed = folder.exists()
    folder.mkdir(parents=True, exist_ok=True)
    if not existed:
        os.chmod(folder, PRIVATE_DIR)
    return folder


def own_private_dir(folder: Path) -> Path:
    """A folder only the project writes in (published/, imports/, a batch's folder): 0700 always."""
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, PRIVATE_DIR)
    return folder


def private_file(path: Path) -> Path:
    """Make `path` (if it exists) readable and writable by the owner only."""
    with contextlib.suppress(FileNotFoundError):
        os.chmod(path, PRIVATE_FILE)
    return path


# ------------------------------------------------------------------------------ faults, repair
FAULT_EXIT = 86
# Writes in progress leave this marker beside the database (removed once published): a
# process that finds it when no writer holds the lock knows a writer died mid-way.
UNPUBLISHED_SUFFIX = ".unpublished"
# Functions run by every writer when it starts, holding the lock, before its own work
# (pie.ingest.archive registers the completion of an interrupted batch's archive).
REPAIRS: list[Callable[[duckdb.DuckDBPyConnection, Path], bool]] = []


def fault_point(stage: str) -> None:
    """Tests: end the process at once, like a kill, when PIE_FAULT names `stage`
    (read, check, load, derived, archive, commit, publish; docs/IMPORT.md)."""
    if stage and settings().fault == stage and not getattr(_local, "faults_off", 0):
        sys.stdout.flush()
        os._exit(FAULT_EXIT)


@contextlib.contextmanager
def faults_off() -> Iterator[None]:
    """Writes inside this block are not the stage PIE_FAULT names (an importer's look-up of
    the accounts store, whose one-time legacy check may open a writer of its own)."""
    _local.faults_off = getattr(_local, "faults_off", 0) + 1
    try:
        yield
    finally:
        _local.faults_off -= 1


def _marker(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + UNPUBLISHED_SUFFIX)


def _published_version(db_path: Path) -> int | None:
    """The data_version of the current snapshot (from its name), None when there is none."""
    try:
        name = _pointer(db_path).read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError):
        return None
    try:
        return int(name[len(db_path.stem) + 2:].split("-", 1)[0])
    except ValueError:
        return None


def _record_version(con: duckdb.DuckDBPyConnection) -> int | None:
    try:
        row = con.execute("select value from app_meta where key = 'data_version'").fetchone()
    except duckdb.CatalogException:
        return None
    return int(row[0]) if row else 0


def repair(con: duckdb.DuckDBPyConnection, db_path: Path) -> bool:
    """Bring the publication back in line with the database of record; `con` holds the
    write lock. Removes `.partial` leftovers of a killed publication, runs REPAIRS, and
    republishes when the record's data_version differs from the current snapshot's (a
    writer died between its commit and its publication). True when it published."""
    out = published_dir(db_path)
    if out.is_dir():
        for leftover in out.glob(".*.partial"):
            with contextlib.suppress(OSError):
                leftover.unlink()
    changed = False
    for fix in REPAIRS:
        changed = bool(fix(con, db_path)) or changed
    if changed:
        _bump_data_version(con)
    record = _record_version(con)
    published = False
    if record is not None and (changed or _published_version(db_path) != record) and (
            _pointer(db_path).exists() or _marker(db_path).exists() or changed):
        publish_snapshot(con, db_path)
        published = True
    with contextlib.suppress(OSError):
        _marker(db_path).unlink()
    return published


def connect_for_writing(path: Path, wait_seconds: float | None = None,
                        on_wait: Callable[[str], None] = _stderr) -> duckdb.DuckDBPyConnection:
    """Open `path` read-write, waiting up to `wait_seconds` while another writer holds it."""
    wait = settings().lock_wait_seconds if wait_seconds is None else wait_seconds
    deadline = time.monotonic() + wait
    told = False
    while True:
        try:
            con = duckdb.connect(str(path))
            private_file(path)  # DuckDB creates the file with the umask's mode
            private_file(path.with_name(path.name + ".wal"))
            return con
        except duckdb.IOException as error:
            if "lock" not in str(error).lower():
                raise PieError(key="db.error.cannot_open", path=path, detail=str(error)) from error
            if time.monotonic() >= deadline:
                raise DatabaseBusy(key="db.error.busy", path=path, seconds=f"{wait:.0f}") from error
            if not told:
                on_wait(f"{path} is locked by another writer; waiting up to {wait:.0f} s…")
                told = True
            time.sleep(0.2)


@contextlib.contextmanager
def writing(path: Path | str | None = None, *, publish: bool = True, must_exist: bool = True,
            transaction: bool = True, wait_seconds: float | None = None,
            programme_changes: bool = True, prepare_answers: bool = False,
            after_commit: list[Callable[[], None]] | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """One unit of work on the database of record, all-or-nothing when `transaction`.

    The file is held read-write only inside the block. On success, if `publish`, the derived
    tables are rebuilt (unless the caller promises `programme_changes=False`: the block writes
    no programme table, e.g. a dry-run import recording its check), the data version is bumped
    and a new snapshot is published before the lock is released; on an exception the
    transaction is rolled back and nothing is published. Functions the block appends to
    `after_commit` run after the commit, before the publication. With `prepare_answers` (an
    import), the answers the dashboards ask most are computed from the new snapshot before
    readers are switched to it (pie.answers.prepare; a file only).

    Crash consistency: a writer first repairs what a killed writer left (`repair`), and
    marks the database `.unpublished` until its own snapshot is out, so readers know.
    """
    db_path = _db_path(path)
    if lake.is_lake(db_path):  # the DuckLake backend (pie/lake.py): same promises
        with _lake_writing(db_path, publish=publish, must_exist=must_exist, transaction=transaction,
                           wait_seconds=wait_seconds, programme_changes=programme_changes,
                           after_commit=after_commit) as con:
            yield con
        return
    if publish and settings().read_only:
        raise ReadOnly(key="db.error.read_only", path=db_path)
    if must_exist and not db_path.exists():
        raise DatabaseMissing(key="db.error.missing", path=db_path)
    private_dir(db_path.parent)
    # DuckDB's file lock only keeps other processes out: connections of this process share one
    # database instance, so two threads writing at once (two logins in the dashboard) would
    # collide (catalog write-write conflict on the macros). One writer per process at a time.
    with _writer_turn(db_path, wait_seconds):
        con = connect_for_writing(db_path, wait_seconds)
        _local.writing = getattr(_local, "writing", 0) + 1
        try:
            install_macros(con)
            _migrate_import_batches(con)
            _add_missing_tables(con)
            repair(con, db_path)
            if publish:
                _marker(db_path).touch()
            if transaction:
                con.execute("begin transaction")
            purge = False
            try:
                _move_account_tables(con, db_path)
                yield con
                fault_point("load")
                if publish:
                    purge = _finish_publication(con, programme_changes)
                if transaction:
                    con.execute("commit")
                fault_point("commit")
            except BaseException:
                if transaction:
                    with contextlib.suppress(duckdb.Error):
                        con.execute("rollback")
                with contextlib.suppress(OSError):
                    _marker(db_path).unlink()
                raise
            for step in after_commit or ():
                step()
            if publish:
                if purge:  # the dropped tables' blocks are still in the file: rewrite it first
                    _rewrite(con, db_path)
                new = publish_snapshot(con, db_path, prepare_answers=prepare_answers and not purge)
                if purge:  # older snapshots still hold account tables: only the new one stays
                    _remove_old_snapshots(db_path, keep=new.name, kept=1)
                with contextlib.suppress(OSError):
                    _marker(db_path).unlink()
        finally:
            _local.writing -= 1
            con.close()


@contextlib.contextmanager
def _lake_writing(location: Path, *, publish: bool, must_exist: bool, transaction: bool,
                  wait_seconds: float | None, programme_changes: bool,
                  after_commit: list[Callable[[], None]] | None) -> Iterator[duckdb.DuckDBPyConnection]:
    """`writing` on a lake: under the lake's writer lock, the block runs on an in-memory working
    copy of the newest snapshot (pie.lake.working_copy: the schema's constraints included); on
    success the derived tables are rebuilt (when `publish` and `programme_changes`), the data
    version bumped and the changed tables committed to the lake as ONE DuckLake transaction (the
    new snapshot readers see); on an exception, or a kill before that commit, the lake is left
    as it was. Nothing is published: every commit is a snapshot."""
    if publish and settings().read_only:
        raise ReadOnly(key="db.error.read_only", path=location)
    with lake.writer_lock(location, wait_seconds, on_wait=_stderr):
        con, before = lake.working_copy(location)
        _local.writing = getattr(_local, "writing", 0) + 1
        try:
            if must_exist and not _has_table(con, "app_meta"):
                raise DatabaseMissing(key="db.error.missing", path=location)
            install_macros(con)
            _migrate_import_batches(con)
            _add_missing_tables(con)
            if _has_table(con, "app_meta"):
                changed = False
                for fix in REPAIRS:          # an interrupted import's archive (pie.ingest.archive)
                    changed = bool(fix(con, location)) or changed
                if changed:
                    _bump_data_version(con)
            if transaction:
                con.execute("begin transaction")
            forget_old = False
            try:
                yield con
                fault_point("load")
                if publish:
                    forget_old = _finish_publication(con, programme_changes)
                if transaction:
                    con.execute("commit")
            except BaseException:
                if transaction:
                    with contextlib.suppress(duckdb.Error):
                        con.execute("rollback")
                raise
            lake.commit_to_lake(con, before, half_written=lambda: fault_point("publish"), recreate=forget_old)
            fault_point("commit")
            if forget_old:  # an erasure: no older snapshot may keep the contacts
                lake.forget_old_snapshots(con)
            for step in after_commit or ():
                step()
        finally:
            _local.writing -= 1
            con.close()


def _has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return con.execute("select count(*) from duckdb_tables() where database_name = 'memory' "
                       "and schema_name = 'main' and table_name = $name", {"name": name}).fetchone()[0] > 0


# ------------------------------------------------------------------------------ migrations
# import_batches of a database made before partners' submissions: its outcome check lacks
# submitted/approved/returned and it has no review columns. DuckDB cannot alter a check, so the
# table is rebuilt (same rows) in one transaction by the first writer that finds it so.
_REVIEW_COLUMNS = ("reviewed_by", "reviewed_at", "review_comment")


def _migrate_import_batches(con: duckdb.DuckDBPyConnection) -> None:
    columns = [r[0] for r in con.execute(
        "select column_name from information_schema.columns where table_schema = 'main' "
        "and table_name = 'import_batches' order by ordinal_position").fetchall()]
    if not columns or all(c in columns for c in _REVIEW_COLUMNS):
        return
    schema = SCHEMA_FILE.read_text(encoding="utf-8")
    start = schema.index("create table if not exists import_batches")
    definition = schema[start:schema.index(");", start) + 2].replace("import_batches", "import_batches_migrated", 1)
    kept = ", ".join(columns)
    con.execute("begin transaction")
    try:
        con.execute(definition)
        con.execute(f"insert into import_batches_migrated ({kept}) select {kept} from import_batches")
        con.execute("drop table import_batches")
        con.execute("alter table import_batches_migrated rename to import_batches")
        con.execute("commit")
    except BaseException:
        with contextlib.suppress(duckdb.Error):
            con.execute("rollback")
        raise


# follow_up_actions (docs/FOLLOW_UP_ACTIONS.md) is missing from a database made before it: the
# first writer creates it, empty, from pie/schema.sql.
def _add_missing_tables(con: duckdb.DuckDBPyConnection) -> None:
    existing = {r[0] for r in con.execute(
        "select table_name from information_schema.tables where table_schema = 'main'").fetchall()}
    if "cohorts" not in existing:
        return                            # no schema yet: create_schema makes every table
    schema = SCHEMA_FILE.read_text(encoding="utf-8")
    for table in RECORDED_TABLES:
        if table not in existing:
            start = schema.index(f"create table if not exists {table}")
            con.execute(schema[start:schema.index(");", start) + 2])


# ------------------------------------------------------------------------------ account tables
# Accounts and the audit log live in their own store (pie.auth, DESIGN.md "Concurrency"); a
# database written by an older version still holds them. The first write after pie.auth is
# loaded hands their rows to it (`set_account_tables_mover`) and drops them; the next
# publication removes every older snapshot, so no published file keeps a hash or an audit row.
ACCOUNT_TABLES = ("users", "audit_log")
_PURGE_KEY = "account_tables_dropped"
_account_tables_mover: Callable[[duckdb.DuckDBPyConnection, Path], None] | None = None


def set_account_tables_mover(mover: Callable[[duckdb.DuckDBPyConnection, Path], None]) -> None:
    """Register `mover(con, db_path)`, which copies the legacy account tables' rows elsewhere
    (idempotently) inside the writer's transaction, before they are dropped."""
    global _account_tables_mover
    _account_tables_mover = mover


def account_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The legacy account tables (users, audit_log) `con`'s database still holds."""
    return [r[0] for r in con.execute(
        "select table_name from information_schema.tables where table_schema = 'main' "
        "and table_name in ('users', 'audit_log') order by table_name").fetchall()]


def _move_account_tables(con: duckdb.DuckDBPyConnection, db_path: Path) -> None:
    if _account_tables_mover is None:
        return
    present = account_tables(con)
    if not present:
        return
    _account_tables_mover(con, db_path)
    for table in present:
        con.execute(f"drop table {table}")
    con.execute("insert into app_meta values ($key, 'pending') on conflict (key) do update set value = 'pending'",
                {"key": _PURGE_KEY})


def _rewrite(con: duckdb.DuckDBPyConnection, db_path: Path) -> None:
    """Replace the file of record by a fresh copy of its content (COPY FROM DATABASE), so the
    free blocks of dropped tables — account hashes — are not copied into a snapshot. Runs
    while `con` holds the write lock; the rename is atomic."""
    con.execute("checkpoint")
    fresh = db_path.with_name(f".{db_path.name}.rewrite")
    fresh.unlink(missing_ok=True)
    name = con.execute("select current_database()").fetchone()[0]
    # a literal: DuckDB 1.5.5 (the lake's version) refuses a parameter in ATTACH
    con.execute("attach '" + str(fresh).replace("'", "''") + "' as pie_rewrite")
    try:
        con.execute(f'copy from database "{name}" to pie_rewrite')
    finally:
        con.execute("detach pie_rewrite")
    os.replace(fresh, db_path)


def _finish_publication(con: duckdb.DuckDBPyConnection, programme_changes: bool) -> bool:
    """The end of a unit of work that publishes, inside its transaction (file or lake): the
    derived tables rebuilt when programme tables changed, the data version bumped. Returns
    whether account tables were dropped or an erasure ran since the last publication (older
    copies must then go: `_take_purge_flag`)."""
    if programme_changes:
        refresh_derived(con)
    fault_point("derived")
    _bump_data_version(con)
    return _take_purge_flag(con)


def _take_purge_flag(con: duckdb.DuckDBPyConnection) -> bool:
    """True (and the flag cleared) when account tables were dropped since the last publication."""
    if con.execute("select 1 from app_meta where key = $key", {"key": _PURGE_KEY}).fetchone() is None:
        return False
    con.execute("delete from app_meta where key = $key", {"key": _PURGE_KEY})
    return True


_local = threading.local()          # .writing: this thread is inside `writing`
_writer_locks: dict[Path, threading.RLock] = {}
_writer_locks_guard = threading.Lock()


@contextlib.contextmanager
def _writer_turn(db_path: Path, wait_seconds: float | None) -> Iterator[None]:
    """Hold this process's writer lock of `db_path`, waiting at most the lock wait."""
    with _writer_locks_guard:
        lock = _writer_locks.setdefault(db_path.resolve(), threading.RLock())
    wait = settings().lock_wait_seconds if wait_seconds is None else wait_seconds
    if not lock.acquire(blocking=False):
        if not lock.acquire(timeout=max(wait, 0.0)):
            raise DatabaseBusy(key="db.error.busy_in_process", path=db_path, seconds=f"{wait:.0f}")
    try:
        yield
    finally:
        lock.release()


def _bump_data_version(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        "insert into app_meta values ('data_version', '1') on conflict (key) do update "
        "set value = cast(cast(app_meta.value as bigint) + 1 as varchar)"
    )


def publish_snapshot(con: duckdb.DuckDBPyConnection, db_path: Path, prepare_answers: bool = False) -> Path:
    """Copy the (checkpointed) file of record under published/ and point readers at it (after
    computing the dashboards' usual answers from the copy, with `prepare_answers`).

    Called while `con` holds the write lock, so no other writer changes the file mid-copy.
    Returns the new snapshot's path.
    """
    con.execute("checkpoint")
    out = own_private_dir(published_dir(db_path))
    version = con.execute("select value from app_meta where key = 'data_version'").fetchone()
    name = f"{db_path.stem}-v{int(version[0]) if version else 0:06d}-{time.time_ns()}.duckdb"
    partial = out / f".{name}.partial"
    _copy_keeping_the_lock(db_path, partial)
    private_file(partial)
    fault_point("publish")
    os.replace(partial, out / name)
    if prepare_answers:
        _prepare_answers(db_path, out / name)
    pointer_partial = out / f".{db_path.stem}.current.partial"
    pointer_partial.write_text(name, encoding="utf-8")
    private_file(pointer_partial)
    os.replace(pointer_partial, _pointer(db_path))
    _remove_old_snapshots(db_path, keep=name)
    return out / name


def _copy_keeping_the_lock(source: Path, target: Path) -> None:
    """Copy `source` (the file of record, held by this process's writer) in a child process.

    DuckDB locks the file with POSIX record locks (fcntl), which a process loses on ALL its
    descriptors of a file as soon as it closes ANY of them: a shutil.copyfile here released the
    writer's lock until the end of the unit of work, so another process could open the record
    (a read-only dashboard took a writer still at work for a dead one). A child's descriptors
    are its own."""
    try:
        subprocess.run(["cp", "--", str(source), str(target)], check=True, capture_output=True,
                       stdin=subprocess.DEVNULL)
    except subprocess.CalledProcessError as error:
        detail = error.stderr.decode(errors="replace") or str(error)
        raise PieError(key="db.error.cannot_open", path=source, detail=detail) from error
    except OSError as error:  # no `cp`
        raise PieError(key="db.error.cannot_open", path=source, detail=str(error)) from error


def _prepare_answers(db_path: Path, snapshot: Path) -> None:
    began = time.monotonic()
    pinned = PinnedReader(db_path, snapshot)
    try:
        answered, asked = answers.prepare(db_path, pinned, snapshot.name)
    finally:
        pinned.close()
    if asked:
        answers.log.info("prepared %d of %d answers of the dashboards in %.1f s", answered, asked,
                         time.monotonic() - began)


def published_dir(db_path: Path) -> Path:
    return published_dir_of(db_path)


def _pointer(db_path: Path) -> Path:
    return published_dir(db_path) / f"{db_path.stem}.current"


def _remove_old_snapshots(db_path: Path, keep: str, kept: int = SNAPSHOTS_KEPT) -> None:
    # Readers that still hold an older file keep reading it (unlink does not disturb an open
    # file); the newest few stay so a reader that just read the old pointer can still open it.
    snapshots = sorted(published_dir(db_path).glob(f"{db_path.stem}-v*.duckdb"),
                       key=lambda p: p.stat().st_mtime_ns)
    for old in snapshots[:-kept]:
        if old.name != keep:
            with contextlib.suppress(OSError):
                old.unlink()
    remaining = {p.name for p in published_dir(db_path).glob(f"{db_path.stem}-v*.duckdb")}
    answers.remove_except(db_path, remaining | {keep})


# ------------------------------------------------------------------------------ creation
def is_empty(con: duckdb.DuckDBPyConnection) -> bool:
    """True when no programme table and no account holds a row."""
    existing = {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}
    for table in (*IMPORTED_TABLES, "users"):
        if table in existing and con.execute(f'select count(*) from "{table}"').fetchone()[0]:
            return False
    return True


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create every table (idempotent), load the regions and the schema facts."""
    con.execute(SCHEMA_FILE.read_text(encoding="utf-8"))
    regions = reference.regions_frame()
    con.register("regions_frame", regions)
    con.execute("insert or replace into regions select region_code, name_fr, name_ar, "
                "population_2024, youth_15_29_2024 from regions_frame")
    con.unregister("regions_frame")
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    for key, value in (("schema_version", SCHEMA_VERSION), ("created_at", now), ("is_demo", "false"),
                       ("data_version", "0")):
        con.execute("insert into app_meta values ($key, $value) on conflict (key) do nothing",
                    {"key": key, "value": value})
    install_macros(con)


def init_database(path: Path | str | None = None, *, force: bool = False, publish: bool = True) -> Path:
    """Create an empty database with the schema and regions at `path` and publish it.

    Refuses (DatabaseNotEmpty) to touch a database that holds data unless `force`, in which
    case the old file is replaced. `publish=False` leaves readers on the previous snapshot
    (the demo rebuilds a database and publishes once, when it is full).
    """
    db_path = _db_path(path)
    if lake.is_lake(db_path):
        # one snapshot: the schema and regions; a lake holding data is emptied only if `force`
        with writing(db_path, must_exist=False) as con:
            if _has_table(con, "app_meta") and not is_empty(con):
                if not force:
                    raise DatabaseNotEmpty(key="db.error.not_empty", path=db_path)
                for (table,) in con.execute("select table_name from duckdb_tables() where "
                                            "database_name = 'memory' and schema_name = 'main'").fetchall():
                    con.execute(f'delete from memory.main."{table}"')
            create_schema(con)
        return db_path
    if db_path.exists():
        con = connect_for_writing(db_path)
        try:
            empty = is_empty(con)
        finally:
            con.close()
        if not empty and not force:
            raise DatabaseNotEmpty(key="db.error.not_empty", path=db_path)
        if force:
            # A new database starts with no account either (its store beside it goes too).
            store = settings().accounts_path(db_path)
            for stale in (db_path, db_path.with_name(db_path.name + ".wal"),
                          store, store.with_name(store.name + "-wal"), store.with_name(store.name + "-shm")):
                stale.unlink(missing_ok=True)
    with writing(db_path, must_exist=False, publish=publish) as con:
        create_schema(con)
    return db_path


def exists(path: Path | str | None = None) -> bool:
    """True when the database of record exists (a DuckDB file, or a lake `init` has made)."""
    db_path = _db_path(path)
    return lake.exists(db_path) if lake.is_lake(db_path) else db_path.exists()


@contextlib.contextmanager
def inspect(path: Path | str | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to look at the database of record (the file opened for writing, waiting
    for a writer; on a lake, its newest snapshot)."""
    db_path = _db_path(path)
    if lake.is_lake(db_path):
        with reader(db_path).connection().cursor() as cur:
            yield cur
        return
    con = connect_for_writing(db_path)
    try:
        yield con
    finally:
        con.close()


def meta(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """The app_meta facts of a connection's database as a dict."""
    return dict(con.execute("select key, value from app_meta").fetchall())


# ------------------------------------------------------------------------------ reading
class Reader:
    """Read-only access to the current published snapshot of one database.

    Thread-safe (each query runs on its own cursor). Every call checks the pointer, so a
    snapshot published by an import is used from the next query on.
    """

    def __init__(self, path: Path | str | None = None):
        self.db_path = _db_path(path)
        self._lock = threading.Lock()
        self._snapshot: Path | None = None
        self._con: duckdb.DuckDBPyConnection | None = None
        self._retired: list[duckdb.DuckDBPyConnection] = []

    REPAIR_EVERY = 2.0            # seconds between two looks at a writer's marker

    def snapshot(self) -> Path:
        """Path of the current snapshot (publishing one first if the database has none, and
        republishing when a writer died between its commit and its publication)."""
        self._check_unpublished()
        pointer = _pointer(self.db_path)
        try:
            return published_dir(self.db_path) / pointer.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            if settings().read_only:
                raise DatabaseMissing(key="db.error.no_snapshot", path=self.db_path) from None
            if not self.db_path.exists():
                raise DatabaseMissing(key="db.error.missing", path=self.db_path) from None
            with writing(self.db_path, publish=False, transaction=False) as con:
                return publish_snapshot(con, self.db_path)

    def _check_unpublished(self) -> None:
        """A writer's marker with no writer at work: the record may be newer than the
        snapshot. Take the lock (without waiting) and repair; a busy lock means a writer is
        at work and will publish. A PIE_READ_ONLY process cannot publish: it compares the
        versions (opening the record read-only) and refuses to show stale data."""
        if not _marker(self.db_path).exists() or getattr(_local, "writing", 0):
            return
        now = time.monotonic()
        if now - getattr(self, "_looked", -1e9) < self.REPAIR_EVERY:
            return
        self._looked = now
        if settings().read_only:
            try:
                con = duckdb.connect(str(self.db_path), read_only=True)
            except duckdb.Error:
                return                    # a writer holds it: it will publish
            try:
                record = _record_version(con)
            finally:
                con.close()
            if record is not None and record != _published_version(self.db_path):
                self._looked = -1e9
                raise PieError(key="db.error.unpublished", path=self.db_path)
            return
        try:
            with writing(self.db_path, publish=False, transaction=False, wait_seconds=0):
                pass                      # `writing` repairs on entry
        except (DatabaseBusy, DatabaseMissing):
            return

    def connection(self) -> duckdb.DuckDBPyConnection:
        """The read-only connection to the current snapshot (reopened when it changes)."""
        snapshot = self.snapshot()
        with self._lock:
            if snapshot != self._snapshot or self._con is None:
                con = duckdb.connect(str(snapshot), read_only=True)
                if not _macros_current(con):
                    con.close()
                    snapshot = self._upgrade()
                    con = duckdb.connect(str(snapshot), read_only=True)
                if self._con is not None:
                    # Other threads may still be running on cursors of the old one.
                    self._retired = [*self._retired[-2:], self._con]
                self._con, self._snapshot = con, snapshot
            return self._con

    def _upgrade(self) -> Path:
        """Publish a snapshot made by this code's version (a database written by an older one
        lacks the current scope macros or derived tables); the new snapshot's path."""
        if settings().read_only:
            raise PieError(key="db.error.old_snapshot", path=self.db_path)
        with writing(self.db_path):
            pass
        return self.snapshot()

    def data_version(self) -> str:
        """Identifies the snapshot's content: the key for caches of query results."""
        return self.snapshot().name

    def at(self, version: str) -> "Reader":
        """The reader answering from snapshot `version` (pie.lake.LakeReader pins it; a file's
        reader is itself: its snapshots are files switched by a pointer)."""
        return self

    def query(self, name: str, scope: Scope | None = None, **params: object) -> pd.DataFrame:
        """Run the named query for `scope` (default: everything) with extra `params`."""
        return queries.run(self, name, scope, **params)

    def meta(self) -> dict[str, str]:
        with self.connection().cursor() as cur:
            return meta(cur)


class PinnedReader(Reader):
    """A Reader of one given snapshot file, whatever the pointer says (a writer preparing the
    answers of the snapshot it is about to publish)."""

    def __init__(self, db_path: Path | str, snapshot: Path):
        super().__init__(db_path)
        self._pinned = Path(snapshot)

    def snapshot(self) -> Path:
        return self._pinned

    def close(self) -> None:
        with self._lock:
            for con in (self._con, *self._retired):
                if con is not None:
                    with contextlib.suppress(duckdb.Error):
                        con.close()
            self._con, self._retired = None, []


_readers: dict[Path | str, Reader | lake.LakeReader] = {}
_readers_lock = threading.Lock()


def reader(path: Path | str | None = None) -> Reader:
    """The process-wide Reader of a database path (a pie.lake.LakeReader for a lake)."""
    if lake.is_lake(_db_path(path)):
        location = str(_db_path(path))
        with _readers_lock:
            if location not in _readers:
                _readers[location] = lake.LakeReader(location)
            return _readers[location]  # type: ignore[return-value]
    db_path = _db_path(path).resolve()
    with _readers_lock:
        if db_path not in _readers:
            _readers[db_path] = Reader(db_path)
        return _readers[db_path]


def new_batch_id() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
