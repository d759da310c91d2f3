"""The Financing, Incubation and Companies-and-jobs pages, run with Streamlit's AppTest on the
small hand-made programme, as a manager, the banks BOA and CAM and the incubator MCISE.

Expected figures are worked out by hand from tests/fixtures/small_programme.sql (the comments
say which rows), and the downloads are read from the page's own download buttons.
"""
from __future__ import annotations

import io
import json
from datetime import date
from types import SimpleNamespace

import openpyxl
import pandas as pd
import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

from apptest_support import copy_of, dashboard, opened_on
from pie import db
from pie.companies import figures as companies
from pie.financing import figures as financing
from pie.incubation import figures as incubation
from pie.scope import Scope
from pie.ui import partner_drill, session

pytestmark = pytest.mark.usefixtures("fresh_caches")

FINANCING = "pages/financing/financing.py"
INCUBATION = "pages/incubation/incubation.py"
COMPANIES = "pages/programme/companies.py"

NNBSP, NBSP = "\u202f", "\u00a0"  # French thousands separator; space before % and MAD


def mad(text: str) -> str:
    return text.replace(" ", NNBSP) + f"{NBSP}MAD"


# ------------------------------------------------------------------------------ expected, by hand
# BOA decided FD1 (BP1, PR1: approved 120 000, disbursed 100 000, 30 days), FD3 (BP2, PR2:
# rejected after 10 days), FD5 (BP3, PR2: rejected after 20 days), FD4 (BP4, PR3: pending).
BOA_DECISIONS = ["FD4", "FD5", "FD3", "FD1"]        # latest first, the pending one on top
BOA_CARDS = {
    "Projets financés": "1",                          # PR1 (FD1)
    "Montant accordé": mad("120 000"),                # FD1
    "Montant décaissé": mad("100 000"),               # FD1
    "Taux d'accord": f"33,3{NBSP}%",                  # 1 approved / (1 + 2 rejected)
    "Délai médian de décision (jours)": "20",         # 10, 20, 30 days (FD3, FD5, FD1): whole days
    "Portefeuille à risque (PAR30)": f"100,0{NBSP}%",  # FD1's latest follow-up: 60 000 at 45 days
    "Encours": mad("60 000"),                         # FD1 at 2023-12-31
    "Prêts accordés": "1",
}
# The same cards by METRICS.md key (their labels come from the glossary, kpi.<key>).
BOA_INDICATORS = {
    "projects_financed": "1",                         # PR1 (FD1)
    "amount_approved_mad": mad("120 000"),            # FD1
    "amount_disbursed_mad": mad("100 000"),           # FD1
    "approval_rate": f"33,3{NBSP}%",                  # FD1 approved; FD3, FD5 rejected
    "median_days_to_decision": "20",                  # 10, 20, 30 days (whole days)
    "portfolio_at_risk_30": f"100,0{NBSP}%",          # FD1 only, 45 days late
}
# Pipeline of BOA's projects PR1, PR2, PR3: submitted = PR1, PR2, PR3; validated = PR1, PR2;
# decided by BOA = PR1 (FD1), PR2 (FD3, FD5); approved = PR1 (FD1); disbursed = PR1 (FD1).
BOA_PIPELINE = {"projects": [3, 2, 2, 1, 1]}
# The four amounts, each named once, in this order (the amounts chart):
# asked in plans: the latest submitted plan of PR1 (BP1 150 000), PR2 (BP3 60 000), PR3 (BP4 40 000);
# asked in files sent to banks: one per BOA decision, its plan's amount: FD1 (BP1 150 000), FD3
# (BP2 80 000), FD4 (BP4 40 000), FD5 (BP3 60 000); approved FD1 120 000; disbursed FD1 100 000.
BOA_AMOUNTS = [250_000, 330_000, 120_000, 100_000]
AMOUNT_NAMES = {"fr": ["Demandé dans les plans", "Demandé dans les dossiers envoyés aux banques", "Accordé", "Décaissé"],
                "en": ["Asked in plans", "Asked in files sent to banks", "Approved", "Disbursed"],
                "ar": ["المطلوب في المخططات", "المطلوب في الملفات المرسلة إلى البنوك", "الممنوح", "المصروف"]}
