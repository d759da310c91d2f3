"""One batch from files to database: check, then load all-or-nothing, and record it.

See the package docstring (pie/ingest/__init__.py) for the API and the flow.
"""
from __future__ import annotations

import getpass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable

import duckdb

from pie import auth, db, i18n
from pie.config import settings
from pie.errors import DatabaseBusy, DatabaseMissing, ImportRefused
from pie.ingest import archive, load, partners, readers, submissions, validate, worker
from pie.ingest.report import ACCEPTED, CHECKED, REJECTED, SUBMITTED, FileRecord, Group, Problem, Report
from pie.ingest.validate import MAX_PROBLEMS, Progress

STEPS = ("read", "check", "cross", "load", "record", "done")


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def default_user() -> str | None:
    """Who runs the import when nobody says: the operating-system account."""
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name in some containers
        return None


def _refusal(db_path: Path) -> ImportRefused:
    return ImportRefused(key="ingest.refused.demo", path=db_path)


def _is_demo(meta: dict[str, str]) -> bool:
    return meta.get("is_demo", "false").strip().lower() == "true"


def _early_demo_check(db_path: Path) -> None:
    # Before reading a million rows, look at the published snapshot; the check that counts
    # is made again inside the transaction.
    try:
        meta = db.reader(db_path).meta()
    except Exception:  # noqa: BLE001 - the authoritative check comes later
        return
    if _is_demo(meta):
        raise _refusal(db_path)


def check(sources: Iterable[Any], db_path: Path | str | None = None, user: str | None = None, *,
          progress: Progress | None = None, language: str = i18n.DEFAULT_LANGUAGE,
          max_problems: int = MAX_PROBLEMS, account: str | None = None) -> Report:
    """A dry run: every check of `ingest`, nothing written but the batch record
    (outcome `checked`)."""
    return ingest(sources, db_path, user, dry_run=True, progress=progress, language=language,
                  max_problems=max_problems, account=account)


