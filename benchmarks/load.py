"""Load: concurrent sessions against `streamlit run dashboard.py` while an import runs (issue 9).

usage: python benchmarks/load.py [--size 1000000] [--sessions 20] [--seconds 60] [--import-at 20]
                                 [--think 1.0] [--no-write]

1. A copy of the demo database of `--size` participants (benchmarks/.cache/demo-<size>/) is
   made under benchmarks/.cache/load-<size>/ and marked as real data (is_demo = false; the
   demo accounts stay), since imports into a demo are refused.
2. An import is prepared: the rows of the cohorts of the typical filter (an academic year and
   Souss-Massa) with the most projects — participants, contacts, phases, projects, members,
   plans, decisions, stages, sessions, companies, follow-ups — copied under new identifiers,
   so importing them adds people and projects every role sees.
3. `streamlit run dashboard.py` starts on a free loopback port with PIE_DB on that copy.
4. `--sessions` websocket clients (benchmarks/ws_client.py: Streamlit's own protocol, as a
   browser tab speaks it, without a browser) log in through the login form — accounts in
   turn: manager, leadership, boa, cam, mcise, admin; every other session with the typical
   filter in its URL — then click through their role's pages in a loop for `--seconds`,
   pausing `--think` seconds (±50 %) between clicks.
5. At `--import-at` seconds, `python -m pie ingest <folder> --json` runs (a separate process,
   the single writer); it publishes a new snapshot when it commits.

Recorded: every page run's time (request sent → script finished), errors (exceptions, st.error
boxes, disconnects, timeouts), whether each session's figures changed after the import was
published, the server's resident memory (sampled; peak = VmHWM), the import's duration and
outcome. Writes docs/PERFORMANCE.md section "Load: <sessions> sessions during an import
(<size> participants)". Why websocket clients and not Chromium: 20 Chromium tabs need ~2-4 GB
and most of the 2 cores for rendering, which would measure the browser, not the server; the
client speaks the same protocol (login form, navigation, widget values) and measures the
server's time to finish each run.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks"
for folder in (ROOT, BENCH):
    sys.path.insert(0, str(folder))

from ws_client import Session  # noqa: E402

CACHE = BENCH / ".cache"
ACCOUNT_CYCLE = ("manager", "leadership", "boa", "cam", "mcise", "admin")
ROLES = {"manager": "manager", "admin": "admin", "leadership": "leadership", "boa": "bank", "cam": "bank",
         "mcise": "incubator"}
GOAL_P95 = 3.0
# Identifier columns of each imported table (all get the same suffix).
ID_COLUMNS = {
    "cohorts": ("cohort_id",),
    "participants": ("participant_id", "cohort_id"),
    "participant_contacts": ("participant_id",),
    "phase_progress": ("participant_id",),
    "projects": ("project_id", "cohort_id"),
    "project_members": ("project_id", "participant_id"),
    "business_plans": ("plan_id", "project_id"),
    "financing_decisions": ("decision_id", "plan_id"),
    "incubation_stages": ("project_id",),
    "coaching_sessions": ("session_id", "project_id"),
    "companies": ("company_id", "project_id"),
    "loan_followups": ("decision_id",),
    "company_followups": ("company_id",),
}
# How each table's rows belong to the chosen cohorts.
SELECTION = {
    "cohorts": "cohort_id in (select cohort_id from chosen)",
    "participants": "cohort_id in (select cohort_id from chosen)",
    "participant_contacts": "participant_id in (select participant_id from participants "
                            "where cohort_id in (select cohort_id from chosen))",
    "phase_progress": "participant_id in (select participant_id from participants "
                      "where cohort_id in (select cohort_id from chosen))",
    "projects": "cohort_id in (select cohort_id from chosen)",
    "project_members": "project_id in (select project_id from projects where cohort_id in (select cohort_id from chosen))",
    "business_plans": "project_id in (select project_id from projects where cohort_id in (select cohort_id from chosen))",
    "financing_decisions": "plan_id in (select plan_id from business_plans where project_id in "
                           "(select project_id from projects where cohort_id in (select cohort_id from chosen)))",
    "incubation_stages": "project_id in (select project_id from projects where cohort_id in (select cohort_id from chosen))",
    "coaching_sessions": "project_id in (select project_id from projects where cohort_id in (select cohort_id from chosen))",
    "companies": "project_id in (select project_id from projects where cohort_id in (select cohort_id from chosen))",
    "loan_followups": "decision_id in (select decision_id from financing_decisions where plan_id in "
                      "(select plan_id from business_plans where project_id in (select project_id from projects "
                      "where cohort_id in (select cohort_id from chosen))))",
    "company_followups": "company_id in (select company_id from companies where project_id in "
                         "(select project_id from projects where cohort_id in (select cohort_id from chosen)))",
}
# Columns emptied in the copies (unique in real life: a person's card, a company's ICE).
BLANKED = {"participant_contacts": ("national_id",), "companies": ("ice",)}


# ------------------------------------------------------------------------------ preparation
def load_database(size: int) -> Path:
    """A fresh copy of the demo of `size`, marked as real data, published."""
    from scale import demo_database

    from pie import db

    source = demo_database(size)
    folder = CACHE / f"load-{size}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    path = folder / "pie.duckdb"
    shutil.copyfile(source, path)
    with db.writing(path) as con:
        con.execute("update app_meta set value = 'false' where key = 'is_demo'")
    return path


def write_import(db_path: Path, folder: Path, year: str, region: str, cohorts: int, suffix: str) -> dict[str, int]:
    """CSV files (the export format) with copies of the rows of `cohorts` cohorts of `year` in
    `region` under new identifiers (`<id><suffix>`); returns rows per table."""
    import duckdb

    from pie import db

    folder.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(db.reader(db_path).snapshot()), read_only=True)
    con.execute("""
        create temp table chosen as
        select c.cohort_id
        from cohorts as c
        join establishments as e using (establishment_id)
        left join projects as p using (cohort_id)
        where c.academic_year = $year and e.region_code = $region
        group by c.cohort_id
        order by count(p.project_id) desc, c.cohort_id
        limit $n""", {"year": year, "region": region, "n": cohorts})
    rows = {}
    for table, ids in ID_COLUMNS.items():
        columns = [r[0] for r in con.execute(f'select column_name from information_schema.columns '
                                            f"where table_name = '{table}' order by ordinal_position").fetchall()]
        select = ", ".join(
            f"{c} || '{suffix}' as {c}" if c in ids else
            f"null as {c}" if c in BLANKED.get(table, ()) else c for c in columns)
        target = folder / f"{table}.csv"
        con.execute(f"copy (select {select} from {table} where {SELECTION[table]}) to '{target}' (header, delimiter ',')")
        rows[table] = con.execute(f"select count(*) from {table} where {SELECTION[table]}").fetchone()[0]
    con.close()
    return rows


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db_path: Path, port: int, log: Path, env: dict | None = None) -> subprocess.Popen:
    environment = {**os.environ, "PIE_DB": str(db_path), **(env or {})}
    command = [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.headless", "true",
               "--server.port", str(port), "--server.address", "127.0.0.1",
               "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    return subprocess.Popen(command, cwd=ROOT, env=environment, stdout=log.open("wb"), stderr=subprocess.STDOUT)


def wait_healthy(port: int, process: subprocess.Popen, timeout: float = 60) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError("streamlit did not answer /_stcore/health")


def memory_mb(pid: int) -> tuple[float, float]:
    """(current RSS, peak RSS) of a process in MB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) / 1024
    return values.get("VmRSS", 0.0), values.get("VmHWM", 0.0)


