"""The Phases and Follow-up pages (programme managers), with Streamlit's AppTest on the small
hand-made programme, and the pie.programme functions behind them.

Every expected figure is worked out by hand from tests/fixtures/small_programme.sql; the
comments say which rows make it.
"""
from __future__ import annotations

import dataclasses
import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from apptest_support import dashboard, opened_on
from pie import db, queries
from pie.programme import figures as programme
from pie.scope import Scope
from pie.ui import navigation, session

pytestmark = pytest.mark.usefixtures("fresh_caches_for_module")

PHASES_PAGE = "pages/programme/phases.py"
FOLLOW_UP_PAGE = "pages/programme/follow_up.py"
NBSP = "\u00a0"

# ------------------------------------------------------------------------------ expected (by hand)
# Whole programme, per phase: awareness, fundamentals, immersion.
ELIGIBLE = [10, 8, 6]          # everyone; awareness completed (8); fundamentals completed (6)
STARTED = [9, 8, 6]            # P10 has no awareness row
COMPLETED = [8, 6, 4]          # METRICS awareness/fundamentals/immersion_completed
IN_PROGRESS = [0, 1, 1]        # P09 fundamentals, P06 immersion
DROPPED = [1, 1, 1]            # P07 awareness, P04 fundamentals, P03 immersion
NOT_STARTED = [1, 0, 0]        # P10
# Days from enrolled_on to completed_on. Awareness: P01 24, P02 23, P03 24, P04 22, P05 23, P06 23,
# P08 23, P09 23 -> 23. Fundamentals: P01 106, P02 105, P03 106, P05 109, P06 109, P08 107 ->
# (106 + 107) / 2. Immersion: P01 201, P02 200, P05 204, P08 204 -> (201 + 204) / 2.
MEDIAN_DAYS = [23.0, 106.5, 202.5]
# Hours: awareness 12 14 10 8 12 11 2 12 13; fundamentals 60 55 50 10 70 65 62 20;
# immersion 120 110 20 130 80 125.
HOURS_MEDIAN = [12.0, 57.5, 115.0]
HOURS_TOTAL = [94.0, 392.0, 585.0]
# Cohorts (completed ÷ participants): C1 P01-P04, C2 P05-P07, C3 P08-P10.
COHORT_RATES = {"C1": [4 / 4, 3 / 4, 2 / 4], "C2": [2 / 3, 2 / 3, 1 / 3], "C3": [2 / 3, 1 / 3, 1 / 3]}
COHORT_LABELS = ["CMC Souss-Massa · 2021-2022", "CMC Souss-Massa · 2022-2023", "ISTA Oujda · 2022-2023"]
# Completed at most N days after the cohort's start_date (C1 2021-10-01, C2 2022-10-03, C3 2022-10-10):
# awareness after 24-26 days, fundamentals after 106-109 days, immersion after 201-204 days.
WITHIN_30 = {"C1": [4 / 4, 0, 0], "C2": [2 / 3, 0, 0], "C3": [2 / 3, 0, 0]}
WITHIN_180 = {"C1": [4 / 4, 3 / 4, 0], "C2": [2 / 3, 2 / 3, 0], "C3": [2 / 3, 1 / 3, 0]}
# Drop-off by profile (dropped ÷ started): trainees P01 P03 P05 P06 P08 P10 (P03 drops immersion,
# 5 started it); graduates P02 P07 P09 (P07 drops awareness, 3 started it); trainer P04 (drops
# fundamentals, never reached immersion).
DROPOFF_BY_PROFILE = {"Lauréat": [1 / 3, 0.0, 0.0], "Stagiaire": [0.0, 0.0, 1 / 5], "Formateur": [0.0, 1.0, None]}
# Focus on trainees: 6 participants; awareness P01 P03 P05 P06 P08, fundamentals the same five,
# immersion P01 P05 P08; dropped P03.
TRAINEE_CARDS = {"Sensibilisation terminée": "5", "Fondamentaux terminés": "5", "Immersion terminée": "3",
                 "Abandons": "1"}
# Focus on cohort C2: P05 P06 P07.
C2_CARDS = {"Sensibilisation terminée": "2", "Fondamentaux terminés": "2", "Immersion terminée": "1",
            "Abandons": "1"}
