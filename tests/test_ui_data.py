"""pie.ui.data: answers computed once for concurrent sessions."""
from __future__ import annotations

import concurrent.futures
import threading

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


def test_concurrent_misses_of_one_answer_compute_it_once(followers_waiting):
    """Test that sessions asking the same question at once (after an import) share one
    computation, and that each follower gets its own copy of the answer."""
    calls = []
    started = threading.Event()
    followers_arrived = followers_waiting(3)

    def compute():
        calls.append(1)
        started.set()
        followers_arrived.wait(timeout=10)  # the three others now wait for this answer
        return pd.DataFrame({"n": [1, 2, 3]})

    answers = [None] * 4

    def ask(i):
        answers[i] = data._single_flight(("indicators", (), (), "v1", "db"), compute)

    first = threading.Thread(target=ask, args=(0,))
    first.start()
    assert started.wait(10)
    others = [threading.Thread(target=ask, args=(i,)) for i in range(1, 4)]
    for thread in others:
        thread.start()
    for thread in [first, *others]:
        thread.join(10)
    assert len(calls) == 1
    assert all(a is not None and list(a["n"]) == [1, 2, 3] for a in answers)
    assert len({id(a) for a in answers}) == 4
    assert data._in_flight == {}


def test_a_failed_computation_fails_every_waiting_session_and_is_forgotten(followers_waiting):
    """Test that an error reaches the sessions that waited for it, and the next ask computes again."""
    calls = []
    started = threading.Event()
    follower_arrived = followers_waiting(1)

    def fail():
        calls.append(1)
        started.set()
        follower_arrived.wait(timeout=10)  # the second session now waits for this answer
        raise ValueError("boom")

    errors = []

    def ask():
        try:
            data._single_flight(("k",), fail)
        except ValueError as error:
            errors.append(str(error))

    first = threading.Thread(target=ask)
    first.start()
    assert started.wait(10)
    second = threading.Thread(target=ask)
    second.start()
    first.join(10)
    second.join(10)
    assert errors == ["boom", "boom"] and len(calls) == 1
    assert data._single_flight(("k",), lambda: 42) == 42