# Every bank (a manager): plans as BOA's (the same three projects); files FD1..FD5: 150 000 +
# 60 000 (FD2, BP3) + 80 000 + 40 000 + 60 000; approved FD1 + FD2 = 170 000; disbursed 150 000.
ALL_AMOUNTS = [250_000, 390_000, 170_000, 150_000]
# CAM decided FD2 only (BP3, PR2: approved 50 000 after 40 days, disbursed 50 000; 40 000
# outstanding at 0 days on 2023-12-31).
CAM_DECISIONS = ["FD2"]
CAM_CARDS = {"Projets financés": "1", "Montant accordé": mad("50 000"), "Taux d'accord": f"100,0{NBSP}%",
             "Délai médian de décision (jours)": "40", "Portefeuille à risque (PAR30)": f"0,0{NBSP}%"}
# Everyone: FD1..FD5; 2 approved (170 000), 2 rejected, median of 10, 20, 30, 40 = 25 days;
# PAR30 = 60 000 / (60 000 + 40 000).
ALL_DECISIONS = ["FD4", "FD2", "FD5", "FD3", "FD1"]
ALL_CARDS = {"Projets financés": "2", "Montant accordé": mad("170 000"), "Taux d'accord": f"50,0{NBSP}%",
             "Délai médian de décision (jours)": "25", "Portefeuille à risque (PAR30)": f"60,0{NBSP}%"}
# BOA's branches: BOA Agadir Talborjt (FD1, FD3, FD5), BOA Oujda Centre (FD4).
TALBORJT = "BOA Agadir Talborjt"
TALBORJT_DECISIONS = ["FD5", "FD3", "FD1"]
MICROCREDIT_DECISIONS = ["FD4"]                       # the only microcredit decision
# MCISE: PR1 only (pre-incubation 2022-06-10 → 2022-09-10 advanced = 92 days, then incubation,
# still open); its sessions CS1 (MCISE, 3.5 h) and CS2 (BOA bank advice, 2.0 h).
MCISE_CARDS = {"Projets incubés": "1", "Heures d'accompagnement": "5,5", "Projets en cours d'incubation": "1",
               "Projets sortis diplômés": "0", "Abandons": "0"}
MCISE_PROJECTS = ["PR1"]
MCISE_SESSIONS = ["CS1", "CS2"]
MCISE_FLOWS = {("Pré-incubation (1)", "Incubation (1)"): 1, ("Incubation (1)", "Encore dans l'étape (1)"): 1}
# Everyone: PR1 in incubation (MCISE), PR2 in pre-incubation (Technopark Agadir, open).
ALL_STAGES_NOW = {"En incubation": 1, "En pré-incubation": 1}
ALL_INCUBATED = ["PR2", "PR1"]                        # latest entered first (2023-06-20, 2022-09-10)
# Companies: CO1 (PR1, 2022-07-01, SARL AU, 3 jobs, latest follow-up 2024-07-01 active with 5
# employees, revenue 350 000) and CO2 (PR2, 2023-07-01, cooperative, 2 jobs, closed at its
# 2024-07-01 follow-up). Jobs planned: BP1 3 (PR1), BP3 2 (PR2's latest validated plan).
COMPANY_CARDS = {"Entreprises créées": "2", "Entreprises actives": "1", "Emplois créés": "5", "Emplois actuels": "5",
                 "Part encore active": f"50,0{NBSP}%", "CA des 12 derniers mois": mad("350 000")}
# Survival: at 12 months CO1 is active (follow-up 2023-07-01), CO2 closed (2024-07-01); at 24
# months CO1 active (2024-07-01), CO2 closed (its 2024-07-01 follow-up, the latest before
# 2025-07-01). Both registered more than 24 months before today (this test runs after 2025-07-01).
SURVIVAL = {"Survie à 12 mois": f"50,0{NBSP}%", "Survie à 24 mois": f"50,0{NBSP}%"}
# The same by METRICS.md key: CO1 + CO2 created (3 + 2 jobs); CO1 active now with 5 employees.
COMPANY_INDICATORS = {"companies_created": "2", "companies_active": "1", "jobs_created": "5", "jobs_now": "5"}
COMPANIES_ALL = ["CO2", "CO1"]                        # latest registered first
COMPANIES_AGRICULTURE = ["CO2"]                       # PR2's sector

