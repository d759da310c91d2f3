"""What pages read, cached: `ask(figure, scope, *args)`.

A figure is a library function `figure(source, scope, *args, **kwargs)` of pie.kpis or
pie/<domain>/figures.py. `ask` answers it from the Reader of the configured database (one per
path and process, `st.cache_resource`) and caches the answer (`st.cache_data`) under the
figure's name, the scope, its arguments and the data version of the current published
snapshot, so an import is visible at the next click while repeated clicks cost nothing.
Pages never see SQL or the Reader; the few helpers below only combine answers.
"""
from __future__ import annotations

import collections
import concurrent.futures
import contextlib
import dataclasses
import pickle
import threading
from datetime import date
from typing import Callable, Iterator, TypeVar

import pandas as pd
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from pie import answers, db, kpis, lake, queries
from pie.programme import actions as follow_up_actions
from pie.programme import figures as programme
from pie.config import settings
from pie.scope import Scope


@st.cache_resource(show_spinner=False)
def _reader(db_path: str) -> db.Reader:
    return db.reader(db_path)


def reader() -> db.Reader:
    """The Reader of the configured database (PIE_DB)."""
    return _reader(str(settings().db_path))


@st.cache_resource(show_spinner=False)
def _demo_lock() -> threading.Lock:
    return threading.Lock()


def database_exists() -> bool:
    """False only when a demo should be built: never in a PIE_READ_ONLY process (it reads the
    published snapshots, and says so when there is none)."""
    return settings().read_only or db.exists(settings().db_path)


def build_demo_database(build: Callable[..., object], progress: Callable[[str, float], None]) -> None:
    """Build the demo database with `build` (pie.demo.build_demo) unless another session of
    this process did it meanwhile."""
    with _demo_lock():
        if database_exists():
            return
        build(settings().db_path, participants=settings().demo_participants, progress=progress)


Answer = TypeVar("Answer")

class SingleFlight:
    """Calls of `run(key, compute)` at the same time for the same key: the first computes, the
    others wait for its result (or its error)."""

    def __init__(self) -> None:
        self.flights: dict[object, concurrent.futures.Future] = {}   # being computed, by key
        self._lock = threading.Lock()

    def run(self, key: object, compute: Callable[[], object]) -> tuple[object, bool]:
        """(the value, whether this call computed it)."""
        with self._lock:
            flight = self.flights.get(key)
            leader = flight is None
            if leader:
                flight = self.flights[key] = concurrent.futures.Future()
        if not leader:
            return flight.result(), False
        try:
            value = compute()
        except BaseException as error:
            flight.set_exception(error)
            raise
        else:
            flight.set_result(value)
            return value, True
        finally:
            with self._lock:
                self.flights.pop(key, None)


# Answers being computed, by cache key: after an import (a new data version) every session
# misses the cache at once, and st.cache_data would let each of them run the same queries.
_answers_in_flight = SingleFlight()
_in_flight = _answers_in_flight.flights

# What the pages of this process asked (figure, scope, args, kwargs) -> how often: after an
# import, pie.ui.warmup recomputes the most asked of them for the new snapshot before visitors
# ask. Bounded: past MAX_REMEMBERED distinct questions, new ones are not remembered.
MAX_REMEMBERED = 2000
_asked: dict[tuple, int] = {}
_asked_lock = threading.Lock()
_not_remembering = threading.local()   # set while pie.ui.warmup asks: its questions are not visitors'
# Answers computed (cache misses) since the process started: what the warm-up tests count.
computed = {"count": 0}


_figure = answers.figure_function


@st.cache_data(show_spinner=False, max_entries=1000)
def _answer(figure: str, scope: Scope, args: tuple, kwargs: tuple, data_version: str, db_path: str):
    # `data_version` is only part of the cache key: a new snapshot means new entries.
    key = (figure, scope, pickle.dumps((args, kwargs)), data_version, db_path)
    computed["count"] += 1
    # `at`: a lake's reader answers from that very snapshot (a file's reader is itself).
    # pie.answers: computed once per machine, or already by the import's writer.
    return _single_flight(key, lambda: answers.load_or_compute(
        db_path, data_version, (figure, scope, args, kwargs),
        lambda: _figure(figure)(_reader(db_path).at(data_version), scope, *args, **dict(kwargs))))


def _single_flight(key: tuple, compute: Callable[[], object]) -> object:
    """compute() once for concurrent callers of the same key: the first computes, the others
    wait for it and get their own copy (callers may change what they get)."""
    answer, computed_here = _answers_in_flight.run(key, compute)
    return answer if computed_here else pickle.loads(pickle.dumps(answer))


def ask(figure: Callable[..., Answer], scope: Scope | None = None, /, *args: object, **kwargs: object) -> Answer:
    """`figure(reader, scope, *args, **kwargs)` for the configured database, cached per data
    version. `figure` is a module-level function of the library (e.g. pie.kpis.compute,
    pie.financing.figures.pipeline); its arguments must be hashable by Streamlit."""
    source = reader()
    question = (f"{figure.__module__}:{figure.__qualname__}", scope or Scope(), args, tuple(sorted(kwargs.items())))
    _remember(question)
    _record(question)
    return _answer(*question, _run_version(source), str(source.db_path))


