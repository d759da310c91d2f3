"""pie.ui.data: answers computed once for concurrent sessions."""
from __future__ import annotations

import concurrent.futures
import threading
from datetime import date

import pandas as pd
import pytest

from pie.ui import data


@pytest.fixture
def followers_waiting(monkeypatch):
    """Returns a function `arrived(n)`: a barrier that the leader's computation waits on until
    `n` followers are waiting for its answer (they reached Future.result)."""
    barrier: list[threading.Barrier] = []

    class Flight(concurrent.futures.Future):
        def result(self, timeout=None):
            barrier[0].wait(timeout=10)
            return super().result(timeout)

    monkeypatch.setattr(data.concurrent.futures, "Future", Flight)

    def arrived(followers: int) -> threading.Barrier:
        barrier.append(threading.Barrier(followers + 1))  # the followers and the leader
        return barrier[0]

    return arrived


def leader_then_followers(followers: int, arrived, answer, ask) -> list[int]:
    """Run ask(0) as the first session, whose computation calls `answer()` once the
    `followers` other sessions (ask(1) … ask(n)) wait for it; returns the computation's calls."""
    calls: list[int] = []
    started = threading.Event()
    barrier = arrived(followers)

    def compute():
        calls.append(1)
        started.set()
        barrier.wait(timeout=10)  # the followers now wait for this answer
        return answer()

    threads = [threading.Thread(target=ask, args=(i, compute)) for i in range(followers + 1)]
    threads[0].start()
    assert started.wait(10)
    for thread in threads[1:]:
        thread.start()
    for thread in threads:
        thread.join(10)
    return calls


def test_concurrent_misses_of_one_answer_compute_it_once(followers_waiting):
    """Test that sessions asking the same question at once (after an import) share one
    computation, and that each follower gets its own copy of the answer."""
    answers = [None] * 4

    def ask(i, compute):
        answers[i] = data._single_flight(("indicators", (), (), "v1", "db"), compute)

    calls = leader_then_followers(3, followers_waiting, lambda: pd.DataFrame({"n": [1, 2, 3]}), ask)
    assert len(calls) == 1
    assert all(a is not None and list(a["n"]) == [1, 2, 3] for a in answers)
    assert len({id(a) for a in answers}) == 4
    assert data._in_flight == {}


def test_a_failed_computation_fails_every_waiting_session_and_is_forgotten(followers_waiting):
    """Test that an error reaches the sessions that waited for it, and the next ask computes again."""
    errors = []

    def ask(i, compute):
        try:
            data._single_flight(("k",), compute)
        except ValueError as error:
            errors.append(str(error))

    def fail():
        raise ValueError("boom")

    calls = leader_then_followers(1, followers_waiting, fail, ask)
    assert errors == ["boom", "boom"] and len(calls) == 1
    assert data._single_flight(("k",), lambda: 42) == 42


def test_card_comparisons_of_a_year_in_progress_fit_under_a_card():
    """Test that the text under each card of a year in progress leaves the date to the caption
    above the cards (four cards side by side cut "vs 2025-2026 au 15/11/2025" short) and keeps
    what differs from card to card: the year and, for a contribution, last year's figure."""
    from pie.ui.cards import Comparison

    change = Comparison("change", "2025-2026", {"participants": 641}, at=date(2025, 11, 15))
    assert change.delta("participants", 796) == {"delta": "+155", "delta_description": "vs 2025-2026"}
    contribution = Comparison("contribution", "2026-2027", {"participants": 155}, at=date(2026, 11, 15),
                              previous_year="2025-2026", previous_values={"participants": 120})
    assert contribution.delta("participants", 796)["delta_description"] == "2025-2026 : 120"