def ingest(sources: Iterable[Any], db_path: Path | str | None = None, user: str | None = None, *,
           dry_run: bool = False, progress: Progress | None = None,
           language: str = i18n.DEFAULT_LANGUAGE, max_problems: int = MAX_PROBLEMS,
           account: str | None = None) -> Report:
    """Import `sources` (paths of files or folders, `(name, bytes)` pairs or uploaded-file
    objects) into the database at `db_path` as one batch; returns its Report.

    All-or-nothing: the batch is loaded in one `pie.db.writing()` transaction only if no
    problem was found; otherwise (or for a dry run) only the batch record is written.
    `language` is the report's default language (Report.language). Raises PieError (nothing
    recorded) when the database is missing, busy or a demo, or a path does not exist.

    Who writes (pie/ingest/partners.py): when `user` names an account of the accounts store,
    that account's role and scope decide what the batch may hold — a partner's rows outside
    its scope are `outside-scope` problems — and a valid batch of an untrusted partner is not
    loaded but kept as `submitted` for a manager's approval (pie/ingest/submissions.py).
    `account` (the CLI's `--as`) submits on behalf of that account, which must exist and be
    enabled (ImportRefused otherwise); the batch is then recorded under its name. A disabled
    account's batch is refused (ImportRefused) either way.
    """
    progress = progress or (lambda step, fraction: None)
    db_path = Path(db_path) if db_path is not None else settings().db_path
    if not db.exists(db_path):
        raise DatabaseMissing(key="ingest.refused.missing", path=db_path)
    _early_demo_check(db_path)
    who = partners.submitter(db_path, account if account is not None else user,
                             account_required=account is not None)
    user = who.user_name if account is not None else user
    report = Report(db.new_batch_id(), user=user, dry_run=dry_run, started_at=_now(), language=language,
                    awaits_approval=who.awaits_approval)
    files = readers.collect(sources)
    archive.sweep_staging(db_path)
    # Read and check in a bounded worker process: no file can take this process down.
    batch = worker.stage(files, progress, max_problems=max_problems, temp_root=archive.staging_dir(db_path))
    report.files = [FileRecord(f.label, f.sha256 or "", f.size) for f in files]
    report.rows = {t: batch.rows[t] for t in batch.tables()}
    saved: Path | None = None
    after_commit: list = []
    try:
        # A dry run only records its check: the derived tables need no rebuild (seconds at 1M).
        # An import that loads or a partner's submission (its batch row is a new snapshot too:
        # every cached answer of the dashboards is then recomputed): the dashboards' usual
        # answers are computed before readers switch. Not a dry run: a manager waits for it.
        with db.writing(db_path, programme_changes=not dry_run and not who.awaits_approval,
                        prepare_answers=not dry_run, after_commit=after_commit) as con:
            if _is_demo(db.meta(con)):
                raise _refusal(db_path)
            validate.attach(con, batch)
            validate.cross_check(con, batch, progress)
            partners.check_scope(con, batch, who)
            _take_problems(report, batch.collector)
            if dry_run:
                report.outcome = CHECKED
            elif not report.valid:
                report.outcome = REJECTED
            elif who.awaits_approval:
                # Kept, not loaded: a manager approves it (submissions.approve) or returns it.
                submissions.keep_basis(con, batch, report.batch_id)
                saved = archive.save(files, db_path, report.batch_id, report.files)
                after_commit.append(lambda: archive.publish(db_path, report.batch_id))
                report.outcome = SUBMITTED
            else:
                load.upsert(con, batch, progress)
                saved = archive.save(files, db_path, report.batch_id, report.files)
                after_commit.append(lambda: archive.publish(db_path, report.batch_id))
                report.outcome = ACCEPTED
            validate.detach(con)
            progress("record", 0.98)
            report.finished_at = _now()
            load.record(con, report)
    except duckdb.Error as error:
        # The database refused what the checks let through: nothing was written (rolled back).
        archive.remove(saved)
        _record_failure(db_path, report, error)
    except DatabaseBusy as error:
        # Another writer held the database longer than the lock wait: the batch is refused,
        # and recorded as such by the next writer (it cannot be written now).
        archive.remove(saved)
        _journal_busy(db_path, report, error)
        raise
    except BaseException:
        archive.remove(saved)
        raise
    finally:
        batch.close()
    load.audit(db_path, report)
    if who.restricted:
        auth.record_event(db_path, user, "partner_batch", auth.audit_detail(
            {"batch_id": report.batch_id, "outcome": report.outcome, "role": who.role, "scope": who.scope_code,
             "trusted": who.trusted, "operator": default_user() if account is not None else None}))
    progress("done", 1.0)
    return report


def _journal_busy(db_path: Path, report: Report, error: DatabaseBusy) -> None:
    for record in report.files:
        record.archived_as = None
    report.outcome = REJECTED
    busy = Problem("load-failed", "ingest.reason.busy", {"detail": str(error)[:300]})
    report.problems, report.groups = [busy], [Group(busy.type, busy.key, None, None, busy.severity, 1, 1, [busy])]
    report.problems_count, report.finished_at = max(1, report.problems_count), _now()
    archive.journal_refusal(db_path, load.batch_row(report))
    load.audit(db_path, report)  # the accounts store needs no database lock: the trail is written now


def _take_problems(report: Report, collector: validate.Collector) -> None:
    report.problems, report.warnings = collector.problems, collector.warnings
    report.problems_count, report.warnings_count = collector.problems_count, collector.warnings_count
    report.groups = collector.sorted_groups()


def _record_failure(db_path: Path, report: Report, error: duckdb.Error) -> None:
    for record in report.files:
        record.archived_as = None
    report.outcome = REJECTED
    failed = Problem("load-failed", "ingest.reason.load_failed", {"detail": str(error).splitlines()[0][:300]})
    report.problems.append(failed)
    report.groups.append(Group(failed.type, failed.key, None, None, failed.severity, 1, 1, [failed]))
    report.problems_count += 1
    report.finished_at = _now()
    with db.writing(db_path, programme_changes=False) as con:
        load.record(con, report)
