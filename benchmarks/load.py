"""Load: concurrent sessions against the production start while a partner's submission is approved.

One command, about 4 minutes at the default size, bounded in time:

    python benchmarks/load.py [--size 1000000] [--sessions 20] [--seconds 180] [--import-at 30]
                              [--think 10] [--target serve|single] [--processes N] [--no-write]
                              [--import-kind submission|operator] [--submitted 500] [--cohorts 3]
    python benchmarks/load.py --curve 10,20,50,100,150 [--seconds 120]   # p95 against sessions

`--target serve` (the default): `scripts/serve.sh` (pie/cli/serve.py) — `--processes` dashboard
processes (default one per core), each warming its caches (pie.ui.warmup), behind nginx with
sticky sessions; `--target single`: one `python -m pie.ui.serve` process, as before issue 18
(`PIE_WARMUP=0` in the environment switches the warm-up off for either). `--curve` runs the
whole benchmark once per session count (a fresh copy, a fresh start and an import each time)
and writes the section "Load: sessions curve …" with a table and a plotly chart
(docs/performance/load-curve.html).

The default pause between two clicks of a session, 10 s ±50 %, is a person reading a page; the
stress test `--think 1` asks for more page runs a second than one Streamlit process (one
core, Python's GIL) can serve, and shows what queueing does to page times.

1. A copy of the demo database of `--size` participants (benchmarks/.cache/demo-<size>/, never
   written) is made under benchmarks/.cache/load-<size>/ and marked as real data (is_demo =
   false; the demo accounts stay), since imports into a demo are refused.
2. The import of the middle of the run is prepared (`--import-kind`):
   - `submission` (the default; issue 18: "a partner's submission approved midway"): the files
     the establishment account cmc09 (the Souss-Massa CMC of pie.auth.DEMO_ACCOUNTS; its
     establishment_id is the account's scope) submits: `--submitted` new participants in its
     own existing cohorts of the typical filter's academic year — copies of the first
     participants of those cohorts under new identifiers (national_id empty), same cohort —
     with their participant_contacts and phase_progress rows. Only what an establishment may
     submit (pie/ingest/partners.py): no project, decision or stage, so the landing figures of
     the manager, admin and leadership sessions move (the overview, filtered or not), those
     of the banks and the incubator do not (SUBMISSION_MOVES);
   - `operator` (the sections written before): the rows of the cohorts of the typical filter
     (the last finished academic year and Souss-Massa) with the most projects (`--cohorts`,
     plus more if needed so that the copies hold decisions of both demo banks and stages of
     the demo incubator) — participants, contacts, phases, projects, members, plans,
     decisions, stages, sessions, companies, follow-ups — copied under new identifiers, so
     importing them changes the landing-page figures of every account, filtered or not.
3. The target starts on free loopback ports with PIE_DB on that copy (PIE_READ_ONLY=1: the
   dashboards only read; the import is the single writer).
4. `--sessions` websocket clients (benchmarks/ws_client.py: Streamlit's own protocol, as a
   browser tab speaks it, without a browser; all in this one process) log in through the
   login form — accounts in turn: manager, leadership, boa, cam, mcise, admin; every other
   session with the typical filter in its URL — then click through their role's pages in a
   loop for `--seconds`, pausing `--think` seconds (±50 %) between clicks. After a timeout or
   a disconnect a session opens a new connection and logs in again (at most 3 times).
5. At `--import-at` seconds (later, by up to 60 s, while some session has not yet seen its
   landing page), the import runs (separate processes, the single writer): a submission is
   `python -m pie ingest <folder> --as cmc09 --json` (outcome "submitted", nothing published;
   any other outcome or any problem voids the run: it stops, printing the problems, exit
   status 1) then `python -m pie approve <batch> --user manager`, which publishes a new
   snapshot when it returns; an operator's import is `python -m pie ingest <folder> --user
   loadtest --json`, published when it commits. From then on each session whose landing
   figures the import moves reopens its landing page until its figures differ from those it
   saw before the import; the others (a submission's banks and incubator) keep clicking, and
   their landing-page runs after the publication are recorded as same or changed figures.
   The sessions click until `--seconds` and, however long the import takes, until
   FRESH_WINDOW (30 s) after its publication.

Checked and recorded:
- every page run's time, from sending the request to the `script_finished` of the last run it
  caused (`st.rerun()` included);
- errors: st.exception / uncaught exceptions, st.error boxes, "page not found", a run of
  another page than the one asked for, runs over `--run-timeout`, disconnects, failed logins,
  failed access checks;
- access: each session's menu is exactly its role's pages; a page of another role asked for by
  URL is refused; a bank session's tables and texts show its own bank only, also with a
  forged `?bank=<the other bank>`;
- freshness: whether each session whose landing figures the import moves showed new figures
  on its landing page after the publication, and how long after;
- the server's resident memory (every dashboard process sampled every 0.5 s: sum of RSS, and the
  largest VmHWM of one process), CPU used by the server (dashboards and nginx),
  the clients, the import and the rest of the machine (other work shares the cores);
- the import's duration, CPU and outcome (a submission: of `ingest --as` and of `approve` apart).

Hard bounds: each page run `--run-timeout` (60 s); each import command (ingest, approve) is
killed after `--import-timeout` (300 s); the whole drive stops at max(seconds, import-at + 60 +
import timeout × commands + 30) + run timeout + 15 s. The server and the import run in their own process groups, are stopped
on every exit (error, Ctrl-C, SIGTERM) and die with this process even if it is killed.

Writes docs/performance/load-<size>-think<think>s[-serve<processes>-<sessions>][-submission].json
(every page run) and the docs/PERFORMANCE.md section "Load: <sessions> sessions during a
partner's submission, …" (an operator's import: "… during an import, …", the sections and files
of before); `--report-only` rewrites the section from that file (`--import-kind operator` for
the older files, which have no kind); `--no-write` only prints. Why websocket clients and not Chromium:
20 Chromium tabs need ~2-4 GB and most of the 2 cores for rendering, which would measure the
browser, not the server; the client speaks the same protocol (login form, navigation, widget
values) and measures the server's time to finish each run. What it does not measure: the
browser's own rendering (plotly drawing), and static files (JS bundle) served once per tab.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import shutil
import signal
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks"
for folder in (ROOT, BENCH):
    sys.path.insert(0, str(folder))

from pie.cli import serve  # noqa: E402
from ws_client import Session  # noqa: E402

CACHE = BENCH / ".cache"
ACCOUNT_CYCLE = ("manager", "leadership", "boa", "cam", "mcise", "admin")
GOAL_P95 = 2.0            # issue 18: page p95 ≤ 2 s
GOAL_LOGIN_P95 = 1.5      # login → landing page p95
GOAL_FRESH = 10.0         # every session sees the new figures within 10 s of publication
GOAL_CPU_PER_RUN = 0.1    # server CPU per page run
GOAL_PROCESS_MB = 1536    # each dashboard process's peak
IMPORT_WAIT = 60  # seconds the import may wait for the sessions' first views
FRESH_WINDOW = 30  # seconds of clicking after the publication (a session clicks every 10 s ±50 %)
TIMELINE_STEP = 15.0  # seconds per row of the report's "over time" table
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
# What runs midway: a partner's submission approved by a manager (issue 18), or an operator's
# import of copied cohorts (the sections written before the submission; `--import-kind operator`).
IMPORT_KINDS = ("submission", "operator")
SUBMITTER = "cmc09"       # pie.auth.DEMO_ACCOUNTS: the Souss-Massa CMC's establishment account
APPROVER = "manager"      # the demo manager account approves the submission
SUBMITTED_DEFAULT = 500   # new participants submitted: a CMC's register of a few hundred people
# A submission holds new people in existing cohorts: only participant_id gets the suffix.
SUBMISSION_ID_COLUMNS = {"participants": ("participant_id",), "participant_contacts": ("participant_id",),
                         "phase_progress": ("participant_id",)}
SUBMISSION_SELECTION = {table: "participant_id in (select participant_id from chosen_participants)"
                        for table in SUBMISSION_ID_COLUMNS}
# Landing pages whose figures new participants move: the programme overview (participants,
# phases). A bank's landing page (financing) counts decisions, an incubator's (incubation)
# stages: an establishment submits neither, so those sessions are not expected to change.
SUBMISSION_MOVES = ("overview",)
# Outcomes after which readers see the new data: an import accepted, a submission approved.
PUBLISHED = ("accepted", "approved")
SUBMISSION_CURVE = ", a partner's submission approved midway"   # the curve section's title, after "production start"


# ------------------------------------------------------------------------------ preparation
def load_database(size: int) -> Path:
    """A fresh copy of the demo of `size`, marked as real data, published."""
    from scale import demo_database

    from pie import auth, db

    source = demo_database(size)
    folder = CACHE / f"load-{size}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    path = folder / "pie.duckdb"
    shutil.copyfile(source, path)
    # The demo accounts live in the accounts store beside the demo (pie.auth), not in the copied
    # file: created again here, while the copy is still a demo.
    auth.create_demo_accounts(path)
    with db.writing(path) as con:
        con.execute("update app_meta set value = 'false' where key = 'is_demo'")
    return path


def choose_cohorts(con, year: str, region: str, n: int, scopes: dict[str, set[str]]) -> tuple[list[str], dict]:
    """The `n` cohorts of `year` in `region` with the most projects, plus as few more as needed
    so that the copies hold a decision of every bank and a stage of every incubator of the
    accounts (`scopes`: {"bank": {...}, "incubator": {...}}): then every session, filtered or
    not, has new figures to see. Returns the cohorts and what they cover."""
    ranked = con.execute("""
        select c.cohort_id,
               list(distinct fd.bank) filter (where fd.bank is not null) as banks,
               list(distinct s.incubator) filter (where s.incubator is not null) as incubators
        from cohorts as c
        join establishments as e using (establishment_id)
        left join projects as p using (cohort_id)
        left join business_plans as bp using (project_id)
        left join financing_decisions as fd using (plan_id)
        left join incubation_stages as s on s.project_id = p.project_id
        where c.academic_year = $year and e.region_code = $region
        group by c.cohort_id
        order by count(distinct p.project_id) desc, c.cohort_id""", {"year": year, "region": region}).fetchall()
    chosen, banks, incubators = [], set(), set()
    for cohort, cohort_banks, cohort_incubators in ranked:
        new = (set(cohort_banks) & scopes["bank"] - banks) | (set(cohort_incubators) & scopes["incubator"] - incubators)
        if len(chosen) < n or new:
            chosen.append(cohort)
            banks |= set(cohort_banks)
            incubators |= set(cohort_incubators)
        if len(chosen) >= n and scopes["bank"] <= banks and scopes["incubator"] <= incubators:
            break
    return chosen, {"bank": sorted(banks & scopes["bank"]), "incubator": sorted(incubators & scopes["incubator"])}


def copy_rows(con, folder: Path, id_columns: dict[str, tuple[str, ...]], selection: dict[str, str],
              suffix: str) -> dict[str, int]:
    """One CSV file per table of `id_columns` (the export format) with copies of its rows that
    `selection` (an SQL condition per table) picks, under new identifiers (`<id><suffix>` in
    the table's `id_columns`) and with the BLANKED columns empty; returns the rows per table."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = {}
    for table, ids in id_columns.items():
        columns = [r[0] for r in con.execute("select column_name from information_schema.columns "
                                            "where table_name = $table order by ordinal_position",
                                            {"table": table}).fetchall()]
        select = ", ".join(
            f"{c} || '{suffix}' as {c}" if c in ids else
            f"null as {c}" if c in BLANKED.get(table, ()) else c for c in columns)
        target = folder / f"{table}.csv"
        con.execute(f"copy (select {select} from {table} where {selection[table]}) to '{target}' (header, delimiter ',')")
        rows[table] = con.execute(f"select count(*) from {table} where {selection[table]}").fetchone()[0]
    return rows


@dataclass
class ImportPlan:
    """What runs midway (`kind`: "submission" or "operator", IMPORT_KINDS) and what it holds."""

    kind: str
    folder: Path
    rows: dict[str, int]                 # rows per table of the files
    cohorts: list[str]                   # operator: the cohorts copied; submission: the existing cohorts reached
    covers: dict[str, list[str]]         # operator: the accounts' banks and incubators the copies reach
    partner: dict | None = None          # submission: establishment_id, name, region_code, academic_year
    submitter: str | None = None         # submission: the partner account (ingest --as)
    approver: str | None = None          # submission: the manager account (approve --user)

    def moves(self, role: str) -> bool:
        """Whether the import changes the landing-page figures of `role`'s sessions: an
        operator's copied cohorts reach every role; an establishment's participants only the
        landing pages of SUBMISSION_MOVES."""
        from pie.ui import navigation

        return self.kind == "operator" or navigation.default_page(role).name in SUBMISSION_MOVES


def write_import(db_path: Path, folder: Path, year: str, region: str, cohorts: int, suffix: str,
                 scopes: dict[str, set[str]]) -> ImportPlan:
    """The operator's import (`--import-kind operator`): CSV files with copies of the rows of
    the cohorts chosen by `choose_cohorts` under new identifiers (`<id><suffix>`), reaching
    the banks and incubators of the accounts (`scopes`)."""
    import duckdb

    from pie import db

    shutil.rmtree(folder, ignore_errors=True)
    con = duckdb.connect(str(db.reader(db_path).snapshot()), read_only=True)
    try:
        chosen, covered = choose_cohorts(con, year, region, cohorts, scopes)
        con.execute("create temp table chosen (cohort_id varchar)")
        con.executemany("insert into chosen values (?)", [(c,) for c in chosen])
        rows = copy_rows(con, folder, ID_COLUMNS, SELECTION, suffix)
    finally:
        con.close()
    return ImportPlan("operator", folder, rows, chosen, covered)


def write_submission(db_path: Path, folder: Path, year: str, participants: int, suffix: str) -> ImportPlan:
    """A partner's submission (the default `--import-kind submission`): the files the
    establishment account SUBMITTER sends — `participants` new participants (copies of the
    first participants of its own existing cohorts of `year`, under new identifiers
    `<id><suffix>`, same cohort) with their contacts (national_id empty: BLANKED) and their
    phase_progress rows. Raises RuntimeError when the account or its cohorts are missing."""
    import duckdb

    from pie import auth, db

    account = auth.find_user(db_path, SUBMITTER)
    if account is None or account.role != "establishment" or not account.scope_code:
        raise RuntimeError(f"no establishment account {SUBMITTER} in the accounts store of {db_path}")
    shutil.rmtree(folder, ignore_errors=True)
    con = duckdb.connect(str(db.reader(db_path).snapshot()), read_only=True)
    try:
        found = con.execute("select establishment_id, name, region_code from establishments "
                            "where establishment_id = $id", {"id": account.scope_code}).fetchone()
        if found is None:
            raise RuntimeError(f"{SUBMITTER}'s establishment {account.scope_code} is not in {db_path}")
        partner = {**dict(zip(("establishment_id", "name", "region_code"), found)), "academic_year": year}
        con.execute("""
            create temp table chosen_participants as
            select p.participant_id, p.cohort_id from participants as p join cohorts as c using (cohort_id)
            where c.establishment_id = $establishment and c.academic_year = $year
            order by p.participant_id limit $n""",
                    {"establishment": account.scope_code, "year": year, "n": participants})
        cohorts = [r[0] for r in con.execute(
            "select distinct cohort_id from chosen_participants order by cohort_id").fetchall()]
        if not cohorts:
            raise RuntimeError(f"{SUBMITTER}'s establishment {account.scope_code} has no participant in {year}: "
                               "a larger --size")
        rows = copy_rows(con, folder, SUBMISSION_ID_COLUMNS, SUBMISSION_SELECTION, suffix)
    finally:
        con.close()
    return ImportPlan("submission", folder, rows, cohorts, {"bank": [], "incubator": []},
                      partner=partner, submitter=SUBMITTER, approver=APPROVER)


def _die_with_parent() -> None:
    """In the child, before exec: own process group, and SIGKILL when this process dies (even
    by SIGKILL), so no server or import outlives the benchmark."""
    os.setsid()
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def children(pid: int) -> list[int]:
    """Every descendant process of `pid`."""
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            try:
                kids = [int(x) for x in (task / "children").read_text().split()]
            except OSError:
                kids = []
            found += kids
            todo += kids
    return found


def server_pids(pid: int, target: str) -> list[int]:
    """The processes that serve pages: the one server, or serve's dashboards and nginx."""
    return [pid] if target == "single" else children(pid)


def memory_mb(pid: int) -> tuple[float, float]:
    """(current RSS, peak RSS = VmHWM) of a process in MB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) / 1024
    return values.get("VmRSS", 0.0), values.get("VmHWM", 0.0)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (its threads included), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, all cores."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    total = sum(values[:8])
    tick = os.sysconf("SC_CLK_TCK")
    return (total - idle) / tick, total / tick


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
    probe: str = ""     # "baseline", "new", "stale": the landing page's figures, for freshness;
    # "same", "changed": a landing-page run after publication of a session the import does not move


@dataclass
class SessionLog:
    index: int
    account: str
    filtered: bool
    role: str = ""
    scope: str | None = None
    logins: list[float] = field(default_factory=list)      # seconds per successful login
    errors: list[str] = field(default_factory=list)        # failed logins, connections, access checks
    clicks: list[Click] = field(default_factory=list)
    baseline: dict[str, str] | None = None                 # landing page's figures before the import
    fresh_after: float | None = None                       # publication → first run showing new figures
    stale_views: int = 0                                   # landing-page runs after publication, old figures
    access_checks: int = 0
    moved: bool = True                                     # the import changes its landing-page figures


def page_urls(role: str) -> list[tuple[str, str]]:
    """(page name, its URL path) for each page of `role`; "" for its landing page."""
    from pie.ui import navigation

    landing = navigation.default_page(role)
    return [(spec.name, "" if spec is landing else Path(spec.path).stem) for spec in navigation.pages_for(role)]


def bank_check(run, own: str, column: str, labels: dict[str, str]) -> list[str]:
    """Problems if a bank session's run shows another bank: values of the tables' bank column
    other than its own bank's label, or another bank's name in its texts."""
    problems = []
    shown = {v for v in run.table_values(column) if v is not None}
    if shown - {labels[own]}:
        problems.append(f"bank {own} sees decisions of {sorted(shown - {labels[own]})}")
    others = [label for code, label in labels.items() if code != own and any(label in text for text in run.texts)]
    if others:
        problems.append(f"bank {own} sees the name of {others} on its page")
    return problems


@dataclass
class Shared:
    """What the sessions, the import and the memory sampler share."""

    t0: float
    until: float
    import_started: float | None = None
    published: asyncio.Event = field(default_factory=asyncio.Event)
    published_at: float | None = None
    waiting: int = 0                                    # sessions without a figure of before the import
    ready: asyncio.Event = field(default_factory=asyncio.Event)

    import_planned: bool = False                        # an import runs during this drive
    import_done: bool = False                           # the import ended (published, rejected or killed)

    def clicking(self) -> bool:
        """Whether sessions go on clicking: until --seconds, and while the import has not ended
        (then FRESH_WINDOW more after its publication), so that every session can show whether
        it sees the new figures even when the import ends after --seconds."""
        return time.monotonic() < self.until or (self.import_planned and not self.import_done)

    def has_baseline(self) -> None:
        self.waiting -= 1
        if self.waiting <= 0:
            self.ready.set()


async def one_session(index: int, base_url: str, log: SessionLog, query: str, shared: Shared, args,
                      bank_labels: dict[str, str], bank_column: str) -> None:
    """One person: logs in, clicks through the role's pages until the end; after a timeout or a
    disconnect, opens a new tab and logs in again (at most 3 times)."""
    from pie.ui import navigation

    rng = random.Random(index)
    pages = page_urls(log.role)
    landing_name = navigation.default_page(log.role).name
    # the landing page is registered twice: hidden under "" and in the menu under its own path
    expected_menu = {"", *(Path(spec.path).stem for spec in navigation.pages_for(log.role))}
    position = rng.randrange(len(pages))
    await asyncio.sleep(index * args.stagger)  # people do not all press "log in" in the same second
    for attempt in range(4):
        if not shared.clicking():
            return
        try:
            async with Session(base_url, timeout=args.run_timeout) as tab:
                started = time.monotonic()
                try:
                    landed = await tab.login(log.account, log.account, query=query)
                except Exception as error:  # noqa: BLE001 — recorded as an error of the run
                    log.errors.append(f"login at {started - shared.t0:.1f} s: {type(error).__name__}: {error}")
                    await asyncio.sleep(1)
                    continue
                if landed.errors or landed.exceptions:
                    # An error box instead of the landing page (e.g. the login run's "something
                    # went wrong"): no form, but no landing page either; the menu is then the
                    # login page's, registered under every page's path. A failed login.
                    log.errors.append(f"login at {started - shared.t0:.1f} s: landing page error: "
                                      f"{(landed.exceptions or landed.errors)[0][:150]}")
                    await asyncio.sleep(1)
                    continue
                log.logins.append(time.monotonic() - started)
                # The menu: exactly the role's pages (no URL reaches the others).
                menu = tab.page_paths
                log.access_checks += 1
                if menu != expected_menu:
                    log.errors.append(f"menu of {log.account}: {sorted(menu)}, expected {sorted(expected_menu)}")
                if shared.import_started is None and landed.ok and landed.metrics:
                    if log.baseline is None:
                        shared.has_baseline()
                    log.baseline = dict(landed.metrics)
                outside = next((Path(spec.path).stem for spec in navigation.PAGES if log.role not in spec.roles), None)
                if outside and attempt == 0:
                    # A page of another role, asked for by its URL: "page not found", and the
                    # landing page runs instead.
                    refused = await tab.open(outside, query)
                    log.access_checks += 1
                    if not any(e.startswith("page not found") for e in refused.errors) or \
                            refused.page_hash != tab.expected_hash(""):
                        log.errors.append(f"{log.account} asked for {outside}: {refused.status}, not refused")
                    if tab.broken:
                        continue
                if log.role == "bank":
                    # A forged ?bank=<another bank> must not widen a bank's view.
                    other = next(code for code in bank_labels if code != log.scope)
                    forged = await tab.open("", f"{query}&bank={other}".lstrip("&"))
                    log.access_checks += 1
                    problems = bank_check(forged, log.scope, bank_column, bank_labels)
                    log.errors += [f"forged ?bank={other}: {p}" for p in problems]
                    if tab.broken:
                        continue
                while shared.clicking():
                    # After the publication, the landing page again (every other click while it
                    # still shows the old figures): did this session get the new data?
                    probing = (log.moved and shared.published.is_set() and log.baseline is not None
                               and log.fresh_after is None and not (log.clicks and log.clicks[-1].probe == "stale"))
                    if probing:
                        name, url = landing_name, ""
                    else:
                        name, url = pages[position % len(pages)]
                        position += 1
                    before_import = shared.import_started is None
                    run = await tab.open(url, query)
                    problems = [*run.exceptions, *run.errors] + ([] if run.status == "finished" else [run.status])
                    if run.status == "finished" and url and run.page_hash != tab.expected_hash(url):
                        problems.append(f"asked for {url}, another page ran")
                    if log.role == "bank" and run.tables:
                        log.access_checks += 1
                        problems += bank_check(run, log.scope, bank_column, bank_labels)
                    click = Click(index, log.account, name, bool(query), run.started_at - shared.t0, run.seconds,
                                  run.status, problems, dict(run.metrics))
                    if name == landing_name and run.ok and run.metrics:
                        if before_import:
                            if log.baseline is None:
                                shared.has_baseline()
                            log.baseline = dict(run.metrics)
                            click.probe = "baseline"
                        elif probing and shared.published_at is not None and log.baseline is not None:
                            if run.metrics != log.baseline:
                                click.probe = "new"
                                log.fresh_after = run.started_at + run.seconds - shared.t0 - shared.published_at
                            else:
                                click.probe = "stale"
                                log.stale_views += 1
                        elif not log.moved and shared.published_at is not None and log.baseline is not None \
                                and run.started_at - shared.t0 >= shared.published_at:
                            # a session the import does not move, on its landing page after the
                            # publication (in its ordinary clicking): are its figures the same?
                            click.probe = "same" if run.metrics == log.baseline else "changed"
                    log.clicks.append(click)
                    if tab.broken:
                        break
                    await asyncio.sleep(args.think * rng.uniform(0.5, 1.5))
        except Exception as error:  # noqa: BLE001 — a refused connection, a closed socket…
            log.errors.append(f"connection at {time.monotonic() - shared.t0:.1f} s: {type(error).__name__}: {error}")
            await asyncio.sleep(1)


class ImportFailed(RuntimeError):
    """The submission midway was refused (rejected rows, or a refused approval): the run is void."""


async def run_import(plan: ImportPlan, db_path: Path, at: float, shared: Shared, result: dict,
                     timeout: float) -> None:
    """`_run_import`, then the sessions know the import ended (Shared.clicking)."""
    try:
        await _run_import(plan, db_path, at, shared, result, timeout)
    finally:
        shared.import_done = True


async def _pie(arguments: list[str], timeout: float) -> tuple[int | None, bytes, bytes]:
    """`python -m pie <arguments>` in its own process group: (exit status, stdout, stderr);
    status None when it was killed after `timeout` seconds (or the benchmark stopped)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "pie", *arguments, cwd=ROOT, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE, preexec_fn=_die_with_parent)
    try:
        out, err = await asyncio.wait_for(process.communicate(), timeout)
    except asyncio.TimeoutError:
        return None, b"", b""
    finally:
        if process.returncode is None:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            await process.wait()
    return process.returncode, out, err


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


