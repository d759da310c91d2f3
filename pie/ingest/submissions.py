"""Partners' batches waiting for a manager: keep, approve, return, preview (DESIGN.md, Roles).

The life of a partner's batch (an establishment, bank or incubator account, see
pie/ingest/partners.py for what it may write):

    submitted ──approve──▶ approved   (loaded and published, exactly like an accepted import)
        │
        └──────return────▶ returned   (with a comment the partner sees; nothing loaded)

- `pie.ingest.ingest(files, db_path, user="boa")` (or `account="boa"`, the CLI's `--as`)
  checks the batch like any other, plus the partner's scope. A valid batch of an untrusted
  partner is not loaded: it is recorded with outcome `submitted`, its original files are
  archived (imports/<batch_id>/, as an accepted batch's) and `keep_basis` notes, for every
  row it would update, a fingerprint of the stored row (table `submission_basis` of the
  database of record). A trusted partner's batch (`pie.auth.set_trusted`) is loaded at once
  (outcome `accepted`).
- `approve(db_path, batch_id, user)` re-reads the archived files (their sha256 must be the
  recorded one) and, inside one `pie.db.writing()` transaction, checks them again against the
  database as it is now: every import rule, the partner's scope as its account says now, and
  the fingerprints — a row another batch changed since the submission (two submitted batches
  touching the same rows: the second is checked against the first when it is approved) is a
  `changed-since-submitted` problem. Without problems the batch is loaded and published
  (outcome `approved`); with any, nothing is written, the batch stays `submitted` and the
  returned Report lists the problems (outcome still `submitted`): the manager returns it with
  a comment, the partner sends a corrected batch. Approval takes the same writer, repair and
  publication path as an import, so a `kill -9` at any point leaves either the batch
  submitted or approved and published (the next writer or reader republishes).
- `return_batch(db_path, batch_id, comment, user)`: outcome `returned`, the comment kept in
  import_batches.review_comment (the partner sees it in `history`).
- Approving or returning a batch that is not `submitted` (unknown, already approved or
  returned, an ordinary import) raises NotAwaitingApproval (CLI exit 1); an account of the
  store that is not an admin or manager raises ReviewRefused. A `user` that names no account
  is an operator at the command line (recorded as given).
- `pending(db_path)`: the batches awaiting approval (history rows, newest first);
  `history(db_path, user_name=…)` a partner's own batches with reviewed_by, reviewed_at,
  review_comment.
- `preview(db_path, batch_id)`: what approving would change, for the manager's queue —
  per table rows added / updated / unchanged, and the partner's headline figures
  (pie.kpis.compute for the partner's scope) before → after. It loads the batch into a
  private temporary copy of the current published snapshot (a file copy plus the derived
  tables' rebuild: about the cost of one import; the database of record is not touched).

Every step is in the audit trail (pie.auth): `import` (outcome submitted), `batch_approved`,
`batch_approval_refused`, `batch_returned`, `partner_trusted` / `partner_untrusted`.
"""
from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import duckdb

from pie import auth, db, i18n, lake
from pie.codes import REVIEWER_ROLES
from pie.config import settings
from pie.errors import NotAwaitingApproval, ReviewRefused
from pie.ingest import load, partners, rules, validate, worker
from pie.ingest.parse import ident
from pie.ingest.report import APPROVED, RETURNED, SUBMITTED, FileRecord, Problem, Report
from pie.ingest.validate import MAX_PROBLEMS, Batch, Progress

MAX_COMMENT = 2000

BASIS_TABLE = """
create table if not exists submission_basis (
    batch_id    varchar not null,
    table_name  varchar not null,
    row_key     varchar not null,     -- the row's key, cast(row(key columns) as varchar)
    stored_hash varchar               -- md5 of the stored row at submission; null: no such row then
)"""


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _no_progress(step: str, fraction: float) -> None:
    pass


# ------------------------------------------------------------------------------ fingerprints
def _key_sql(alias: str, spec: rules.Table) -> str:
    return f"cast(row({', '.join(f'{alias}.{ident(k)}' for k in spec.key)}) as varchar)"


def _hash_sql(alias: str, spec: rules.Table) -> str:
    return f"md5(cast(row({', '.join(f'{alias}.{ident(c)}' for c in spec.names)}) as varchar))"


def _same_key(left: str, right: str, spec: rules.Table) -> str:
    return " and ".join(f"{left}.{ident(k)} = {right}.{ident(k)}" for k in spec.key)


