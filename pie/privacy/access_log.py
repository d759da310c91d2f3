"""The access log of contact data (Law 09-08, docs/PRIVACY.md): who saw or downloaded which
participants' contacts, when, where, how many.

Rows go to the `contact_access` table of the accounts store (pie.auth, beside the database of
record). A page never waits for SQLite: `record` puts the row on a queue and returns; one
background thread writes what is queued in batches (one transaction per batch, at most every
FLUSH_SECONDS). `flush` waits until everything queued is written (tests, the CLI, exit).
The CLI's own rows (export, erase) are written with `wait=True`.
"""
from __future__ import annotations

import atexit
import json
import queue
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable

from pie import auth
from pie.config import settings

ACTIONS = ("view", "download", "reveal", "export")
COLUMNS = ("occurred_at", "user_name", "role", "action", "target", "people", "participant_ids")
FLUSH_SECONDS = 0.2   # the writer gathers what arrives within this window into one transaction
BATCH_MAX = 500

ENABLED = True        # tests and the benchmark switch logging off to measure its cost


@dataclass(frozen=True)
class Access:
    db_path: Path
    occurred_at: str
    user_name: str | None
    role: str | None
    action: str
    target: str
    participant_ids: tuple[str, ...]

    def row(self) -> tuple:
        return (self.occurred_at, self.user_name, self.role, self.action, self.target,
                len(self.participant_ids), json.dumps(list(self.participant_ids), ensure_ascii=False))


_queue: "queue.Queue[Access]" = queue.Queue()
_thread: threading.Thread | None = None
_thread_lock = threading.Lock()


def _now() -> str:
    return datetime.now(timezone.utc).replace(tzinfo=None).isoformat(sep=" ", timespec="milliseconds")


def split_ids(values: Iterable[object]) -> tuple[str, ...]:
    """Participant ids from a column (lead ids are ' / '-joined when a project has several),
    without blanks or repeats, in order of appearance."""
    seen: dict[str, None] = {}
    for value in values:
        if value is None or value != value:  # None or NaN
            continue
        for part in str(value).split(" / "):
            if part.strip():
                seen.setdefault(part.strip(), None)
    return tuple(seen)


def _write(batch: list[Access]) -> None:
    by_path: dict[Path, list[tuple]] = {}
    for access in batch:
        by_path.setdefault(access.db_path, []).append(access.row())
    for path, rows in by_path.items():
        with auth._store(path, write=True) as con:
            con.executemany(f"insert into contact_access ({', '.join(COLUMNS)}) values (?, ?, ?, ?, ?, ?, ?)", rows)


def _worker() -> None:
    while True:
        first = _queue.get()
        batch = [first]
        deadline = time.monotonic() + FLUSH_SECONDS
        while len(batch) < BATCH_MAX:
            try:
                batch.append(_queue.get(timeout=max(0.0, deadline - time.monotonic())))
            except queue.Empty:
                break
        try:
            _write(batch)
        except Exception as error:  # never lose the thread; say it where the operator looks
            import sys
            print(f"pie.privacy.access_log: could not write {len(batch)} rows: {error}", file=sys.stderr)
        finally:
            for _ in batch:
                _queue.task_done()


def _start() -> None:
    global _thread
    with _thread_lock:
        if _thread is None or not _thread.is_alive():
            _thread = threading.Thread(target=_worker, name="pie-access-log", daemon=True)
            _thread.start()


def record(user_name: str | None, role: str | None, action: str, target: str, participant_ids: Iterable[object],
           db_path: Path | str | None = None, wait: bool = False) -> None:
    """Log one access to the contacts of `participant_ids` (`action` one of ACTIONS, `target`
    the page/list or the file). Returns at once (queued) unless `wait`."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if not ENABLED:
        return
    path = Path(db_path) if db_path is not None else settings().db_path
    access = Access(path, _now(), user_name, role, action, target, split_ids(participant_ids))
    if wait:
        _write([access])
        return
    _start()
    _queue.put(access)


def flush() -> None:
    """Wait until every queued row is written."""
    if _thread is not None:
        _queue.join()


atexit.register(flush)


def entries(db_path: Path | str | None = None, participant_id: str | None = None, user_name: str | None = None,
            limit: int | None = None) -> list[dict]:
    """The log, newest first, narrowed to one person (`participant_id`) and/or one account."""
    flush()
    where, params = [], []
    if participant_id:
        where.append("exists (select 1 from json_each(participant_ids) where value = ?)")
        params.append(participant_id)
    if user_name:
        where.append("user_name = ?")
        params.append(user_name)
    sql = (f"select {', '.join(COLUMNS)} from contact_access"
           + (" where " + " and ".join(where) if where else "") + " order by id desc"
           + ("" if limit is None else " limit ?"))   # no `limit -1`: PostgreSQL refuses it (issue 20)
    with auth._store(db_path) as con:
        rows = con.execute(sql, (*params,) if limit is None else (*params, limit)).fetchall()
    return [dict(zip(COLUMNS, row)) for row in rows]
