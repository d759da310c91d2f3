"""Server-side run time of every page (Streamlit AppTest), cold and warm cache, per demo size.

usage: python benchmarks/page_times.py [--sizes 100 100000] [--repeat 5]

For each size, builds (or reuses, under benchmarks/.cache/) a demo database, then for every
page under pages/: a cold run (caches cleared) and `--repeat` warm runs; also the raw DuckDB
time of the queries a page runs is not separated here (see the issue on national scale).
Writes the table to docs/PERFORMANCE.md, section "Page run times".
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "tests"))  # apptest_support: a signed-in manager session

from report import peak_rss_mb, write_section  # noqa: E402

CACHE = ROOT / "benchmarks" / ".cache"


def demo_database(size: int) -> Path:
    from pie import demo

    path = CACHE / f"demo-{size}" / "pie.duckdb"
    if not path.exists():
        started = time.perf_counter()
        demo.build_demo(path, participants=size, seed=1)
        print(f"built demo of {size} participants in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return path


def page_paths() -> list[str]:
    return sorted(str(p.relative_to(ROOT)) for p in (ROOT / "pages").glob("*/*.py"))


def time_page(page: str, repeat: int) -> tuple[float, float]:
    """(cold seconds, median warm seconds) of one page's server-side run."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    st.cache_data.clear()
    st.cache_resource.clear()
    from apptest_support import signed_in

    at = signed_in(AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120), "manager")
    at.run()
    started = time.perf_counter()
    at.switch_page(page).run()
    cold = time.perf_counter() - started
    if at.exception:
        raise RuntimeError(f"{page}: {at.exception[0].value}")
    warm = []
    for _ in range(repeat):
        started = time.perf_counter()
        at.run()
        warm.append(time.perf_counter() - started)
    return cold, statistics.median(warm)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 100_000])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    os.chdir(ROOT)
    rows = ["| participants | page | cold run (s) | warm run, median (s) |", "|---:|---|---:|---:|"]
    for size in args.sizes:
        os.environ["PIE_DB"] = str(demo_database(size))
        for page in page_paths():
            cold, warm = time_page(page, args.repeat)
            print(f"{size:>9} {page:<40} cold {cold:6.3f} s  warm {warm:6.3f} s", file=sys.stderr)
            rows.append(f"| {size:,} | `{page}` | {cold:.3f} | {warm:.3f} |")
    body = ("Command: `python benchmarks/page_times.py --sizes " + " ".join(map(str, args.sizes))
            + "`. AppTest, manager scope, no filter; cold = caches cleared, warm = rerun with "
            "cached query results.\n\n" + "\n".join(rows)
            + f"\n\nPeak RSS of the benchmark process: {peak_rss_mb():.0f} MB.")
    write_section("Page run times", body)


if __name__ == "__main__":
    main()