ALL_CARDS = {"Sensibilisation terminée": "8", "Fondamentaux terminés": "6", "Immersion terminée": "4",
             "Abandons": "3"}

# Follow-up. The latest date in the data is CO1's and CO2's company follow-up of 2024-07-01
# (earlier than today), so days are counted to it.
REFERENCE = date(2024, 7, 1)
REFERENCE_TEXT = "01/07/2024"
# Participants in progress and their latest activity: P09 fundamentals started 2022-11-07 (awareness
# completed 2022-11-02) -> 602 days; P06 immersion started 2023-01-25 -> 523 days. Both are beyond the
# default lost-contact cut-off (365 days): with `?lost=700` both are on the call list, the most
# recently stalled first.
IDLE = [("P06", 523), ("P09", 602)]
WITHIN_REACH = "700"
P06_CONTACT = ("Omar Tazi", "+212645678901")     # P09 has no participant_contacts row
# BP4 (PR3, lead P08 Salma Bennani) submitted 2023-06-01, never reviewed: 396 days (2024 is leap).
TO_REVIEW = ("BP4", "Artisanat en ligne Oujda", 396, "P08", "Salma Bennani")
# Validated plans BP1 (FD1 approved) and BP3 (FD2 approved, FD5 rejected) all have a decision;
# approved FD1 and FD2 are both disbursed.
# Cards whose count has a threshold name it: "> 30 j" (no-break spaces, so it never wraps apart).
REVIEW_CARD, LOANS_CARD = f"Plans en attente d'examen >{NBSP}30{NBSP}j", f"Prêts accordés non décaissés >{NBSP}90{NBSP}j"


def lost_card(days: int) -> str:
    return f"Contact perdu >{NBSP}{days}{NBSP}j"


COUNTS = {"Participants à relancer": "2", REVIEW_CARD: "1", "Plans validés sans décision": "0",
          LOANS_CARD: "0", lost_card(700): "0"}
# The card beside them: nobody came back after a call (no follow-up action recorded,
# tests/test_follow_up_actions.py).
CAME_BACK = {"Revenus après un appel": "0"}
# The page's defaults (idle 30 days, lost contact beyond 365): P06 and P09 are lost contact.
DEFAULT_COUNTS = {**{k: v for k, v in COUNTS.items() if not k.startswith("Contact perdu")},
                  "Participants à relancer": "0", lost_card(365): "2"}
CONTACT_HEADERS = {"Nom", "Porteur du projet", "Téléphone", "E-mail"}


# ------------------------------------------------------------------------------ fixtures


@pytest.fixture(scope="module")
def source(programme_db):
    return db.reader(programme_db)


def open_page(monkeypatch, database: Path, page: str, account: str = "manager", **query_params: str) -> AppTest:
    """The dashboard as `account` opened straight on `page` with `query_params` in its URL."""
    return opened_on(monkeypatch, database, account, page, **query_params)


def assert_no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def chart(at: AppTest, index: int) -> list[dict]:
    return json.loads(at.get("plotly_chart")[index].proto.spec)["data"]


def by_group(traces: list[dict], axis: str) -> dict[str, list[float | None]]:
    """Group code -> the bar of each phase (traces in phase order, customdata[0] = code)."""
    groups: dict[str, list] = {}
    for trace in traces:
        for point, value in zip(trace["customdata"], trace[axis]):
            groups.setdefault(point[0], []).append(value)
    return groups


def texts(elements) -> list[str]:
    return [e.value for e in elements]


def approx_rows(actual: dict, expected: dict) -> bool:
    return actual.keys() == expected.keys() and all(
        v == pytest.approx(e) if e is not None else v is None
        for key in expected for v, e in zip(actual[key], expected[key]))


# ------------------------------------------------------------------------------ library
def test_phase_summary_follows_the_fixture(source):
    """Test that the per-phase summary counts, medians and hours are the hand-worked ones."""
    summary = programme.phase_summary(programme.phase_groups(source, Scope()))
    assert list(summary["phase"]) == list(programme.PHASES)
    assert list(summary["eligible"]) == ELIGIBLE
    assert list(summary["started"]) == STARTED
    assert list(summary["completed"]) == COMPLETED
    assert list(summary["in_progress"]) == IN_PROGRESS
    assert list(summary["dropped"]) == DROPPED
    assert list(summary["not_started"]) == NOT_STARTED
    assert list(summary["median_days_to_complete"]) == MEDIAN_DAYS
    assert list(summary["hours_median"]) == HOURS_MEDIAN
    assert list(summary["hours_total"]) == HOURS_TOTAL
    assert set(summary["participants_dropped"]) == {3}