def keep_basis(con: duckdb.DuckDBPyConnection, batch: Batch, batch_id: str) -> None:
    """Note, inside the submission's transaction, the stored state of every row the batch
    would write (null for a row that does not exist yet)."""
    con.execute(BASIS_TABLE)
    for table in batch.tables():
        spec = rules.TABLES[table]
        con.execute(
            f"insert into submission_basis select distinct $batch_id, $table, {_key_sql('b', spec)}, "
            f"case when d.{ident(spec.key[0])} is null then null else {_hash_sql('d', spec)} end "
            f"from {ident('batch_' + table)} b left join main.{ident(table)} d on {_same_key('d', 'b', spec)}",
            {"batch_id": batch_id, "table": table})


def _check_basis(con: duckdb.DuckDBPyConnection, batch: Batch, batch_id: str) -> None:
    """A `changed-since-submitted` problem on every row of the batch whose stored row is not
    what it was at the submission (changed, added or removed by another batch since)."""
    con.execute(BASIS_TABLE)
    limit = batch.collector.per_kind
    for table in batch.tables():
        spec = rules.TABLES[table]
        key = ident(spec.key[0])
        sql = (f"select b._sheet, b._row, cast(b.{key} as varchar) from {ident('batch_' + table)} b "
               f"join submission_basis s on s.batch_id = $batch_id and s.table_name = $table "
               f"and s.row_key = {_key_sql('b', spec)} "
               f"left join main.{ident(table)} d on {_same_key('d', 'b', spec)} "
               f"where s.stored_hash is distinct from "
               f"(case when d.{key} is null then null else {_hash_sql('d', spec)} end) order by b._sheet, b._row")
        found = con.execute(sql, {"batch_id": batch_id, "table": table}).fetchall()
        batch.collector.add_many([
            Problem("changed-since-submitted", "ingest.scope.changed_meanwhile", {"batch_id": batch_id},
                    file=batch.label(sheet), row=row, column=spec.key[0], value=value, table=table)
            for sheet, row, value in found[:limit]], len(found))


def _forget_basis(con: duckdb.DuckDBPyConnection, batch_id: str) -> None:
    con.execute(BASIS_TABLE)
    con.execute("delete from submission_basis where batch_id = $batch_id", {"batch_id": batch_id})


# ------------------------------------------------------------------------------ the queue
def pending(db_path: Path | str | None = None) -> list[dict[str, Any]]:
    """The batches awaiting a manager's approval, newest first (`load.history` rows)."""
    return load.history(db_path, outcome=SUBMITTED)


def _batch_row(con: duckdb.DuckDBPyConnection, batch_id: str) -> dict[str, Any] | None:
    row = con.execute("select batch_id, user_name, outcome, files_json, rows_json from import_batches "
                      "where batch_id = $batch_id and not dry_run", {"batch_id": str(batch_id)}).fetchone()
    if row is None:
        return None
    return {"batch_id": row[0], "user_name": row[1], "outcome": row[2], "files": json.loads(row[3]),
            "rows": json.loads(row[4])}


def _awaiting(row: dict[str, Any] | None, batch_id: str) -> dict[str, Any]:
    if row is None:
        raise NotAwaitingApproval(key="review.error.unknown_batch", batch_id=batch_id)
    if row["outcome"] != SUBMITTED:
        raise NotAwaitingApproval(key="review.error.not_pending", batch_id=batch_id, outcome=row["outcome"])
    return row


def _published_row(db_path: Path, batch_id: str) -> dict[str, Any]:
    with db.reader(db_path).connection().cursor() as cur:
        return _awaiting(_batch_row(cur, batch_id), batch_id)


def _reviewer(db_path: Path, user: str | None) -> str | None:
    """`user` when it may approve: an admin or manager account, or no account (an operator)."""
    account = auth.find_user(db_path, user, enabled_only=False) if user else None
    if account is not None and (account.role not in REVIEWER_ROLES or auth.find_user(db_path, user) is None):
        raise ReviewRefused(key="review.error.not_reviewer", name=user, role=account.role)
    return user


def _partner(db_path: Path, row: dict[str, Any]) -> partners.Submitter:
    """The partner account of a submitted batch, with its rights as they are now."""
    account = auth.find_user(db_path, row["user_name"], enabled_only=False) if row["user_name"] else None
    if account is None:
        raise ReviewRefused(key="review.error.partner_gone", batch_id=row["batch_id"], name=row["user_name"] or "")
    return partners.Submitter(account.user_name, account.role, account.scope_code)