async def _run_import(plan: ImportPlan, db_path: Path, at: float, shared: Shared, result: dict,
                      timeout: float) -> None:
    """At `at` seconds — later if some sessions have not yet seen their landing page (so that
    each can tell old figures from new), at most IMPORT_WAIT seconds later — the import of
    `plan`: an operator's `python -m pie ingest <folder> --user loadtest --json`, or a partner's
    `python -m pie ingest <folder> --as <submitter> --json` (outcome "submitted") then
    `python -m pie approve <batch> --user <approver>`. Each command is killed after `timeout`
    seconds or when the benchmark stops. The publication is when the import (operator) or the
    approval (submission) returns successfully. A submission refused at either step raises
    ImportFailed (with its problems)."""
    await asyncio.sleep(max(0.0, shared.t0 + at - time.monotonic()))
    try:
        await asyncio.wait_for(shared.ready.wait(), IMPORT_WAIT)
    except asyncio.TimeoutError:
        pass
    cpu_before = _children_cpu()
    shared.import_started = result["started"] = time.monotonic() - shared.t0
    who = ["--user", "loadtest"] if plan.kind == "operator" else ["--as", plan.submitter]
    code, out, err = await _pie(["ingest", str(plan.folder), "--db", str(db_path), *who, "--json"], timeout)
    cpu_ingested = _children_cpu()
    result["returncode"] = code
    if code is None:
        result["outcome"] = f"killed after {timeout:.0f} s"
        return
    answer: dict = {}
    try:
        answer = json.loads(out)
        result["outcome"] = answer.get("outcome")
        result["rows"] = answer.get("rows")
        result["problems"] = answer.get("problems", [])[:5]
        result["batch_id"] = answer.get("batch_id")
    except json.JSONDecodeError:
        result["outcome"] = "unreadable"
        result["stderr"] = err.decode(errors="replace")[-500:]
    if plan.kind == "submission":
        result["submitted"] = time.monotonic() - shared.t0
        result["submit_cpu_seconds"] = cpu_ingested - cpu_before
        result["submit_outcome"] = result["outcome"]
        if result["outcome"] != "submitted" or answer.get("problems"):
            problems = "\n".join(f"  {p.get('file')} row {p.get('row')} {p.get('column')} {p.get('value')!r}: "
                                 f"{p.get('reason')}" for p in answer.get("problems", []))
            raise ImportFailed(f"`python -m pie ingest --as {plan.submitter}`: outcome {result['outcome']}, exit "
                               f"status {code}, {len(answer.get('problems', []))} problem(s) listed"
                               f"{' (and ' + str(answer['truncated']) + ' more)' if answer.get('truncated') else ''}"
                               f":\n{problems}{result.get('stderr', '')}")
        code, out, err = await _pie(["approve", result["batch_id"], "--user", plan.approver, "--db", str(db_path),
                                     "--lang", "en"], timeout)
        result["approve_returncode"] = code
        result["approve_cpu_seconds"] = _children_cpu() - cpu_ingested
        if code is None:
            result["outcome"] = f"approval killed after {timeout:.0f} s"
            return
        if code != 0:
            result["outcome"] = "approval refused"
            raise ImportFailed(f"`python -m pie approve {result['batch_id']} --user {plan.approver}`: exit status "
                               f"{code}: {(out + err).decode(errors='replace')[-3000:]}")
        result["outcome"] = "approved"
    result["cpu_seconds"] = _children_cpu() - cpu_before
    result["finished"] = time.monotonic() - shared.t0
    if result["outcome"] in PUBLISHED:
        shared.published_at = result["finished"]
        shared.published.set()
        shared.until = max(shared.until, time.monotonic() + FRESH_WINDOW)