def test_completed_per_phase_equals_the_metrics_indicators(source):
    """Test that the phases' completed counts are METRICS.md's *_completed indicators, per region."""
    from pie import kpis

    for scope in (Scope(), Scope(region_code="09"), Scope(academic_year="2022-2023")):
        summary = programme.phase_summary(programme.phase_groups(source, scope))
        values = kpis.compute(source, scope)
        assert list(summary["completed"]) == [values[f"{p}_completed"] for p in programme.PHASES]
        assert int(summary["participants_dropped"].iloc[0]) == values["dropped"]


def test_reference_date_is_the_earlier_of_today_and_the_data(source, empty_db):
    """Test that days are counted to the latest date in the data, or today when that is earlier."""
    assert programme.latest_date(source) == REFERENCE
    assert programme.reference_date(source, today=date(2030, 1, 1)) == REFERENCE
    assert programme.reference_date(source, today=date(2024, 1, 1)) == date(2024, 1, 1)
    assert programme.reference_date(db.reader(empty_db), today=date(2030, 1, 1)) == date(2030, 1, 1)


def test_contacts_are_not_read_without_personal_data(source):
    """Test that with personal data off the queries return no contact and the lists drop the columns."""
    hidden = dataclasses.replace(Scope(), personal_data=False)
    raw = source.query("programme/follow_up_participants", hidden, idle_days=30, as_of=REFERENCE, phase=None,
                       with_contacts=False)
    assert raw[["full_name", "phone", "email"]].isna().all().all()
    raw = source.query("programme/follow_up_plans_to_review", hidden, as_of=REFERENCE, days=30, with_contacts=False)
    assert raw[["lead_name", "lead_phone", "lead_email"]].isna().all().all()
    assert not {"full_name", "phone", "email"} & set(programme.idle_participants(source, hidden, 30, REFERENCE).columns)
    assert not {"lead_name", "lead_phone", "lead_email"} & set(programme.plans_to_review(source, hidden, REFERENCE).columns)
    shown = programme.idle_participants(source, Scope(), 30, REFERENCE)
    assert tuple(shown.loc[shown["participant_id"] == "P06", ["full_name", "phone"]].iloc[0]) == P06_CONTACT


@pytest.mark.parametrize("name", [n for n in queries.names() if n.startswith("programme/")
                                  and ("phase_" in n or "follow_up" in n or "latest" in n)])
def test_programme_queries_run_on_an_empty_database_for_every_scope(empty_db, name):
    """Test that each query of these pages binds and runs for every kind of scope."""
    values = {"breakdown": "cohort", "cohort": None, "profile": "trainee", "sector": None, "gender": None,
              "days": 90, "as_of": REFERENCE, "idle_days": 30, "phase": None, "with_contacts": True}
    reader = db.reader(empty_db)
    for scope in (Scope(), Scope(academic_year="2022-2023", region_code="09", establishment_id="E1"),
                  Scope.for_role("bank", "BOA"), Scope.for_role("incubator", "MCISE")):
        reader.query(name, scope, **{k: v for k, v in values.items() if k in queries.parameters(name)})


# ------------------------------------------------------------------------------ roles
def test_only_admin_and_manager_get_these_pages(monkeypatch, programme_db):
    """Test that leadership, banks and incubators have neither page in their menu nor by URL."""
    for role in ("leadership", "bank", "incubator"):
        assert not {"phases", "follow_up"} & {p.name for p in navigation.pages_for(role)}
    for role in ("admin", "manager"):
        assert {"phases", "follow_up"} <= {p.name for p in navigation.pages_for(role)}
    at = dashboard(monkeypatch, programme_db, account="leadership")
    for page in (PHASES_PAGE, FOLLOW_UP_PAGE):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(page).run()


