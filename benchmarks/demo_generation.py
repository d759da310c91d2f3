"""How long `python -m pie demo` takes and how much memory it needs, by size.

usage: python benchmarks/demo_generation.py [--sizes 10000 100000 1000000] [--seed 1] [--no-write]

Each size is built in a fresh child process (so its peak RSS is its own) into a temporary
directory, including the schema, the DuckDB file and the published snapshot. Prints a
markdown report and writes it to docs/PERFORMANCE.md under "## Demo generation"
(replacing only that section; the file is created if absent).
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

import duckdb
import numpy

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from report import write_section  # noqa: E402
REPORT = ROOT / "docs" / "PERFORMANCE.md"
HEADING = "## Demo generation"
GOAL_SECONDS = 120


def _child(size: int, seed: int, directory: str) -> None:
    """Build one demo and print its measurements as JSON (runs in the child process)."""
    import resource
    import time

    sys.path.insert(0, str(ROOT))
    from pie.db import published_dir
    from pie.demo import build_demo

    path = Path(directory) / "pie.duckdb"
    steps: dict[str, float] = {}
    start = time.perf_counter()
    last = [start]

    def progress(step: str, fraction: float) -> None:
        now = time.perf_counter()
        steps[step] = steps.get(step, 0.0) + now - last[0]
        last[0] = now

    counts = build_demo(path, participants=size, seed=seed, progress=progress)
    seconds = time.perf_counter() - start
    snapshot = max(published_dir(path).glob("pie-v*.duckdb"), key=lambda p: p.stat().st_mtime_ns)
    print(json.dumps({
        "size": size, "seconds": seconds, "snapshot_seconds": steps.get("snapshot", 0.0),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "file_mb": path.stat().st_size / 2**20, "snapshot_mb": snapshot.stat().st_size / 2**20,
        "rows": counts,
    }))


def _measure(size: int, seed: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="pie-demo-bench-") as directory:
        out = subprocess.run([sys.executable, __file__, "--child", str(size), str(seed), directory],
                             capture_output=True, text=True, check=False)
        if out.returncode != 0:
            raise SystemExit(f"size {size} failed:\n{out.stderr}")
        return json.loads(out.stdout.strip().splitlines()[-1])


def _report(results: list[dict], seed: int) -> str:
    lines = [
        f"`python -m pie demo --participants N --seed {seed}` (`pie.demo.build_demo`), measured with "
        f"`python benchmarks/demo_generation.py --sizes {' '.join(str(r['size']) for r in results)}` "
        f"on {date.today().isoformat()}.",
        f"duckdb {duckdb.__version__}, numpy {numpy.__version__}.",
        "Time is the whole build: schema, generation, loading every table into DuckDB, checkpoint and "
        f"the published snapshot copy. Goal: 1,000,000 participants in under {GOAL_SECONDS} s, under 4 GB.",
        "",
        "| participants | seconds | of which snapshot | peak RSS (MB) | rows, all tables | file (MB) |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(f"| {r['size']:,} | {r['seconds']:.1f} | {r['snapshot_seconds']:.1f} | {r['peak_rss_mb']:,.0f} "
                     f"| {sum(r['rows'].values()):,} | {r['file_mb']:,.1f} |")
    lines += ["", "Rows per table:", "",
              "| table | " + " | ".join(f"{r['size']:,}" for r in results) + " |",
              "|---|" + "---:|" * len(results)]
    for table in results[0]["rows"]:
        lines.append(f"| {table} | " + " | ".join(f"{r['rows'][table]:,}" for r in results) + " |")
    return "\n".join(lines) + "\n"


def main() -> None:
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        _child(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-write", action="store_true", help=f"do not update {REPORT.relative_to(ROOT)}")
    args = parser.parse_args()
    results = []
    for size in args.sizes:
        print(f"building {size:,} participants…", file=sys.stderr, flush=True)
        results.append(_measure(size, args.seed))
    section = _report(results, args.seed)
    print(section)
    if not args.no_write:
        write_section(HEADING.removeprefix("## "), section)
        print(f"written to {REPORT}", file=sys.stderr)
    slow = [r for r in results if r["size"] >= 1_000_000 and r["seconds"] > GOAL_SECONDS]
    if slow:
        raise SystemExit(f"over the {GOAL_SECONDS} s goal at 1,000,000 participants")


if __name__ == "__main__":
    main()
