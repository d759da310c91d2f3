"""Fuzzing the importer for longer than the test suite does, plus the hostile files: every
case must end in a Report. Writes "Import robustness" to docs/PERFORMANCE.md.

    python benchmarks/fuzz_import.py --cases 200

Hostile files (tests/hostile.py) are timed with the peak memory of the worker process
(RUSAGE_CHILDREN, the largest child) and of this process.
"""
from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import fuzz_support  # noqa: E402
import hostile  # noqa: E402
from pie import db, ingest  # noqa: E402
from report import write_section  # noqa: E402


def peak_mb() -> tuple[float, float]:
    return (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=200)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="pie-fuzz-"))
    database = db.init_database(folder / "pie.duckdb")

    lines = ["| hostile file | size | outcome | problem | seconds | worker peak MB |", "|---|---|---|---|---|---|"]
    cases = [
        ("2 KB sheet declaring A1:XFD1048576", "participants.xlsx", hostile.huge_sheet_xlsx()),
        ("sheet hiding its size (cell at XFD1048576)", "participants.xlsx", hostile.huge_sheet_xlsx(declare=False)),
        ("10,000 identical keys (#N/A)", "participants.csv", hostile.repeated_keys_csv(10_000)),
        ("100,000 keys each twice", "participants.csv", hostile.distinct_repeated_keys_csv(100_000)),
        ("1,000,000 identical keys", "participants.csv", hostile.repeated_keys_csv(1_000_000)),
    ]
    worst = 0.0
    for title, name, data in cases:
        started = time.perf_counter()
        report = ingest.check([(name, data)], database)
        seconds = time.perf_counter() - started
        worst = max(worst, seconds)
        group = report.groups[0] if report.groups else None
        lines.append(f"| {title} | {len(data) / 1024:,.0f} KB | {report.json_outcome()} | "
                     f"{group.type if group else '—'} ×{group.count if group else 0} | {seconds:.1f} | "
                     f"{peak_mb()[1]:.0f} |")
        print(lines[-1], flush=True)

    crashes, outcomes, started = 0, {"accepted": 0, "rejected": 0}, time.perf_counter()
    strategy = fuzz_support.batches
    for n in range(args.cases):
        files = strategy.example()
        try:
            report = ingest.check(files, database)
            outcomes[report.json_outcome()] += 1
        except Exception as error:  # noqa: BLE001 - counted as a crash
            crashes += 1
            print(f"crash: {type(error).__name__}: {error}", flush=True)
    fuzz_seconds = time.perf_counter() - started
    own, child = peak_mb()
    body = "\n".join([
        "`python benchmarks/fuzz_import.py --cases N`: hostile files, then N random batches of 1–3",
        "mutated CSV/XLSX/ODS files (tests/fuzz_support.py) checked through `ingest.check` (the worker",
        "process reads and checks, the importer records the batch).", "",
        *lines, "",
        f"Worst hostile file: {worst:.1f} s; importer process peak {own:.0f} MB, largest worker {child:.0f} MB.",
        "",
        f"Fuzz: {args.cases} cases tried in {fuzz_seconds:.0f} s ({outcomes['accepted']} accepted, "
        f"{outcomes['rejected']} rejected), crashes: {crashes}.",
    ])
    write_section("Import robustness", body)
    print(body)


if __name__ == "__main__":
    main()