INJECTIONS = ["BOA' OR '1'='1", "x'; drop table financing_decisions; --", "CAM\" or 1=1 --", "%' --"]


# ------------------------------------------------------------------------------ fixtures and helpers


@pytest.fixture
def downloads(monkeypatch) -> dict[str, object]:
    """What the pages offer for download, by media file id: bytes (CSV, built at once) or the
    callable that builds the file on click (XLSX)."""
    files: dict[str, object] = {}
    load, defer = MemoryMediaFileStorage.load_and_get_id, MediaFileManager.add_deferred

    def load_and_get_id(self, path_or_data, mimetype, kind, filename=None):
        file_id = load(self, path_or_data, mimetype, kind, filename)
        files[file_id] = path_or_data
        return file_id

    def add_deferred(self, data_callable, mimetype, coordinates, file_name=None, *, element_id=""):
        file_id = defer(self, data_callable, mimetype, coordinates, file_name, element_id=element_id)
        files[file_id] = data_callable
        return file_id

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", load_and_get_id)
    monkeypatch.setattr(MediaFileManager, "add_deferred", add_deferred)
    return files


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def table_with(at, header: str) -> pd.DataFrame:
    """The first on-screen table having a column `header`."""
    for frame in at.dataframe:
        if header in frame.value.columns:
            return frame.value
    raise AssertionError(f"no table with a column {header!r}")


def downloaded(at, files: dict[str, object], key: str) -> bytes:
    """The bytes of the page's download button `key` (e.g. financing_decisions_csv)."""
    button = next(b for b in at.get("download_button") if b.proto.id.endswith(key))
    file_id = button.proto.deferred_file_id or button.proto.url.rsplit("/", 1)[-1].split(".")[0]
    data = files[file_id]
    return data() if callable(data) else data


def csv_rows(data: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(data), sep=";", decimal=",", encoding="utf-8-sig", dtype=str)


def xlsx_rows(data: bytes) -> list[tuple]:
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    return list(sheet.iter_rows(values_only=True))


def chart_data(at, trace_type: str) -> list[dict]:
    return [trace for chart in at.get("plotly_chart") for trace in json.loads(chart.proto.spec)["data"]
            if trace["type"] == trace_type]


def assert_no_exception(at) -> None:
    assert not at.exception, [e.value for e in at.exception]


def page_text(at) -> str:
    """Every text, caption, metric, option and table cell of the page, for "never shown" checks."""
    parts = [e.value for kind in ("title", "markdown", "caption", "info", "subheader") for e in at.get(kind)]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    parts += [str(option) for box in at.selectbox for option in box.options]
    parts += [frame.value.to_csv() for frame in at.dataframe]
    parts += [chart.proto.spec for chart in at.get("plotly_chart")]
    return "\n".join(parts)


# ------------------------------------------------------------------------------ financing, bank accounts
def test_bank_lands_on_financing_with_its_own_figures(monkeypatch, programme_db):
    """Test that BOA lands on Financing and its cards are BOA's own figures (FD1, FD3, FD4, FD5)."""
    at = dashboard(monkeypatch, programme_db, account="boa")
    assert_no_exception(at)
    assert at.title[0].value == "Financement des projets"
    shown = metrics(at)
    assert {label: shown[label] for label in BOA_CARDS} == BOA_CARDS


def test_bank_cards_are_the_metrics_indicators_of_its_scope(monkeypatch, programme_db):
    """Test that BOA's page shows each METRICS.md indicator under its glossary label, with BOA's
    hand-counted value."""
    at = dashboard(monkeypatch, programme_db, account="boa")
    shown = metrics(at)
    assert {key: shown[kpis_label(key)] for key in BOA_INDICATORS} == BOA_INDICATORS


def kpis_label(key: str) -> str:
    from pie import i18n
    return i18n.t(f"kpi.{key}")