# On a lake, the data version each session's current page run reads (issue 20: a page never
# mixes two imports): session id -> (the run's cursors dict, which Streamlit makes anew at every
# run, and the version its first question read).
_run_pins: dict[str, tuple[object, str]] = {}
_run_pins_lock = threading.Lock()
MAX_PINNED_SESSIONS = 5000


def _run_version(source) -> str:
    """The data version this question reads: on a lake, the snapshot of the page run's first
    question; on a file, the current snapshot (as before)."""
    ctx = get_script_run_ctx() if isinstance(source, lake.LakeReader) else None
    if ctx is None:
        return source.data_version()
    with _run_pins_lock:
        pin = _run_pins.get(ctx.session_id)
        if pin is not None and pin[0] is ctx.cursors:
            return pin[1]
    version = source.data_version()
    with _run_pins_lock:
        _run_pins[ctx.session_id] = (ctx.cursors, version)
        while len(_run_pins) > MAX_PINNED_SESSIONS:
            _run_pins.pop(next(iter(_run_pins)))
    return version


def _remember(question: tuple) -> None:
    if getattr(_not_remembering, "on", False):
        return
    try:
        with _asked_lock:
            if question in _asked or len(_asked) < MAX_REMEMBERED:
                _asked[question] = _asked.get(question, 0) + 1
    except TypeError:  # an unhashable argument: Streamlit hashes it its own way, we cannot
        pass


@contextlib.contextmanager
def not_remembered() -> Iterator[None]:
    """Questions asked in this block by this thread are not counted by `most_asked`."""
    before = getattr(_not_remembering, "on", False)
    _not_remembering.on = True
    try:
        yield
    finally:
        _not_remembering.on = before


def most_asked(limit: int) -> list[tuple]:
    """The `limit` questions (figure name, scope, args, kwargs) this process's pages asked most."""
    with _asked_lock:
        counted = list(_asked.items())
    return [question for question, _ in sorted(counted, key=lambda item: -item[1])[:limit]]


def forget_older_answers(db_path: str) -> bool:
    """Empty this process's answer cache after a new snapshot, when answers are also kept on
    disk (pie.answers): the older snapshot's answers would otherwise stay in memory next to the
    new ones until evicted (up to twice the memory), and the new ones are read back from disk
    in milliseconds. Returns whether it emptied it."""
    if answers.root(db_path) is None:
        return False
    _answer.clear()
    return True


def answer_for(question: tuple, data_version: str, db_path: str) -> object:
    """The cached answer of `question` (as `most_asked` gives it) for a data version: computed
    now if the cache does not hold it (pie.ui.warmup)."""
    _record(question)
    return _answer(*question, data_version, db_path)


_recording = threading.local()   # .questions: the list `recording` fills, on this thread


@contextlib.contextmanager
def recording() -> Iterator[list[tuple]]:
    """The questions `ask` and `answer_for` are asked in this block by this thread, in order."""
    before = getattr(_recording, "questions", None)
    _recording.questions = found = []
    try:
        yield found
    finally:
        _recording.questions = before


def _record(question: tuple) -> None:
    found = getattr(_recording, "questions", None)
    if found is not None:
        found.append(question)


# ------------------------------------------------------------------------------ built once
class Kept:
    """Objects built from answers (formatted tables, figures), by a key that says what they
    are built from, the least recently used dropped past `size`. Shared by every session and
    thread of the process: what it holds must never be changed once kept."""

    def __init__(self, size: int):
        self.size = size
        self._items: collections.OrderedDict[object, object] = collections.OrderedDict()
        self._lock = threading.Lock()
        self._building = SingleFlight()

    def get_or_build(self, key: object, build: Callable[[], object]) -> object:
        """The object kept under `key`, else `build()`'s, kept — built once for callers asking
        at the same time, the others waiting for it (right after a publication, every session
        opening its landing page at once built the same charts and tables side by side)."""
        found = self.get(key)
        if found is not None:
            return found
        return self._building.run(key, lambda: self.put(key, build()))[0]

    def get(self, key: object) -> object | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: object, value: object) -> object:
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value

    def __len__(self) -> int:
        return len(self._items)


@st.cache_resource(show_spinner=False)
def kept(name: str, size: int) -> Kept:
    """The process's `Kept` store called `name` (emptied, like every cached answer, by
    st.cache_resource.clear())."""
    return Kept(size)


# ------------------------------------------------------------------------------ combined answers
def indicators(scope: Scope) -> dict[str, int | float | None]:
    """Every METRICS.md indicator for `scope` (kpis.compute)."""
    return ask(kpis.compute, scope)


def _filter_query(source: db.Reader, scope: Scope, name: str, **params: object) -> pd.DataFrame:
    return queries.run(source, f"filters/{name}", scope, **params)