# ------------------------------------------------------------------------------ the sessions
@dataclass
class Click:
    session: int
    account: str
    page: str
    filtered: bool
    started: float      # seconds since the test began
    seconds: float
    status: str
    problems: list[str]
    metrics: dict[str, str]


@dataclass
class SessionLog:
    index: int
    account: str
    filtered: bool
    login_seconds: float = 0.0
    login_error: str = ""
    clicks: list[Click] = field(default_factory=list)


def page_urls(role: str) -> list[tuple[str, str]]:
    """(page name, its URL path) for each page of `role`; "" for its landing page."""
    from pie.ui import navigation

    landing = navigation.default_page(role)
    return [(spec.name, "" if spec is landing else Path(spec.path).stem) for spec in navigation.pages_for(role)]


async def one_session(index: int, base_url: str, account: str, query: str, t0: float, until: float,
                      think: float, log: SessionLog, stagger: float) -> None:
    rng = random.Random(index)
    pages = page_urls(ROLES[account])
    await asyncio.sleep(index * stagger)  # people do not all press "log in" in the same second
    try:
        async with Session(base_url, timeout=180) as tab:
            started = time.monotonic()
            try:
                await tab.login(account, account, query=query)
            except Exception as error:  # noqa: BLE001 — recorded as an error of the run
                log.login_error = f"{type(error).__name__}: {error}"
                return
            log.login_seconds = time.monotonic() - started
            position = rng.randrange(len(pages))
            while time.monotonic() < until:
                name, url = pages[position % len(pages)]
                position += 1
                run = await tab.open(url, query)
                problems = [*run.exceptions, *run.errors] + ([] if run.status == "finished" else [run.status])
                log.clicks.append(Click(index, account, name, bool(query), run.started_at - t0, run.seconds,
                                        run.status, problems, dict(run.metrics)))
                if run.status.startswith("disconnected"):
                    return
                await asyncio.sleep(think * rng.uniform(0.5, 1.5))
    except Exception as error:  # noqa: BLE001
        log.login_error = log.login_error or f"{type(error).__name__}: {error}"