# ------------------------------------------------------------------------------ phases page
def test_phases_page_shows_the_programme_figures(monkeypatch, programme_db):
    """Test that the cards, the outcome chart and the summary table show the hand-worked figures."""
    at = open_page(monkeypatch, programme_db, PHASES_PAGE)
    assert_no_exception(at)
    assert at.title[0].value == "Progression dans les phases"
    assert metrics(at) == ALL_CARDS
    assert [m.delta for m in at.metric] == [f"80,0{NBSP}%", f"60,0{NBSP}%", f"40,0{NBSP}%", f"30,0{NBSP}%"]
    assert any("10 participants" in c for c in texts(at.caption))
    outcomes = {trace["name"]: trace["x"] for trace in chart(at, 0)}
    assert outcomes["Terminée"] == pytest.approx([c / e for c, e in zip(COMPLETED, ELIGIBLE)])
    assert outcomes["Pas (encore) commencée"] == pytest.approx([0.1, 0.0, 0.0])
    table = at.dataframe[0].value
    assert list(table["Phase"]) == ["Sensibilisation", "Fondamentaux", "Immersion"]
    assert list(table["Abandonnée"]) == DROPPED
    assert list(table["Jours (médiane)"]) == MEDIAN_DAYS
    assert list(table["Heures (total)"]) == HOURS_TOTAL


def test_cohorts_side_by_side(monkeypatch, programme_db):
    """Test that each cohort's completion rate per phase is drawn, oldest cohort first."""
    at = open_page(monkeypatch, programme_db, PHASES_PAGE)
    traces = chart(at, 2)
    assert [trace["name"] for trace in traces] == ["Sensibilisation", "Fondamentaux", "Immersion"]
    assert approx_rows(by_group(traces, "x"), COHORT_RATES)
    assert traces[0]["y"] == COHORT_LABELS
    assert list(at.dataframe[3].value["Cohorte"]) == COHORT_LABELS


def test_same_age_comparison_follows_the_chosen_days(monkeypatch, programme_db):
    """Test that completion within 30 and 180 days of each cohort's start is the hand-worked share."""
    at = open_page(monkeypatch, programme_db, PHASES_PAGE, within="30")
    assert at.radio(key="within").value == "30"
    assert approx_rows(by_group(chart(at, 3), "x"), WITHIN_30)
    at = at.radio(key="within").set_value("180").run()
    assert approx_rows(by_group(chart(at, 3), "x"), WITHIN_180)
    assert any("180 jours" in c and REFERENCE_TEXT in c for c in texts(at.caption))


def test_dropoff_breakdown_read_from_the_url(monkeypatch, programme_db):
    """Test that `?breakdown=profile` opens the drop-off chart and table by profile."""
    at = open_page(monkeypatch, programme_db, PHASES_PAGE, breakdown="profile")
    assert_no_exception(at)
    assert at.radio(key="breakdown").value == "profile"
    table = at.dataframe[1].value
    rates = {row["Profil"]: [row[f"{p} : taux d'abandon"] for p in ("Sensibilisation", "Fondamentaux", "Immersion")]
             for _, row in table.iterrows()}
    assert list(rates) == list(DROPOFF_BY_PROFILE)
    for group, expected in DROPOFF_BY_PROFILE.items():
        assert [None if pd.isna(v) else v for v in rates[group]] == [pytest.approx(e) if e is not None else None
                                                                   for e in expected]


def test_focus_from_the_url_narrows_the_page(monkeypatch, programme_db):
    """Test that `?profile=trainee` narrows the cards to trainees and says so, with a clear button."""
    at = open_page(monkeypatch, programme_db, PHASES_PAGE, profile="trainee")
    assert at.selectbox(key="profile").value == "trainee"
    assert metrics(at) == TRAINEE_CARDS
    assert any("Stagiaire" in text for text in texts(at.markdown))
    at = at.button(key="programme_clear_filters").click().run()
    assert at.selectbox(key="profile").value == ""
    assert metrics(at) == ALL_CARDS


def test_cohort_focus_and_sidebar_filter_combine_and_clear(monkeypatch, programme_db):
    """Test that a cohort focus narrows to C2, and the clear button also resets the sidebar filters."""
    at = open_page(monkeypatch, programme_db, PHASES_PAGE, cohort="C2", region="09")
    assert at.sidebar.selectbox(key="region").value == "09"
    assert at.selectbox(key="cohort").value == "C2"
    assert metrics(at) == C2_CARDS
    at = at.button(key="programme_clear_filters").click().run()
    assert at.sidebar.selectbox(key="region").value == ""
    assert at.selectbox(key="cohort").value == ""
    assert metrics(at) == ALL_CARDS


