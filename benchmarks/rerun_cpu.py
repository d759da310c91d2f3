"""Server CPU seconds per warm page run, page by page (issue 18: "less work per rerun").

usage: python benchmarks/rerun_cpu.py --db PATH [--accounts manager leadership boa mcise]
           [--pages overview phases ...] [--filters none typical] [--repeat 5]
           [--profile OUT.prof] [--json OUT.json]
       python benchmarks/rerun_cpu.py --compare BEFORE.json AFTER.json   # a markdown table

Wall clock is unreliable on a shared machine; the CPU time this process spends is not (other
processes' load slows it, it does not add to it). For each account, page of its role and
filter: AppTest opens the page (cold), runs it once more (caches filled by the first run,
e.g. st.cache_resource figures), then `--repeat` warm reruns; each rerun's process CPU time
(time.process_time: every thread, the script's included) is recorded with the SQL it ran
(warm reruns should run none). Prints one line per page and the median; `--profile` writes a
cProfile of every warm rerun together (read it with `python -m pstats` or the summary this
script prints: the functions with the most cumulative and own time). PIE_DB is set to --db:
give it a copy, the reader may publish a snapshot beside it.

To compare two versions of the code on a shared machine, run both at the same time (each on
its own copy of the database, e.g. the older one from a `git archive` of its commit) so that
both see the same load, then `--compare` their --json files.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import json
import logging
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for folder in (ROOT, ROOT / "benchmarks", ROOT / "tests"):
    sys.path.insert(0, str(folder))

DEFAULT_ACCOUNTS = ("manager", "leadership", "boa", "mcise")
DATA_PAGES = ("overview", "funnel", "phases", "follow_up", "regions", "companies", "financing", "incubation")


# Functions whose CPU time (the calling thread's, outermost calls only) --breakdown reports.
BREAKDOWN = ("pie.ui.data.ask", "pie.ui.layout.figure", "pie.ui.layout.plotly_chart", "pie.ui.tables.dataframe",
             "pie.ui.layout.show_table", "pie.ui.contacts.show", "pie.ui.filters.sidebar", "pie.ui.login.current_user",
             "pie.ui.layout.open_page", "pie.ui.cards.kpi_cards", "pie.ui.downloads.download_buttons")


def _measure_functions(names: tuple[str, ...]) -> dict[str, float]:
    """Wrap each function `module.name` so that the CPU time of its outermost calls (thread
    time) adds up in the returned dict. Calls through `module.name` only (a name imported
    with `from module import name` before this runs keeps the original)."""
    import importlib
    import threading

    spent: dict[str, float] = {}
    depth = threading.local()
    for dotted in names:
        module_name, _, attribute = dotted.rpartition(".")
        module = importlib.import_module(module_name)
        original = getattr(module, attribute)

        def timed(*args, __original=original, __name=dotted, **kwargs):
            level = getattr(depth, __name.replace(".", "_"), 0)
            setattr(depth, __name.replace(".", "_"), level + 1)
            started = time.thread_time()
            try:
                return __original(*args, **kwargs)
            finally:
                setattr(depth, __name.replace(".", "_"), level)
                if level == 0:
                    spent[__name] = spent.get(__name, 0.0) + time.thread_time() - started

        setattr(module, attribute, timed)
    return spent


def _profile_script_runs(profiler: cProfile.Profile, profiling: dict) -> None:
    """Profile the script runs (they run in Streamlit's script thread, which cProfile enabled in
    the main thread would not see) while profiling["on"]."""
    from streamlit.runtime.scriptrunner import script_runner

    original = script_runner.ScriptRunner._run_script

    def profiled(self, rerun_data):
        if not profiling["on"]:
            return original(self, rerun_data)
        profiler.enable()
        try:
            return original(self, rerun_data)
        finally:
            profiler.disable()

    script_runner.ScriptRunner._run_script = profiled


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", type=Path)
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("BEFORE", "AFTER"))
    parser.add_argument("--accounts", nargs="+", default=list(DEFAULT_ACCOUNTS))
    parser.add_argument("--pages", nargs="+", default=list(DATA_PAGES))
    parser.add_argument("--filters", nargs="+", default=["none", "typical"])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--profile", type=Path)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--breakdown", action="store_true",
                        help="CPU of the script thread inside a few functions (BREAKDOWN), per warm rerun")
    args = parser.parse_args(argv)
    if args.compare:
        print(compare(*(json.loads(path.read_text()) for path in args.compare)))
        return 0
    if args.db is None:
        parser.error("--db is required")

    os.environ["PIE_DB"] = str(args.db.resolve())
    os.environ["PIE_SHARED_ANSWERS"] = "0"   # what a process computes itself (pie.answers)
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    from streamlit.testing.v1 import AppTest

    from apptest_support import ACCOUNTS, DASHBOARD, signed_in
    from pie import queries
    from pie.ui import navigation
    from scale import Recorder, filters_for

    recorder = Recorder()
    spent = _measure_functions(BREAKDOWN) if args.breakdown else None
    filters = {name: filt for name, filt in filters_for(args.db).items() if name in args.filters}
    profiler = cProfile.Profile() if args.profile else None
    profiling = {"on": False}
    if profiler:
        _profile_script_runs(profiler, profiling)
    rows = []
    for account in args.accounts:
        role = ACCOUNTS[account].role
        for page in navigation.pages_for(role):
            if page.name not in args.pages:
                continue
            for filter_name, filt in filters.items():
                at = AppTest.from_file(DASHBOARD, default_timeout=900)
                at.query_params.update(filt)
                signed_in(at, account).run()
                at.switch_page(page.path).run()
                at.run()   # the second run fills what only a rerun caches
                cpu, wall, sql = [], [], 0
                if spent is not None:
                    spent.clear()
                for _ in range(args.repeat):
                    recorder.start()
                    profiling["on"] = True
                    started_cpu, started = time.process_time(), time.perf_counter()
                    at.run()
                    cpu.append(time.process_time() - started_cpu)
                    wall.append(time.perf_counter() - started)
                    profiling["on"] = False
                    sql += len(recorder.stop())
                errors = [str(e.value)[:200] for e in at.exception]
                row = {"page": page.name, "account": account, "filter": filter_name,
                       "cpu": statistics.median(cpu), "wall": statistics.median(wall),
                       "warm_queries": sql, "errors": errors}
                if spent is not None:
                    row["breakdown"] = {name: seconds / args.repeat for name, seconds in spent.items()}
                rows.append(row)
                print(f"{page.name:<11} {account:<10} {filter_name:<7} cpu {row['cpu']:.3f} s  "
                      f"wall {row['wall']:.3f} s  queries {sql}" + (f"  ERRORS {errors}" if errors else ""),
                      flush=True)
                if spent is not None:
                    print("    " + ", ".join(f"{name.rpartition('.')[2]} {seconds:.3f}" for name, seconds in
                                            sorted(row["breakdown"].items(), key=lambda item: -item[1])), flush=True)
    cpus = [r["cpu"] for r in rows]
    print(f"\n{len(rows)} pages: CPU per warm rerun mean {statistics.mean(cpus):.3f} s, "
          f"median {statistics.median(cpus):.3f} s, max {max(cpus):.3f} s; load average "
          f"{' / '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "loadavg": os.getloadavg()}, indent=1))
    if profiler:
        profiler.dump_stats(str(args.profile))
        for order in ("cumulative", "tottime"):
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(40)
            print(out.getvalue())
    del queries
    return 0


def compare(before: dict, after: dict) -> str:
    """A markdown table: CPU per warm rerun of each page, account and filter, before and after,
    and the mean of each."""
    def key(row: dict) -> tuple:
        return row["page"], row["account"], row["filter"]

    old = {key(row): row for row in before["rows"]}
    lines = ["| page | account | filter | before (s) | after (s) | after ÷ before |", "|---|---|---|---:|---:|---:|"]
    pairs = []
    for row in after["rows"]:
        if key(row) not in old:
            continue
        was = old[key(row)]["cpu"]
        pairs.append((was, row["cpu"]))
        lines.append(f"| {row['page']} | {row['account']} | {row['filter']} | {was:.3f} | {row['cpu']:.3f} | "
                     f"{row['cpu'] / was:.2f} |")
    if pairs:
        mean_before = statistics.mean(p[0] for p in pairs)
        mean_after = statistics.mean(p[1] for p in pairs)
        lines.append(f"| **mean of {len(pairs)}** | | | **{mean_before:.3f}** | **{mean_after:.3f}** | "
                     f"**{mean_after / mean_before:.2f}** |")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
