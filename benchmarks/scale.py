"""National scale: every page, every role, at 10k, 100k and 1M participants.

usage: python benchmarks/scale.py [--sizes 10000 100000 1000000] [--repeat 3] [--quick] [--no-write]

For each demo size (built once into benchmarks/.cache/demo-<size>/, seed 1), in a child process
of its own (so its peak RSS is its own):

- pages: for every page of pie/ui/navigation.py's PAGES whose file exists, every demo
  account whose role sees it (tests/apptest_support.ACCOUNTS), with no filter and with a
  typical filter (an academic year and a region): the server-side AppTest run time cold
  (st.cache_data and st.cache_resource cleared just before the page is opened) and warm
  (median of `--repeat` reruns). Every `pie.queries.run` call of the cold run is recorded
  (query name, scope, parameters, seconds); the same calls are then run again on a fresh
  read-only connection to the snapshot: their sum is the page's raw DuckDB time, and
  page ÷ raw says what the page costs on top of its SQL. Warm reruns must run no query.
- naive: the tables the figures need are loaded whole into pandas (time, memory), then each
  page's headline figures (benchmarks/naive.py: the METRICS.md indicators, the funnel, and
  per-page figures) are computed in pandas for each role and filter, and through the
  project's queries on DuckDB; both must agree. Reported: per page, pandas time ÷ DuckDB time
  for the same figures, and the memory of each process.

Writes docs/PERFORMANCE.md sections "National scale: pages" and "National scale: pandas
comparison", and the chart docs/performance/scaling.html + .png (page time against size,
log-log). `--quick`: 10k only, four accounts, one warm rerun, prints without writing.
`--report-only` rewrites them from the last run's saved results. PIE_BENCH_CACHE=<folder>
keeps the demo databases elsewhere than benchmarks/.cache (e.g. to compare two versions of
the code; a cached demo made by an older version is upgraded when first read).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks"
for folder in (ROOT, BENCH, ROOT / "tests"):
    sys.path.insert(0, str(folder))

# PIE_BENCH_CACHE: another folder for the demo databases (e.g. to compare two versions of the code)
CACHE = Path(os.environ.get("PIE_BENCH_CACHE", BENCH / ".cache"))
CHART_DIR = ROOT / "docs" / "performance"
SIZES = (10_000, 100_000, 1_000_000)
TYPICAL_REGION = "09"  # Souss-Massa, one of the first regions of the programme
GOAL_WARM, GOAL_COLD, GOAL_RATIO, GOAL_SPEEDUP = 0.5, 2.0, 2.0, 10.0


# ------------------------------------------------------------------------------ shared
def demo_database(size: int) -> Path:
    """benchmarks/.cache/demo-<size>/pie.duckdb, built once (seed 1)."""
    from pie import demo

    path = CACHE / f"demo-{size}" / "pie.duckdb"
    if not path.exists():
        started = time.perf_counter()
        demo.build_demo(path, participants=size, seed=1)
        print(f"built the demo of {size:,} participants in {time.perf_counter() - started:.1f} s",
              file=sys.stderr)
    return path


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM). Not getrusage's ru_maxrss: Linux carries
    it over an exec, so a child started by a parent that had built the 1M demo reported the
    parent's peak."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def typical_filter(db_path: Path) -> dict[str, str]:
    """The last academic year that is over (or the newest), and Souss-Massa."""
    from pie import db

    years = list(db.reader(db_path).query("filters/academic_years")["academic_year"])
    year = years[1] if len(years) > 1 else years[0]
    return {"year": year, "region": TYPICAL_REGION}


def filters_for(db_path: Path) -> dict[str, dict[str, str]]:
    return {"none": {}, "typical": typical_filter(db_path)}


def existing_pages():
    from pie.ui import navigation

    present = tuple(p for p in navigation.PAGES if (ROOT / p.path).exists())
    missing = [p.name for p in navigation.PAGES if p not in present]
    return present, missing


def scope_of(account: str, filt: dict[str, str]):
    from apptest_support import ACCOUNTS

    return ACCOUNTS[account].scope().with_filters(academic_year=filt.get("year"),
                                                    region_code=filt.get("region"))


# ------------------------------------------------------------------------------ child: pages
class Recorder:
    """Wraps pie.queries.run: records every (query, scope, params, seconds) while on."""

    def __init__(self):
        from pie import queries

        self.calls: list[tuple[str, object, dict, float]] = []
        self.frames: list[tuple[str, object]] = []   # what each query returned (sizes, after the run)
        self.on = False
        self.original = queries.run
        original = self.original

        def recorded(con, name, scope=None, **params):
            started = time.perf_counter()
            frame = None
            try:
                frame = original(con, name, scope, **params)
                return frame
            finally:
                if self.on:
                    self.calls.append((name, scope, params, time.perf_counter() - started))
                    self.frames.append((name, frame))

        queries.run = recorded  # every figure runs its SQL through pie.queries.run

    def start(self) -> None:
        self.calls, self.frames, self.on = [], [], True

    def result_sizes(self) -> list[tuple[str, int, float]]:
        """(query, rows, MB in pandas) of each answer of the last recording."""
        sizes = []
        for name, frame in self.frames:
            if frame is not None:
                sizes.append((name, len(frame), float(frame.memory_usage(deep=True).sum()) / 2**20))
        self.frames = []
        return sizes

    def stop(self) -> list[tuple[str, object, dict, float]]:
        self.on = False
        return self.calls


def raw_seconds(snapshot: Path, calls, run_query) -> tuple[float, float]:
    """The recorded queries again, twice, on a fresh read-only connection: the summed time of
    the first pass (DuckDB's caches empty) and of the second (warm, as the dashboard's
    long-lived connection is when a page's answers are not cached yet)."""
    import duckdb

    con = duckdb.connect(str(snapshot), read_only=True)
    try:
        passes = []
        for _ in range(2):
            total = 0.0
            for name, scope, params, _ in calls:
                started = time.perf_counter()
                run_query(con, name, scope, **params)
                total += time.perf_counter() - started
            passes.append(total)
        return passes[0], passes[1]
    finally:
        con.close()


def child_pages(size: int, accounts: list[str], repeat: int) -> dict:
    db_path = demo_database(size)
    os.environ["PIE_DB"] = str(db_path)
    # "cold" means a page computing its answers: not reading them from the disk (pie.answers)
    os.environ["PIE_SHARED_ANSWERS"] = "0"
    import logging

    import streamlit as st
    from streamlit.testing.v1 import AppTest

    logging.getLogger("streamlit").setLevel(logging.ERROR)
    from apptest_support import ACCOUNTS, DASHBOARD, signed_in
    from pie import db
    from pie.ui import navigation

    present, missing = existing_pages()
    navigation.PAGES = present  # a page listed but not written yet would stop dashboard.py
    recorder = Recorder()
    snapshot = db.reader(db_path).snapshot()
    filters = filters_for(db_path)
    rows = []
    for account in accounts:
        role = ACCOUNTS[account].role
        for page in navigation.pages_for(role):
            for filter_name, filt in filters.items():
                at = AppTest.from_file(DASHBOARD, default_timeout=900)
                at.query_params.update(filt)
                signed_in(at, account).run()          # lands on the role's default page
                st.cache_data.clear()
                st.cache_resource.clear()
                recorder.start()
                started = time.perf_counter()
                at.switch_page(page.path).run()
                cold = time.perf_counter() - started
                calls = recorder.stop()
                sizes = recorder.result_sizes()
                errors = [str(e.value)[:200] for e in at.exception]
                warm_runs, warm_queries = [], 0
                for _ in range(repeat):
                    recorder.start()
                    started = time.perf_counter()
                    at.run()
                    warm_runs.append(time.perf_counter() - started)
                    warm_queries += len(recorder.stop())
                errors += [str(e.value)[:200] for e in at.exception]
                raw_first, raw = raw_seconds(snapshot, calls, recorder.original)
                row = {
                    "size": size, "page": page.name, "account": account, "role": role,
                    "filter": filter_name, "cold": cold, "warm": statistics.median(warm_runs),
                    "raw": raw, "raw_first": raw_first, "in_page_sql": sum(c[3] for c in calls), "queries": len(calls),
                    "warm_queries": warm_queries, "errors": errors,
                    "largest": sorted(sizes, key=lambda x: -x[2])[:3],
                    "query_names": sorted({c[0] for c in calls}),
                    "slowest": sorted(((c[0], round(c[3], 3)) for c in calls), key=lambda x: -x[1])[:3],
                }
                rows.append(row)
                print(f"{size:>9,} {page.name:<11} {account:<10} {filter_name:<7} cold {cold:6.2f} s  "
                      f"warm {row['warm']:6.2f} s  raw {raw:6.2f} s  ({len(calls)} queries)"
                      + (f"  ERRORS {errors}" if errors else ""), file=sys.stderr, flush=True)
    return {"size": size, "rows": rows, "missing_pages": missing, "peak_rss_mb": peak_rss_mb(),
            "filters": filters}


# ------------------------------------------------------------------------------ child: naive
def child_naive(size: int, accounts: list[str], engine: str) -> dict:
    """engine "pandas": load whole tables then compute in pandas; "duckdb": the named queries;
    "duckdb-512mb": the same with DuckDB's memory limited to 512 MB. Each in its own process so
    the memory figures are each approach's own."""
    import duckdb

    import naive
    from apptest_support import ACCOUNTS
    from pie import db

    db_path = demo_database(size)
    snapshot = db.reader(db_path).snapshot()
    filters = filters_for(db_path)
    present, _ = existing_pages()
    base_rss = rss_mb()
    con = duckdb.connect(str(snapshot), read_only=True)
    if engine == "duckdb-512mb":
        con.execute("set memory_limit = '512MB'")
    out: dict = {"size": size, "engine": engine, "rows": []}
    if engine.startswith("duckdb"):
        # What planning costs (bind the scope macros, optimise — mostly join ordering) against
        # the whole run of kpis/indicators, from DuckDB's own profile (best of 3).
        import tempfile

        from pie import queries
        from pie.scope import Scope

        profile = Path(tempfile.mkstemp(suffix=".json")[1])
        best = None
        for _ in range(3):
            con.execute("pragma enable_profiling = 'json'")
            con.execute(f"pragma profiling_output = '{profile}'")
            con.execute(queries.sql("kpis/indicators"),
                        {k: v for k, v in {**Scope().parameters(), "as_of": None}.items()
                         if k in queries.parameters("kpis/indicators")}).fetchall()
            con.execute("pragma disable_profiling")
            facts = json.loads(profile.read_text())
            planning = (facts["planner"]["total_time"] + facts["optimizer"]["total_time"]
                        + facts["physical_planner"]["total_time"])
            if best is None or facts["query"]["total_time"] < best[1]:
                best = (planning, facts["query"]["total_time"])
        profile.unlink()
        out["plan_seconds"], out["indicators_seconds"] = best
    done: dict[tuple, tuple[float, dict]] = {}
    tables = None
    if engine == "pandas":
        tables, out["load_seconds"] = naive.load(con)
        out["frames_mb"] = naive.frames_bytes(tables) / 2**20
        out["rss_after_load_mb"] = rss_mb() - base_rss
    for account in accounts:
        role = ACCOUNTS[account].role
        for page in (p for p in present if role in p.roles):
            figures = naive.figures_of(page.name)
            for filter_name, filt in filters.items():
                scope = scope_of(account, filt)
                key = (figures, scope.academic_year, scope.region_code, scope.bank, scope.incubator)
                computed = key not in done
                if computed:  # admin and manager, or two pages with the same figures: once
                    started = time.perf_counter()
                    try:
                        if engine == "pandas":
                            answer = naive.compute_pandas(tables, scope, figures)
                        else:
                            answer = naive.compute_duckdb(con, scope, figures)
                    except duckdb.OutOfMemoryException:
                        out.setdefault("out_of_memory", []).append(f"{page.name}/{account}/{filter_name}")
                        answer = {}
                    done[key] = (time.perf_counter() - started, _jsonable(answer))
                seconds, answer = done[key]
                out["rows"].append({"page": page.name, "account": account, "filter": filter_name,
                                    "seconds": seconds, "answer": answer, "computed": computed})
    out["rss_growth_mb"] = max(rss_mb(), peak_rss_mb()) - base_rss
    out["peak_rss_mb"] = peak_rss_mb()
    if engine.startswith("duckdb"):
        out["duckdb_memory_mb"] = con.execute(
            "select coalesce(sum(memory_usage_bytes), 0) / 2^20 from duckdb_memory()").fetchone()[0]
    return out


def _jsonable(answer: dict) -> dict:
    import pandas as pd

    out = {}
    for key, value in answer.items():
        if isinstance(value, pd.DataFrame):
            out[key] = value.reset_index().astype(str).to_dict("list")
        else:
            out[key] = value
    return out


def check_agreement(pandas_rows: list[dict], duck_rows: list[dict]) -> list[str]:
    """Both engines must give the same indicators and funnel."""
    import math

    problems = []
    for mine, theirs in zip(pandas_rows, duck_rows):
        label = f"{mine['page']}/{mine['account']}/{mine['filter']}"
        for key, expected in theirs["answer"]["indicators"].items():
            got = mine["answer"]["indicators"][key]
            if (expected is None) != (got is None) or (
                    expected is not None and not math.isclose(float(expected), float(got),
                                                               rel_tol=1e-9, abs_tol=1e-6)):
                problems.append(f"{label} {key}: duckdb {expected} pandas {got}")
        if "funnel" in theirs["answer"] and [int(x) for x in theirs["answer"]["funnel"]] != mine["answer"]["funnel"]:
            problems.append(f"{label} funnel differs")
    return problems


# ------------------------------------------------------------------------------ parent
def run_child(kind: str, size: int, accounts: list[str], repeat: int, engine: str = "") -> dict:
    command = [sys.executable, __file__, "--child", kind, "--size", str(size), "--repeat", str(repeat),
               "--accounts", *accounts]
    if engine:
        command += ["--engine", engine]
    result = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def load_average() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def fmt(seconds: float) -> str:
    return f"{seconds:.3f}" if seconds < 10 else f"{seconds:.1f}"


def mark(ok: bool) -> str:
    return "" if ok else " ✗"


def pages_section(results: list[dict], command: str, loads: list[str], repeat: int) -> str:
    rows = ["| participants | page | account | filter | cold (s) | warm (s) | raw SQL (s) | cold ÷ raw | cold − raw (s) | "
            "raw SQL, fresh connection (s) | queries |",
            "|---:|---|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    worst: dict[int, dict[str, float]] = {}
    errors, warm_queries = [], 0
    for result in results:
        size = result["size"]
        w = worst.setdefault(size, {"cold": 0.0, "warm": 0.0, "ratio": 0.0, "n": 0, "cold_ok": 0, "warm_ok": 0,
                                    "ratio_ok": 0})
        for row in result["rows"]:
            ratio = row["cold"] / row["raw"] if row["raw"] > 0 else float("inf")
            w["n"] += 1
            w["cold_ok"] += row["cold"] < GOAL_COLD
            w["warm_ok"] += row["warm"] < GOAL_WARM
            w["ratio_ok"] += ratio <= GOAL_RATIO
            w["cold"], w["warm"], w["ratio"] = max(w["cold"], row["cold"]), max(w["warm"], row["warm"]), max(w["ratio"], ratio)
            warm_queries += row["warm_queries"]
            errors += [f"{size:,} {row['page']} {row['account']} {row['filter']}: {e}" for e in row["errors"]]
            rows.append(f"| {size:,} | {row['page']} | {row['account']} | {row['filter']} | "
                        f"{fmt(row['cold'])}{mark(row['cold'] < GOAL_COLD)} | {fmt(row['warm'])}{mark(row['warm'] < GOAL_WARM)} | "
                        f"{fmt(row['raw'])} | {ratio:.1f}×{mark(ratio <= GOAL_RATIO)} | {row['cold'] - row['raw']:.2f} | "
                        f"{fmt(row['raw_first'])} | {row['queries']} |")
    summary = ["| participants | runs | cold < 2 s | warm < 0.5 s | cold ÷ raw ≤ 2× | worst cold (s) | worst warm (s) | worst ratio | peak RSS (MB) |",
               "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for result in results:
        w = worst[result["size"]]
        summary.append(f"| {result['size']:,} | {w['n']} | {w['cold_ok']}/{w['n']} | {w['warm_ok']}/{w['n']} | "
                       f"{w['ratio_ok']}/{w['n']} | {fmt(w['cold'])} | {fmt(w['warm'])} | {w['ratio']:.1f}× | "
                       f"{result['peak_rss_mb']:.0f} |")
    missing = sorted({m for r in results for m in r["missing_pages"]})
    filters = results[-1]["filters"]["typical"]
    slow = []
    big = max(results, key=lambda r: r["size"])
    for row in sorted(big["rows"], key=lambda r: -r["raw"])[:6]:
        slow.append(f"- {row['page']} / {row['account']} / {row['filter']}: " +
                    ", ".join(f"`{name}` {sec:.2f} s" for name, sec in row["slowest"]))
    text = [f"Command: `{command}`. Load average (1/5/15 min) before each size: "
            + "; ".join(loads) + ".",
            "",
            "AppTest server-side run of `dashboard.py` then the page (login through a server-side session "
            "as in tests/apptest_support.py). **cold**: st.cache_data and st.cache_resource cleared just "
            f"before opening the page (sidebar filter options included); **warm**: median of {repeat} reruns. "
            "**raw SQL**: the queries the cold run sent through `pie.queries.run`, run again on a fresh "
            "read-only connection to the same snapshot, twice: the table gives the second pass (DuckDB's "
            "buffers warm, as the dashboard's long-lived connection is) and, last, the first. Filter *typical* = "
            f"{filters['year']} and region {filters['region']}. ✗ marks a missed goal "
            f"(cold < {GOAL_COLD} s, warm < {GOAL_WARM} s, cold ÷ raw ≤ {GOAL_RATIO}×).",
            "",
            *summary,
            "",
            f"Queries run by warm reruns (cached answers must cost nothing): {warm_queries}. "
            f"Errors: {len(errors)}." + ("" if not errors else "\n\n" + "\n".join(f"- {e}" for e in errors[:20])),
            ]
    if missing:
        text += ["", "Pages registered in navigation.PAGES but not written yet (not measured): "
                 + ", ".join(missing) + "."]
    largest: dict[str, tuple[int, float]] = {}
    for row in big["rows"]:
        for name, n_rows, mb in row.get("largest", []):
            if mb > largest.get(name, (0, -1.0))[1]:
                largest[name] = (n_rows, mb)
    text += ["", f"Largest answers brought into Python at {big['size']:,} participants (rows, pandas memory), "
             "the whole of what pages load — no query returns a table's rows unaggregated except the "
             "lists pages show:", "",
             "| query | rows | MB |", "|---|---:|---:|",
             *[f"| `{name}` | {n:,} | {mb:.1f} |" for name, (n, mb) in
               sorted(largest.items(), key=lambda kv: -kv[1][1])[:10]]]
    text += ["", f"Slowest SQL at {big['size']:,} participants (the three slowest queries of each of the six "
             "page runs with the most raw SQL time):", "", *slow,
             "", "![page time against participants](performance/scaling.png)",
             "", "Interactive: [performance/scaling.html](performance/scaling.html).",
             "", "<details><summary>Every run</summary>", "", *rows, "", "</details>"]
    return "\n".join(text)


def data_pages(pages: list[dict]) -> set[str]:
    """Pages that show programme figures (their cold run asked for the METRICS.md indicators)."""
    return {row["page"] for result in pages for row in result["rows"] if "kpis/indicators" in row.get("query_names", ())}


def naive_section(comparisons: list[dict], pages: list[dict], command: str) -> str:
    shown = data_pages(pages)
    lines = [f"Command: `{command}` (same run as the pages above). Each approach runs in a process of "
             "its own, so the memory figures are its own: **pandas** loads every table the figures need, "
             "whole (`select *`, what a dashboard without a database engine does), then filters, joins and "
             "counts in pandas (benchmarks/naive.py); **DuckDB** runs the pages' named queries on a read-only "
             "connection to the snapshot; **DuckDB 512 MB** the same with `memory_limit = '512MB'`. "
             "Process RSS growth = peak resident memory minus the memory after imports.", "",
             "| participants | pandas: load (s) | pandas: frames in memory (MB) | pandas: RSS growth (MB) | "
             "DuckDB: RSS growth (MB) | DuckDB 512 MB: RSS growth (MB) | DuckDB 512 MB: figures (s, sum) | "
             "DuckDB: figures (s, sum) | `kpis/indicators`: planning / whole run (ms) |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for c in comparisons:
        limited = c.get("limited") or {}
        lines.append(
            f"| {c['size']:,} | {c['pandas']['load_seconds']:.2f} | {c['pandas']['frames_mb']:.0f} | "
            f"{c['pandas']['rss_growth_mb']:.0f} | {c['duckdb']['rss_growth_mb']:.0f} | "
            f"{limited.get('rss_growth_mb', float('nan')):.0f} | "
            f"{sum(r['seconds'] for r in _unique(limited.get('rows', []))):.2f} | "
            f"{sum(r['seconds'] for r in _unique(c['duckdb']['rows'])):.2f} | "
            f"{c['duckdb'].get('plan_seconds', float('nan')) * 1000:.0f} / "
            f"{c['duckdb'].get('indicators_seconds', float('nan')) * 1000:.0f} |")
    for c in comparisons:
        limited = c.get("limited") or {}
        if limited.get("out_of_memory") or limited.get("failed"):
            lines += ["", f"At {c['size']:,} participants with 512 MB, out of memory: "
                      + ", ".join(limited.get("out_of_memory", [])) + (limited.get("failed", "") and " (the run failed)")]
    lines += ["", "The same figures, per page that shows figures (median over accounts and filters): pandas with "
              "the tables already in memory against DuckDB; then a first view — pandas loading the tables "
              f"and computing against the whole page's cold run (every chart and table of the page, not only "
              f"these figures). Goal: at least {GOAL_SPEEDUP:.0f}× faster.", "",
              "| participants | page | figures | pandas (s) | DuckDB (s) | speedup | pandas incl. load (s) | "
              "page cold (s) | first view speedup |",
              "|---:|---|---|---:|---:|---:|---:|---:|---:|"]
    import naive

    for c in comparisons:
        by_page: dict[str, list[tuple[float, float]]] = {}
        for p_row, d_row in zip(c["pandas"]["rows"], c["duckdb"]["rows"]):
            if p_row["page"] in shown:
                by_page.setdefault(p_row["page"], []).append((p_row["seconds"], d_row["seconds"]))
        cold_by_page: dict[str, list[float]] = {}
        for result in pages:
            if result["size"] == c["size"]:
                for row in result["rows"]:
                    cold_by_page.setdefault(row["page"], []).append(row["cold"])
        for page, pairs in by_page.items():
            p = statistics.median(x for x, _ in pairs)
            d = statistics.median(y for _, y in pairs)
            load = c["pandas"]["load_seconds"]
            cold = statistics.median(cold_by_page.get(page, [float("nan")]))
            lines.append(f"| {c['size']:,} | {page} | {', '.join(naive.figures_of(page))} | {fmt(p)} | {fmt(d)} | "
                         f"{p / d:.1f}×{mark(p / d >= GOAL_SPEEDUP)} | {fmt(p + load)} | {fmt(cold)} | "
                         f"{(p + load) / cold:.1f}×{mark((p + load) / cold >= GOAL_SPEEDUP)} |")
    problems = [p for c in comparisons for p in c["problems"]]
    lines += ["", "Both implementations agree on every indicator and funnel step for every role and filter."
              if not problems else "Disagreements: " + "; ".join(problems[:10])]
    return "\n".join(lines)


def _unique(rows: list[dict]) -> list[dict]:
    """One row per distinct computation (the children reuse an answer for the same scope)."""
    return [row for row in rows if row.get("computed", True)]


def chart(results: list[dict]) -> None:
    """Page time against participants, log-log: cold and warm of each page that shows figures
    (manager, no filter; the partner pages as BOA and MCISE too), with the goals and a line of
    linear growth for reference."""
    import plotly.express as px
    import plotly.graph_objects as go

    shown = data_pages(results)
    series: dict[str, dict[int, dict]] = {}
    for result in results:
        for row in result["rows"]:
            if row["filter"] != "none" or row["page"] not in shown:
                continue
            if row["account"] == "manager" or (row["account"] in ("boa", "mcise")):
                name = row["page"] if row["account"] == "manager" else f"{row['page']} ({row['account']})"
                series.setdefault(name, {})[result["size"]] = row
    figure = go.Figure()
    palette = px.colors.qualitative.Dark24
    values = []
    for index, (page, by_size) in enumerate(sorted(series.items())):
        sizes = sorted(by_size)
        colour = palette[index % len(palette)]
        for kind, dash in (("cold", "solid"), ("warm", "dot")):
            ys = [by_size[s][kind] for s in sizes]
            values += ys
            figure.add_scatter(x=sizes, y=ys, name=f"{page} {kind}", mode="lines+markers",
                               line={"color": colour, "dash": dash}, legendgroup=page)
    all_sizes = sorted({r["size"] for r in results})
    if len(all_sizes) > 1:
        figure.add_scatter(x=all_sizes, y=[0.02 * s / all_sizes[0] for s in all_sizes], name="linear growth",
                           mode="lines", line={"color": "#AAAAAA", "dash": "dash"})
    for goal, label in ((GOAL_COLD, "cold goal 2 s"), (GOAL_WARM, "warm goal 0.5 s")):
        figure.add_hline(y=goal, line={"color": "#555555", "width": 1}, annotation_text=label,
                         annotation_position="bottom left")
    import math

    low, high = min(values + [GOAL_WARM]), max(values + [GOAL_COLD])
    figure.update_layout(title="Server-side page run time against participants (manager, no filter; log-log)",
                         xaxis={"type": "log", "title": "participants", "tickvals": all_sizes,
                                "ticktext": [f"{s:,}" for s in all_sizes]},
                         yaxis={"type": "log", "title": "seconds (AppTest)",
                                "range": [math.log10(low) - 0.1, math.log10(high) + 0.1]},
                         template="plotly_white", width=1100, height=760, legend={"font": {"size": 11}})
    CHART_DIR.mkdir(parents=True, exist_ok=True)
    figure.write_html(CHART_DIR / "scaling.html", include_plotlyjs="cdn")
    figure.write_image(CHART_DIR / "scaling.png", scale=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--accounts", nargs="+", default=None)
    parser.add_argument("--quick", action="store_true", help="10k, four accounts, one rerun, no write")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--skip-naive", action="store_true")
    parser.add_argument("--report-only", action="store_true",
                        help="rewrite the report from the last run's results (benchmarks/.cache/scale-results.json)")
    parser.add_argument("--child", choices=("pages", "naive"), help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--engine", choices=("pandas", "duckdb", "duckdb-512mb"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.chdir(ROOT)
    from apptest_support import ACCOUNTS

    accounts = args.accounts or list(ACCOUNTS)
    if args.child == "pages":
        print(json.dumps(child_pages(args.size, accounts, args.repeat)))
        return
    if args.child == "naive":
        print(json.dumps(child_naive(args.size, accounts, args.engine), default=str))
        return
    sizes, repeat, write = args.sizes, args.repeat, not args.no_write
    if args.quick:
        sizes, repeat, write = [10_000], 1, False
        accounts = args.accounts or ["manager", "leadership", "boa", "mcise"]
    command = "python benchmarks/scale.py" + ("" if sizes == list(SIZES) else " --sizes " + " ".join(map(str, sizes)))
    saved = CACHE / "scale-results.json"
    if args.report_only:
        kept = json.loads(saved.read_text())
        results, comparisons, loads, command = kept["results"], kept["comparisons"], kept["loads"], kept["command"]
        sizes = []
    else:
        for size in sizes:
            demo_database(size)
        results, comparisons, loads = [], [], []
    for size in sizes:
        loads.append(f"{size:,}: {load_average()}")
        print(f"--- {size:,} participants (load average {load_average()})", file=sys.stderr, flush=True)
        results.append(run_child("pages", size, accounts, repeat))
        if not args.skip_naive:
            pandas_out = run_child("naive", size, accounts, repeat, "pandas")
            duck_out = run_child("naive", size, accounts, repeat, "duckdb")
            try:
                limited = run_child("naive", size, accounts, repeat, "duckdb-512mb")
            except subprocess.CalledProcessError as error:
                limited = {"failed": str(error)}
            comparisons.append({"size": size, "pandas": pandas_out, "duckdb": duck_out, "limited": limited,
                                "problems": check_agreement(pandas_out["rows"], duck_out["rows"])})
        if write:
            saved.write_text(json.dumps({"results": results, "comparisons": comparisons, "loads": loads,
                                         "command": command}, default=str))
    pages_text = pages_section(results, command, loads, repeat)
    naive_text = naive_section(comparisons, results, command) if comparisons else ""
    if not write:
        print(pages_text)
        print(naive_text)
        return
    from report import write_section

    chart(results)
    write_section("National scale: pages", pages_text)
    if naive_text:
        write_section("National scale: pandas comparison", naive_text)
    print(f"wrote docs/PERFORMANCE.md and {CHART_DIR.relative_to(ROOT)}/scaling.html, .png", file=sys.stderr)


if __name__ == "__main__":
    main()