def _archived_sources(db_path: Path, row: dict[str, Any]) -> tuple[list[tuple[str, bytes]], list[FileRecord]]:
    """The batch's archived originals as (name, bytes), refused unless each is the file that
    was checked (same sha256)."""
    sources, records = [], []
    for item in row["files"]:
        record = FileRecord(item["file"], item["sha256"], item["size"], item.get("archived_as"))
        path = settings().state_dir_of(db_path) / (record.archived_as or "")
        try:
            data = path.read_bytes() if record.archived_as else None
        except OSError:
            data = None
        if data is None or hashlib.sha256(data).hexdigest() != record.sha256:
            raise ReviewRefused(key="review.error.files_changed", batch_id=row["batch_id"], file=record.file)
        sources.append((record.file, data))
        records.append(record)
    return sources, records


def _stage(db_path: Path, sources: list[tuple[str, bytes]], progress: Progress, max_problems: int) -> Batch:
    from pie.ingest import archive, readers

    files = readers.collect(sources)
    archive.sweep_staging(db_path)
    return worker.stage(files, progress, max_problems=max_problems, temp_root=archive.staging_dir(db_path))


class _Refused(Exception):
    """Roll the approval's transaction back: the re-check found problems."""


def approve(db_path: Path | str | None, batch_id: str, user: str | None = None, *,
            progress: Progress | None = None, language: str = i18n.DEFAULT_LANGUAGE,
            max_problems: int = MAX_PROBLEMS) -> Report:
    """Publish a submitted batch after checking it again on the current database (see the
    module docstring). Returns its Report: outcome `approved`, or `submitted` with the
    problems that refused the approval (nothing written). Raises NotAwaitingApproval,
    ReviewRefused, and the writer's DatabaseBusy / DatabaseMissing."""
    progress = progress or _no_progress
    db_path = Path(db_path) if db_path is not None else settings().db_path
    reviewer = _reviewer(db_path, user)
    row = _published_row(db_path, batch_id)
    who = _partner(db_path, row)
    sources, records = _archived_sources(db_path, row)
    report = Report(row["batch_id"], user=row["user_name"], started_at=_now(), language=language,
                    files=records, outcome=SUBMITTED)
    batch = _stage(db_path, sources, progress, max_problems)
    report.rows = {t: batch.rows[t] for t in batch.tables()}
    try:
        with db.writing(db_path, prepare_answers=True) as con:
            _awaiting(_batch_row(con, row["batch_id"]), row["batch_id"])   # not approved meanwhile
            validate.attach(con, batch)
            validate.cross_check(con, batch, progress)
            partners.check_scope(con, batch, who)
            _check_basis(con, batch, row["batch_id"])
            _take(report, batch)
            if not report.valid:
                raise _Refused
            load.upsert(con, batch, progress)
            validate.detach(con)
            report.outcome, report.finished_at = APPROVED, _now()
            con.execute("update import_batches set outcome = $outcome, reviewed_by = $by, reviewed_at = $at, "
                        "problems_count = $problems, warnings_count = $warnings where batch_id = $batch_id",
                        {"outcome": APPROVED, "by": reviewer, "at": report.finished_at,
                         "problems": report.problems_count, "warnings": report.warnings_count,
                         "batch_id": row["batch_id"]})
            _forget_basis(con, row["batch_id"])
    except _Refused:
        report.finished_at = _now()
    finally:
        batch.close()
    event = "batch_approved" if report.outcome == APPROVED else "batch_approval_refused"
    auth.record_event(db_path, reviewer, event, auth.audit_detail(
        {"batch_id": row["batch_id"], "partner": row["user_name"], "role": who.role, "scope": who.scope_code,
         "rows": report.rows, "problems": report.problems_count}))
    progress("done", 1.0)
    return report


def _take(report: Report, batch: Batch) -> None:
    collector = batch.collector
    report.problems, report.warnings = collector.problems, collector.warnings
    report.problems_count, report.warnings_count = collector.problems_count, collector.warnings_count
    report.groups = collector.sorted_groups()