def amounts_chart(at) -> dict[str, float]:
    """The amounts chart's bars: name (one line) -> amount, in the order drawn."""
    bars = next(trace for trace in chart_data(at, "bar") if len(trace.get("y", ())) == 4
                and "<br>(" in "".join(trace.get("text", ())))
    return {name.replace("<br>", " "): value for name, value in zip(bars["x"], bars["y"])}


def test_bank_pipeline_counts_its_projects(monkeypatch, programme_db):
    """Test that BOA's pipeline funnel counts its projects at each step and names no amount
    (the amounts are named once, in the amounts chart)."""
    at = dashboard(monkeypatch, programme_db, account="boa")
    funnel = chart_data(at, "funnel")[0]
    assert funnel["x"] == BOA_PIPELINE["projects"]
    assert not any("MAD" in text for text in funnel["y"] + funnel["text"])
    assert "Montant demandé" not in page_text(at)


@pytest.mark.parametrize("lang", ["fr", "ar", "en"])
def test_financing_names_its_four_amounts_once_in_order(monkeypatch, programme_db, lang):
    """Test that BOA's amounts chart shows asked in plans, asked in files sent to banks, approved
    and disbursed, in that order, with the hand-counted amounts, in every language; approved and
    disbursed are the cards' METRICS.md amounts."""
    at = dashboard(monkeypatch, programme_db, account="boa", lang=lang)
    assert_no_exception(at)
    assert list(amounts_chart(at).items()) == list(zip(AMOUNT_NAMES[lang], BOA_AMOUNTS))  # in this order
    if lang == "fr":
        assert (metrics(at)["Montant accordé"], metrics(at)["Montant décaissé"]) == (mad("120 000"), mad("100 000"))


def test_manager_amounts_cover_every_bank(monkeypatch, programme_db):
    """Test the four amounts over every bank's decisions (FD1..FD5)."""
    at = opened_on(monkeypatch, programme_db, "manager", FINANCING)
    assert_no_exception(at)
    assert list(amounts_chart(at).values()) == ALL_AMOUNTS


def test_bank_sees_and_downloads_only_its_decisions(monkeypatch, programme_db, downloads):
    """Test that BOA's decisions table and both its downloads hold FD1 FD3 FD4 FD5, never CAM's FD2."""
    at = dashboard(monkeypatch, programme_db, account="boa")
    assert list(table_with(at, "Décision de la banque")["Décision"]) == BOA_DECISIONS
    rows = csv_rows(downloaded(at, downloads, "financing_decisions_csv"))
    assert list(rows["Décision"]) == BOA_DECISIONS
    assert set(rows["Banque"]) == {"Bank Of Africa"}
    workbook = xlsx_rows(downloaded(at, downloads, "financing_decisions_xlsx"))
    assert [row[0] for row in workbook[1:]] == BOA_DECISIONS
    for key in ("financing_decisions_csv", "financing_outcomes_csv", "financing_groups_product_csv"):
        text = downloaded(at, downloads, key).decode("utf-8-sig")
        assert "CAM" not in text and "FD2" not in text and "Crédit Agricole" not in text, key


def test_bank_page_never_names_another_bank(monkeypatch, programme_db):
    """Test that nothing on BOA's page (texts, options, tables, charts) mentions CAM or FD2."""
    at = dashboard(monkeypatch, programme_db, account="boa")
    for breakdown in ("product", "branch", "region"):
        at = at.radio(key="partners_financing_by_widget").set_value(breakdown).run()
        text = page_text(at)
        assert "CAM" not in text and "FD2" not in text and "Crédit Agricole" not in text, breakdown


def test_bank_account_has_no_bank_selector(monkeypatch, programme_db):
    """Test that a bank account is offered no bank choice and no "by bank" breakdown."""
    at = dashboard(monkeypatch, programme_db, account="boa")
    assert "partners_financing_bank_widget" not in [box.key for box in at.selectbox]
    assert "bank" not in at.radio(key="partners_financing_by_widget").options