def _meta(source: db.Reader, scope: Scope) -> dict[str, str]:
    return source.meta()


@dataclasses.dataclass(frozen=True)
class FilterOptions:
    """What the sidebar filters offer: years newest first, regions where the PIE runs,
    establishments that have a cohort (with their region)."""

    years: list[str]
    regions: pd.DataFrame
    establishments: pd.DataFrame


def filter_options() -> FilterOptions:
    regions = ask(_filter_query, None, "regions")
    return FilterOptions(
        years=list(ask(_filter_query, None, "academic_years")["academic_year"]),
        regions=regions[regions["has_cohorts"]].reset_index(drop=True),
        establishments=ask(_filter_query, None, "establishments", region=None),
    )


def is_demo() -> bool:
    """True when the database is a synthetic demo (app_meta is_demo)."""
    return ask(_meta).get("is_demo") == "true"


def reference_date(scope: Scope) -> date:
    """Today, or the latest date in the data when earlier (programme.reference_date)."""
    return ask(programme.reference_date, scope, date.today())


def follow_up_lists(scope: Scope, idle_days: int, lost_contact_days: int, as_of: date,
                    phase: str | None = None) -> dict[str, pd.DataFrame]:
    """The follow-up lists, by name: the four lists to act on (pie.programme.charts.FOLLOW_UP_LISTS
    order: participants — the call list —, to_review, without_decision, not_disbursed), then
    lost_contact (counted apart, pie.programme.figures.lost_contact). The participants' lists
    carry their last follow-up action (pie.programme.actions.with_last_actions); the call list
    leaves out those whose last outcome closes the case (follow_up_closed counts them)."""
    calls, _ = _call_list_and_closed(scope, idle_days, lost_contact_days, as_of, phase)
    last = ask(follow_up_actions.last_actions_of, scope)
    return {
        "participants": calls,
        "to_review": ask(programme.plans_to_review, scope, as_of),
        "without_decision": ask(programme.plans_without_decision, scope, as_of),
        "not_disbursed": ask(programme.loans_not_disbursed, scope, as_of),
        "lost_contact": follow_up_actions.with_last_actions(
            ask(programme.lost_contact, scope, lost_contact_days, as_of, phase), last),
    }


def _call_list_and_closed(scope: Scope, idle_days: int, lost_contact_days: int, as_of: date,
                          phase: str | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The call list with last actions, split: (still to call, closed by their last outcome)."""
    listed = follow_up_actions.with_last_actions(
        ask(programme.call_list, scope, idle_days, lost_contact_days, as_of, phase),
        ask(follow_up_actions.last_actions_of, scope))
    closed = follow_up_actions.is_closed(listed)
    return listed[~closed].reset_index(drop=True), listed[closed].reset_index(drop=True)


def follow_up_closed(scope: Scope, idle_days: int, lost_contact_days: int, as_of: date,
                     phase: str | None = None) -> pd.DataFrame:
    """Participants of the call list hidden because their last outcome is resolved or gone for
    good (pie.programme.actions.CLOSED_OUTCOMES)."""
    return _call_list_and_closed(scope, idle_days, lost_contact_days, as_of, phase)[1]


def follow_up_actions_list(scope: Scope) -> pd.DataFrame:
    """Follow-up actions in scope, the latest first (pie.programme.actions.actions_of)."""
    return ask(follow_up_actions.actions_of, scope)


def came_back_after_contact(scope: Scope) -> dict[str, int]:
    """{"came_back", "contacted"} (pie.programme.actions.came_back_after_contact)."""
    return ask(follow_up_actions.came_back_after_contact, scope)


def _follow_up_by_establishment(source: db.Reader, scope: Scope, idle_days: int, lost_contact_days: int,
                                as_of: date, phase: str | None) -> pd.DataFrame:
    lists = follow_up_lists(scope, idle_days, lost_contact_days, as_of, phase)
    return programme.follow_up_by_establishment({name: frame for name, frame in lists.items()
                                                 if name != "lost_contact"})  # where to act: not the lost


def follow_up_by_establishment(scope: Scope, idle_days: int, lost_contact_days: int, as_of: date,
                               phase: str | None = None) -> pd.DataFrame:
    """Items of each list to act on per establishment, busiest first (from the cached lists;
    lost contacts are not counted)."""
    return ask(_follow_up_by_establishment, scope, idle_days, lost_contact_days, as_of, phase)


@st.cache_data(show_spinner=False, max_entries=24)
def _report(year: str, region: str | None, language: str, data_version: str, db_path: str) -> bytes:
    from pie.leadership.report import report_pdf  # WeasyPrint and kaleido load only when a report is asked for

    return report_pdf(db_path, year, region, language)


def report_pdf(year: str, region: str | None, language: str) -> bytes:
    """The leadership report (PDF bytes) of `year` for `region` (None: the country) in
    `language`, built once per data version and shared by every session (it takes seconds)."""
    source = reader()
    return _report(year, region, language, source.data_version(), str(source.db_path))
