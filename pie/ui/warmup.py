"""Warm caches before visitors ask: each dashboard process, in a background thread, computes
the answers pages will ask for as soon as it sees a new published snapshot (and once at start).

What is computed for a snapshot (pie.ui.data's cache, the same entries a page run fills):
1. the questions this process's pages asked most under the previous snapshots
   (`data.most_asked`, at most REPLAY_LIMIT): what people here actually look at, whatever the
   page, filter or drill-down;
2. the landing page of every role (`LANDING`: the figures its first view asks, default
   widgets) for each base scope — admin/manager (the same scope), leadership, and every partner
   organisation of the accounts store — with no filter, then with each region that has cohorts.

The questions a finished warm-up asked are recorded (pie.answers.remember_questions): the next
import's writer computes their answers before readers switch to its snapshot, and the processes
then read them from disk instead of computing them (pie.answers).

A visitor asking meanwhile is not slowed twice: the cache's single flight (data._single_flight)
makes him wait for the answer being computed instead of computing it again. A warm-up that sees
the snapshot change under it stops and starts over on the newer one. It is bounded by
WARM_SECONDS per snapshot. Errors are logged and skipped (a figure that fails will fail for the
visitor too, with the page's own message).

st.cache_data functions may be called from any thread, outside a script run (FIELD_NOTES.md):
the entries are the process's, shared by all its sessions.
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Callable

from pie import answers, auth
from pie.financing import figures as financing
from pie.incubation import figures as incubation
from pie.leadership import figures as leadership
from pie.programme import figures as programme
from pie.scope import Scope
from pie.ui import cards, data, layout, regions

log = logging.getLogger("pie.warmup")

POLL_SECONDS = 1.0      # how often the pointer to the published snapshot is read
RECORD_SECONDS = 60.0   # how often the questions for the next import's writer are recorded again
REPLAY_LIMIT = 300      # most asked questions recomputed for a new snapshot
WARM_SECONDS = 180.0    # at most this long per snapshot (then visitors fill the rest)

Question = tuple  # (figure "module:qualname", scope, args, sorted kwargs), as data.ask builds it


def question(figure: Callable, scope: Scope | None, *args: object, **kwargs: object) -> Question:
    """The cache question `data.ask(figure, scope, *args, **kwargs)` asks."""
    return (f"{figure.__module__}:{figure.__qualname__}", scope or Scope(), args, tuple(sorted(kwargs.items())))


def shared_questions() -> list[Question]:
    """What every page run asks whatever the user: the sidebar's filter options, is_demo."""
    return [question(data._filter_query, None, "regions"), question(data._filter_query, None, "academic_years"),
            question(data._filter_query, None, "establishments", region=None), question(data._meta, None)]


def _financing(scope: Scope) -> None:
    no_focus = {"focus_product": None, "focus_branch": None, "focus_region": None}
    for by in ("all", "product", "branch", "region", "bank"):
        data.ask(financing.by_group, scope, breakdown=by)
    for figure in (financing.pipeline, financing.amounts, financing.pending_decisions, financing.days_to_decision,
                   financing.rejection_reasons, financing.par30_by_month):
        data.ask(figure, scope)
    data.ask(financing.loan_health, scope, breakdown="product")  # the page's first breakdown
    data.ask(financing.loan_health, scope, breakdown="all")
    data.ask(financing.outcomes, scope, **no_focus)
    data.ask(financing.decisions, scope, **no_focus)


def _incubation(scope: Scope) -> None:
    for figure in (incubation.stages_now, incubation.flows, incubation.time_in_stage, incubation.coaching):
        data.ask(figure, scope)
    data.ask(incubation.projects, scope, focus_stage=None)
    data.ask(incubation.sessions, scope, focus_partner=None)


def _overview(scope: Scope) -> None:
    year, _ = regions.targets_year(scope)
    if year is not None and not scope.establishment_id:
        data.ask(leadership.targets_vs_actuals, regions.with_year(scope, year))
    data.ask(programme.participants_by_year, scope)


def _landing(page: Callable[[Scope], None]) -> Callable[[Scope], None]:
    def first_view(scope: Scope) -> None:
        data.indicators(scope)
        cards.comparison(scope)   # the KPI cards' comparison with other years
        page(scope)
    return first_view


# What each landing page's first view asks (default widgets), through the pages' own helpers
# where they compute what to ask (keep in step with pages/…: tests/test_warmup.py opens every
# landing page after a warm-up and fails on any figure it still had to compute).
LANDING: dict[str, Callable[[Scope], None]] = {
    "overview": _landing(_overview),
    "financing": _landing(_financing),
    "incubation": _landing(_incubation),
}
LANDING_OF_ROLE = {"admin": "overview", "manager": "overview", "leadership": "overview",
                   "establishment": "overview", "bank": "financing", "incubator": "incubation"}