def test_second_bank_sees_only_its_decision(monkeypatch, programme_db, downloads):
    """Test that CAM sees FD2 only: its cards, its table, its download."""
    at = dashboard(monkeypatch, programme_db, account="cam")
    shown = metrics(at)
    assert {label: shown[label] for label in CAM_CARDS} == CAM_CARDS
    assert list(table_with(at, "Décision de la banque")["Décision"]) == CAM_DECISIONS
    text = downloaded(at, downloads, "financing_decisions_csv").decode("utf-8-sig")
    assert "FD2" in text and not any(f"FD{n}" in text for n in (1, 3, 4, 5))
    assert "BOA" not in page_text(at)


def test_url_bank_parameter_cannot_change_a_bank_account(monkeypatch, programme_db, downloads):
    """Test that BOA opening ?bank=CAM (or a forged breakdown) still sees only BOA's rows."""
    at = dashboard(monkeypatch, programme_db, account="boa", bank="CAM", by="bank", branch="CAM Agadir")
    assert_no_exception(at)
    shown = metrics(at)
    assert {label: shown[label] for label in BOA_CARDS} == BOA_CARDS
    assert list(table_with(at, "Décision de la banque")["Décision"]) == BOA_DECISIONS
    assert "FD2" not in downloaded(at, downloads, "financing_decisions_csv").decode("utf-8-sig")
    assert at.radio(key="partners_financing_by_widget").value == "product"


def test_sql_injection_in_url_parameters_is_inert(monkeypatch, programme_db):
    """Test that SQL in every page parameter of the URL is ignored: BOA's figures, no error."""
    values = dict(zip(("bank", "branch", "product", "focus_region"), INJECTIONS))
    at = dashboard(monkeypatch, programme_db, account="boa", by=INJECTIONS[0], **values)
    assert_no_exception(at)
    assert metrics(at)["Montant accordé"] == BOA_CARDS["Montant accordé"]
    assert list(table_with(at, "Décision de la banque")["Décision"]) == BOA_DECISIONS
    assert not any(value in at.query_params.values() for value in INJECTIONS)


# ------------------------------------------------------------------------------ financing, managers
def test_manager_sees_every_bank_by_default(monkeypatch, programme_db):
    """Test that a manager's Financing page covers both banks until one is chosen."""
    at = opened_on(monkeypatch, programme_db, "manager", FINANCING)
    assert_no_exception(at)
    shown = metrics(at)
    assert {label: shown[label] for label in ALL_CARDS} == ALL_CARDS
    assert list(table_with(at, "Décision de la banque")["Décision"]) == ALL_DECISIONS
    assert at.selectbox(key="partners_financing_bank_widget").options == ["Toutes les banques", "Bank Of Africa (BOA)",
                                                               "Crédit Agricole du Maroc (CAM)"]


def test_manager_bank_selector_narrows_to_that_bank(monkeypatch, programme_db):
    """Test that a manager choosing BOA sees BOA's figures, and the URL says so."""
    at = opened_on(monkeypatch, programme_db, "manager", FINANCING)
    at = at.selectbox(key="partners_financing_bank_widget").set_value("BOA").run()
    shown = metrics(at)
    assert {label: shown[label] for label in BOA_CARDS} == BOA_CARDS
    assert list(table_with(at, "Décision de la banque")["Décision"]) == BOA_DECISIONS
    assert at.query_params.get("bank") == "BOA"


def test_manager_bookmark_with_a_bank_opens_on_it(monkeypatch, programme_db):
    """Test that ?bank=CAM opens a manager's Financing page on CAM's figures."""
    at = opened_on(monkeypatch, programme_db, "manager", FINANCING, bank="CAM")
    shown = metrics(at)
    assert {label: shown[label] for label in CAM_CARDS} == CAM_CARDS
    assert at.selectbox(key="partners_financing_bank_widget").value == "CAM"


def test_manager_ignores_forged_values_in_url(monkeypatch, programme_db):
    """Test that a manager's ?bank=<SQL> (and other forged page values) are ignored: every bank's figures."""
    values = dict(zip(("bank", "branch", "product", "focus_region"), INJECTIONS))
    at = opened_on(monkeypatch, programme_db, "manager", FINANCING, **values)
    assert_no_exception(at)
    assert metrics(at)["Montant accordé"] == ALL_CARDS["Montant accordé"]
    assert list(table_with(at, "Décision de la banque")["Décision"]) == ALL_DECISIONS


