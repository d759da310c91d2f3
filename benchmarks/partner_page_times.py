"""Server-side run time of the Financing, Incubation and Companies pages per account (AppTest).

usage: python benchmarks/partner_page_times.py [--db PATH | --participants 100000] [--repeat 5] [--write]

For each account (manager, the bank BOA, the incubator MCISE) and each of these pages it may
open: a cold run (Streamlit caches cleared just before, after the login run) and `--repeat`
warm runs (cached query results; the page still builds its figures and tables). Without --db,
builds (or reuses) the demo of benchmarks/.cache/demo-<N>/. With --write, the table replaces
the section "Partner page run times" of docs/PERFORMANCE.md.
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
sys.path.insert(0, str(ROOT / "tests"))

from report import peak_rss_mb, write_section  # noqa: E402

PAGES = {
    "manager": ("pages/financing/financing.py", "pages/incubation/incubation.py", "pages/programme/companies.py"),
    "boa": ("pages/financing/financing.py",),
    "mcise": ("pages/incubation/incubation.py",),
}


def time_page(account: str, page: str, repeat: int) -> tuple[float, float]:
    """(cold seconds, median warm seconds) of one page's server-side run for `account`."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from apptest_support import signed_in

    at = signed_in(AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=300), account)
    at.run()
    st.cache_data.clear()
    st.cache_resource.clear()
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
    parser.add_argument("--db", type=Path, help="an existing demo database (default: build one)")
    parser.add_argument("--participants", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--write", action="store_true", help="write the table into docs/PERFORMANCE.md")
    args = parser.parse_args()
    os.chdir(ROOT)
    if args.db is None:
        from page_times import demo_database
        args.db = demo_database(args.participants)
    os.environ["PIE_DB"] = str(args.db)
    rows = ["| account | page | cold run (s) | warm run, median (s) |", "|---|---|---:|---:|"]
    for account, pages in PAGES.items():
        for page in pages:
            cold, warm = time_page(account, page, args.repeat)
            print(f"{account:<8} {page:<34} cold {cold:6.3f} s  warm {warm:6.3f} s", file=sys.stderr)
            rows.append(f"| {account} | `{page}` | {cold:.3f} | {warm:.3f} |")
    body = ("Command: `python benchmarks/partner_page_times.py --participants "
            f"{args.participants} --write`. AppTest, no sidebar filter; cold = Streamlit caches "
            "cleared before the run, warm = rerun with cached query results (tables and figures "
            "are rebuilt). Tables draw at most 500 rows on screen; downloads hold every row, the "
            "XLSX being built on click.\n\n" + "\n".join(rows)
            + f"\n\nPeak RSS of the benchmark process: {peak_rss_mb():.0f} MB.")
    print(body)
    if args.write:
        write_section("Partner page run times", body)


if __name__ == "__main__":
    main()
