"""Deterministic synthetic PIE programme at any size (`python -m pie demo`).

Same `participants` and `seed` give the same database on any machine and any day: every
random draw comes from one numpy PCG64 stream, in a fixed order, and "today" is AS_OF.
Everything is generated as numpy arrays (no per-row Python loops) and loaded table by
table into DuckDB from Arrow; the identifiers and strings are formatted by DuckDB.

The story the data tell (DESIGN.md): the PIE started in 2021-2022 at the CMCs of
Souss-Massa, Oriental and Laâyoune-Sakia El Hamra plus the ISTA of Benguérir and spreads
region by region (Tanger-Tétouan-Al Hoceima and Béni Mellal-Khénifra in 2024-2025, Dakhla
planned but not launched yet); most participants drop before the immersion studio; teams
write plans, BOA (then CAM…) finance some, MCISE (and others) incubate some, companies are
created, loans are repaid or fall behind.

Layout: reference.py (calendar, regions, names, partners, the shares of each draw; code
lists come from pie.codes), draws.py (random draws and date arithmetic), frames.py (Arrow
columns and the SQL formatting identifiers), programme.py (the stream and the order of the
steps), and one module per part of the programme with one function per table:
establishments.py (establishments, cohorts), participants.py (participants,
participant_contacts), phases.py, projects.py (projects, project_members), plans.py,
financing.py (financing_decisions, loan_followups), incubation.py (incubation_stages,
coaching_sessions), companies.py (companies, company_followups), targets.py. The demo
accounts are pie.auth.create_demo_accounts.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np

from pie import auth, db
from pie.demo.programme import Programme
from pie.demo.reference import AS_OF, DEFAULT_SEED, MAX_PARTICIPANTS, MIN_PARTICIPANTS, REGIONS
from pie.errors import DatabaseNotEmpty, PieError

__all__ = ["AS_OF", "DEFAULT_SEED", "MAX_PARTICIPANTS", "MIN_PARTICIPANTS", "REGIONS", "STEP_WEIGHTS", "build_demo"]

# Relative time each step takes at 1M participants (for the progress bar).
STEP_WEIGHTS = {"establishments": 1, "cohorts": 1, "participants": 14, "participant_contacts": 30,
                "phase_progress": 18, "projects": 3, "project_members": 3, "business_plans": 2,
                "financing_decisions": 2, "incubation_stages": 1, "coaching_sessions": 3, "companies": 1,
                "loan_followups": 2, "company_followups": 1, "targets": 1, "snapshot": 12}


def build_demo(db_path: Path, participants: int = 3000, seed: int = DEFAULT_SEED,
               progress: Callable[[str, float], None] | None = None, force: bool = False) -> dict[str, int]:
    """Fill db_path (creating it with the schema if absent) with a synthetic programme of about `participants` participants; returns rows per table.

    An existing demo database is rebuilt from scratch; a database holding real data is
    refused (DatabaseNotEmpty) unless `force`. `progress(step, fraction)` is called as
    tables are written. Raises PieError when `participants` is outside 100..1,000,000.
    """
    if isinstance(participants, bool) or not isinstance(participants, (int, np.integer)) \
            or not MIN_PARTICIPANTS <= participants <= MAX_PARTICIPANTS:
        # The bounds are written in the message of each language (demo.error.participants).
        raise PieError(key="demo.error.participants", participants=participants)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise PieError(key="demo.error.seed", seed=seed)
    db_path = Path(db_path)
    report = progress or (lambda step, fraction: None)
    _refuse_real_data(db_path, force)
    report("schema", 0.0)
    db.init_database(db_path, force=True, publish=False)  # readers keep the old snapshot meanwhile

    total = sum(STEP_WEIGHTS.values())
    done = 0.0
    counts: dict[str, int] = {}
    with db.writing(db_path, transaction=False) as con:
        con.execute("set enable_progress_bar = false")      # the caller draws its own
        # Marked as demo first: if the build is interrupted, the next `demo` may rebuild it.
        for key, value in (("is_demo", "true"), ("demo_participants", str(int(participants))),
                           ("demo_seed", str(int(seed))), ("demo_as_of", AS_OF.isoformat())):
            con.execute("insert into app_meta values ($key, $value) "
                        "on conflict (key) do update set value = excluded.value", {"key": key, "value": value})
        for table, frame, select_sql in Programme(int(participants), int(seed)).tables():
            con.register("demo_frame", frame)
            try:
                con.execute(f"insert into {table} {select_sql}")
            finally:
                con.unregister("demo_frame")
            counts[table] = con.execute(f"select count(*) from {table}").fetchall()[0][0]
            done += STEP_WEIGHTS[table]
            report(table, done / total)
        report("snapshot", done / total)
    auth.create_demo_accounts(db_path)
    report("snapshot", 1.0)
    return counts


def _refuse_real_data(db_path: Path, force: bool) -> None:
    if force or not db.exists(db_path):
        return
    with db.inspect(db_path) as con:
        tables = {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}
        is_demo = "app_meta" in tables and db.meta(con).get("is_demo") == "true"
        empty = db.is_empty(con)
    if not is_demo and not empty:
        raise DatabaseNotEmpty(key="demo.error.real_data", path=db_path)