def test_manager_cards_are_the_indicators_of_the_chosen_bank(monkeypatch, programme_db):
    """Test that with the selector on CAM a manager sees CAM's hand-counted cards (FD2 only)."""
    at = opened_on(monkeypatch, programme_db, "manager", FINANCING, bank="CAM")
    shown = metrics(at)
    assert {label: shown[label] for label in CAM_CARDS} == CAM_CARDS


def test_branch_in_url_narrows_the_tables(monkeypatch, programme_db):
    """Test that ?by=branch&branch=… narrows the decisions to that branch and says so."""
    at = opened_on(monkeypatch, programme_db, "manager", FINANCING, by="branch", branch=TALBORJT)
    assert list(table_with(at, "Décision de la banque")["Décision"]) == TALBORJT_DECISIONS
    assert any(TALBORJT in info.value for info in at.info)
    assert metrics(at)["Montant accordé"] == ALL_CARDS["Montant accordé"]   # cards keep the whole scope


def test_focus_select_box_narrows_and_clear_button_restores(monkeypatch, programme_db):
    """Test that choosing a product narrows the tables, is mirrored in the URL, and "show all" clears it."""
    at = opened_on(monkeypatch, programme_db, "manager", FINANCING)
    at = at.selectbox(key="partners_financing_product_widget").set_value("microcredit").run()
    assert list(table_with(at, "Décision de la banque")["Décision"]) == MICROCREDIT_DECISIONS
    assert at.query_params.get("product") == "microcredit"
    at = at.button(key="financing_clear").click().run()
    assert list(table_with(at, "Décision de la banque")["Décision"]) == ALL_DECISIONS
    assert "product" not in at.query_params


def test_focus_survives_a_change_of_breakdown(monkeypatch, programme_db):
    """Test that a branch chosen under "by branch" still narrows the tables when showing products."""
    at = opened_on(monkeypatch, programme_db, "manager", FINANCING, by="branch")
    at = at.selectbox(key="partners_financing_branch_widget").set_value(TALBORJT).run()
    at = at.radio(key="partners_financing_by_widget").set_value("product").run()
    assert list(table_with(at, "Décision de la banque")["Décision"]) == TALBORJT_DECISIONS
    assert at.query_params.get("branch") == TALBORJT and at.query_params.get("by") == "product"


def test_bank_year_without_decisions_says_so(monkeypatch, programme_db):
    """Test that CAM in 2021-2022 (its only project is of 2022-2023) gets the empty message."""
    at = dashboard(monkeypatch, programme_db, account="cam", year="2021-2022")
    assert_no_exception(at)
    assert at.info and not at.metric


def test_chart_click_sets_only_an_offered_code(monkeypatch):
    """Test that a click on a bar sets the focus to its code, and a code the chart does not offer is ignored."""
    fake = SimpleNamespace(session_state={}, query_params={})
    monkeypatch.setattr(partner_drill, "st", fake)
    fake.session_state["chart"] = {"selection": {"points": [{"customdata": [TALBORJT, "33,3 %"]}]}}
    partner_drill._picked("chart", "branch", frozenset({TALBORJT}))
    assert fake.session_state["partners__branch"] == TALBORJT and fake.query_params["branch"] == TALBORJT
    fake.session_state["chart"] = {"selection": {"points": [{"customdata": ["CAM Agadir"]}]}}
    partner_drill._picked("chart", "branch", frozenset({TALBORJT}))
    assert fake.session_state["partners__branch"] == "" and "branch" not in fake.query_params


def test_with_bank_and_with_incubator_never_change_a_restriction():
    """Test that the selectors' narrowing keeps a bank's or an incubator's own restriction."""
    assert session.with_bank(Scope.for_role("bank", "BOA"), "CAM").bank == "BOA"
    assert session.with_bank(Scope.for_role("manager"), "CAM").bank == "CAM"
    assert session.with_bank(Scope.for_role("manager"), None).bank is None
    assert session.with_incubator(Scope.for_role("incubator", "MCISE"), "Technopark Agadir").incubator == "MCISE"
    assert session.with_incubator(Scope.for_role("admin"), "MCISE").incubator == "MCISE"


