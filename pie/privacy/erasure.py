"""Erasure of a person's contact data, on request or when the retention period is over
(Law 09-08; docs/PRIVACY.md).

`erase` removes the person's participant_contacts row and their full name from every free
text (projects.name, financing_decisions.rejection_reason: the name replaced by ERASED_TEXT,
case-insensitive), keeps every programme row under the same participant_id (so every
figure stays the same), remembers the id in `erased_participants` (the importer then refuses
their contacts), and writes the audit log. The file of record is rewritten and older
snapshots removed, so no published file still holds the erased contact; the archived import
files are rewritten without them (pie.privacy.archives).

`inactive` lists the participants with contacts whose latest activity is older than the
retention period: activity = the latest of enrolled_on, their phases' started_on and
completed_on, and their projects' created_on, plans' submitted_on and reviewed_on,
decisions' decided_on and disbursed_on, stages' entered_on and exited_on, coaching
sessions' held_on, companies' registered_on and follow-ups' as_of
(pie/privacy/last_activity.sql). `purge` erases them.
"""
from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import duckdb

from pie import auth, db
from pie.privacy import archives
from pie.config import settings
from pie.errors import PieError

ERASED_TEXT = archives.ERASED_TEXT
# free-text columns that may name a person (DATA_MODEL.md): table -> columns
FREE_TEXT = {"projects": ("name",), "financing_decisions": ("rejection_reason",)}
ERASED_TABLE = """
create table if not exists erased_participants (
    participant_id  varchar primary key,
    erased_on       timestamp not null,
    reason          varchar,
    erased_by       varchar
)"""
# not in queries/: it reads every participant_contacts row, whatever the scope
LAST_ACTIVITY = Path(__file__).with_name("last_activity.sql")


def ensure_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(ERASED_TABLE)


def _erase_one(con: duckdb.DuckDBPyConnection, participant_id: str, reason: str | None,
               user: str | None) -> dict:
    known = con.execute("select 1 from participants where participant_id = ? union all "
                        "select 1 from participant_contacts where participant_id = ?",
                        [participant_id, participant_id]).fetchone()
    if known is None:
        raise PieError(key="privacy.error.unknown_participant", participant=participant_id)
    name = con.execute("select full_name from participant_contacts where participant_id = ?",
                       [participant_id]).fetchone()
    texts = 0
    if name and name[0] and name[0].strip():
        pattern = "(?i)" + re.escape(name[0].strip())
        for table, columns in FREE_TEXT.items():
            for column in columns:
                texts += con.execute(
                    f"update {table} set {column} = regexp_replace({column}, $p, $r, 'g') "
                    f"where regexp_matches({column}, $p)", {"p": pattern, "r": ERASED_TEXT}).fetchone()[0]
    contacts = con.execute("delete from participant_contacts where participant_id = ?", [participant_id]).fetchone()[0]
    con.execute("insert into erased_participants values (?, current_timestamp, ?, ?) on conflict (participant_id) "
                "do update set erased_on = excluded.erased_on, reason = excluded.reason, erased_by = excluded.erased_by",
                [participant_id, reason, user])
    return {"participant_id": participant_id, "contacts": int(contacts), "texts": int(texts), "reason": reason}


def _forget_old_copies(con: duckdb.DuckDBPyConnection) -> None:
    """Ask `db.writing` to rewrite the file of record (no free block keeps the erased rows) and
    keep only the new snapshot (the older ones hold the contacts)."""
    con.execute("insert into app_meta values ($key, 'pending') on conflict (key) do update set value = 'pending'",
                {"key": db._PURGE_KEY})


def erase(db_path: Path | str | None, participant_ids: list[str], reason: str | None = None,
          user: str | None = "cli", event: str = "privacy_erase") -> list[dict]:
    """Erase the contacts of `participant_ids` in one transaction; one dict per person:
    participant_id, contacts (rows removed: 0 or 1), texts (free texts changed), reason,
    archived_files (the archived import files rewritten without them, relative to the
    database's folder — a lake's PIE_STATE_DIR). On a lake, every older snapshot is expired and
    its files deleted (pie.lake.forget_old_snapshots), as a file's older copies are."""
    path = Path(db_path) if db_path is not None else settings().db_path
    with db.writing(path) as con:
        ensure_table(con)
        names = dict(con.execute("select participant_id, full_name from participant_contacts "
                                 "where participant_id in (select unnest($ids))",
                                 {"ids": list(participant_ids)}).fetchall())
        done = [_erase_one(con, pid, reason, user) for pid in participant_ids]
        if done:
            _forget_old_copies(con)
            # The archived import files too, before the commit: if this fails nothing is erased
            # in the database, and a second run finds the same names (archives.redact is by id).
            changed = archives.redact(path, [item["participant_id"] for item in done], names.values())
            folder = settings().state_dir_of(path)   # the database's folder, or a lake's PIE_STATE_DIR
            archived = [file.relative_to(folder).as_posix() for file in changed]
            for item in done:
                item["archived_files"] = archived
    for item in done:
        auth.record_event(path, user, event, json.dumps(item, ensure_ascii=False))
    return done


def erased_ids(con: duckdb.DuckDBPyConnection) -> set[str]:
    """The ids in erased_participants (none when the table does not exist yet)."""
    exists = con.execute("select count(*) from information_schema.tables "
                         "where table_name = 'erased_participants'").fetchone()[0]
    return {r[0] for r in con.execute("select participant_id from erased_participants").fetchall()} if exists else set()


def retention_years() -> int:
    return settings().retention_years


def inactive(db_path: Path | str | None, older_than_years: int, today: date | None = None) -> list[dict]:
    """Participants with contacts and no activity for `older_than_years` years on `today`:
    participant_id, last_activity_on; oldest first (read from the published snapshot)."""
    if older_than_years < 1:
        raise PieError(key="privacy.error.bad_years", years=older_than_years)
    today = today or date.today()
    try:
        cutoff = today.replace(year=today.year - older_than_years)
    except ValueError:  # 29 February
        cutoff = today.replace(year=today.year - older_than_years, day=28)
    with db.reader(db_path).connection().cursor() as cur:
        rows = cur.execute(LAST_ACTIVITY.read_text(encoding="utf-8"), {"cutoff": cutoff}).fetchall()
    return [{"participant_id": pid, "last_activity_on": last} for pid, last in rows]


def purge(db_path: Path | str | None, older_than_years: int, dry_run: bool = False, user: str | None = "cli",
          today: date | None = None) -> list[dict]:
    """Erase the contacts of `inactive` participants (only list them with `dry_run`)."""
    found = inactive(db_path, older_than_years, today)
    if dry_run or not found:
        return found
    reason = f"retention: no activity for {older_than_years} years"
    erase(db_path, [row["participant_id"] for row in found], reason, user, event="privacy_purge")
    return found