def test_choosing_a_cohort_narrows_the_page(monkeypatch, programme_db):
    """Test that the cohort select box next to the charts narrows the page and its charts."""
    at = open_page(monkeypatch, programme_db, PHASES_PAGE)
    at = at.selectbox(key="cohort").set_value("C2").run()
    assert metrics(at) == C2_CARDS
    assert list(by_group(chart(at, 2), "x")) == ["C2"]


def test_cohort_outside_the_scope_is_dropped(monkeypatch, programme_db):
    """Test that a cohort focus outside the sidebar's region is ignored (the scope always wins)."""
    at = open_page(monkeypatch, programme_db, PHASES_PAGE, cohort="C3", region="09")
    assert_no_exception(at)
    assert at.selectbox(key="cohort").value == ""
    assert metrics(at)["Sensibilisation terminée"] == "6"    # Souss-Massa: C1 4 + C2 2


def test_bad_url_values_are_ignored_on_phases(monkeypatch, programme_db):
    """Test that unknown page values in the URL are ignored, never raised."""
    at = open_page(monkeypatch, programme_db, PHASES_PAGE, breakdown="x'; drop", within="7", compare="bank",
                   cohort="C9", profile="ceo", sector="space", gender="x")
    assert_no_exception(at)
    assert at.radio(key="breakdown").value == "establishment"
    assert at.radio(key="within").value == "90"
    assert at.radio(key="compare").value == "cohort"
    assert [at.selectbox(key=k).value for k in ("cohort", "profile", "sector", "gender")] == ["", "", "", ""]
    assert metrics(at) == ALL_CARDS


# ------------------------------------------------------------------------------ follow-up page
def participants_table(at: AppTest, index: int = 0) -> pd.DataFrame:
    """The `index`-th list of participants on the page (call list first, then lost contact)."""
    return [frame.value for frame in at.dataframe if "Participant" in frame.value.columns][index]


def test_follow_up_lists_and_counts(monkeypatch, programme_db):
    """Test the lists' counts, the reference date and the call list, most recently stalled first."""
    at = open_page(monkeypatch, programme_db, FOLLOW_UP_PAGE, lost=WITHIN_REACH)
    assert_no_exception(at)
    assert metrics(at) == {**COUNTS, **CAME_BACK}
    assert any(REFERENCE_TEXT in c for c in texts(at.caption))
    assert [tab.label for tab in at.tabs] == [f"{name} ({count})" for name, count in COUNTS.items()]
    people = at.dataframe[0].value
    assert list(zip(people["Participant"], people["Jours sans activité"])) == IDLE
    assert list(people["Phase en cours"]) == ["Immersion", "Fondamentaux"]
    p06 = people[people["Participant"] == "P06"].iloc[0]
    assert (p06["Nom"], p06["Téléphone"]) == ("Omar Tazi", "+2126****901")  # masked on screen (docs/PRIVACY.md)
    assert any("le moins de jours sans activité en premier" in c for c in texts(at.caption))  # the rule, said
    plans = at.dataframe[1].value
    assert [tuple(plans.iloc[0][c] for c in ("Plan", "Projet", "Jours d'attente", "Porteur (code)",
                                             "Porteur du projet"))] == [TO_REVIEW]
    assert any("Tous les business plans validés" in s for s in texts(at.success))
    assert any("Aucun prêt accordé" in s for s in texts(at.success))
    assert any("Aucun participant en cours sans activité depuis plus de 700 jours" in s for s in texts(at.success))


def test_participants_beyond_the_cut_off_are_lost_contact_not_called(monkeypatch, programme_db):
    """Test that by default (365 days) P06 and P09 are counted apart as lost contact, listed in
    their own tab (downloadable), and the call list is empty."""
    at = open_page(monkeypatch, programme_db, FOLLOW_UP_PAGE)
    assert_no_exception(at)
    assert at.number_input(key="lost").value == 365
    assert metrics(at) == {**DEFAULT_COUNTS, **CAME_BACK}
    assert any("personne à relancer" in s for s in texts(at.success))
    lost = participants_table(at)
    assert list(zip(lost["Participant"], lost["Jours sans activité"])) == IDLE
    assert any(b.proto.id.endswith("follow_up_lost_contact_csv") for b in at.get("download_button"))


