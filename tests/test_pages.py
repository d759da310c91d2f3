"""The Overview and Funnel pages, run with Streamlit's AppTest on the small hand-made programme.

Expected figures are worked out by hand from tests/fixtures/small_programme.sql.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from apptest_support import copy_of, dashboard
from pie import db

pytestmark = pytest.mark.usefixtures("fresh_caches")

OVERVIEW = "pages/programme/overview.py"
FUNNEL = "pages/programme/funnel.py"

NNBSP, NBSP = "\u202f", "\u00a0"  # French thousands separator; space before % and MAD

# Whole programme: 10 participants (P01..P10), 4 completed immersion (P01 P02 P05 P08), 3 projects.
PARTICIPANTS = 10
WOMEN_SHARE = f"50,0{NBSP}%"          # P01 P03 P05 P08 P09
IMMERSION_COMPLETED = 4
DROPPED = 3                           # P03 P04 P07
PROJECTS = 3
PLANS_VALIDATED = 2                   # PR1 (BP1), PR2 (BP3)
PROJECTS_FINANCED = 2                 # FD1, FD2
AMOUNT_APPROVED = f"170{NNBSP}000{NBSP}MAD"   # 120 000 + 50 000
COMPANIES_CREATED = 2
JOBS_CREATED = 5                      # 3 + 2
# Funnel steps, nested (METRICS.md): participants, completed awareness, awareness and
# fundamentals, all three phases, of those project members | projects, with a submitted plan,
# with a validated plan, financed, company created (among the financed).
FUNNEL_ALL = ([10, 8, 6, 4, 4], [3, 3, 2, 2, 2])         # P06, a member without immersion: not counted
FUNNEL_SOUSS_MASSA = ([7, 6, 5, 3, 3], [2, 2, 2, 2, 2])  # region 09: cohorts C1, C2 (P01-P07; PR1, PR2)
FUNNEL_2022_2023 = ([6, 4, 3, 2, 2], [2, 2, 1, 1, 1])    # cohorts C2, C3 (P05-P10; PR2, PR3)
FUNNEL_SOUSS_MASSA_2022_2023 = ([3, 2, 2, 1, 1], [1, 1, 1, 1, 1])  # cohort C2 only (P05-P07; PR2)
# Cohorts of 2022-2023 (the latest year) add 6 participants, 2 immersions, 2 projects.
LATEST_YEAR = "2022-2023"
LATEST_YEAR_PARTICIPANTS = "+6"
# 2022-2023 (6 participants) against 2021-2022 (4 participants).
CHANGE_SINCE_2021_2022 = "+2"
REGION_ROWS = [("Souss-Massa", 7), ("Oriental", 3)]
COHORT_ROWS = [("C1 · CMC Souss-Massa · 2021-2022", 4), ("C2 · CMC Souss-Massa · 2022-2023", 3),
               ("C3 · ISTA Oujda · 2022-2023", 3)]
ORIENTAL_ESTABLISHMENTS = ["", "E2"]   # "" = all establishments


# ------------------------------------------------------------------------------ fixtures


@pytest.fixture
def demo_marked_db(small_db, tmp_path) -> Path:
    """A copy of the small programme whose app_meta says it is a demo."""
    path = copy_of(small_db, tmp_path / "demo")
    with db.writing(path) as con:
        con.execute("update app_meta set value = 'true' where key = 'is_demo'")
    return path


@pytest.fixture
def app(monkeypatch, programme_db) -> AppTest:
    """The dashboard on the small programme, on its default page (Overview)."""
    return dashboard(monkeypatch, programme_db)


# ------------------------------------------------------------------------------ helpers
def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def metric_deltas(at: AppTest) -> dict[str, str]:
    return {m.label: m.delta for m in at.metric}


def funnel_counts(at: AppTest) -> tuple[list[int], list[int]]:
    """The people and project funnel counts drawn in the page's funnel chart."""
    for chart in at.get("plotly_chart"):
        traces = [d for d in json.loads(chart.proto.spec)["data"] if d["type"] == "funnel"]
        if traces:
            people, projects = traces
            return list(people["x"]), list(projects["x"])
    raise AssertionError("no funnel chart on the page")


def choose(at: AppTest, key: str, value: str) -> AppTest:
    return at.sidebar.selectbox(key=key).set_value(value).run()


def texts(elements) -> list[str]:
    return [e.value for e in elements]


def assert_no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


# ------------------------------------------------------------------------------ overview
def test_overview_renders_without_exception(app):
    """Test that the Overview page runs to the end on the small programme."""
    assert_no_exception(app)
    assert app.title[0].value == "Vue d'ensemble du programme"