async def sample(pids: list[int], shared: Shared, samples: list) -> None:
    """The servers' memory every 0.5 s: (seconds, sum of RSS, largest VmHWM of one process)."""
    while True:
        values = []
        for pid in pids:
            try:
                values.append(memory_mb(pid))
            except OSError:
                pass
        if not values:
            return
        samples.append((time.monotonic() - shared.t0, sum(v[0] for v in values), max(v[1] for v in values)))
        await asyncio.sleep(0.5)


def total_cpu(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        try:
            total += cpu_seconds(pid)
        except OSError:
            pass
    return total


async def drive(base_url: str, pids: list[int], db_path: Path, plan: ImportPlan, args, query: str) -> dict:
    from pie.auth import DEMO_ACCOUNTS

    from pie import i18n

    accounts = {name: (role, scope) for name, role, scope in DEMO_ACCOUNTS}
    bank_labels = {scope: i18n.code_label("bank", scope, "fr") for _, role, scope in DEMO_ACCOUNTS
                   if role == "bank"}
    from pie.i18n import t

    bank_column = t("partners.col.bank", "fr")
    t0 = time.monotonic()
    shared = Shared(t0=t0, until=t0 + args.seconds, waiting=args.sessions)
    logs = []
    for i in range(args.sessions):
        account = ACCOUNT_CYCLE[i % len(ACCOUNT_CYCLE)]
        role, scope = accounts[account]
        logs.append(SessionLog(i, account, bool(i % 2), role=role, scope=scope, moved=plan.moves(role)))
    imported: dict = {}
    memory: list = []
    cpu_before = (total_cpu(pids), time.process_time(), machine_cpu())
    sampler = asyncio.ensure_future(sample(pids, shared, memory))
    tasks = [one_session(log.index, base_url, log, query if log.filtered else "", shared, args, bank_labels,
                         bank_column) for log in logs]
    if args.import_at >= 0:
        shared.import_planned = True
        tasks.append(run_import(plan, db_path, args.import_at, shared, imported, args.import_timeout))
    # Hard bound: the sessions stop clicking at --seconds; a run still going then has at most
    # --run-timeout more; each command of the import (ingest; approve) at most --import-timeout.
    commands = 2 if plan.kind == "submission" else 1
    bound = max(args.seconds, args.import_at + IMPORT_WAIT + commands * args.import_timeout + FRESH_WINDOW) \
        + args.run_timeout + 15
    gathered = asyncio.gather(*tasks)
    try:
        await asyncio.wait_for(gathered, bound)
        timed_out = False
    except asyncio.TimeoutError:
        timed_out = True
    finally:
        sampler.cancel()
    wall = time.monotonic() - t0
    busy, total = machine_cpu()
    cpu = {
        "wall": wall,
        "server": total_cpu(pids) - cpu_before[0],
        "clients": time.process_time() - cpu_before[1],
        "machine_busy": busy - cpu_before[2][0],
        "machine_total": total - cpu_before[2][1],
        "import": imported.get("cpu_seconds", 0.0),
    }
    return {"logs": logs, "import": imported, "memory": memory, "cpu": cpu, "timed_out": timed_out}


# ------------------------------------------------------------------------------ results and report
def as_results(args, size: int, result: dict, plan: ImportPlan, load_before: str, load_after: str,
               command: str) -> dict:
    """Everything the report needs, JSON-able (saved next to the report, reread by --report-only).
    Results written before the submission have no import_kind (read as "operator"), no
    import_partner and no session "moved" (read as True: the copied cohorts reach every role)."""
    return {
        "command": command, "size": size, "date": time.strftime("%Y-%m-%d"),
        "settings": {k: getattr(args, k) for k in ("sessions", "seconds", "import_at", "think", "stagger",
                                                    "run_timeout", "import_timeout", "query", "target", "processes",
                                                    "settle", "settled")},
        "warmup": os.environ.get("PIE_WARMUP", "1") != "0",
        "import_kind": plan.kind, "import_rows": plan.rows, "import_cohorts": plan.cohorts,
        "import_covers": plan.covers,
        "import_partner": None if plan.kind == "operator" else {
            "account": plan.submitter, "approver": plan.approver, **plan.partner},
        "load_before": load_before, "load_after": load_after,
        "import": result["import"], "cpu": result["cpu"], "timed_out": result["timed_out"],
        "memory": [[round(t, 1), round(rss), round(peak)] for t, rss, peak in result["memory"]],
        "sessions": [{
            "index": log.index, "account": log.account, "role": log.role, "filtered": log.filtered,
            "logins": [round(x, 3) for x in log.logins], "errors": log.errors,
            "baseline": log.baseline is not None, "fresh_after": log.fresh_after, "stale_views": log.stale_views,
            "access_checks": log.access_checks, "moved": log.moved,
            "clicks": [[c.page, round(c.started, 2), round(c.seconds, 3), c.status, c.problems, c.probe]
                       for c in log.clicks],
        } for log in result["logs"]],
    }


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    low, high = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def _stats(values: list[float]) -> str:
    return (f"{len(values)} | {percentile(values, 0.5):.2f} | {percentile(values, 0.95):.2f} | "
            f"{max(values, default=float('nan')):.2f}")


def import_kind(results: dict) -> str:
    """The kind of import midway of a run's results (older results have none: "operator")."""
    return results.get("import_kind", "operator")


def moved_sessions(results: dict) -> list[dict]:
    """The sessions whose landing-page figures the import changes (all of them in older results)."""
    return [s for s in results["sessions"] if s.get("moved", True)]


def summary(results: dict) -> dict:
    """The figures of one run the sessions curve shows."""
    sessions = results["sessions"]
    times = [c[2] for s in sessions for c in s["clicks"]]
    logins = [x for s in sessions for x in s["logins"]]
    errors = sum(len(s["errors"]) for s in sessions) + sum(1 for s in sessions for c in s["clicks"] if c[4])
    moved = moved_sessions(results)
    delays = [s["fresh_after"] for s in moved if s["baseline"] and s["fresh_after"] is not None]
    runs = len(times) + len(logins)
    return {"sessions": results["settings"]["sessions"], "runs": len(times), "errors": errors,
            "p50": percentile(times, 0.5), "p95": percentile(times, 0.95), "login_p95": percentile(logins, 0.95),
            "fresh": f"{len(delays)} of {len(moved)}", "fresh_max": max(delays, default=float("nan")),
            "cpu_per_run": results["cpu"]["server"] / max(runs, 1),
            "server_cores": results["cpu"]["server"] / results["cpu"]["wall"],
            "peak_mb": max((m[2] for m in results["memory"]), default=float("nan")),
            "load_before": results["load_before"], "load_after": results["load_after"]}


def curve_report(runs: list[dict], command: str, chart: str = "load-curve") -> str:
    rows = sorted((summary(r) for r in runs), key=lambda r: r["sessions"])
    first = runs[0]
    settings = first["settings"]
    lines = [
        f"Command: `{command}`. One full run of the load benchmark per session count (a fresh copy of the "
        f"{first['size']:,}-participant demo, a fresh production start `scripts/serve.sh --processes "
        f"{settings['processes']}`, {settings['seconds']:.0f} s of clicking — and until {FRESH_WINDOW} s after the "
        f"import's publication — with {settings['think']:g} s ±50 % "
        f"between clicks, {_midway(first)} at {settings['import_at']:.0f} s). Load average (1/5/15 min) before and after "
        "each run in the last column: the machine is shared.",
        "",
        "| sessions | page runs | errors | page p50 (s) | page p95 (s) | login p95 (s) | new figures seen (of the sessions the import moves) | "
        "publication → seen, max (s) | server CPU per run (s) | server cores busy | largest process peak (MB) | "
        "load before → after |",
        "|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        lines.append(f"| {r['sessions']} | {r['runs']} | {r['errors']} | {r['p50']:.2f} | {r['p95']:.2f}"
                     f"{'' if r['p95'] <= GOAL_P95 else ' ✗'} | {r['login_p95']:.2f}"
                     f"{'' if r['login_p95'] <= GOAL_LOGIN_P95 else ' ✗'} | {r['fresh']} | {r['fresh_max']:.1f} | "
                     f"{r['cpu_per_run']:.2f} | {r['server_cores']:.2f} | {r['peak_mb']:.0f} | "
                     f"{r['load_before']} → {r['load_after']} |")
    lines += ["", f"![page time p95 against sessions](performance/{chart}.png)", "",
              (f"Interactive: [performance/{chart}.html](performance/{chart}.html). Each run's own section "
               "(\"Load: N sessions …\") has its details.")]
    return "\n".join(lines)


def curve_chart(runs: list[dict], folder: Path, chart: str = "load-curve") -> None:
    """docs/performance/<chart>.html (and .png when kaleido can draw it)."""
    import plotly.graph_objects as go

    rows = sorted((summary(r) for r in runs), key=lambda r: r["sessions"])
    x = [r["sessions"] for r in rows]
    figure = go.Figure()
    figure.add_scatter(x=x, y=[r["p95"] for r in rows], mode="lines+markers", name="page p95",
                       line={"color": "#1f5fa8"})
    figure.add_scatter(x=x, y=[r["p50"] for r in rows], mode="lines+markers", name="page p50",
                       line={"color": "#5a5a5a", "dash": "dot"})
    figure.add_scatter(x=x, y=[r["login_p95"] for r in rows], mode="lines+markers", name="login p95",
                       line={"color": "#a8501f"})
    figure.add_hline(y=GOAL_P95, line_dash="dash", line_color="#1f5fa8", annotation_text="page p95 goal")
    figure.add_hline(y=GOAL_LOGIN_P95, line_dash="dot", line_color="#a8501f", annotation_text="login p95 goal",
                     annotation_position="bottom right")
    figure.update_layout(title=f"Page time against concurrent sessions ({runs[0]['size']:,} participants, "
                               f"{runs[0]['settings']['processes']} processes behind nginx, 2 cores)",
                         xaxis_title="concurrent sessions", yaxis_title="seconds", template="plotly_white")
    folder.mkdir(parents=True, exist_ok=True)
    figure.write_html(folder / f"{chart}.html", include_plotlyjs="cdn")
    try:
        figure.write_image(folder / f"{chart}.png", width=900, height=500)
    except Exception as error:  # noqa: BLE001 — kaleido needs Chromium; the HTML is enough
        print(f"no PNG: {error}", file=sys.stderr)


def _accounts_of(sessions: list[dict]) -> str:
    """The accounts of `sessions`, in the order of ACCOUNT_CYCLE ("—" for none)."""
    present = {s["account"] for s in sessions}
    return ", ".join(a for a in ACCOUNT_CYCLE if a in present) or "—"


def _midway(results: dict) -> str:
    return "an import" if import_kind(results) == "operator" else "a partner's submission, approved,"


def reproduce(results: dict) -> str:
    """The command that reproduces a run: older results (an operator's import then the only
    kind) get `--import-kind operator`, now that a submission is the default."""
    command = results["command"]
    if "import_kind" not in results:
        command = command.replace("python benchmarks/load.py", "python benchmarks/load.py --import-kind operator", 1)
    return command


def import_sentence(results: dict) -> str:
    """The report's "Import: …" sentence: what ran midway, when, and its outcome."""
    imported, rows = results["import"], results["import_rows"]
    started, finished = imported.get("started"), imported.get("finished")
    published = imported.get("outcome") in PUBLISHED
    at = f"{started if started is not None else float('nan'):.1f} s"
    if import_kind(results) == "operator":
        return (f"Import: `python -m pie ingest` of {sum(rows.values()):,} rows "
                f"({rows.get('participants', 0):,} participants, {rows.get('projects', 0):,} projects, "
                f"{rows.get('financing_decisions', 0):,} decisions; copies of {len(results['import_cohorts'])} cohorts "
                f"of the typical filter, reaching banks {', '.join(results['import_covers']['bank']) or '—'} and "
                f"incubators {', '.join(results['import_covers']['incubator']) or '—'}) started at {at}, outcome "
                f"**{imported.get('outcome')}**"
                + (f", published at {finished:.1f} s (took {finished - started:.1f} s)." if published else "."))
    partner = results["import_partner"]
    submitted = imported.get("submitted")
    cohorts = results["import_cohorts"]
    text = (f"Import: a partner's submission. The establishment account `{partner['account']}` "
            f"({partner['name']}, {partner['establishment_id']}, region {partner['region_code']}) submits "
            f"`python -m pie ingest FOLDER --as {partner['account']} --json`: {sum(rows.values()):,} rows — "
            f"{rows.get('participants', 0):,} new participants in its existing "
            f"cohort{'s' if len(cohorts) > 1 else ''} {', '.join(cohorts)} of {partner['academic_year']} (copies of "
            f"participants of those cohorts under new identifiers, national_id empty), "
            f"{rows.get('participant_contacts', 0):,} participant_contacts, {rows.get('phase_progress', 0):,} "
            f"phase_progress — started at {at}")
    if submitted is None:
        return text + f", outcome **{imported.get('outcome')}**."
    text += (f", outcome **{imported.get('submit_outcome')}** at {submitted:.1f} s (took {submitted - started:.1f} s, "
             f"batch {imported.get('batch_id')})")
    if imported.get("approve_returncode") is None and not published:
        return text + f"; then **{imported.get('outcome')}**."
    text += f"; `python -m pie approve BATCH --user {partner['approver']}` (the manager) "
    if not published:
        return text + f"ended **{imported.get('outcome')}**."
    return text + (f"approved it: published at {finished:.1f} s (approval took {finished - submitted:.1f} s; "
                   f"{finished - started:.1f} s from the start of the submission to its publication).")


def unmoved_rows(results: dict) -> list[str]:
    """Report rows on the sessions whose landing figures the import does not change (a
    submission's banks and incubators): their landing-page views after the publication."""
    unmoved = [s for s in results["sessions"] if not s.get("moved", True)]
    if not unmoved:
        return []
    views = [c[5] for s in unmoved for c in s["clicks"] if c[5] in ("same", "changed")]
    row = (f"| sessions whose landing figures the submission does not move ({_accounts_of(unmoved)}: "
           f"{len(unmoved)}): their landing-page views after the publication, figures changed / views | "
           f"{views.count('changed')} / {len(views)} | not expected to change |")
    return [row]


def submission_rows(results: dict) -> list[str]:
    """Report rows on a submission's two commands: seconds and CPU of each."""
    imported = results["import"]
    if import_kind(results) != "submission" or imported.get("submitted") is None:
        return []
    started, submitted, finished = imported.get("started"), imported["submitted"], imported.get("finished")
    approve = (f"{finished - submitted:.1f} s ({imported.get('approve_cpu_seconds', float('nan')):.1f} s CPU)"
               if finished is not None else imported.get("outcome"))
    row = (f"| submission `ingest --as {results['import_partner']['account']}` (checked, kept) / approval "
           f"`approve --user {results['import_partner']['approver']}` (checked again, loaded, published): "
           f"seconds (CPU) | {submitted - started:.1f} s ({imported.get('submit_cpu_seconds', float('nan')):.1f} s "
           f"CPU) / {approve} | |")
    return [row]


def report(results: dict) -> str:
    settings, imported, cpu = results["settings"], results["import"], results["cpu"]
    sessions = results["sessions"]
    clicks = [dict(zip(("page", "started", "seconds", "status", "problems", "probe"), c), account=s["account"],
                   role=s["role"], filtered=s["filtered"]) for s in sessions for c in s["clicks"]]
    times = [c["seconds"] for c in clicks]
    failed = [c for c in clicks if c["problems"]]
    session_errors = [f"session {s['index']} ({s['account']}): {e}" for s in sessions for e in s["errors"]]
    started, finished = imported.get("started"), imported.get("finished")
    during = [c["seconds"] for c in clicks if started is not None and finished is not None
              and c["started"] + c["seconds"] >= started and c["started"] <= finished]
    p95 = percentile(times, 0.95)
    # The login burst: every session logs in and opens its first page on a cold server.
    all_in = max((s["clicks"][0][1] + s["clicks"][0][2] for s in sessions if s["clicks"]), default=0.0)
    settled = [c["seconds"] for c in clicks if c["started"] >= all_in]
    kind = import_kind(results)
    published = imported.get("outcome") in PUBLISHED
    moved = moved_sessions(results)
    checkable = [s for s in moved if s["baseline"]]
    fresh = [s for s in checkable if s["fresh_after"] is not None]
    not_fresh = [f"{s['account']}{' (filtered)' if s['filtered'] else ''}" for s in checkable if s["fresh_after"] is None]
    delays = [s["fresh_after"] for s in fresh]
    # each fresh session's first view with new figures: its own page time
    first_views = [next(c[2] for c in s["clicks"] if c[5] == "new") for s in fresh
                   if any(c[5] == "new" for c in s["clicks"])]
    logins = [x for s in sessions for x in s["logins"]]
    memory = results["memory"]
    rss = [m[1] for m in memory]
    peak = max((m[2] for m in memory), default=float("nan"))
    wall = cpu["wall"]
    others = cpu["machine_busy"] - cpu["server"] - cpu["clients"] - cpu["import"]
    errors = len(failed) + len(session_errors)
    target = settings.get("target", "single")
    if target == "single":
        server_text = (f"one freshly started `python -m pie.ui.serve` (`streamlit run dashboard.py`, "
                       f"{'caches warmed by pie.ui.warmup' if results.get('warmup') else 'every cache cold'})")
    else:
        server_text = (f"the production start `scripts/serve.sh --processes {settings['processes']}` "
                       f"({settings['processes']} dashboard processes behind nginx, sticky sessions, freshly started, "
                       f"{'each warming its caches (pie.ui.warmup): first logins ' + str(settings.get('settled', 0)) + ' s after the start, when every process had warmed the first snapshot (or --settle ran out)' if results.get('warmup') else 'warm-up off'})")
    login_p95 = percentile(logins, 0.95)
    cpu_per_run = cpu['server'] / max(len(clicks) + len(logins), 1)
    if kind == "submission":
        fresh_label = (f"sessions whose landing figures the submission moves ({_accounts_of(moved)}: {len(moved)}) "
                       f"that showed new figures after its publication")
    else:
        fresh_label = "sessions whose landing page showed new figures after the import"
    fresh_max = max(delays, default=float("nan"))
    lines = [
        f"Command: `{reproduce(results)}`. Load average (1/5/15 min) before: {results['load_before']}; "
        f"after: {results['load_after']}.",
        "",
        f"{settings['sessions']} websocket sessions (benchmarks/ws_client.py, Streamlit's browser protocol, "
        f"one process) on {server_text} on loopback, {results['size']:,} participants, "
        f"{settings['seconds']:.0f} s of clicking (longer while an import runs: until {FRESH_WINDOW} s after its "
        f"publication), logins {settings['stagger']} s apart, think time "
        f"{settings['think']} s ±50 % between clicks, {settings['run_timeout']:.0f} s timeout per page run; "
        f"accounts in turn {', '.join(ACCOUNT_CYCLE)}; every other session with the typical filter "
        f"({settings['query']}). {import_sentence(results)}",
        "",
        "| measure | value | goal |",
        "|---|---:|---|",
        f"| page runs | {len(clicks)} | |",
        f"| errors (exceptions, error boxes, wrong page, timeouts, disconnects, failed logins, access) | "
        f"{errors} | 0{'' if errors == 0 else ' ✗'} |",
        f"| page time p50 (s) | {percentile(times, 0.5):.2f} | |",
        f"| page time p95 (s) | {p95:.2f} | ≤ {GOAL_P95:.0f}{'' if p95 <= GOAL_P95 else ' ✗'} |",
        f"| page time max (s) | {max(times, default=float('nan')):.2f} | |",
        f"| page time p95 while the import ran (s) | {percentile(during, 0.95):.2f} ({len(during)} runs) | |",
        f"| page time p95 once every session had its first page, from {all_in:.0f} s on (s) | "
        f"{percentile(settled, 0.95):.2f} ({len(settled)} runs) | |",
        f"| login (form submitted → landing page finished) p50 / p95 / max (s) | {percentile(logins, 0.5):.2f} / "
        f"{login_p95:.2f} / {max(logins, default=float('nan')):.2f} | p95 ≤ {GOAL_LOGIN_P95}"
        f"{'' if login_p95 <= GOAL_LOGIN_P95 else ' ✗'} |",
        f"| {fresh_label} | {len(fresh)} of {len(checkable)}"
        f"{' (' + str(len(moved) - len(checkable)) + ' without a view before the import)' if len(checkable) < len(moved) else ''}"
        f" | all{'' if published and len(fresh) == len(checkable) == len(moved) else ' ✗'} |",
        *unmoved_rows(results),
        f"| landing-page views after publication still showing old figures | "
        f"{sum(s['stale_views'] for s in sessions)} | |",
        f"| publication → first view with new figures (s), median / max (includes the wait for the "
        f"session's next click: {settings['think'] * 0.5:g}–{settings['think'] * 1.5:g} s between clicks) | "
        f"{(statistics.median(delays) if delays else float('nan')):.1f} / {fresh_max:.1f} | max ≤ {GOAL_FRESH:.0f}"
        f"{'' if fresh_max <= GOAL_FRESH else ' ✗'} |",
        f"| that first view's own page time (s), median / max: how long new figures take once asked for | "
        f"{(statistics.median(first_views) if first_views else float('nan')):.2f} / "
        f"{max(first_views, default=float('nan')):.2f} | |",
        f"| access checks (menu = role's pages; a bank's tables and texts show only its bank, even with a forged "
        f"`?bank=`) | {sum(s['access_checks'] for s in sessions)}, failures counted in errors | |",
        f"| server RSS, all processes: median (MB) / largest peak of one process (VmHWM, MB) | "
        f"{(statistics.median(rss) if rss else float('nan')):.0f} / {peak:.0f} | peak ≤ {GOAL_PROCESS_MB}"
        f"{'' if peak <= GOAL_PROCESS_MB else ' ✗'} |",
        f"| CPU over {wall:.0f} s (cores busy on average): server / clients / import / rest of the machine | "
        f"{cpu['server'] / wall:.2f} / {cpu['clients'] / wall:.2f} / {cpu['import'] / wall:.2f} / "
        f"{max(others, 0) / wall:.2f} of {cpu['machine_total'] / wall:.0f} | |",
        f"| server CPU per page run or login (s) | {cpu_per_run:.2f} | ≤ {GOAL_CPU_PER_RUN}"
        f"{'' if cpu_per_run <= GOAL_CPU_PER_RUN else ' ✗'} |",
        *submission_rows(results),
    ]
    if results.get("timed_out"):
        lines.append("| stopped by the hard time bound | yes ✗ | |")
    if kind == "submission":
        events = ((started, "submission starts"), (imported.get("submitted"), "submitted"),
                  (finished if published else None, "approved and published"))
    else:
        events = ((started, "import starts"), (finished if published else None, "published"))
    lines += ["", f"Over time (page runs by the {TIMELINE_STEP:.0f} s in which they started; logins apart):", "",
              "| from (s) | runs | p50 (s) | p95 (s) | max (s) | |", "|---:|---:|---:|---:|---:|---|"]
    by_window: dict[int, list[float]] = {}
    for c in clicks:
        by_window.setdefault(int(c["started"] // TIMELINE_STEP), []).append(c["seconds"])
    for window, values in sorted(by_window.items()):
        begins, ends = window * TIMELINE_STEP, (window + 1) * TIMELINE_STEP
        marks = [text for at, text in events if at is not None and begins <= at < ends]
        lines.append(f"| {begins:.0f} | {_stats(values)} | {', '.join(marks)} |")
    lines += ["", "Per page (all roles):", "", "| page | runs | p50 (s) | p95 (s) | max (s) |", "|---|---:|---:|---:|---:|"]
    by_page: dict[str, list[float]] = {}
    by_role_page: dict[tuple[str, str], list[float]] = {}
    for c in clicks:
        by_page.setdefault(c["page"], []).append(c["seconds"])
        by_role_page.setdefault((c["role"], c["page"]), []).append(c["seconds"])
    for page, values in sorted(by_page.items(), key=lambda kv: -percentile(kv[1], 0.95)):
        lines.append(f"| {page} | {_stats(values)} |")
    lines += ["", "Per role and page:", "", "| role | page | runs | p50 (s) | p95 (s) | max (s) |",
              "|---|---|---:|---:|---:|---:|"]
    for (role, page), values in sorted(by_role_page.items()):
        lines.append(f"| {role} | {page} | {_stats(values)} |")
    if not_fresh:
        lines += ["", f"Sessions that never saw the new figures: {', '.join(not_fresh)}."]
    problems = session_errors + [f"{c['account']} {c['page']} at {c['started']:.1f} s: "
                                 f"{'; '.join(c['problems'])[:200]}" for c in failed]
    if problems:
        lines += ["", f"Errors ({len(problems)}, first 15):", "", *[f"- {p}" for p in problems[:15]]]
    return "\n".join(lines)


def main() -> None:
    first, _, rest = __doc__.partition("\n")
    parser = argparse.ArgumentParser(description=first, epilog=rest, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=1_000_000, help="participants of the demo copied (default 1000000)")
    parser.add_argument("--sessions", type=int, default=20, help="concurrent sessions (default 20)")
    parser.add_argument("--seconds", type=float, default=180, help="how long the sessions click (default 180)")
    parser.add_argument("--import-at", type=float, default=30,
                        help="seconds, or later once every session has seen its landing page (at most 60 s "
                             "later); negative: no import (default 30)")
    parser.add_argument("--think", type=float, default=10.0,
                        help="seconds a person reads a page before the next click, ±50%% (default 10; "
                             "1 is a stress test: more page runs a second than one process can serve)")
    parser.add_argument("--stagger", type=float, default=0.5, help="seconds between two sessions' logins (default 0.5)")
    parser.add_argument("--import-kind", choices=IMPORT_KINDS, default="submission",
                        help="what runs midway: submission: the establishment account cmc09 submits new "
                             "participants (`ingest --as cmc09`) and the manager approves them (`approve`), "
                             "issue 18 (default); operator: `ingest --user loadtest` of copied cohorts, as the "
                             "sections written before")
    parser.add_argument("--submitted", type=int, default=SUBMITTED_DEFAULT,
                        help=f"new participants in the submission (at most; default {SUBMITTED_DEFAULT})")
    parser.add_argument("--cohorts", type=int, default=3,
                        help="cohorts (at least) copied into the operator's import (default 3)")
    parser.add_argument("--run-timeout", type=float, default=60, help="a page run longer than this is an error (default 60)")
    parser.add_argument("--import-timeout", type=float, default=300, help="the import is killed after this (default 300)")
    parser.add_argument("--target", choices=("serve", "single"), default="serve",
                        help="serve: scripts/serve.sh, N processes behind nginx (default); single: one process")
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1,
                        help="dashboard processes of --target serve (default: one per core)")
    parser.add_argument("--settle", type=float, default=300,
                        help="at most this many seconds between the start and the first login, waiting for "
                             "every process's warm-up of the first snapshot (default 300)")
    parser.add_argument("--curve", help="session counts, e.g. 10,20,50,100,150: one run each, then the curve")
    parser.add_argument("--no-write", action="store_true", help="print the report, do not touch docs/")
    parser.add_argument("--results", type=Path,
                        help="keep the run's results in this JSON file (default docs/performance/load-…json, "
                             "not written with --no-write unless given)")
    parser.add_argument("--report-only", action="store_true",
                        help="rewrite the section from the last run's results (docs/performance/load-….json of "
                             "these options; --import-kind operator for the files written before the submission)")
    args = parser.parse_args()
    os.chdir(ROOT)
    try:
        if args.curve:
            return run_curve(args)
        results = results_of(args, args.results or ROOT / "docs" / "performance" / results_name(args, args.sessions))
    except ImportFailed as error:
        sys.exit(f"load.py: the import midway failed, the run is void: {error}")
    text = report(results)
    print(text)
    if not args.no_write:
        from report import write_section

        write_section(section_title(results), text)


def results_of(args, results_file: Path) -> dict:
    """One run's results: read back from `results_file` with --report-only, else measured now
    (and kept in `results_file` unless --no-write)."""
    if args.report_only:
        return json.loads(results_file.read_text())
    results = measure(args)
    if not args.no_write or args.results:
        results_file.parent.mkdir(parents=True, exist_ok=True)
        results_file.write_text(json.dumps(results, ensure_ascii=False, separators=(",", ":")) + "\n")
    return results


def run_curve(args) -> None:
    """One run per session count of --curve, each written as its own section, then the curve."""
    from report import write_section

    counts = [int(x) for x in args.curve.split(",")]
    folder = ROOT / "docs" / "performance"
    runs = []
    for count in counts:
        args.sessions = count
        results_file = folder / results_name(args, count)
        results = results_of(args, results_file)
        runs.append(results)
        text = report(results)
        print(text, flush=True)
        if not args.no_write:
            write_section(section_title(results), text)
    operator = args.import_kind == "operator"
    command = f"python benchmarks/load.py --curve {args.curve}" + (
        " --import-kind operator" if operator else "") + (
        f" --seconds {args.seconds:g}" if args.seconds != 180 else "") + (
        f" --settle {args.settle:g}" if args.settle != 300 else "")
    # the operator's curve keeps the section and chart of before the submission
    chart = "load-curve" if operator else "load-curve-submission"
    text = curve_report(runs, command, chart)
    print(text)
    if not args.no_write:
        curve_chart(runs, folder, chart)
        write_section(f"Load: sessions curve, {args.think:g} s between clicks ({args.size:,} participants, "
                      f"production start{'' if operator else SUBMISSION_CURVE})", text)


def section_title(results: dict) -> str:
    """The docs/PERFORMANCE.md section of a run: the operator's import keeps the titles of the
    sections written before the submission, so that they are rewritten in place."""
    settings = results["settings"]
    where = (f", production start ({settings['processes']} processes)" if settings.get("target", "single") == "serve"
             else "")
    during = "an import" if import_kind(results) == "operator" else "a partner's submission"
    return (f"Load: {settings['sessions']} sessions during {during}, {settings['think']:g} s between clicks "
            f"({results['size']:,} participants{where})")


def results_name(args, sessions: int) -> str:
    """The file name of a run's results in docs/performance/: the operator's import keeps the
    names of the files written before the submission; a submission's have `-submission`."""
    name = f"load-{args.size}-think{args.think:g}s"
    if args.target == "serve":
        name += f"-serve{args.processes}-{sessions}"
    return name + ("-submission" if args.import_kind == "submission" else "") + ".json"


def _terminate(signum, frame):  # SIGTERM → the same clean-up as Ctrl-C
    raise KeyboardInterrupt(f"signal {signum}")


def measure(args) -> dict:
    from pie.auth import DEMO_ACCOUNTS

    from scale import filters_for

    signal.signal(signal.SIGTERM, _terminate)
    scopes = {"bank": set(), "incubator": set()}
    for name, role, scope in DEMO_ACCOUNTS:
        if name in ACCOUNT_CYCLE[:args.sessions] and role in scopes:
            scopes[role].add(scope)
    db_path = load_database(args.size)
    typical = filters_for(db_path)["typical"]
    args.query = f"year={typical['year']}&region={typical['region']}"
    folder = db_path.parent / "import"
    if args.import_kind == "operator":
        plan = write_import(db_path, folder, typical["year"], typical["region"], args.cohorts, "-L1", scopes)
    else:
        plan = write_submission(db_path, folder, typical["year"], args.submitted, "-L1")
    # the production start's own code (pie/cli/serve.py): what scripts/serve.sh runs, or one dashboard
    first = serve.free_ports(args.processes + 1)
    port = first + args.processes
    log = db_path.parent / "streamlit.log"
    load_before = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    server = None
    env = {**os.environ, "PIE_DB": str(db_path), "PIE_READ_ONLY": "1"}
    try:
        if args.target == "single":
            server = serve.start_dashboard(port, log, env, append=False)
            if not serve.wait_healthy(port, 60, server):
                raise RuntimeError(f"the dashboard did not start: {log.read_text(errors='replace')[-2000:]}")
        else:
            server = serve.start(args.processes, port, first, db_path.parent / "serve", log, env)
            serve.wait_started(server, log, timeout=120)
        settle_started = time.monotonic()
        if args.target == "serve" and os.environ.get("PIE_WARMUP", "1") != "0":
            # A production server has long been up when people arrive: wait for each process's
            # warm-up of the first snapshot (pie.ui.warmup logs it), at most --settle seconds.
            logs = [db_path.parent / "serve" / f"dashboard-{first + i}.log" for i in range(args.processes)]
            while time.monotonic() - settle_started < args.settle and not all(
                    "pie.warmup: warm-up of" in path.read_text(errors="replace") for path in logs if path.exists()):
                time.sleep(1)
        args.settled = round(time.monotonic() - settle_started, 1)
        pids = server_pids(server.pid, args.target)
        print(f"{args.target} on port {port}, pids {pids}; {args.sessions} sessions for {args.seconds:.0f} s, "
              f"import at {args.import_at:.0f} s; load average {os.getloadavg()[0]:.2f} …", file=sys.stderr, flush=True)
        result = asyncio.run(drive(f"http://127.0.0.1:{port}", pids, db_path, plan, args, args.query))
    finally:
        serve.stop(server)
    load_after = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    defaults = {"size": 1_000_000, "sessions": 20, "seconds": 180, "import_at": 30, "think": 10.0, "stagger": 0.5,
                "run_timeout": 60, "import_timeout": 300, "processes": os.cpu_count() or 1, "settle": 300,
                **({"cohorts": 3} if args.import_kind == "operator" else {"submitted": SUBMITTED_DEFAULT})}
    options = " ".join(f"--{k.replace('_', '-')} {getattr(args, k):g}" for k, v in defaults.items() if getattr(args, k) != v)
    if args.import_kind != "submission":
        options = f"--import-kind {args.import_kind} {options}".strip()
    if args.target != "serve":
        options = f"--target {args.target} {options}".strip()
    command = f"python benchmarks/load.py{' ' + options if options else ''}"
    return as_results(args, args.size, result, plan, load_before, load_after, command)


if __name__ == "__main__":
    main()