async def run_import(folder: Path, db_path: Path, at: float, t0: float, result: dict) -> None:
    await asyncio.sleep(max(0.0, t0 + at - time.monotonic()))
    result["started"] = time.monotonic() - t0
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "pie", "ingest", str(folder), "--db", str(db_path), "--user", "loadtest", "--json",
        cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await process.communicate()
    result["finished"] = time.monotonic() - t0
    result["returncode"] = process.returncode
    try:
        report = json.loads(out)
        result["outcome"] = report.get("outcome")
        result["rows"] = report.get("rows")
        result["problems"] = report.get("problems", [])[:5]
    except json.JSONDecodeError:
        result["outcome"] = "unreadable"
        result["stderr"] = err.decode()[-500:]


async def sample_memory(pid: int, until: float, samples: list) -> None:
    while time.monotonic() < until:
        try:
            samples.append(memory_mb(pid))
        except OSError:
            return
        await asyncio.sleep(0.5)


async def drive(base_url: str, pid: int, db_path: Path, folder: Path, args, query: str) -> dict:
    t0 = time.monotonic()
    until = t0 + args.seconds
    logs = [SessionLog(i, ACCOUNT_CYCLE[i % len(ACCOUNT_CYCLE)], bool(i % 2)) for i in range(args.sessions)]
    imported: dict = {}
    memory: list = []
    tasks = [one_session(log.index, base_url, log.account, query if log.filtered else "", t0, until, args.think, log,
                         args.stagger) for log in logs]
    tasks.append(sample_memory(pid, until + 5, memory))
    if args.import_at >= 0:
        tasks.append(run_import(folder, db_path, args.import_at, t0, imported))
    await asyncio.gather(*tasks)
    return {"logs": logs, "import": imported, "memory": memory}


# ------------------------------------------------------------------------------ analysis
def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    low, high = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def freshness(logs: list[SessionLog], published_at: float | None) -> tuple[int, int, list[float], int]:
    """(sessions that saw changed figures after the import, sessions that could — they opened a
    page with figures both before and after —, delays from publication to first changed view,
    views after the import that still showed the old figures on a page whose figures changed
    for the same account and filter)."""
    if published_at is None:
        return 0, 0, [], 0
    saw, could, delays, stale = 0, 0, [], 0
    changed_pages: set[tuple[str, bool, str]] = set()
    for log in logs:
        for click in log.clicks:
            if click.started >= published_at and click.metrics:
                before = [c.metrics for c in log.clicks if c.page == click.page and c.started + c.seconds < published_at
                          and c.metrics]
                if before and before[-1] != click.metrics:
                    changed_pages.add((log.account, log.filtered, click.page))
    for log in logs:
        first_new = None
        possible = False
        for click in log.clicks:
            if click.started < published_at or not click.metrics:
                continue
            before = [c.metrics for c in log.clicks if c.page == click.page and c.started + c.seconds < published_at
                      and c.metrics]
            if not before:
                continue
            possible = True
            if before[-1] != click.metrics:
                first_new = first_new if first_new is not None else click.started + click.seconds - published_at
            elif (log.account, log.filtered, click.page) in changed_pages:
                stale += 1
        could += possible
        if first_new is not None:
            saw += 1
            delays.append(first_new)
    return saw, could, delays, stale


