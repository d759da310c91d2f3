"""Keeping the originals of accepted batches under <database folder>/imports/<batch_id>/,
so any state of the database can be rebuilt by importing them again in order.

An archive folder exists only for a committed batch: `save` writes the files under
imports/.staging/<batch_id>.archive/ inside the transaction, `publish` renames that
folder into place after the commit (pie.db.writing's `after_commit`), and `repair` (run by
every writer as it starts, pie.db.REPAIRS) finishes what a killed import left: the folder
of a batch the database recorded as accepted is renamed into place, any other removed.
`journal_refusal` / `repair` also record in the history a batch refused because another
writer held the database too long (it could not be recorded at the time).
"""
from __future__ import annotations

import hashlib
import json
import re
import shutil
import time
from pathlib import Path

import duckdb

from pie import db
from pie.db import own_private_dir, private_file
from pie.config import settings
from pie.errors import PieError
from pie.ingest.readers import SourceFile
from pie.ingest.report import FileRecord


def imports_dir(db_path: Path) -> Path:
    """Where originals are kept: `imports/` beside the database file (settings().imports_dir
    for the default database); for a lake, in PIE_STATE_DIR (pie.config.Settings.state_dir_of)."""
    return settings().state_dir_of(db_path) / "imports"


STAGING_DIR = ".staging"
STALE_SECONDS = 24 * 3600


def staging_dir(db_path: Path) -> Path:
    """Where batches are staged while checked (beside the originals, on the database's disk).
    Folders left there by a killed import are removed by `sweep_staging` a day later."""
    return imports_dir(db_path) / STAGING_DIR


def sweep_staging(db_path: Path) -> None:
    """Remove staging folders older than a day (their import was killed)."""
    folder = staging_dir(db_path)
    if not folder.is_dir():  # created private here, before the import stages its files in it
        own_private_dir(imports_dir(db_path))
        own_private_dir(folder)
        return
    now = time.time()
    for old in folder.iterdir():
        if old.name.endswith((ARCHIVE_SUFFIX, REFUSED_SUFFIX)):
            continue                    # `repair` decides, holding the lock
        try:
            if now - old.stat().st_mtime > STALE_SECONDS:
                shutil.rmtree(old, ignore_errors=True)
        except OSError:
            continue


ARCHIVE_SUFFIX = ".archive"
REFUSED_SUFFIX = ".refused.json"


def pending_folder(db_path: Path, batch_id: str) -> Path:
    return staging_dir(db_path) / f"{batch_id}{ARCHIVE_SUFFIX}"


def publish(db_path: Path, batch_id: str) -> Path:
    """Move a committed batch's archive into place (imports/<batch_id>/)."""
    final = imports_dir(db_path) / batch_id
    pending_folder(db_path, batch_id).replace(final)
    return final


def save(files: list[SourceFile], db_path: Path, batch_id: str, records: list[FileRecord]) -> Path:
    """Write the exact bytes that were checked (so their sha256 is the recorded one) and set
    each record's `archived_as` (relative to the database folder: where `publish` puts
    them after the commit). Returns the pending folder."""
    own_private_dir(imports_dir(db_path))
    folder = pending_folder(db_path, batch_id)
    final = imports_dir(db_path) / batch_id
    folder.mkdir(parents=True, exist_ok=False)
    own_private_dir(folder)
    used: set[str] = set()
    try:
        for source, record in zip(files, records):
            name = _unique(_safe_name(source.name), used)
            partial = folder / f".{name}.partial"
            if source.data is not None:
                partial.write_bytes(source.data)
            else:
                _copy_checked(source, partial)
            private_file(partial)
            partial.replace(folder / name)
            record.archived_as = (final / name).relative_to(settings().state_dir_of(db_path)).as_posix()
            db.fault_point("archive")
    except BaseException:
        remove(folder)
        raise
    return folder


def _copy_checked(source: SourceFile, target: Path) -> None:
    """Copy a file from disk, refusing if it is no longer the file that was checked."""
    digest = hashlib.sha256()
    with open(source.path, "rb") as reader, open(target, "wb") as writer:
        while chunk := reader.read(1 << 20):
            digest.update(chunk)
            writer.write(chunk)
    if digest.hexdigest() != source.sha256:
        raise PieError(key="ingest.refused.changed", path=source.path)


def _safe_name(name: str) -> str:
    """A file name that stays inside the batch folder whatever an upload was called."""
    name = re.sub(r"[^\w.\- ()\[\]]", "_", Path(name).name).lstrip(". ")
    return name or "file"


def remove(folder: Path | None) -> None:
    """Undo `save` when the batch was not committed after all."""
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


def _unique(name: str, used: set[str]) -> str:
    candidate, n = name, 1
    stem, suffix = Path(name).stem, Path(name).suffix
    while candidate.lower() in used:
        n += 1
        candidate = f"{stem}-{n}{suffix}"
    used.add(candidate.lower())
    return candidate


def journal_refusal(db_path: Path, row: dict) -> None:
    """Keep the import_batches row of a batch refused because the database was busy; the
    next writer records it (`repair`)."""
    folder = staging_dir(db_path)
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / f".{row['batch_id']}{REFUSED_SUFFIX}.partial"
    partial.write_text(json.dumps(row, default=str, ensure_ascii=False), encoding="utf-8")
    partial.replace(folder / f"{row['batch_id']}{REFUSED_SUFFIX}")


def repair(con: duckdb.DuckDBPyConnection, db_path: Path) -> bool:
    """Finish what killed imports left (run by every writer holding the lock): archives of
    committed batches moved into place, others removed; journaled refusals recorded.
    True when it wrote to the database."""
    folder = staging_dir(Path(db_path))
    if not folder.is_dir():
        return False
    leftovers = [p for p in folder.iterdir() if p.name.endswith((ARCHIVE_SUFFIX, REFUSED_SUFFIX))]
    if not leftovers:
        return False
    try:
        accepted = {r[0] for r in con.execute(
            "select batch_id from import_batches where outcome not in ('rejected', 'checked') "
            "and not dry_run").fetchall()}
        known = {r[0] for r in con.execute("select batch_id from import_batches").fetchall()}
    except duckdb.CatalogException:
        return False
    changed = False
    for path in leftovers:
        if path.name.endswith(ARCHIVE_SUFFIX):
            batch_id = path.name[: -len(ARCHIVE_SUFFIX)]
            final = imports_dir(db_path) / batch_id
            if batch_id in accepted and not final.exists():
                path.replace(final)
            else:
                shutil.rmtree(path, ignore_errors=True)
            continue
        try:
            row = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            path.unlink(missing_ok=True)
            continue
        if row["batch_id"] not in known:
            from pie.ingest import load
            load.insert_row(con, row)
            changed = True
        path.unlink(missing_ok=True)
    return changed


db.REPAIRS.append(repair)
