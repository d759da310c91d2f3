"""Writing an accepted batch and recording every batch (import_batches, audit_log).

`upsert` runs inside the caller's `pie.db.writing()` transaction: each table of the batch is
inserted in load order (parents first), a row whose key exists replacing the stored row
(every column, DATA_MODEL.md: "a re-imported row with an existing key replaces that row"),
so importing the same files twice changes nothing.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb

from pie import db
from pie.ingest import rules
from pie.ingest.parse import ident
from pie.ingest.report import Report
from pie.ingest.validate import Batch, Progress


def upsert_sql(spec: rules.Table) -> str:
    """INSERT … ON CONFLICT (key) DO UPDATE of every non-key column, from `batch_<table>`."""
    columns = ", ".join(ident(c) for c in spec.names)
    updates = ", ".join(f"{ident(c)} = excluded.{ident(c)}" for c in spec.names if c not in spec.key)
    keys = ", ".join(ident(c) for c in spec.key)
    return (f"insert into main.{ident(spec.name)} ({columns}) select {columns} from {ident('batch_' + spec.name)} "
            f"on conflict ({keys}) do update set {updates}")


def upsert(con: duckdb.DuckDBPyConnection, batch: Batch, progress: Progress) -> None:
    tables = [t for t in batch.tables() if batch.rows.get(t)]
    for n, table in enumerate(tables):
        progress("load", 0.8 + 0.18 * n / max(1, len(tables)))
        con.execute(upsert_sql(rules.TABLES[table]))


def batch_row(report: Report) -> dict[str, Any]:
    """The import_batches row of a report (JSON-ready, see `insert_row`)."""
    return {"batch_id": report.batch_id, "started_at": report.started_at, "finished_at": report.finished_at,
            "user_name": report.user, "dry_run": report.dry_run, "outcome": report.outcome,
            "files_json": json.dumps([f.as_dict() for f in report.files], ensure_ascii=False),
            "rows_json": json.dumps(report.rows), "problems_count": report.problems_count,
            "warnings_count": report.warnings_count}


def insert_row(con: duckdb.DuckDBPyConnection, row: dict[str, Any]) -> None:
    """The batch's row in import_batches and its line in audit_log (same transaction)."""
    con.execute(
        "insert into import_batches (batch_id, started_at, finished_at, user_name, dry_run, outcome, "
        "files_json, rows_json, problems_count, warnings_count) values "
        "($batch_id, $started_at, $finished_at, $user_name, $dry_run, $outcome, $files_json, $rows_json, "
        "$problems_count, $warnings_count)", {k: row[k] for k in (
            "batch_id", "started_at", "finished_at", "user_name", "dry_run", "outcome", "files_json",
            "rows_json", "problems_count", "warnings_count")})
    detail = {"batch_id": row["batch_id"], "outcome": row["outcome"], "dry_run": row["dry_run"],
              "rows": json.loads(row["rows_json"]), "problems": row["problems_count"],
              "warnings": row["warnings_count"]}
    con.execute("insert into audit_log (occurred_at, user_name, event, detail) values ($at, $user, 'import', $detail)",
                {"at": row["finished_at"], "user": row["user_name"], "detail": json.dumps(detail)})


def record(con: duckdb.DuckDBPyConnection, report: Report) -> None:
    """The batch's row in import_batches and its line in audit_log (same transaction)."""
    insert_row(con, batch_row(report))


BATCH_COLUMNS = ("batch_id", "started_at", "finished_at", "user_name", "dry_run", "outcome", "files",
                 "rows", "problems_count", "warnings_count")


def history(db_path: Path | str | None = None, limit: int | None = None) -> list[dict[str, Any]]:
    """The import history, newest first: one dict per batch with BATCH_COLUMNS (`files` and
    `rows` decoded from their JSON). Reads the published snapshot (never blocks an import)."""
    with db.reader(db_path).connection().cursor() as cur:
        rows = cur.execute(
            "select batch_id, started_at, finished_at, user_name, dry_run, outcome, files_json, rows_json, "
            "problems_count, warnings_count from import_batches "
            "order by started_at desc, batch_id desc limit $limit",
            {"limit": limit if limit is not None else 1 << 62}).fetchall()
    result = []
    for row in rows:
        item = dict(zip(BATCH_COLUMNS, row))
        item["files"] = json.loads(item["files"])
        item["rows"] = json.loads(item["rows"])
        result.append(item)
    return result
