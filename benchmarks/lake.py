"""Page times and import time on a DuckLake beside a DuckDB file, in the same run (issue 20).

usage (the lake needs DuckDB 1.5.5 and its wheels, so .venv-lake):
    .venv-lake/bin/python benchmarks/lake.py [--participants 1000000] [--accounts manager boa leadership]
    .venv/bin/python benchmarks/lake.py --file-only          # the same file measures on DuckDB 2.0
    .venv-lake/bin/python benchmarks/lake.py --report        # write docs/PERFORMANCE.md's section

For the running DuckDB version: the demo (seed 1) is built into a DuckDB file and, unless
--file-only, into a lake whose catalog is a throwaway PostgreSQL on loopback
(tests/postgres_support.py) and whose Parquet files are on the local disk; the build time of
each is recorded. Then, for each account and each page of its role (no filter): the AppTest
server-side run time cold (st.cache_data / st.cache_resource cleared, so the lake's reader also
attaches its snapshot afresh) and warm (a rerun: cached answers); then an import of
`--import-participants` participants (benchmarks/ingest_speed.write_files: participants and their
phase rows with their parents) into each. Results go to benchmarks/.cache/lake/results-<duckdb
version>.json; --report turns every results file there into the section "DuckLake beside the
file" of docs/PERFORMANCE.md.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for folder in (ROOT, ROOT / "benchmarks", ROOT / "tests"):
    sys.path.insert(0, str(folder))

CACHE = Path(os.environ.get("PIE_BENCH_CACHE", ROOT / "benchmarks" / ".cache")) / "lake"
SECTION = "## DuckLake beside the file (issue 20)"


def build(location, participants: int) -> float:
    from pie import demo
    started = time.perf_counter()
    demo.build_demo(location, participants=participants, seed=1, force=True)
    return time.perf_counter() - started


def import_seconds(location, participants: int, folder: Path) -> float:
    from ingest_speed import write_files
    from pie import db, ingest
    with db.writing(location, programme_changes=False) as con:   # the demo refuses imports
        con.execute("update app_meta set value = 'false' where key = 'is_demo'")
    if not folder.exists():
        folder.mkdir(parents=True)
        write_files(folder, participants)
    started = time.perf_counter()
    report = ingest.ingest(sorted(folder.iterdir()), location, user="benchmark")
    assert report.outcome == "accepted", report.outcome
    return time.perf_counter() - started


def page_times(location, accounts: list[str]) -> list[dict]:
    import streamlit as st
    from streamlit.testing.v1 import AppTest
    from apptest_support import ACCOUNTS, DASHBOARD, signed_in
    from pie.ui import navigation
    os.environ["PIE_DB"] = str(location)
    rows = []
    for account in accounts:
        role = ACCOUNTS[account].role
        for page in navigation.pages_for(role):
            if page.path.startswith("pages/admin/") or page.path.startswith("pages/reference/"):
                continue            # no data figures: not what this compares
            st.cache_data.clear()
            st.cache_resource.clear()
            at = signed_in(AppTest.from_file(DASHBOARD, default_timeout=300), account)
            at.run()                  # the role's landing page, then nothing cached
            st.cache_data.clear()
            st.cache_resource.clear()
            started = time.perf_counter()
            at.switch_page(page.path).run()
            cold = time.perf_counter() - started
            st.cache_data.clear()     # answers only: the process's reader (its attached snapshot) kept
            started = time.perf_counter()
            at.run()
            answers_cold = time.perf_counter() - started
            warm = []
            for _ in range(2):
                started = time.perf_counter()
                at.run()
                warm.append(time.perf_counter() - started)
            rows.append({"account": account, "page": page.path, "cold": cold, "answers_cold": answers_cold,
                         "warm": statistics.median(warm),
                         "errors": [str(e.value) for e in at.exception]})
    return rows


def measure(args) -> dict:
    import duckdb
    from pie import lake
    version = duckdb.__version__
    work = CACHE / f"duckdb-{version}"
    shutil.rmtree(work / "lake-data", ignore_errors=True) if args.lake_only else shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True, exist_ok=True)
    os.environ["PIE_STATE_DIR"] = str(work / "state")
    os.environ["PIE_DATA_PATH"] = str(work / "lake-data")
    result = {"duckdb": version, "participants": args.participants, "date": date.today().isoformat(),
              "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python "
                         f"{platform.python_version()}", "load_before": os.getloadavg(), "backends": {}}
    files = CACHE / f"import-{args.import_participants}"
    backends = [] if args.lake_only else [("file", work / "pie.duckdb")]
    cluster = None
    if not args.file_only:
        if lake.unavailable_reason():
            sys.exit(lake.unavailable_reason())
        from postgres_support import postgres_cluster
        cluster = postgres_cluster()
        pg = cluster.__enter__()
        backends.append(("lake", "ducklake:postgres:" + pg.libpq(pg.create_database("pie_bench"))))
    try:
        for name, location in backends:
            print(f"{name}: building the demo of {args.participants} participants…", flush=True)
            built = build(location, args.participants)
            print(f"{name}: built in {built:.1f} s; pages…", flush=True)
            pages = page_times(location, args.accounts)
            print(f"{name}: importing {args.import_participants} participants…", flush=True)
            imported = import_seconds(location, args.import_participants, files)
            result["backends"][name] = {"build": built, "import": imported, "pages": pages}
            print(f"{name}: import {imported:.1f} s", flush=True)
    finally:
        if cluster is not None:
            cluster.__exit__(None, None, None)
    out = CACHE / f"results-{version}.json"
    if args.lake_only and out.exists():    # keep the file's figures of the previous run
        previous = json.loads(out.read_text(encoding="utf-8"))
        result["backends"] = {**previous["backends"], **result["backends"]}
        result["load_before"] = previous["load_before"]
    out.write_text(json.dumps(result, indent=1), encoding="utf-8")
    print(f"written {out}")
    return result


def report() -> None:
    results = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(CACHE.glob("results-*.json"))]
    columns = [(r["duckdb"], name, r) for r in results for name in r["backends"]]
    lines = [SECTION, "",
             "_Measured " + ", ".join(sorted({r["date"] for r in results})) + " on " + results[0]["machine"]
             + "; load average before each run: "
             + "; ".join(f"DuckDB {r['duckdb']}: {' / '.join(f'{x:.1f}' for x in r['load_before'])}" for r in results)
             + "._", "",
             "Command: `.venv-lake/bin/python benchmarks/lake.py --participants "
             f"{results[0]['participants']}` (file and lake in the same run, DuckDB 1.5.5) and "
             "`.venv/bin/python benchmarks/lake.py --file-only` (the file on DuckDB 2.0). The lake's "
             "catalog is a PostgreSQL 15 on loopback, its Parquet files on the local disk. AppTest "
             "server-side run of each data page of the account's role, no filter, in seconds: **cold** = "
             "st.cache_data and st.cache_resource cleared (the lake's reader attaches its snapshot afresh, "
             "as after an import), **answers** = st.cache_data only cleared (the process's reader kept: a "
             "page nobody asked yet), **warm** = median of 2 reruns. Cells: cold / answers / warm.", "",
             "| | " + " | ".join(f"{name}, DuckDB {version}" for version, name, _ in columns) + " |",
             "|---|" + "---:|" * len(columns),
             "| demo build (s) | " + " | ".join(f"{r['backends'][name]['build']:.1f}" for _, name, r in columns) + " |",
             f"| import of {results[0].get('import_participants', 'N')} participants (s) | "
             + " | ".join(f"{r['backends'][name]['import']:.1f}" for _, name, r in columns) + " |"]
    pages = sorted({(p["account"], p["page"]) for _, name, r in columns for p in r["backends"][name]["pages"]})
    for account, page in pages:
        cells = []
        for _, name, r in columns:
            found = [p for p in r["backends"][name]["pages"] if (p["account"], p["page"]) == (account, page)]
            answers = f"{found[0]['answers_cold']:.2f}" if found and "answers_cold" in found[0] else "—"
            cells.append(f"{found[0]['cold']:.2f} / {answers} / {found[0]['warm']:.2f}"
                         + (" ✗" if found[0]["errors"] else "") if found else "—")
        lines.append(f"| {account}: {page.split('/')[-1].removesuffix('.py')} | " + " | ".join(cells) + " |")
    lines.append("")
    text = (ROOT / "docs" / "PERFORMANCE.md").read_text(encoding="utf-8")
    section = "\n".join(lines) + "\n"
    if SECTION in text:
        start = text.index(SECTION)
        end = text.find("\n## ", start + len(SECTION))
        text = text[:start] + section + (text[end + 1:] if end != -1 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    (ROOT / "docs" / "PERFORMANCE.md").write_text(text, encoding="utf-8")
    print(section)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=1_000_000)
    parser.add_argument("--import-participants", type=int, default=100_000)
    parser.add_argument("--accounts", nargs="+", default=["manager", "boa", "leadership"])
    parser.add_argument("--file-only", action="store_true")
    parser.add_argument("--lake-only", action="store_true", help="measure the lake again, keep the file's figures")
    parser.add_argument("--report", action="store_true")
    args = parser.parse_args()
    if args.report:
        report()
        return
    result = measure(args)
    result["import_participants"] = args.import_participants
    (CACHE / f"results-{result['duckdb']}.json").write_text(json.dumps(result, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