def test_idle_days_lost_contact_and_phase_are_read_from_the_url(monkeypatch, programme_db):
    """Test that `?idle=600` keeps only P09 on the call list, `?phase=immersion` only P06, and
    `?lost=550` moves P09 (602 days) to lost contact."""
    at = open_page(monkeypatch, programme_db, FOLLOW_UP_PAGE, idle="600", lost=WITHIN_REACH)
    assert at.number_input(key="idle").value == 600
    assert list(at.dataframe[0].value["Participant"]) == ["P09"]
    at = open_page(monkeypatch, programme_db, FOLLOW_UP_PAGE, phase="immersion", lost=WITHIN_REACH)
    assert list(at.dataframe[0].value["Participant"]) == ["P06"]
    at = open_page(monkeypatch, programme_db, FOLLOW_UP_PAGE, lost="550")
    assert at.number_input(key="lost").value == 550
    assert list(participants_table(at, 0)["Participant"]) == ["P06"]
    assert list(participants_table(at, 1)["Participant"]) == ["P09"]
    assert metrics(at)[lost_card(550)] == "1"


def test_a_cut_off_below_the_idle_days_says_why_the_call_list_is_empty(monkeypatch, programme_db):
    """Test that a lost-contact cut-off below the idle days warns that nobody can be called."""
    at = open_page(monkeypatch, programme_db, FOLLOW_UP_PAGE, idle="400", lost="100")
    assert_no_exception(at)
    assert metrics(at)["Participants à relancer"] == "0"
    assert any("plus bas que le seuil d'inactivité" in w for w in texts(at.warning))


def test_no_one_idle_long_enough_says_so(monkeypatch, programme_db):
    """Test that with N above everyone's idle days the list is replaced by a friendly message."""
    at = open_page(monkeypatch, programme_db, FOLLOW_UP_PAGE, lost=WITHIN_REACH)
    at = at.number_input(key="idle").set_value(650).run()
    assert metrics(at)["Participants à relancer"] == "0"
    assert any("personne à relancer" in s for s in texts(at.success))


def test_follow_up_follows_the_sidebar_scope(monkeypatch, programme_db):
    """Test that Oriental keeps P09 and BP4, Souss-Massa keeps P06 and no plan to review."""
    at = open_page(monkeypatch, programme_db, FOLLOW_UP_PAGE, region="02", lost=WITHIN_REACH)
    assert list(at.dataframe[0].value["Participant"]) == ["P09"]
    assert list(at.dataframe[1].value["Plan"]) == ["BP4"]
    at = open_page(monkeypatch, programme_db, FOLLOW_UP_PAGE, region="09", lost=WITHIN_REACH)
    assert list(at.dataframe[0].value["Participant"]) == ["P06"]
    assert metrics(at)[REVIEW_CARD] == "0"


def test_contacts_absent_for_a_scope_without_personal_data(monkeypatch, programme_db):
    """Test that an account whose scope hides personal data sees the lists without contact columns."""
    monkeypatch.setattr(session, "base_scope", lambda: dataclasses.replace(Scope(), personal_data=False))
    at = open_page(monkeypatch, programme_db, FOLLOW_UP_PAGE, lost=WITHIN_REACH)
    assert_no_exception(at)
    for table in at.dataframe:
        assert not CONTACT_HEADERS & set(table.value.columns)
    assert list(at.dataframe[0].value["Participant"]) == [p for p, _ in IDLE]
    assert any("coordonnées" in c for c in texts(at.caption))


def test_bad_url_values_are_ignored_on_follow_up(monkeypatch, programme_db):
    """Test that a bad number of days, cut-off or phase in the URL falls back to the defaults."""
    for bad in ("abc", "-5", "999999"):
        at = open_page(monkeypatch, programme_db, FOLLOW_UP_PAGE, idle=bad, lost=bad, phase="evil")
        assert_no_exception(at)
        assert at.number_input(key="idle").value == programme.DEFAULT_IDLE_DAYS
        assert at.number_input(key="lost").value == 365
        assert at.selectbox(key="phase").value == ""
        assert metrics(at) == {**DEFAULT_COUNTS, **CAME_BACK}


