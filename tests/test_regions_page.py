"""The Regions page (leadership), run with Streamlit's AppTest on the small programme.

Expected figures are worked out by hand from tests/fixtures/small_programme.sql and the census
population aged 15–29 of the built-in regions table (Souss-Massa 664 748, Oriental 487 916).
"""
from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from apptest_support import ACCOUNTS, DASHBOARD, dashboard, signed_in
from pie import db
from pie.ui import navigation
from pie.ui.regions import region_from_selection

pytestmark = pytest.mark.usefixtures("fresh_caches")

REGIONS = "pages/leadership/regions.py"
TITLE = "Le PIE dans les régions"
REGION_CODES = [f"{n:02d}" for n in range(1, 13)]
NBSP = "\u00a0"

# Whole programme: Souss-Massa (09) cohorts C1 + C2, Oriental (02) cohort C3.
SOUSS_MASSA_YOUTH, ORIENTAL_YOUTH = 664_748, 487_916
SOUSS_MASSA = {"Participants": "7", "Immersion terminée": "3",   # P01 P02 P05
               "Projets avec plan validé": "2", "Projets financés": "2", "Entreprises créées": "2"}
ORIENTAL = {"Participants": "3", "Immersion terminée": "1",      # P08
            "Projets avec plan validé": "0", "Projets financés": "0", "Entreprises créées": "0"}
# Reach = participants × 10 000 ÷ population aged 15–29; below 1 the page shows 2 decimals.
SOUSS_MASSA_REACH = f"{7 * 10_000 / SOUSS_MASSA_YOUTH:.2f}".replace(".", ",")   # 0,11
ORIENTAL_REACH = f"{3 * 10_000 / ORIENTAL_YOUTH:.2f}".replace(".", ",")         # 0,06
REACH = "Pour 10 000 jeunes"
REACH_CARD = "Pour 10 000 jeunes"
UNRANKED = "—"  # regions without participants

# Targets of 2022-2023 (cohorts C2 in 09, C3 in 02). Status (pie.leadership): progress ≥ 100 %
# met, ≥ 90 % on track, below behind.
YEAR = "2022-2023"
BEHIND, NO_TARGET = "Non atteint", "Sans objectif"  # 2022-2023 ended before the data date: missed
TARGET_ROWS = [  # region, indicator, target, actual, progress, status, actual 2021-2022, change
    ("Oriental", "Participants", "4", "3", f"75,0{NBSP}%", BEHIND, "0", "+3"),          # 3 / 4
    ("Souss-Massa", "Participants", "5", "3", f"60,0{NBSP}%", BEHIND, "4", "-1"),       # P05-P07 / 5
    ("Souss-Massa", "Entreprises créées", "2", "1", f"50,0{NBSP}%", BEHIND, "1", "0"),  # CO2 / 2
]
# Country: participants 6 of 3 + 5 + ... = 4 + 5 = 9 (2021-2022: 4); companies 1 of 2 (2021-2022: CO1).
TOTAL_PARTICIPANTS = ("Participants", "9", "6", f"66,7{NBSP}%", BEHIND, "4", "+2")
TOTAL_COMPANIES = ("Entreprises créées", "2", "1", f"50,0{NBSP}%", BEHIND, "1", "0")
PROGRESS_CARD = (f"67{NBSP}%", BEHIND, "6 sur 9")


# ------------------------------------------------------------------------------ fixtures


@pytest.fixture
def page(monkeypatch, programme_db) -> AppTest:
    """The Regions page as the leadership account, no filter."""
    return open_regions(monkeypatch, programme_db)


# ------------------------------------------------------------------------------ helpers
def open_regions(monkeypatch, database: Path, account: str = "leadership", **query: str) -> AppTest:
    """The dashboard opened directly on the Regions page (no run of the landing page first)."""
    monkeypatch.setenv("PIE_DB", str(database))
    at = AppTest.from_file(DASHBOARD, default_timeout=30)
    at.query_params.update(query)
    return signed_in(at, account).switch_page(REGIONS).run()