def report(args, size: int, result: dict, rows: dict[str, int], load_before: str, load_after: str,
           command: str) -> str:
    logs: list[SessionLog] = result["logs"]
    clicks = [c for log in logs for c in log.clicks]
    times = [c.seconds for c in clicks]
    failed = [c for c in clicks if c.problems]
    login_errors = [f"session {log.index} ({log.account}): {log.login_error}" for log in logs if log.login_error]
    imported = result["import"]
    published_at = imported.get("finished") if imported.get("outcome") == "accepted" else None
    during = [c.seconds for c in clicks if imported and imported.get("started", 1e9) <= c.started <= imported.get("finished", -1)]
    saw, could, delays, stale = freshness(logs, published_at)
    rss = [m[0] for m in result["memory"]]
    peak = max((m[1] for m in result["memory"]), default=float("nan"))
    lines = [
        f"Command: `{command}`. Load average (1/5/15 min) before: {load_before}; after: {load_after}.",
        "",
        f"{args.sessions} websocket sessions (benchmarks/ws_client.py) on one `streamlit run dashboard.py`, "
        f"{size:,} participants, {args.seconds:.0f} s, logins {args.stagger} s apart, think time {args.think} s ±50 % "
        f"between clicks; accounts in turn "
        f"{', '.join(ACCOUNT_CYCLE)}; every other session with the typical filter ({args.query}). "
        f"Import: `python -m pie ingest` of {sum(rows.values()):,} rows "
        f"({rows.get('participants', 0):,} participants, {rows.get('projects', 0):,} projects, "
        f"{rows.get('financing_decisions', 0):,} decisions) started at {imported.get('started', float('nan')):.1f} s, "
        f"outcome **{imported.get('outcome')}**, published at {imported.get('finished', float('nan')):.1f} s "
        f"(took {imported.get('finished', 0) - imported.get('started', 0):.1f} s).",
        "",
        "| measure | value | goal |",
        "|---|---:|---|",
        f"| page runs | {len(clicks)} | |",
        f"| errors (exceptions, error boxes, timeouts, disconnects, failed logins) | {len(failed) + len(login_errors)} | 0 |",
        f"| page time p50 (s) | {percentile(times, 0.5):.2f} | |",
        f"| page time p95 (s) | {percentile(times, 0.95):.2f} | < {GOAL_P95:.0f} s{'' if percentile(times, 0.95) < GOAL_P95 else ' ✗'} |",
        f"| page time max (s) | {max(times, default=float('nan')):.2f} | |",
        f"| page time p95 while the import ran (s) | {percentile(during, 0.95):.2f} ({len(during)} runs) | |",
        f"| login time p50 / max (s) | {percentile([l.login_seconds for l in logs if not l.login_error], 0.5):.2f} / "
        f"{max((l.login_seconds for l in logs), default=0):.2f} | |",
        f"| sessions that saw the new figures after the import | {saw} of {could} | all |",
        f"| views after the import still showing old figures | {stale} | 0 |",
        f"| first view with new figures, after publication (s), median / max | "
        f"{(statistics.median(delays) if delays else float('nan')):.1f} / {max(delays, default=float('nan')):.1f} | |",
        f"| server RSS: median / peak (VmHWM) (MB) | {(statistics.median(rss) if rss else float('nan')):.0f} / {peak:.0f} | < 2048 |",
        "",
        "Per page:",
        "",
        "| page | runs | p50 (s) | p95 (s) | max (s) |",
        "|---|---:|---:|---:|---:|",
    ]
    by_page: dict[str, list[float]] = {}
    for c in clicks:
        by_page.setdefault(c.page, []).append(c.seconds)
    for page, values in sorted(by_page.items(), key=lambda kv: -percentile(kv[1], 0.95)):
        lines.append(f"| {page} | {len(values)} | {percentile(values, 0.5):.2f} | {percentile(values, 0.95):.2f} | "
                     f"{max(values):.2f} |")
    problems = login_errors + [f"{c.account} {c.page} at {c.started:.1f} s: {'; '.join(c.problems)[:200]}" for c in failed]
    if problems:
        lines += ["", "Errors:", "", *[f"- {p}" for p in problems[:15]]]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--import-at", type=float, default=20, help="seconds; negative: no import")
    parser.add_argument("--think", type=float, default=1.0)
    parser.add_argument("--stagger", type=float, default=0.5, help="seconds between two sessions' logins")
    parser.add_argument("--cohorts", type=int, default=3, help="cohorts copied into the import")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    os.chdir(ROOT)
    from scale import filters_for

    db_path = load_database(args.size)
    typical = filters_for(db_path)["typical"]
    args.query = f"year={typical['year']}&region={typical['region']}"
    folder = db_path.parent / "import"
    rows = write_import(db_path, folder, typical["year"], typical["region"], args.cohorts, "-L1")
    port = free_port()
    log = db_path.parent / "streamlit.log"
    server = start_server(db_path, port, log)
    load_before = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    try:
        wait_healthy(port, server)
        print(f"streamlit on port {port}, pid {server.pid}; {args.sessions} sessions for {args.seconds:.0f} s …",
              file=sys.stderr, flush=True)
        result = asyncio.run(drive(f"http://127.0.0.1:{port}", server.pid, db_path, folder, args, args.query))
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    load_after = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    command = "python benchmarks/load.py" + ("" if args.size == 1_000_000 else f" --size {args.size}")
    text = report(args, args.size, result, rows, load_before, load_after, command)
    print(text)
    if not args.no_write:
        from report import write_section

        write_section(f"Load: {args.sessions} sessions during an import ({args.size:,} participants)", text)


if __name__ == "__main__":
    main()