# ------------------------------------------------------------------------------ empty scopes
@pytest.mark.parametrize("page", [PHASES_PAGE, FOLLOW_UP_PAGE])
def test_empty_scope_shows_a_friendly_message(monkeypatch, programme_db, page):
    """Test that an establishment without cohort in the chosen year gives a message, not an error."""
    at = open_page(monkeypatch, programme_db, page, year="2021-2022", establishment="E2")
    assert_no_exception(at)
    assert not at.metric
    assert any("Aucun participant" in text for text in texts(at.info))


@pytest.mark.parametrize("page", [PHASES_PAGE, FOLLOW_UP_PAGE])
def test_empty_database_shows_a_friendly_message(monkeypatch, empty_db, page):
    """Test that a database without data says how to import, on both pages."""
    at = open_page(monkeypatch, empty_db, page)
    assert_no_exception(at)
    assert any("aucune donnée" in text for text in texts(at.info))


def test_focus_without_anyone_says_so(monkeypatch, programme_db):
    """Test that a focus matching nobody (trainers in cohort C3) shows a message, not an error."""
    at = open_page(monkeypatch, programme_db, PHASES_PAGE, cohort="C3", profile="trainer")
    assert_no_exception(at)
    assert any("zoom" in text for text in texts(at.info))


def test_figures_are_built_once_and_shared_between_reruns(monkeypatch, programme_db):
    """Test that a rerun of the Phases page draws the same charts without building them again
    (pie.ui.layout.figure), and that a figure in Arabic is built, mirrored, for Arabic."""
    from pie import charts
    from pie.programme import charts as programme_charts
    from pie.ui import layout

    st.cache_resource.clear()
    built = []
    original = programme_charts.phase_outcomes

    def counted(*args, **options):
        built.append(args[-1])
        return original(*args, **options)

    monkeypatch.setattr(programme_charts, "phase_outcomes", counted)
    at = open_page(monkeypatch, programme_db, PHASES_PAGE)
    first = at.get("plotly_chart")[0].proto.spec
    at.run()
    assert_no_exception(at)
    assert built == ["fr"] and at.get("plotly_chart")[0].proto.spec == first
    summary = programme.phase_summary(programme.phase_groups(db.reader(programme_db), Scope()))
    assert layout.figure(programme_charts.phase_outcomes, summary, "fr") is layout.figure(
        programme_charts.phase_outcomes, summary.copy(), "fr")
    monkeypatch.setattr(layout, "language", lambda: "ar")
    arabic = layout.figure(programme_charts.phase_outcomes, summary, "ar")
    assert arabic.layout.meta["rtl"] and charts.rtl(arabic, "ar") is arabic
    st.cache_resource.clear()


def test_follow_up_by_establishment_counts_each_list_busiest_first():
    """Test that the follow-up counts per establishment hold one column per list (in the lists'
    order, zero where a list has nothing there), a total, busiest first then by name."""
    def items(*pairs):
        return pd.DataFrame(pairs, columns=["establishment_id", "establishment_name"])

    lists = {
        "participants": items(("E2", "CMC Agadir"), ("E2", "CMC Agadir"), ("E1", "CMC Oujda")),
        "to_review": items(("E1", "CMC Oujda")),
        "without_decision": items(),
        "not_disbursed": items(("E3", "ISTA Laâyoune"), ("E3", "ISTA Laâyoune")),
    }
    counts = programme.follow_up_by_establishment(lists)
    assert list(counts.columns) == ["establishment_id", "establishment_name", "participants", "to_review",
                                    "without_decision", "not_disbursed", "total"]
    assert counts.values.tolist() == [
        ["E2", "CMC Agadir", 2, 0, 0, 0, 2],
        ["E1", "CMC Oujda", 1, 1, 0, 0, 2],
        ["E3", "ISTA Laâyoune", 0, 0, 0, 2, 2],
    ]
    empty = programme.follow_up_by_establishment({name: items() for name in lists})
    assert empty.empty and list(empty.columns) == list(counts.columns)