def choose(at: AppTest, key: str, value: str) -> AppTest:
    return at.sidebar.selectbox(key=key).set_value(value).run()


def shown(element) -> pd.DataFrame:
    """A table as the page shows it: each cell's text (the Styler's display values)."""
    return pa.ipc.open_stream(element.proto.arrow_data.styler.display_values).read_pandas()


def table_with(at: AppTest, *columns: str, without: str | None = None) -> pd.DataFrame:
    """The first table on the page having `columns` (and not `without`), as shown."""
    for element in at.dataframe:
        frame = shown(element)
        if set(columns) <= set(frame.columns) and (without is None or without not in frame.columns):
            return frame
    raise AssertionError(f"no table with {columns}")


def has_table_with(at: AppTest, *columns: str) -> bool:
    return any(set(columns) <= set(element.value.columns) for element in at.dataframe)


def row_of(frame: pd.DataFrame, column: str, value: str) -> dict[str, str]:
    rows = frame[frame[column] == value]
    assert len(rows) == 1, (value, frame)
    return rows.iloc[0].to_dict()


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def map_traces(at: AppTest) -> list[dict]:
    for chart in at.get("plotly_chart"):
        traces = json.loads(chart.proto.spec)["data"]
        if any(trace["type"] == "choropleth" for trace in traces):
            return [trace for trace in traces if trace["type"] == "choropleth"]
    raise AssertionError("no map on the page")


def texts(elements) -> list[str]:
    return [e.value for e in elements]


def assert_no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


# ------------------------------------------------------------------------------ tests
@pytest.mark.parametrize("account", ["leadership", "manager"])
def test_regions_page_renders_for_leadership_and_manager(monkeypatch, programme_db, account):
    """Test that the Regions page runs to the end for the leadership and manager accounts."""
    at = open_regions(monkeypatch, programme_db, account)
    assert_no_exception(at)
    assert at.title[0].value == TITLE


def test_ranked_table_shows_hand_computed_figures(page):
    """Test that the regions table ranks Souss-Massa then Oriental with their figures and reach."""
    table = table_with(page, "Rang", "Immersion terminée")
    assert list(table["Région"][:2]) == ["Souss-Massa", "Oriental"]
    souss_massa, oriental = row_of(table, "Région", "Souss-Massa"), row_of(table, "Région", "Oriental")
    assert {key: souss_massa[key] for key in SOUSS_MASSA} == SOUSS_MASSA
    assert {key: oriental[key] for key in ORIENTAL} == ORIENTAL
    assert (souss_massa[REACH], oriental[REACH]) == (SOUSS_MASSA_REACH, ORIENTAL_REACH)
    assert (souss_massa["Rang"], oriental["Rang"]) == ("1", "2")
    assert set(table["Rang"][2:]) == {UNRANKED}
    assert len(table) == len(REGION_CODES)


def test_cards_show_programme_figures_and_national_reach(page, programme_db):
    """Test that the cards show the programme's totals and its reach over the whole country."""
    with duckdb.connect(str(db.reader(programme_db).snapshot()), read_only=True) as con:
        youth = con.execute("select sum(youth_15_29_2024) from regions").fetchone()[0]
    shown_metrics = metrics(page)
    assert [shown_metrics[key] for key in ("Participants", "Immersion terminée", "Projets financés",
                                           "Entreprises créées")] == ["10", "4", "2", "2"]
    assert shown_metrics[REACH_CARD] == f"{10 * 10_000 / youth:.2f}".replace(".", ",")
    assert shown_metrics["Régions touchées"] == "2 sur 12"
    assert shown_metrics["Établissements PIE"] == "2"   # E3 (Settat) has neither launch nor cohort


