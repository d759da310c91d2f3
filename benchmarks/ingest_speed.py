"""Import speed: N participants and their phase rows (≈2.4 per participant), as CSV, into a
fresh database. Prints seconds per step and rows per second.

    python benchmarks/ingest_speed.py --participants 100000
"""
from __future__ import annotations

import argparse
import resource
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pie import db, ingest  # noqa: E402


def write_files(folder: Path, n: int, seed: int = 1) -> int:
    rng = random.Random(seed)
    cohorts = max(1, n // 200)
    (folder / "establishments.csv").write_text(
        "establishment_id,name,kind,region_code,city,pie_launch_date\n"
        "E1,CMC Souss-Massa,cmc,9,Agadir,01/10/2021\nE2,ISTA Oujda,ista,02,Oujda,2022-10-10\n", encoding="utf-8")
    with open(folder / "cohorts.csv", "w", encoding="utf-8") as out:
        out.write("cohort_id;establishment_id;academic_year;start_date;delivery_mode\n")
        for c in range(cohorts):
            out.write(f"C{c:05d};E{1 + c % 2};2022-2023;03/10/2022;In_Person\n")
    phases = 0
    start = date(2022, 10, 3)
    with open(folder / "participants.csv", "w", encoding="utf-8") as people, \
            open(folder / "phase_progress.csv", "w", encoding="utf-8") as steps:
        people.write("participant_id;cohort_id;gender;birth_year;profile;sector;enrolled_on\n")
        steps.write("participant_id;phase;status;started_on;completed_on;hours_attended\n")
        for i in range(n):
            pid = f"P{i:07d}"
            enrolled = start + timedelta(days=rng.randrange(30))
            people.write(f"{pid};C{i % cohorts:05d};{'F' if rng.random() < .45 else 'm'};{rng.randrange(1985, 2006)};"
                         f"trainee;digital_ai;{enrolled:%d/%m/%Y}\n")
            day = enrolled + timedelta(days=2)
            for phase in ("awareness", "fundamentals", "immersion"):
                done = rng.random() < 0.7
                end = day + timedelta(days=20)
                steps.write(f"{pid};{phase};{'completed' if done else 'dropped'};{day:%Y-%m-%d};"
                            f"{end:%d/%m/%Y}{'' if done else ''};\"12,5\"\n" if done else
                            f"{pid};{phase};dropped;{day:%Y-%m-%d};;3\n")
                phases += 1
                if not done:
                    break
                day = end + timedelta(days=3)
    return phases


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "files"
        folder.mkdir()
        phases = write_files(folder, args.participants)
        database = db.init_database(Path(tmp) / "pie.duckdb")
        first = run(folder, database)
        print(f"{args.participants} participants + {phases} phase rows: {first}")
        print(f"re-import of the same files (every row an update): {run(folder, database)}")


def run(folder: Path, database: Path) -> str:
    """Import the folder; print the time per step; return a one-line summary."""
    steps: list[tuple[str, float]] = []

    def progress(step: str, fraction: float) -> None:
        if not steps or steps[-1][0] != step:
            steps.append((step, time.perf_counter()))

    t0 = time.perf_counter()
    report = ingest.ingest([folder], database, "bench", progress=progress)
    elapsed = time.perf_counter() - t0
    rows = sum(report.rows.values())
    marks = [*steps, ("end", t0 + elapsed)]
    print(f"outcome {report.outcome}, problems {report.problems_count}, rows {report.rows}")
    print("  " + ", ".join(f"{step} {after - at:.2f} s" for (step, at), (_, after) in zip(marks, marks[1:])))
    return (f"{rows} rows in {elapsed:.1f} s, {rows / elapsed:,.0f} rows/s; "
            f"peak RSS so far {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