# ------------------------------------------------------------------------------ incubation
def test_incubator_lands_on_incubation_with_its_projects_only(monkeypatch, programme_db, downloads):
    """Test that MCISE sees PR1 only (not Technopark Agadir's PR2): cards, tables, downloads."""
    at = dashboard(monkeypatch, programme_db, account="mcise")
    assert_no_exception(at)
    assert at.title[0].value == "Incubation et accompagnement"
    shown = metrics(at)
    assert {label: shown[label] for label in MCISE_CARDS} == MCISE_CARDS
    assert list(table_with(at, "Incubateur")["Projet"]) == MCISE_PROJECTS
    assert list(table_with(at, "Séance")["Séance"]) == MCISE_SESSIONS
    text = downloaded(at, downloads, "incubation_projects_csv").decode("utf-8-sig")
    assert "PR1" in text and "PR2" not in text and "Technopark" not in text
    assert "Technopark" not in page_text(at) and "PR2" not in page_text(at)


def test_incubator_sankey_follows_its_projects(monkeypatch, programme_db):
    """Test that MCISE's Sankey has PR1's flows: pre-incubation → incubation → still there."""
    at = dashboard(monkeypatch, programme_db, account="mcise")
    sankey = chart_data(at, "sankey")[0]
    labels = sankey["node"]["label"]
    links = {(labels[s], labels[t]): v for s, t, v in
             zip(sankey["link"]["source"], sankey["link"]["target"], sankey["link"]["value"])}
    assert links == MCISE_FLOWS


def test_url_incubator_parameter_cannot_change_an_incubator_account(monkeypatch, programme_db):
    """Test that MCISE opening ?incubator=Technopark Agadir still sees only its own project."""
    at = dashboard(monkeypatch, programme_db, account="mcise", incubator="Technopark Agadir", stage="pre_incubation")
    assert_no_exception(at)
    assert metrics(at)["Projets incubés"] == "1"
    assert list(table_with(at, "Incubateur")["Projet"]) == MCISE_PROJECTS
    assert "partners_incubation_incubator_widget" not in [box.key for box in at.selectbox]


def test_manager_incubation_covers_every_incubator(monkeypatch, programme_db):
    """Test that a manager sees both incubated projects and can narrow to MCISE."""
    at = opened_on(monkeypatch, programme_db, "manager", INCUBATION)
    assert_no_exception(at)
    bars = chart_data(at, "bar")[0]
    assert dict(zip(bars["y"], bars["x"])) == ALL_STAGES_NOW
    assert list(table_with(at, "Incubateur")["Projet"]) == ALL_INCUBATED
    at = at.selectbox(key="partners_incubation_incubator_widget").set_value("MCISE").run()
    shown = metrics(at)
    assert {label: shown[label] for label in MCISE_CARDS} == MCISE_CARDS
    assert at.query_params.get("incubator") == "MCISE"


def test_stage_focus_narrows_the_projects(monkeypatch, programme_db):
    """Test that ?stage=pre_incubation lists only PR2, the project still in pre-incubation."""
    at = opened_on(monkeypatch, programme_db, "manager", INCUBATION, stage="pre_incubation")
    assert list(table_with(at, "Incubateur")["Projet"]) == ["PR2"]


# ------------------------------------------------------------------------------ companies
def test_companies_page_figures(monkeypatch, programme_db):
    """Test the Companies cards: created, active, jobs, share active, survival, revenue."""
    at = opened_on(monkeypatch, programme_db, "manager", COMPANIES)
    assert_no_exception(at)
    shown = metrics(at)
    assert {label: shown[label] for label in COMPANY_CARDS} == COMPANY_CARDS
    assert {label: shown[label] for label in SURVIVAL} == SURVIVAL
    assert list(table_with(at, "Forme juridique")["Entreprise"]) == COMPANIES_ALL


def test_companies_cards_are_the_metrics_indicators(monkeypatch, programme_db):
    """Test that the Companies page shows each METRICS.md indicator under its glossary label,
    with the whole programme's hand-counted value."""
    at = opened_on(monkeypatch, programme_db, "manager", COMPANIES)
    shown = metrics(at)
    assert {key: shown[kpis_label(key)] for key in COMPANY_INDICATORS} == COMPANY_INDICATORS