def test_choosing_a_region_narrows_the_page(page):
    """Test that the region filter (what a click on the map sets) narrows cards, map and tables."""
    at = choose(page, "region", "09")
    assert_no_exception(at)
    shown_metrics = metrics(at)
    assert shown_metrics["Participants"] == "7"
    assert shown_metrics[REACH_CARD] == SOUSS_MASSA_REACH
    assert "Régions touchées" not in shown_metrics
    base, coloured, outline = map_traces(at)
    assert coloured["locations"] == ["09"] and outline["locations"] == ["09"]
    assert list(table_with(at, "Rang", "Immersion terminée")["Région"]) == ["Souss-Massa"]
    assert list(table_with(at, "Établissement", "Ville", without="Région")["Établissement"]) == ["CMC Souss-Massa"]
    assert not has_table_with(at, "Région", "Indicateur")   # no by-region targets for one region
    assert any("Souss-Massa" in caption for caption in texts(at.caption))   # the scope line


def test_clear_region_button_goes_back_to_the_country(page):
    """Test that the page's "all regions" button removes the region filter."""
    at = choose(page, "region", "02")
    at = at.button(key="regions_clear_region").click().run()
    assert at.sidebar.selectbox(key="region").value == ""
    assert metrics(at)["Participants"] == "10"


def test_map_draws_the_12_regions_coloured_by_participants(page):
    """Test that the map's locations are the 12 region codes, coloured by participants."""
    base, coloured = map_traces(page)
    assert base["locations"] == REGION_CODES
    assert coloured["locations"] == REGION_CODES and coloured["customdata"] == REGION_CODES
    values = dict(zip(coloured["locations"], coloured["z"]))
    assert (values["09"], values["02"], values["06"]) == (7, 3, 0)


def test_map_indicator_selector_recolours_the_map(page):
    """Test that choosing reach colours the map by participants per 10,000 young people."""
    at = page.selectbox(key="regions_indicator").set_value("reach_per_10k").run()
    values = dict(zip(*(map_traces(at)[1][key] for key in ("locations", "z"))))
    assert values["09"] == pytest.approx(7 * 10_000 / SOUSS_MASSA_YOUTH)
    assert values["02"] == pytest.approx(3 * 10_000 / ORIENTAL_YOUTH)


def test_progress_map_without_year_uses_the_targets_year_and_says_so(page):
    """Test that colouring by progress without a year shows 2022-2023's progress, saying so."""
    at = page.selectbox(key="regions_indicator").set_value("progress_participants").run()
    assert_no_exception(at)
    values = dict(zip(*(map_traces(at)[1][key] for key in ("locations", "z"))))
    assert values == {"02": pytest.approx(3 / 4), "09": pytest.approx(3 / 5)}
    assert any(YEAR in text and "progression" in text for text in texts(at.info))


def test_targets_of_the_chosen_year_by_hand(page):
    """Test the targets table of 2022-2023: target, actual, progress, status, change by region."""
    at = choose(page, "year", YEAR)
    assert_no_exception(at)
    table = table_with(at, "Région", "Indicateur", "Objectif")
    with_target = table[table["Objectif"] != "—"]
    assert [tuple(row) for row in with_target.itertuples(index=False)] == TARGET_ROWS
    assert set(table.loc[table["Objectif"] == "—", "Statut"]) == {NO_TARGET}
    totals = table_with(at, "Indicateur", "Objectif", without="Région")
    assert tuple(row_of(totals, "Indicateur", "Participants").values()) == TOTAL_PARTICIPANTS
    assert tuple(row_of(totals, "Indicateur", "Entreprises créées").values()) == TOTAL_COMPANIES


def test_progress_card_with_a_chosen_year(page):
    """Test that with a year the cards add the progress towards the participants target."""
    at = choose(page, "year", YEAR)
    card = next(m for m in at.metric if m.label == f"Objectif de participants {YEAR}")
    assert (card.value, card.delta, card.proto.delta_description) == PROGRESS_CARD