def test_overview_cards_show_french_formatted_totals(app):
    """Test that the Overview cards show the programme's totals in French number formats."""
    shown = metrics(app)
    assert shown["Participants"] == str(PARTICIPANTS)
    assert shown["Part des femmes"] == WOMEN_SHARE
    assert shown["Immersion terminée"] == str(IMMERSION_COMPLETED)
    assert shown["Abandons"] == str(DROPPED)
    assert shown["Projets"] == str(PROJECTS)
    assert shown["Projets avec plan validé"] == str(PLANS_VALIDATED)
    assert shown["Projets financés"] == str(PROJECTS_FINANCED)
    assert shown["Montant accordé"] == AMOUNT_APPROVED
    assert shown["Entreprises créées"] == str(COMPANIES_CREATED)
    assert shown["Emplois créés"] == str(JOBS_CREATED)


def test_overview_without_year_shows_latest_year_contribution(app):
    """Test that with no year chosen each card's delta is what the latest academic year added."""
    assert metric_deltas(app)["Participants"] == LATEST_YEAR_PARTICIPANTS
    assert any(LATEST_YEAR in caption for caption in texts(app.caption))


def test_overview_with_year_shows_change_since_previous_year(app):
    """Test that with a year chosen each card's delta is the change since the previous year."""
    at = choose(app, "year", "2022-2023")
    assert metrics(at)["Participants"] == "6"
    assert metric_deltas(at)["Participants"] == CHANGE_SINCE_2021_2022
    assert any("2021-2022" in caption for caption in texts(at.caption))


def test_overview_trend_chart_has_every_academic_year(app):
    """Test that the trend chart shows participants for each academic year, oldest first."""
    spec = json.loads(app.get("plotly_chart")[0].proto.spec)
    participants = spec["data"][0]
    assert participants["x"] == ["2021-2022", "2022-2023"]
    assert participants["y"] == [4, 6]


# ------------------------------------------------------------------------------ funnel
def test_funnel_renders_without_exception(app):
    """Test that the Funnel page runs to the end on the small programme."""
    at = app.switch_page(FUNNEL).run()
    assert_no_exception(at)
    assert at.title[0].value == "Entonnoir du programme"


def test_funnel_shows_whole_programme_counts(app):
    """Test that the funnel chart and cards show the whole programme's counts."""
    at = app.switch_page(FUNNEL).run()
    assert funnel_counts(at) == FUNNEL_ALL
    assert metrics(at)["Participants"] == str(PARTICIPANTS)


def test_funnel_follows_region_filter(app):
    """Test that choosing Souss-Massa (09) narrows the funnel to its cohorts."""
    at = choose(app.switch_page(FUNNEL).run(), "region", "09")
    assert funnel_counts(at) == FUNNEL_SOUSS_MASSA
    assert metrics(at)["Participants"] == "7"


def test_funnel_follows_year_filter(app):
    """Test that choosing 2022-2023 narrows the funnel to that year's cohorts."""
    at = choose(app.switch_page(FUNNEL).run(), "year", "2022-2023")
    assert funnel_counts(at) == FUNNEL_2022_2023


def test_funnel_combines_region_and_year_filters(app):
    """Test that a region and a year together keep only the cohorts matching both."""
    at = choose(choose(app.switch_page(FUNNEL).run(), "region", "09"), "year", "2022-2023")
    assert funnel_counts(at) == FUNNEL_SOUSS_MASSA_2022_2023


def test_breakdown_table_has_a_row_per_region(app):
    """Test that the breakdown table lists each region with its participants, headers translated."""
    at = app.switch_page(FUNNEL).run()
    table = at.dataframe[1].value  # after the funnel's own table
    assert list(table.columns[:2]) == ["Région", "Participants"]
    assert list(zip(table["Région"], table["Participants"])) == REGION_ROWS


def test_breakdown_selector_switches_to_cohorts(app):
    """Test that choosing the cohort breakdown lists one row per cohort."""
    at = app.switch_page(FUNNEL).run()
    at = at.radio(key="funnel_breakdown").set_value("cohort").run()
    table = at.dataframe[1].value
    assert list(zip(table["Cohorte"], table["Participants"])) == COHORT_ROWS


def test_breakdown_counts_view_has_every_step(app):
    """Test that the counts view of the breakdown has one translated column per funnel step."""
    at = app.switch_page(FUNNEL).run()
    counts = at.dataframe[2].value
    assert list(counts.columns) == ["Région", "Participants", "Ont terminé la sensibilisation",
                                    "Ont terminé sensibilisation et fondamentaux", "Ont terminé les trois phases",
                                    "… et sont membres d'un projet", "Projets", "Avec un plan soumis",
                                    "Avec un plan validé", "Financés (décision approuvée)",
                                    "Financés, entreprise créée"]
    souss_massa = counts[counts["Région"] == "Souss-Massa"].iloc[0]
    assert list(souss_massa.iloc[1:]) == [*FUNNEL_SOUSS_MASSA[0], *FUNNEL_SOUSS_MASSA[1]]


def test_gender_and_profile_charts_use_translated_groups(app):
    """Test that the gender and profile charts name their groups in French, never by code."""
    at = app.switch_page(FUNNEL).run()
    names = [trace["name"] for chart in at.get("plotly_chart")
             for trace in json.loads(chart.proto.spec)["data"] if trace["type"] == "bar"]
    assert names == ["Femme (5)", "Homme (5)", "Stagiaire (6)", "Lauréat (3)", "Formateur (1)"]


