"""Writing an accepted batch and recording every batch (import_batches, the audit trail).

`upsert` runs inside the caller's `pie.db.writing()` transaction: each table of the batch is
inserted in load order (parents first), a row whose key exists replacing the stored row
(DATA_MODEL.md: "a re-imported row with an existing key replaces that row"), so importing
the same files twice changes nothing. Only the columns a sheet has are written: an optional
column absent from its header keeps the stored values of the rows it updates (a new row gets
NULL there), while an empty cell of a present column clears the value.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb

from pie import auth, db
from pie.ingest import rules
from pie.ingest.parse import ident
from pie.ingest.report import Report
from pie.ingest.validate import Batch, Progress


def upsert_sql(spec: rules.Table, absent: frozenset[str] = frozenset(), sheets: list[int] | None = None) -> str:
    """INSERT … ON CONFLICT (key) DO UPDATE from `batch_<table>` of every non-key column but
    the `absent` ones (only the rows of `sheets` when given)."""
    names = [c for c in spec.names if c not in absent]
    columns = ", ".join(ident(c) for c in names)
    updates = ", ".join(f"{ident(c)} = excluded.{ident(c)}" for c in names if c not in spec.key)
    keys = ", ".join(ident(c) for c in spec.key)
    where = f" where _sheet in ({', '.join(str(int(s)) for s in sheets)})" if sheets is not None else ""
    action = f"do update set {updates}" if updates else "do nothing"
    return (f"insert into main.{ident(spec.name)} ({columns}) select {columns} from {ident('batch_' + spec.name)}"
            f"{where} on conflict ({keys}) {action}")


def upsert(con: duckdb.DuckDBPyConnection, batch: Batch, progress: Progress) -> None:
    tables = [t for t in batch.tables() if batch.rows.get(t)]
    for n, table in enumerate(tables):
        progress("load", 0.8 + 0.18 * n / max(1, len(tables)))
        spec = rules.TABLES[table]
        groups: dict[frozenset[str], list[int]] = {}   # sheets by the optional columns they lack
        for number, sheet in enumerate(batch.sheets):
            if sheet.table == table:
                groups.setdefault(batch.absent.get(number, frozenset()), []).append(number)
        if list(groups) == [frozenset()]:
            con.execute(upsert_sql(spec))
            continue
        for absent, sheets in groups.items():
            con.execute(upsert_sql(spec, absent, sheets))


def batch_row(report: Report) -> dict[str, Any]:
    """The import_batches row of a report (JSON-ready, see `insert_row`)."""
    return {"batch_id": report.batch_id, "started_at": report.started_at, "finished_at": report.finished_at,
            "user_name": report.user, "dry_run": report.dry_run, "outcome": report.outcome,
            "files_json": json.dumps([f.as_dict() for f in report.files], ensure_ascii=False),
            "rows_json": json.dumps(report.rows), "problems_count": report.problems_count,
            "warnings_count": report.warnings_count}


def insert_row(con: duckdb.DuckDBPyConnection, row: dict[str, Any]) -> None:
    """The batch's row in import_batches (inside the transaction; `audit_row` writes its audit
    line in the accounts store after the commit)."""
    con.execute(
        "insert into import_batches (batch_id, started_at, finished_at, user_name, dry_run, outcome, "
        "files_json, rows_json, problems_count, warnings_count) values "
        "($batch_id, $started_at, $finished_at, $user_name, $dry_run, $outcome, $files_json, $rows_json, "
        "$problems_count, $warnings_count)", {k: row[k] for k in (
            "batch_id", "started_at", "finished_at", "user_name", "dry_run", "outcome", "files_json",
            "rows_json", "problems_count", "warnings_count")})


def record(con: duckdb.DuckDBPyConnection, report: Report) -> None:
    """The batch's row in import_batches (inside the transaction; `audit` writes its audit line)."""
    insert_row(con, batch_row(report))


def audit_row(db_path: Path, row: dict[str, Any]) -> None:
    """A batch's line in the audit trail (the accounts store, pie.auth), after the commit."""
    detail = {"batch_id": row["batch_id"], "outcome": row["outcome"], "dry_run": row["dry_run"],
              "rows": json.loads(row["rows_json"]), "problems": row["problems_count"],
              "warnings": row["warnings_count"]}
    auth.record_event(db_path, row["user_name"], "import", json.dumps(detail))


def audit(db_path: Path, report: Report) -> None:
    """The batch's line in the audit trail (the accounts store, pie.auth), after the commit."""
    audit_row(db_path, batch_row(report))


BATCH_COLUMNS = ("batch_id", "started_at", "finished_at", "user_name", "dry_run", "outcome", "files",
                 "rows", "problems_count", "warnings_count", "reviewed_by", "reviewed_at", "review_comment")


def history(db_path: Path | str | None = None, limit: int | None = None, *, outcome: str | None = None,
            user_name: str | None = None) -> list[dict[str, Any]]:
    """The import history, newest first: one dict per batch with BATCH_COLUMNS (`files` and
    `rows` decoded from their JSON; the review columns of a partner's batch: who approved or
    returned it, when, and the comment the partner sees). `outcome` keeps only the batches in
    that state (`submitted`: the approval queue), `user_name` only one account's batches (a
    partner's own). Reads the published snapshot (never blocks an import)."""
    with db.reader(db_path).connection().cursor() as cur:
        present = {r[0] for r in cur.execute(
            "select column_name from information_schema.columns where table_name = 'import_batches'").fetchall()}
        # a snapshot published before the review columns existed has none of them
        review = ", ".join(c if c in present else f"null as {c}" for c in BATCH_COLUMNS[-3:])
        rows = cur.execute(
            "select batch_id, started_at, finished_at, user_name, dry_run, outcome, files_json, rows_json, "
            f"problems_count, warnings_count, {review} from import_batches "
            "where ($outcome is null or outcome = $outcome) and ($user_name is null or user_name = $user_name) "
            "order by started_at desc, batch_id desc limit $limit",
            {"limit": limit if limit is not None else 1 << 62, "outcome": outcome, "user_name": user_name}).fetchall()
    result = []
    for row in rows:
        item = dict(zip(BATCH_COLUMNS, row))
        item["files"] = json.loads(item["files"])
        item["rows"] = json.loads(item["rows"])
        result.append(item)
    return result