def base_scopes(db_path) -> list[tuple[str, Scope]]:
    """(landing page, widest scope) of every kind of account: admin and manager (one scope),
    leadership, and each partner organisation of the accounts store."""
    found = [("overview", Scope.for_role("manager")), ("overview", Scope.for_role("leadership"))]
    for partner in auth.partner_organisations(db_path):
        found.append((LANDING_OF_ROLE[partner["role"]], Scope.for_role(partner["role"], partner["scope_code"])))
    return found


def landing_views(db_path, regions_with_cohorts: list[str]) -> list[Callable[[], None]]:
    """Every role's landing page with no filter, then with each region: the data date line,
    then the page's first view."""
    bases = base_scopes(db_path)
    views: list[Callable[[], None]] = [lambda base=base: data.ask(layout.data_dates, base) for _, base in bases]
    for region in (None, *regions_with_cohorts):
        for page, base in bases:
            views.append(lambda page=page, scope=base.with_filters(region_code=region): LANDING[page](scope))
    return views


def steps_for(version: str, db_path: str) -> list[Callable[[], object]]:
    """What to compute for snapshot `version`, in order: shared questions, the most asked ones,
    then the landing pages."""
    found = data.answer_for(question(data._filter_query, None, "regions"), version, db_path)
    region_codes = [str(code) for code in found.loc[found["has_cohorts"], "region_code"]]
    asked = [*shared_questions(), *(item for item in data.most_asked(REPLAY_LIMIT) if item not in shared_questions())]
    return [*(lambda item=item: data.answer_for(item, version, db_path) for item in asked),
            *landing_views(db_path, region_codes)]


def warm(source, version: str | None = None, budget: float = WARM_SECONDS) -> tuple[int, bool]:
    """Compute the answers of `steps_for` the current snapshot of `source` (a pie.db.Reader)
    into the cache. Returns (questions answered, finished): not finished when the snapshot
    changed meanwhile or the budget ran out."""
    version = version or source.data_version()
    db_path = str(source.db_path)
    deadline = time.monotonic() + budget
    done = 0
    with data.not_remembered(), data.recording() as asked:
        for step in steps_for(version, db_path):
            if time.monotonic() > deadline or source.data_version() != version:
                return done, False
            try:
                step()
            except Exception:  # noqa: BLE001 - the page asking it will say what went wrong
                log.warning("warm-up step failed", exc_info=True)
            done += 1
    # What the next import's writer computes before switching readers to its snapshot.
    _recorded[:] = asked
    answers.remember_questions(db_path, asked)
    return done, True


_recorded: list[Question] = []   # what the last finished warm-up asked


def record_questions(db_path: str) -> None:
    """Record again what the next import's writer should prepare: what this process's visitors
    asked most since (a filter that no landing view asks, e.g. a year and a region), then what
    the last warm-up asked. Called every RECORD_SECONDS: at the first import after a start, the
    warm-up's record held no visitor's question yet."""
    answers.remember_questions(db_path, [*shared_questions(), *data.most_asked(REPLAY_LIMIT), *_recorded])


_started: set[str] = set()
_started_lock = threading.Lock()


def start() -> bool:
    """Start this process's warm-up thread for the configured database (once per process and
    database; later calls do nothing). Returns whether this call started it."""
    source = data.reader()
    key = str(source.db_path)
    with _started_lock:
        if key in _started:
            return False
        _started.add(key)
    threading.Thread(target=_watch, args=(source,), name="pie-warmup", daemon=True).start()
    return True


def _watch(source) -> None:
    """Forever: when the published snapshot is not the one last warmed, warm it."""
    warmed = None
    recorded_at = time.monotonic()
    while True:
        try:
            warmed = watch_once(source, warmed)
            if warmed is not None and time.monotonic() - recorded_at > RECORD_SECONDS:
                recorded_at = time.monotonic()
                record_questions(str(source.db_path))
        except Exception:  # noqa: BLE001 - no database yet, a busy writer…: try again later
            log.debug("warm-up waits", exc_info=True)
        time.sleep(POLL_SECONDS)


def watch_once(source, warmed: str | None) -> str | None:
    """One look of the warm-up thread: when the published snapshot is not `warmed`, drop the
    older snapshot's answers from memory (when they are kept on disk: the warm-up reads the new
    ones there in a second) and warm it. Returns the snapshot now warmed."""
    version = source.data_version()
    if version == warmed:
        return warmed
    if warmed is not None:
        data.forget_older_answers(str(source.db_path))
    began = time.monotonic()
    count, finished = warm(source, version)
    log.info("warm-up of %s: %d answers in %.1f s%s", version, count, time.monotonic() - began,
             "" if finished else " (interrupted)")
    if finished or source.data_version() == version:
        return version  # a budget run out is not retried for the same snapshot
    return warmed