def return_batch(db_path: Path | str | None, batch_id: str, comment: str, user: str | None = None) -> None:
    """Send a submitted batch back to its partner with `comment` (required, at most
    MAX_COMMENT characters): outcome `returned`, nothing loaded. Raises NotAwaitingApproval,
    ReviewRefused."""
    db_path = Path(db_path) if db_path is not None else settings().db_path
    comment = (comment or "").strip()
    if not comment:
        raise ReviewRefused(key="review.error.comment_needed")
    if len(comment) > MAX_COMMENT:
        raise ReviewRefused(key="review.error.comment_long", limit=MAX_COMMENT)
    reviewer = _reviewer(db_path, user)
    with db.writing(db_path, programme_changes=False) as con:
        row = _awaiting(_batch_row(con, str(batch_id)), str(batch_id))
        con.execute("update import_batches set outcome = $outcome, reviewed_by = $by, reviewed_at = $at, "
                    "review_comment = $comment where batch_id = $batch_id",
                    {"outcome": RETURNED, "by": reviewer, "at": _now(), "comment": comment,
                     "batch_id": row["batch_id"]})
        _forget_basis(con, row["batch_id"])
    auth.record_event(db_path, reviewer, "batch_returned", auth.audit_detail(
        {"batch_id": row["batch_id"], "partner": row["user_name"], "comment": comment}))


# ------------------------------------------------------------------------------ preview
def preview(db_path: Path | str | None, batch_id: str, *, language: str = i18n.DEFAULT_LANGUAGE) -> dict[str, Any]:
    """What approving `batch_id` would change, without changing anything:
    `{"batch_id", "partner", "role", "scope", "tables": {table: {"added", "updated",
    "unchanged"}}, "figures": {kpi key: {"before", "after"}}, "report": Report}` — figures
    are pie.kpis.compute for the partner's scope (its role's Scope) on the current snapshot
    and on a private copy with the batch loaded; `report` holds the problems an approval
    would find now (then `tables` and `figures` are empty). Raises like `approve`."""
    from pie import kpis
    from pie.scope import Scope

    db_path = Path(db_path) if db_path is not None else settings().db_path
    row = _published_row(db_path, batch_id)
    who = _partner(db_path, row)
    sources, records = _archived_sources(db_path, row)
    report = Report(row["batch_id"], user=row["user_name"], started_at=_now(), language=language,
                    files=records, outcome=SUBMITTED)
    scope = Scope.for_role(who.role, who.scope_code)
    result: dict[str, Any] = {"batch_id": row["batch_id"], "partner": who.user_name, "role": who.role,
                              "scope": who.scope_code, "tables": {}, "figures": {}, "report": report}
    reader = db.reader(db_path)
    snapshot = reader.snapshot()
    before = kpis.compute(reader.at(snapshot) if lake.is_lake(db_path) else reader, scope)
    batch = _stage(db_path, sources, _no_progress, MAX_PROBLEMS)
    report.rows = {t: batch.rows[t] for t in batch.tables()}
    folder = Path(tempfile.mkdtemp(prefix="pie-preview-"))
    try:
        if lake.is_lake(db_path):  # the snapshot in memory, as a lake's writer starts (pie/lake.py)
            con = lake.working_copy(db_path, snapshot=lake.snapshot_of(snapshot))[0]
        else:
            copy = Path(shutil.copyfile(snapshot, folder / "preview.duckdb"))
            con = duckdb.connect(str(copy))
        try:
            validate.attach(con, batch)
            validate.cross_check(con, batch)
            partners.check_scope(con, batch, who)
            _check_basis(con, batch, row["batch_id"])
            _take(report, batch)
            if not report.valid:
                return result
            result["tables"] = _changes(con, batch)
            load.upsert(con, batch, _no_progress)
            validate.detach(con)
            db.refresh_derived(con)
            after = kpis.compute(con, scope)
        finally:
            con.close()
    finally:
        batch.close()
        shutil.rmtree(folder, ignore_errors=True)
    result["figures"] = {key: {"before": before[key], "after": after[key]} for key in before}
    return result


def _changes(con: duckdb.DuckDBPyConnection, batch: Batch) -> dict[str, dict[str, int]]:
    """Per table of the batch: rows it would add, update (a stored value changes) or leave as
    they are (`cur_<table>` is the state after the batch, validate.create_views)."""
    changes = {}
    for table in batch.tables():
        spec = rules.TABLES[table]
        added, updated, unchanged = con.execute(
            f"select count(*) filter (where d.{ident(spec.key[0])} is null), "
            f"count(*) filter (where d.{ident(spec.key[0])} is not null and {_hash_sql('d', spec)} <> "
            f"{_hash_sql('c', spec)}), "
            f"count(*) filter (where d.{ident(spec.key[0])} is not null and {_hash_sql('d', spec)} = "
            f"{_hash_sql('c', spec)}) "
            f"from {ident('cur_' + table)} c left join main.{ident(table)} d on {_same_key('d', 'c', spec)} "
            f"where c._sheet is not null").fetchone()
        changes[table] = {"added": added, "updated": updated, "unchanged": unchanged}
    return changes
