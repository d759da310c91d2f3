"""Import speed: N participants and their phase rows (≈2.4 per participant), as CSV, into a
fresh database, then the same files again (every row an update). Prints seconds per step
and rows per second, and writes the table to docs/PERFORMANCE.md ("Import speed").

    python benchmarks/ingest_speed.py --participants 100000 1000000

Goal: 1,000,000 participants and their phase rows checked and loaded in under
60 s, under 2 GB. Each size runs in its own process so its peak memory is its own.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import resource
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from pie import db, ingest  # noqa: E402
from report import write_section  # noqa: E402


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


def measure(participants: int) -> dict:
    """One size, in this process: rows, first import and re-import seconds, peak RSS."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "files"
        folder.mkdir()
        phases = write_files(folder, participants)
        database = db.init_database(Path(tmp) / "pie.duckdb")
        first, first_seconds = run(folder, database)
        print(f"{participants} participants + {phases} phase rows: {first}", file=sys.stderr)
        again, again_seconds = run(folder, database)
        print(f"re-import of the same files (every row an update): {again}", file=sys.stderr)
    return {"participants": participants, "phases": phases, "first": first_seconds, "again": again_seconds,
            # the larger of the importer's peak and its worker's (reading and checking): the
            # worker has exited before the importer's transaction loads the batch
            "rss_mb": max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                          resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.participants[0])))
        return
    results = []
    for size in args.participants:
        out = subprocess.run([sys.executable, __file__, "--child", "--participants", str(size)],
                             capture_output=True, text=True, check=True)
        sys.stderr.write(out.stderr)
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    lines = ["| participants | + phase rows | first import (s) | rows/s | re-import, all updates (s) | peak RSS (MB) |",
             "|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        rows = r["participants"] + r["phases"]
        lines.append(f"| {r['participants']:,} | {r['phases']:,} | {r['first']:.1f} | {rows / r['first']:,.0f} "
                     f"| {r['again']:.1f} | {r['rss_mb']:,.0f} |")
    body = ("Command: `python benchmarks/ingest_speed.py --participants "
            + " ".join(str(r["participants"]) for r in results)
            + "`. CSV files (participants.csv and phase_progress.csv with their parents) into a fresh "
              "database through `pie.ingest.ingest`: reading, every cell and cross-table check in DuckDB, "
              "the all-or-nothing upsert, the batch record, the archive and the published snapshot. "
              "Goal: 1,000,000 participants under 60 s and 2 GB.\n\n" + "\n".join(lines))
    print(body)
    write_section("Import speed", body)


def run(folder: Path, database: Path) -> tuple[str, float]:
    """Import the folder; print the time per step; return a one-line summary and the seconds."""
    steps: list[tuple[str, float]] = []

    def progress(step: str, fraction: float) -> None:
        if not steps or steps[-1][0] != step:
            steps.append((step, time.perf_counter()))

    t0 = time.perf_counter()
    report = ingest.ingest([folder], database, "bench", progress=progress)
    elapsed = time.perf_counter() - t0
    rows = sum(report.rows.values())
    marks = [*steps, ("end", t0 + elapsed)]
    print(f"outcome {report.outcome}, problems {report.problems_count}, rows {report.rows}", file=sys.stderr)
    print("  " + ", ".join(f"{step} {after - at:.2f} s" for (step, at), (_, after) in zip(marks, marks[1:])), file=sys.stderr)
    return (f"{rows} rows in {elapsed:.1f} s, {rows / elapsed:,.0f} rows/s; "
            f"peak RSS so far {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"), elapsed


if __name__ == "__main__":
    main()