def test_without_a_year_targets_use_the_latest_year_with_targets_and_say_so(page):
    """Test that with no year chosen the targets section shows 2022-2023 and says why."""
    assert f"Objectifs et réalisations {YEAR}" in texts(page.header)
    assert any(YEAR in text and "dernière année" in text for text in texts(page.info))
    assert tuple(row_of(table_with(page, "Indicateur", "Objectif", without="Région"),
                        "Indicateur", "Participants").values()) == TOTAL_PARTICIPANTS


def test_rollout_shows_launch_dates_and_participants_per_year(page):
    """Test the rollout table: launch date, first cohort and participants of each year by region."""
    table = table_with(page, "Lancement", "Première cohorte")
    assert [tuple(row)[:6] for row in table[:2].itertuples(index=False)] == [
        ("Souss-Massa", "01/10/2021", "2021-2022", "1", "4", "3"),
        ("Oriental", "10/10/2022", "2022-2023", "1", "0", "3"),
    ]
    assert set(table["Lancement"][2:]) == {"non lancé"}


def test_empty_scope_shows_empty_state(page):
    """Test that a scope without participants shows the friendly empty state, no exception."""
    at = choose(choose(page, "year", "2021-2022"), "establishment", "E2")
    assert_no_exception(at)
    assert not at.metric and not at.get("plotly_chart")
    assert any("Aucun participant" in text for text in texts(at.info))


def test_empty_database_shows_empty_state(monkeypatch, empty_db):
    """Test that a database with no programme data shows how to import, no exception."""
    at = open_regions(monkeypatch, empty_db)
    assert_no_exception(at)
    assert any("aucune donnée" in text for text in texts(at.info))


def test_leadership_sees_no_participant_rows(page):
    """Test that no table of the page holds participant-level data (leadership sees aggregates)."""
    at = choose(page, "region", "09")
    for element in [*page.dataframe, *at.dataframe]:
        frame = element.value.astype(str)
        assert not frame.isin(["P01", "Fatima Zahra El Amrani", "J123456"]).any().any()


@pytest.mark.parametrize("account", ["boa", "mcise"])
def test_bank_and_incubator_do_not_have_the_regions_page(monkeypatch, programme_db, account):
    """Test that bank and incubator accounts cannot open the Regions page by its path."""
    at = dashboard(monkeypatch, programme_db, account=account)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(REGIONS).run()
    assert "regions" not in [spec.name for spec in navigation.pages_for(ACCOUNTS[account].role)]


def test_region_from_selection_reads_the_clicked_region():
    """Test that a map click on a region gives its code, and a click on a city point none."""
    region = {"curve_number": 1, "point_number": 8, "point_index": 8, "location": "09", "customdata": "09"}
    grey_region = {"curve_number": 0, "point_index": 4, "location": "05"}   # no value for the indicator
    city = {"curve_number": 2, "point_index": 0, "lat": 30.4, "lon": -9.6, "customdata": "<b>Agadir</b>"}
    assert region_from_selection([region]) == "09"
    assert region_from_selection([grey_region]) == "05"
    assert region_from_selection([city]) is None
    assert region_from_selection([]) is None


@pytest.mark.slow
def test_pdf_button_produces_a_pdf(monkeypatch, page):
    """Test that "prepare" then builds the report and offers it for download as PDF bytes."""
    stored: list[bytes] = []
    original = MemoryMediaFileStorage.load_and_get_id

    def recording(self, path_or_data, mimetype, kind, filename=None):
        if mimetype == "application/pdf":
            stored.append(path_or_data)
        return original(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", recording)
    assert not stored
    at = page.button(key="regions_report_prepare").click().run(timeout=120)
    assert_no_exception(at)
    assert stored and stored[-1].startswith(b"%PDF")
    assert not [b for b in at.button if b.key == "regions_report_prepare"]
