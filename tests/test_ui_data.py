"""pie.ui.data: answers computed once for concurrent sessions."""
from __future__ import annotations

import threading
import time

import pandas as pd

from pie.ui import data


def test_concurrent_misses_of_one_answer_compute_it_once():
    """Test that sessions asking the same question at once (after an import) share one
    computation, and that each follower gets its own copy of the answer."""
    calls = []
    started = threading.Event()

    def compute():
        calls.append(1)
        started.set()
        time.sleep(0.3)  # long enough for the others to arrive while it runs
        return pd.DataFrame({"n": [1, 2, 3]})

    answers = [None] * 4

    def ask(i):
        answers[i] = data._single_flight(("indicators", (), (), "v1", "db"), compute)

    first = threading.Thread(target=ask, args=(0,))
    first.start()
    started.wait(5)
    others = [threading.Thread(target=ask, args=(i,)) for i in range(1, 4)]
    for thread in others:
        thread.start()
    for thread in [first, *others]:
        thread.join(10)
    assert len(calls) == 1
    assert all(a is not None and list(a["n"]) == [1, 2, 3] for a in answers)
    assert len({id(a) for a in answers}) == 4
    assert data._in_flight == {}


def test_a_failed_computation_fails_every_waiting_session_and_is_forgotten():
    """Test that an error reaches the sessions that waited for it, and the next ask computes again."""
    started = threading.Event()

    def fail():
        started.set()
        time.sleep(0.2)
        raise ValueError("boom")

    errors = []

    def ask():
        try:
            data._single_flight(("k",), fail)
        except ValueError as error:
            errors.append(str(error))

    first = threading.Thread(target=ask)
    first.start()
    started.wait(5)
    second = threading.Thread(target=ask)
    second.start()
    first.join(10)
    second.join(10)
    assert errors == ["boom", "boom"]
    assert data._single_flight(("k",), lambda: 42) == 42