def test_companies_sector_in_url_narrows_the_list(monkeypatch, programme_db):
    """Test that ?by=sector&sector=agriculture lists only CO2."""
    at = opened_on(monkeypatch, programme_db, "manager", COMPANIES, by="sector", sector="agriculture")
    assert list(table_with(at, "Forme juridique")["Entreprise"]) == COMPANIES_AGRICULTURE
    assert at.radio(key="partners_companies_by_widget").value == "sector"


def test_jobs_planned_created_and_now(programme_db):
    """Test the jobs comparison: 5 planned (BP1 3 + BP3 2), 5 created (3 + 2), 5 now (CO1's 5)."""
    row = companies.by_group(db.reader(programme_db), Scope(), breakdown="all").iloc[0]
    assert (row["planned_jobs"], row["jobs_created"], row["jobs_now"], row["revenue_mad"]) == (5, 5, 5, 350_000)


def test_survival_excludes_unknown_and_too_recent(small_db, tmp_path):
    """Test the survival rule on a third company: registered 2023-01-01, closed in the register,
    no follow-up, so its status at 12 months is unknown; at 2024-06-30, 24 months are not over."""
    path = copy_of(small_db, tmp_path)
    with db.writing(path) as con:
        con.execute("insert into companies values ('CO3', 'PR3', 'auto_entrepreneur', '2023-01-01', null, 1, 'closed')")
    source = db.reader(path)
    frame = companies.survival(source, Scope(), as_of=date(2024, 6, 30)).set_index("months")
    # 12 months: CO1 active, CO2 (2024-07-01 is after 2024-06-30: too recent), CO3 unknown.
    counts = ["n_eligible", "n_active", "n_closed", "n_unknown", "n_too_recent"]
    assert frame.loc[12, counts].tolist() == [2, 1, 0, 1, 1]
    assert frame.loc[12, "survival_rate"] == 1.0
    # 24 months: none is old enough (CO1, the oldest, reaches 24 months on 2024-07-01).
    assert frame.loc[24, "n_eligible"] == 0 and pd.isna(frame.loc[24, "survival_rate"])


# ------------------------------------------------------------------------------ empty databases
@pytest.mark.parametrize("scope", [Scope(), Scope.for_role("bank", "BOA"), Scope.for_role("incubator", "MCISE"),
                                   Scope(academic_year="2022-2023", region_code="09", establishment_id="E1")])
def test_every_question_runs_on_an_empty_database(empty_db, scope):
    """Test that each question of the three pages answers an empty database (no row, no error)."""
    source = db.reader(empty_db)
    figures = [financing.banks, financing.pipeline, financing.by_group, financing.loan_health,
               financing.days_to_decision, financing.rejection_reasons, financing.decisions, financing.outcomes,
               incubation.incubators, incubation.stages_now, incubation.flows, incubation.time_in_stage,
               incubation.coaching, incubation.projects, incubation.sessions,
               companies.by_group, companies.companies, companies.survival]
    for figure in figures:
        frame = figure(source, scope)
        # the pipeline lists its steps and survival its horizons, with zero counts
        assert frame.empty or figure in (financing.pipeline, companies.survival), figure.__qualname__


@pytest.mark.parametrize("page", [FINANCING, INCUBATION, COMPANIES])
def test_pages_on_an_empty_database_say_so(monkeypatch, empty_db, page):
    """Test that each page on an empty database shows the friendly empty message, no error."""
    at = opened_on(monkeypatch, empty_db, "manager", page)
    assert_no_exception(at)
    assert at.info and not at.metric


def test_a_median_is_never_shown_as_a_contribution():
    """Test that, with no year chosen, the median delay's note is the latest year's own median
    (no sign, no arrow, no colour), not a difference read as an increase."""
    from pie.ui.cards import Comparison

    delta = Comparison("contribution", "2025-2026", {"median_days_to_decision": 84.0}).delta(
        "median_days_to_decision", 79.0)
    assert delta["delta_arrow"] == "off" and delta["delta_color"] == "off"
    assert "84" in delta["delta"] and "+" not in delta["delta"]