def test_breakdown_csv_is_utf8_with_bom_and_semicolons(programme_db):
    """Test that the breakdown CSV opens in French Excel: BOM, `;` separators, decimal commas."""
    from pie.programme import figures as programme
    from pie.ui import downloads, programme_tables

    frame = programme.funnel_by_group(db.reader(programme_db), None, "region")
    data = downloads.csv_bytes(programme_tables.funnel_by_group(frame, "region"))
    assert data.startswith("\ufeff".encode("utf-8"))
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Région;Participants;Ont terminé la sensibilisation;"
                               "Sensibilisation terminée (% de l'étape précédente);")
    assert lines[1].startswith("Souss-Massa;7;6;85,71;5;83,33;")   # 6 / 7, 5 / 6 (rates to 4 decimals)


# ------------------------------------------------------------------------------ filters
def test_filters_persist_when_switching_pages(app):
    """Test that a region chosen on the Overview is still applied on the Funnel page."""
    at = choose(app, "region", "09")
    at = at.switch_page(FUNNEL).run()
    assert at.sidebar.selectbox(key="region").value == "09"
    assert funnel_counts(at) == FUNNEL_SOUSS_MASSA


def test_filters_are_mirrored_in_the_url(app):
    """Test that the chosen filters are written into the query parameters (bookmarkable)."""
    at = choose(choose(app, "region", "09"), "year", "2022-2023")
    assert at.query_params.get("region") == "09"
    assert at.query_params.get("year") == "2022-2023"


def test_filters_are_read_back_from_the_url(monkeypatch, programme_db):
    """Test that a bookmarked URL opens with its filters applied."""
    at = dashboard(monkeypatch, programme_db, region="09", year="2022-2023")
    assert at.sidebar.selectbox(key="region").value == "09"
    assert at.sidebar.selectbox(key="year").value == "2022-2023"
    assert metrics(at)["Participants"] == "3"


def test_bad_url_values_are_ignored(monkeypatch, programme_db):
    """Test that unknown filter values in the URL are ignored, never raised."""
    at = dashboard(monkeypatch, programme_db, region="99", year="1999-2000", establishment="E1'; drop")
    assert_no_exception(at)
    assert [at.sidebar.selectbox(key=k).value for k in ("year", "region", "establishment")] == ["", "", ""]
    assert metrics(at)["Participants"] == str(PARTICIPANTS)


def test_establishment_options_follow_the_region(app):
    """Test that choosing Oriental leaves only Oriental's establishments to choose from."""
    at = choose(app, "region", "02")
    assert at.sidebar.selectbox(key="establishment").options == ["Tous les établissements", "ISTA Oujda"]


def test_establishment_of_another_region_is_cleared(app):
    """Test that an establishment outside a newly chosen region is dropped from the filters."""
    at = choose(choose(app, "establishment", "E1"), "region", "02")
    assert at.sidebar.selectbox(key="establishment").value == ""
    assert metrics(at)["Participants"] == "3"


def overview_then_funnel(at):
    """The app as it opened (Overview), then the same session on the Funnel page."""
    yield at
    yield at.switch_page(FUNNEL).run()


def test_empty_scope_shows_empty_state(app):
    """Test that an establishment with no cohort in the chosen year shows a friendly message."""
    for at in overview_then_funnel(choose(choose(app, "year", "2021-2022"), "establishment", "E2")):
        assert_no_exception(at)
        assert len(at.metric) == 0
        assert any("Aucun participant" in text for text in texts(at.info))


# ------------------------------------------------------------------------------ databases
def test_empty_database_shows_empty_state(monkeypatch, empty_db):
    """Test that a database with the schema only shows how to import data, on both pages."""
    for at in overview_then_funnel(dashboard(monkeypatch, empty_db)):
        assert_no_exception(at)
        assert any("aucune donnée" in text for text in texts(at.info))


def test_demo_database_shows_synthetic_data_banner(monkeypatch, demo_marked_db):
    """Test that every page of a demo database says its data are synthetic."""
    for at in overview_then_funnel(dashboard(monkeypatch, demo_marked_db)):
        assert any("fictifs" in text for text in texts(at.warning))


def test_real_database_shows_no_demo_banner(app):
    """Test that a database not marked as demo shows no synthetic-data banner."""
    assert texts(app.warning) == []


def test_missing_database_is_built_as_demo_on_first_run(monkeypatch, tmp_path):
    """Test that the first run without a database, with PIE_DEMO=1, builds the demo and says it is synthetic."""
    pytest.importorskip("pie.demo")
    monkeypatch.setenv("PIE_DEMO_PARTICIPANTS", "150")
    monkeypatch.setenv("PIE_DEMO", "1")  # the demo is built only when asked for (scripts/start.sh does)
    database = tmp_path / "data" / "pie.duckdb"
    at = dashboard(monkeypatch, database)
    assert_no_exception(at)
    assert database.exists()
    assert any("fictifs" in text for text in texts(at.warning))
