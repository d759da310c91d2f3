"""pie.ui.warmup: after a warm-up, every role's landing page computes nothing (no filter and a
region), and a question pages asked is recomputed for a new snapshot."""
from __future__ import annotations

import pytest
import streamlit as st

from pie import db, kpis
from pie.scope import Scope
from pie.ui import data, warmup

from apptest_support import copy_of, dashboard


@pytest.fixture
def warm_db(small_db, tmp_path, monkeypatch):
    path = copy_of(small_db, tmp_path / "warm")
    monkeypatch.setenv("PIE_DB", str(path))
    # what earlier tests of this process asked would crowd out this test's questions (REPLAY_LIMIT)
    monkeypatch.setattr(data, "_asked", {})
    st.cache_data.clear()
    st.cache_resource.clear()
    yield path
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def computed(monkeypatch):
    """The figures computed (cache misses), by name, from now on."""
    names: list[str] = []
    original = data._figure

    def recording(name):
        names.append(name)
        return original(name)

    monkeypatch.setattr(data, "_figure", recording)
    return names


def test_base_scopes_cover_every_kind_of_account(warm_db):
    from apptest_support import signed_in  # noqa: F401 - the accounts of the page tests
    from pie import auth

    for name, role, code in (("boa", "bank", "BOA"), ("mcise", "incubator", "MCISE")):
        auth.add_user(None, name, role, "x" * 24, code, _demo=True)
    found = warmup.base_scopes(warm_db)
    assert ("overview", Scope.for_role("manager")) in found
    assert ("overview", Scope.for_role("leadership")) in found
    assert ("financing", Scope.for_role("bank", "BOA")) in found
    assert ("incubation", Scope.for_role("incubator", "MCISE")) in found


@pytest.mark.parametrize("account", ["manager", "leadership", "boa", "mcise"])
@pytest.mark.parametrize("region", [None, "09"])
def test_landing_page_after_warm_up_computes_nothing(warm_db, monkeypatch, computed, account, region):
    # the account exists before the warm-up (its organisation is one of the base scopes)
    dashboard(monkeypatch, warm_db, account)
    st.cache_data.clear()
    count, finished = warmup.warm(db.reader(warm_db))
    assert finished and count > 0
    computed.clear()
    at = dashboard(monkeypatch, warm_db, account, **({"region": region} if region else {}))
    assert not at.exception
    assert computed == []


def test_warm_up_recomputes_asked_questions_for_a_new_snapshot(warm_db, computed):
    source = db.reader(warm_db)
    asked = Scope(academic_year="2024-2025")  # not a landing scope: only known because it was asked
    data.ask(kpis.compute, asked)
    with db.writing(warm_db) as con:  # any commit publishes a new snapshot
        con.execute("update app_meta set value = value where key = 'is_demo'")
    computed.clear()
    warmup.warm(source)
    assert "pie.kpis:compute" in computed
    computed.clear()
    data.ask(kpis.compute, asked)
    assert computed == []


def test_a_new_snapshot_drops_the_older_answers_from_memory_when_they_are_on_disk(warm_db, monkeypatch):
    """Test that the warm-up thread, seeing a new snapshot, empties the process's answer cache
    when answers are kept on disk (two snapshots' answers in memory at once were the largest
    process's peak at 100 sessions), then warms the new one from disk; without the disk answers
    (PIE_SHARED_ANSWERS=0) the cache is left to evict by itself."""
    monkeypatch.setenv("PIE_SHARED_ANSWERS", "1")
    forgot = []
    forget = data.forget_older_answers
    monkeypatch.setattr(data, "forget_older_answers", lambda path: forgot.append(path) or forget(path))
    source = db.reader(warm_db)
    first = warmup.watch_once(source, None)
    assert first == source.data_version()
    asked = Scope(academic_year="2024-2025")
    data.ask(kpis.compute, asked)
    calls = data.computed["count"]
    data.ask(kpis.compute, asked)
    assert data.computed["count"] == calls          # in memory
    assert warmup.watch_once(source, first) == first  # same snapshot: nothing to do
    assert data.computed["count"] == calls
    with db.writing(warm_db) as con:
        con.execute("update app_meta set value = value where key = 'is_demo'")
    assert forgot == []                              # the first snapshot had no older one
    second = warmup.watch_once(source, first)
    assert second != first and second == source.data_version() and forgot == [str(warm_db)]
    # the warm-up asked again the question asked under the first snapshot, for the new one,
    # and a visitor asking it now is answered from memory
    calls = data.computed["count"]
    data.ask(kpis.compute, asked)
    assert data.computed["count"] == calls
    emptied = []
    monkeypatch.setattr(data._answer, "clear", lambda: emptied.append(True))
    assert forget(str(warm_db)) and emptied == [True]
    monkeypatch.setenv("PIE_SHARED_ANSWERS", "0")
    assert not forget(str(warm_db)) and emptied == [True]


def test_visitors_questions_are_recorded_for_the_next_import(warm_db, monkeypatch):
    """Test that what visitors asked after the warm-up (an establishment: no landing view
    asks it) is recorded for the next import's writer to prepare, before the warm-up's own."""
    from pie import answers

    monkeypatch.setenv("PIE_SHARED_ANSWERS", "1")
    source = db.reader(warm_db)
    warmup.watch_once(source, None)
    filtered = Scope.for_role("manager").with_filters(establishment_id="E2")
    assert not any(q[1] == filtered for q in answers.remembered_questions(warm_db))
    data.ask(kpis.compute, filtered)
    warmup.record_questions(str(warm_db))
    recorded = answers.remembered_questions(warm_db)
    position = next(i for i, q in enumerate(recorded) if q[1] == filtered)
    landing = next(i for i, q in enumerate(recorded) if q[0] == "pie.kpis:compute" and q[1] == Scope.for_role("manager"))
    assert position < landing
