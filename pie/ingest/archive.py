"""Keeping the originals of accepted batches under <database folder>/imports/<batch_id>/,
so any state of the database can be rebuilt by importing them again in order."""
from __future__ import annotations

import hashlib
import re
import shutil
import time
from pathlib import Path

from pie.db import own_private_dir, private_file
from pie.errors import PieError
from pie.ingest.readers import SourceFile
from pie.ingest.report import FileRecord


def imports_dir(db_path: Path) -> Path:
    """Where originals are kept: `imports/` beside the database file (settings().imports_dir
    for the default database)."""
    return Path(db_path).parent / "imports"


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
        try:
            if now - old.stat().st_mtime > STALE_SECONDS:
                shutil.rmtree(old, ignore_errors=True)
        except OSError:
            continue


def save(files: list[SourceFile], db_path: Path, batch_id: str, records: list[FileRecord]) -> Path:
    """Write the exact bytes that were checked (so their sha256 is the recorded one) and set
    each record's `archived_as` (relative to the database folder). Returns the folder."""
    own_private_dir(imports_dir(db_path))
    folder = imports_dir(db_path) / batch_id
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
            record.archived_as = (folder / name).relative_to(Path(db_path).parent).as_posix()
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
