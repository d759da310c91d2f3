"""What each user kind asked for (issue 15): leadership's Companies and jobs (aggregated, by
region) and the banks side by side; a bank's pending decisions, oldest first, with the lead's
contact (masked, logged), and its PAR30 month by month; targets on the Overview; the Regions
progress chart judged against the expected value.

Expected figures are worked out by hand from tests/fixtures/small_programme.sql (the comments
say which rows); `waiting_db` adds two pending decisions to it (see PENDING_ROWS).
"""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from apptest_support import DASHBOARD, copy_of, signed_in
from pie import db, kpis
from pie.errors import PieError
from pie.financing import figures as financing
from pie.leadership import charts as leadership_charts
from pie.leadership import figures as leadership
from pie.privacy import access_log
from pie.scope import Scope

pytestmark = pytest.mark.usefixtures("fresh_caches")

COMPANIES = "pages/programme/companies.py"
FINANCING = "pages/financing/financing.py"
OVERVIEW = "pages/programme/overview.py"
REGIONS = "pages/leadership/regions.py"
NBSP = "\u00a0"

# ------------------------------------------------------------------------------ expected, by hand
# Banks side by side, whole programme. BOA: FD1 approved (120 000, disbursed 100 000, 30 days),
# FD3 and FD5 rejected (10 and 20 days), FD4 pending; FD1's latest follow-up 60 000 at 45 days.
# CAM: FD2 approved (50 000, disbursed 50 000, 40 days); 40 000 outstanding at 0 days.
# (bank, decisions, approval rate, median days, PAR30, approved, disbursed)
BANKS = [
    ("BOA", 4, 1 / 3, 20.0, 1.0, 120_000, 100_000),
    ("CAM", 1, 1.0, 40.0, 0.0, 50_000, 50_000),
    (None, 5, 0.5, 25.0, 0.6, 170_000, 150_000),   # every bank: median of 10, 20, 30, 40
]
# Oriental (02): PR3 only, whose one decision (FD4, BOA) is pending: nothing decided, no loan.
BANKS_ORIENTAL = [("BOA", 1, None, None, None, 0, 0), (None, 1, None, None, None, 0, 0)]

# PAR30 at two month ends. 2023-06-30: FD1 (approved 2022-06-01) at its 2022-12-31 follow-up,
# 90 000 at 0 days; FD2 approved 2023-06-11 has no follow-up yet -> 0 / 90 000 = 0.
# 2023-12-31: FD1 60 000 at 45 days, FD2 40 000 at 0 days -> 60 000 / 100 000.
PAR30_ALL = {date(2023, 6, 30): 0.0, date(2023, 12, 31): 0.6}
PAR30_BOA = {date(2023, 6, 30): 0.0, date(2023, 12, 31): 1.0}    # FD1 alone
PAR30_CAM = {date(2023, 12, 31): 0.0}                             # FD2's only follow-up
MONTHS_ALL = 13                                                   # 2022-12 .. 2023-12

# Pending decisions on waiting_db: the data date T stays 2024-07-01 (company follow-ups).
# FD4 BOA on BP4 (PR3, submitted 2023-06-01): 2023-06-01 -> 2024-06-01 is 366 days (29/02/2024),
# + 30 = 396. FD6 CAM on BP4 too: 396. FD7 BOA on BP6 (PR1, submitted 2024-01-15): 17 days to
# 1 February, then 29 + 31 + 30 + 31 + 30 to 1 July = 168.
PENDING_ROWS = [
    "insert into business_plans values ('BP6', 'PR1', 2, 'submitted', '2024-01-15', null, 30000.00, 1)",
    "insert into financing_decisions values ('FD6', 'BP4', 'CAM', 'CAM Oujda', 'intelaka', 'pending', "
    "null, null, null, null, null)",
    "insert into financing_decisions values ('FD7', 'BP6', 'BOA', 'BOA Agadir Talborjt', 'intelaka', 'pending', "
    "null, null, null, null, null)",
]
PENDING_BOA = [("FD4", 396, "P08"), ("FD7", 168, "P01")]          # oldest first
PENDING_CAM = [("FD6", 396, "P08")]
PENDING_ALL = [("FD4", 396, "P08"), ("FD6", 396, "P08"), ("FD7", 168, "P01")]  # same day: by id
SALMA = ("Salma Bennani", "+212656789012", "+2126****012")       # P08, PR3's lead
FATIMA = ("Fatima Zahra El Amrani", "+212612345678", "+2126****678")  # P01, PR1's lead

# Targets 2022-2023 (finished on the data date 2024-07-01): participants 5 (09) + 4 (02) = 9,
# actual C2 (3) + C3 (3) = 6 -> 67 %, missed; companies created 2 (09), actual CO2 -> 50 %, missed.
# (indicator, target, actual, progress, status)
OVERVIEW_TARGETS = [("Participants", 9, 6, 6 / 9, "Non atteint"), ("Entreprises créées", 2, 1, 0.5, "Non atteint")]
# Souss-Massa only: participants 3 of 5, companies 1 of 2.
OVERVIEW_TARGETS_09 = [("Participants", 5, 3, 0.6, "Non atteint"), ("Entreprises créées", 2, 1, 0.5, "Non atteint")]

# Companies by region (leadership): CO1 (PR1) and CO2 (PR2) are both Souss-Massa's (E1);
# CO1 active with 5 employees, CO2 closed: created 2, active 1, jobs created 3 + 2, now 5.
COMPANIES_BY_REGION = {"Région": "Souss-Massa", "Entreprises créées": "2", "Actives": "1",
                       "Emplois à la création": "5", "Emplois actuels": "5"}
COMPANY_ROWS = ["CO1", "CO2", "PR1", "PR2", "Drones agricoles", "Coopérative d'argan", "001234567000089"]
PEOPLE = ["Fatima Zahra", "Youssef Benali", "Khadija Ouahbi", "Omar Tazi", "Salma Bennani", "+2126"]


# ------------------------------------------------------------------------------ fixtures and helpers
@pytest.fixture(scope="module")
def waiting_db(small_db, tmp_path_factory) -> Path:
    """The small programme plus a second BOA pending decision (FD7) and a CAM one (FD6)."""
    path = copy_of(small_db, tmp_path_factory.mktemp("waiting"))
    with db.writing(path) as con:
        for statement in PENDING_ROWS:
            con.execute(statement)
    return path


@pytest.fixture
def writable_waiting_db(waiting_db, tmp_path) -> Path:
    """A private copy of waiting_db (its own accounts store, so its own access log)."""
    return copy_of(waiting_db, tmp_path / "db")


def open_page(monkeypatch, database: Path, account: str, page: str, **query_params: str) -> AppTest:
    monkeypatch.setenv("PIE_DB", str(database))
    at = AppTest.from_file(DASHBOARD, default_timeout=30)
    at.query_params.update(query_params)
    return signed_in(at, account).switch_page(page).run()


def assert_no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def table_with(at: AppTest, header: str) -> pd.DataFrame:
    for frame in at.dataframe:
        if header in frame.value.columns:
            return frame.value
    raise AssertionError(f"no table with a column {header!r}")


def page_text(at: AppTest) -> str:
    parts = [e.value for kind in ("title", "header", "markdown", "caption", "info", "success") for e in at.get(kind)]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    parts += [str(option) for box in at.selectbox for option in box.options]
    parts += [frame.value.to_csv() for frame in at.dataframe]
    parts += [chart.proto.spec for chart in at.get("plotly_chart")]
    return "\n".join(parts)


def absent(value: object) -> bool:
    return value is None or pd.isna(value)


def same(got: object, expected: object) -> bool:
    return absent(got) if expected is None else not absent(got) and abs(float(got) - expected) < 1e-9


def bank_rows(frame: pd.DataFrame) -> list[tuple]:
    columns = ["bank", "n_decisions", "approval_rate", "median_days_to_decision", "portfolio_at_risk_30",
               "amount_approved_mad", "amount_disbursed_mad"]
    return [tuple(None if absent(v) else v for v in row) for row in frame[columns].itertuples(index=False)]


def assert_bank_rows(frame: pd.DataFrame, expected: list[tuple]) -> None:
    got = bank_rows(frame)
    assert [row[0] for row in got] == [row[0] for row in expected]
    assert list(frame["is_total"]) == [row[0] is None for row in expected]
    for row, want in zip(got, expected):
        assert row[1] == want[1], row
        assert all(same(g, w) for g, w in zip(row[2:], want[2:])), (row, want)


# ------------------------------------------------------------------------------ banks side by side
@pytest.mark.parametrize("role", ["manager", "leadership"])
def test_banks_side_by_side_by_hand(small_db, role):
    """Test that BOA and CAM get their hand-counted decisions, approval rate, median delay,
    PAR30 and amounts, then every bank together, for managers and leadership alike."""
    frame = leadership.banks_side_by_side(db.reader(small_db), Scope.for_role(role))
    assert_bank_rows(frame, BANKS)


def test_banks_side_by_side_of_a_region_with_nothing_decided(small_db):
    """Test that Oriental's only decision (pending) gives no rate, no delay and no PAR30."""
    frame = leadership.banks_side_by_side(db.reader(small_db), Scope(region_code="02"))
    assert_bank_rows(frame, BANKS_ORIENTAL)


def test_banks_side_by_side_names_no_client(small_db):
    """Test that the answer holds figures per bank only: no decision, plan, project or person."""
    frame = leadership.banks_side_by_side(db.reader(small_db), Scope.for_role("leadership"))
    assert not {"decision_id", "plan_id", "project_id", "project_name", "lead_name", "lead_id"} & set(frame.columns)
    assert not any(text in frame.to_csv() for text in ("FD1", "PR1", "BP1", "P01", *PEOPLE))


# ------------------------------------------------------------------------------ pending decisions
@pytest.mark.parametrize("role, code, expected", [("bank", "BOA", PENDING_BOA), ("bank", "CAM", PENDING_CAM),
                                                  ("manager", None, PENDING_ALL)])
def test_pending_decisions_oldest_first_with_whole_days(waiting_db, role, code, expected):
    """Test that each bank gets its own pending decisions only, longest waiting first, with the
    whole days since the plan's submission on the data date, and the project's lead."""
    frame = financing.pending_decisions(db.reader(waiting_db), Scope.for_role(role, code))
    assert frame.attrs["as_of"] == date(2024, 7, 1)
    assert list(zip(frame["decision_id"], frame["days_waiting"], frame["lead_id"])) == expected
    names = dict(zip(frame["lead_id"], frame["lead_name"]))
    phones = dict(zip(frame["lead_id"], frame["lead_phone"]))
    assert names.get("P08", SALMA[0]) == SALMA[0] and phones.get("P08", SALMA[1]) == SALMA[1]
    assert names.get("P01", FATIMA[0]) == FATIMA[0] and phones.get("P01", FATIMA[1]) == FATIMA[1]


def test_pending_decisions_without_personal_data_carry_no_contact(waiting_db):
    """Test that a scope without personal data gets the list without names or phones, and that
    leadership (aggregates only) gets no list at all."""
    scope = Scope(personal_data=False)
    frame = financing.pending_decisions(db.reader(waiting_db), scope)
    assert not {"lead_name", "lead_phone", "lead_email"} & set(frame.columns)
    assert not any(text in frame.to_csv() for text in PEOPLE)
    with pytest.raises(PieError):
        financing.pending_decisions(db.reader(waiting_db), Scope.for_role("leadership"))


# ------------------------------------------------------------------------------ PAR30 month by month
@pytest.mark.parametrize("role, code, expected", [("manager", None, PAR30_ALL), ("bank", "BOA", PAR30_BOA),
                                                  ("bank", "CAM", PAR30_CAM)])
def test_par30_month_ends_by_hand(small_db, role, code, expected):
    """Test two month ends of PAR30 (one for CAM, whose only follow-up is in December 2023)."""
    frame = financing.par30_by_month(db.reader(small_db), Scope.for_role(role, code))
    by_month = dict(zip(frame["month_end"], frame["portfolio_at_risk_30"]))
    assert {month: by_month[month] for month in expected} == pytest.approx(expected)
    if role == "manager":
        assert len(frame) == MONTHS_ALL and frame["month_end"].iloc[0] == date(2022, 12, 31)


@pytest.mark.parametrize("role, code", [("manager", None), ("bank", "BOA"), ("bank", "CAM")])
def test_par30_by_month_is_the_kpi_as_of_each_month_end(small_db, role, code):
    """Test that each month's PAR30 is the PAR30 card's value as of that date (kpis --as-of)."""
    source, scope = db.reader(small_db), Scope.for_role(role, code)
    for row in financing.par30_by_month(source, scope).itertuples():
        assert same(row.portfolio_at_risk_30, kpis.compute(source, scope, as_of=row.month_end)["portfolio_at_risk_30"])


# ------------------------------------------------------------------------------ the progress chart's reference
def test_progress_chart_marks_the_expected_value_of_a_year_in_progress(small_db):
    """Test that on 20/01/2023 (2022-2023 in progress) each region's bar has a mark at the share
    of its target expected then: Souss-Massa 100 % (its 2021-2022 cohort had all its 4
    participants by 20/01/2022), Oriental linear: 142 of 365 days, 1 September to 20 January included."""
    targets = leadership.targets_vs_actuals(db.reader(small_db), Scope(academic_year="2022-2023"),
                                            on=date(2023, 1, 20))
    fig = leadership_charts.progress_chart(targets, "participants", "fr")
    marks = [trace for trace in fig.data if trace.type == "scatter"]
    assert len(marks) == 1 and marks[0].name == "Attendu au 20/01/2023"
    expected = dict(zip(marks[0].y, marks[0].x))
    assert expected == pytest.approx({"Souss-Massa": 1.0, "Oriental": 142 / 365})
    assert not fig.layout.shapes  # no line at 100 %: the year is judged against the pace


def test_progress_chart_of_a_finished_year_draws_the_target_line(small_db):
    """Test that a finished year keeps one line at 100 % of the target, labelled as such."""
    targets = leadership.targets_vs_actuals(db.reader(small_db), Scope(academic_year="2022-2023"))
    fig = leadership_charts.progress_chart(targets, "participants", "fr")
    assert not [trace for trace in fig.data if trace.type == "scatter"]
    assert [shape.x0 for shape in fig.layout.shapes] == [1.0]
    assert [note.text for note in fig.layout.annotations] == [f"Objectif (100{NBSP}%)"]


# ------------------------------------------------------------------------------ pages: leadership
def test_leadership_companies_is_aggregated_by_region(monkeypatch, programme_db):
    """Test that leadership opens Companies and jobs grouped by region first, with the
    hand-counted figures, and no company, project or person anywhere on the page."""
    at = open_page(monkeypatch, programme_db, "leadership", COMPANIES)
    assert_no_exception(at)
    table = table_with(at, "Entreprises créées")
    assert {column: str(table[column].iloc[0]) for column in COMPANIES_BY_REGION} == COMPANIES_BY_REGION
    assert at.radio(key="partners_companies_by_widget").value == "region"
    text = page_text(at)
    assert not [value for value in (*COMPANY_ROWS, *PEOPLE) if value in text]
    assert not [frame for frame in at.dataframe if "Nom du projet" in frame.value.columns]
    assert not [box for box in at.selectbox if "focus" in str(box.key) or "sector" in str(box.key)]


def test_manager_companies_still_lists_the_companies(monkeypatch, programme_db):
    """Test that a manager's Companies page keeps its list of companies (CO2 then CO1)."""
    at = open_page(monkeypatch, programme_db, "manager", COMPANIES)
    assert_no_exception(at)
    assert list(table_with(at, "Nom du projet")["Entreprise"]) == ["CO2", "CO1"]


def test_companies_list_refuses_an_aggregates_only_scope(small_db):
    """Test that the figure behind the list refuses leadership's scope, whatever the page does."""
    from pie.companies import figures as companies
    with pytest.raises(PieError):
        companies.companies(db.reader(small_db), Scope.for_role("leadership"))


@pytest.mark.parametrize("account", ["leadership", "manager"])
def test_regions_page_shows_the_banks_side_by_side(monkeypatch, programme_db, account):
    """Test that the Regions page puts BOA, CAM and every bank side by side, figures only."""
    at = open_page(monkeypatch, programme_db, account, REGIONS)
    assert_no_exception(at)
    table = table_with(at, "Taux d'accord")
    assert list(table["Banque"]) == ["Bank Of Africa", "Crédit Agricole du Maroc", "Toutes les banques"]
    rows = table[["Décisions", "Taux d'accord", "Délai médian (jours)", "PAR30"]].astype(float).values.ravel()
    assert list(rows) == pytest.approx([value for _, *figures, _, _ in BANKS for value in figures[:4]])
    bars = {trace["name"]: dict(zip(trace["y"], trace["x"])) for chart in at.get("plotly_chart")
            for trace in json.loads(chart.proto.spec)["data"] if trace["type"] == "bar" and trace.get("name") in
            ("Taux d'accord", "Portefeuille à risque (PAR30)")}
    assert bars == {"Taux d'accord": {"Bank Of Africa": pytest.approx(1 / 3), "Crédit Agricole du Maroc": 1.0},
                    "Portefeuille à risque (PAR30)": {"Bank Of Africa": 1.0, "Crédit Agricole du Maroc": 0.0}}


@pytest.mark.parametrize("account, region, expected", [("manager", None, OVERVIEW_TARGETS),
                                                       ("leadership", None, OVERVIEW_TARGETS),
                                                       ("leadership", "09", OVERVIEW_TARGETS_09)])
def test_overview_targets_show_the_regions_page_statuses(monkeypatch, programme_db, account, region, expected):
    """Test that the Overview's targets section (the latest year with targets, 2022-2023, when no
    year is chosen) has one line per metric with a target: target, actual, progress, status."""
    params = {"region": region} if region else {}
    at = open_page(monkeypatch, programme_db, account, OVERVIEW, **params)
    assert_no_exception(at)
    assert "Objectifs 2022-2023" in [h.value for h in at.header]
    assert target_lines(at, "Réalisé") == expected
    assert any("Année terminée" in c.value for c in at.caption)


# ------------------------------------------------------------------------------ pages: banks
def pending_table(at: AppTest) -> pd.DataFrame:
    return table_with(at, "Jours d'attente")


def test_bank_financing_lists_its_pending_decisions_masked_and_logged(monkeypatch, writable_waiting_db):
    """Test that BOA sees its two pending decisions oldest first with their lead, the phone
    masked; that the view is logged with the leads' ids, and a reveal shows and logs one phone."""
    at = open_page(monkeypatch, writable_waiting_db, "boa", FINANCING)
    assert_no_exception(at)
    table = pending_table(at)
    assert list(zip(table["Décision"], table["Jours d'attente"].astype(int))) == [(d, n) for d, n, _ in PENDING_BOA]
    assert list(table["Porteur du projet"]) == [SALMA[0], FATIMA[0]]
    assert list(table["Téléphone"]) == [SALMA[2], FATIMA[2]]
    buttons = [b.proto.id for b in at.get("download_button")]
    assert [any(i.endswith(f"financing_pending_{kind}") for i in buttons) for kind in ("csv", "xlsx")] == [True] * 2
    access_log.flush()
    views = [r for r in access_log.entries(writable_waiting_db) if r["target"] == "financing/pending"]
    assert [(r["action"], r["user_name"], json.loads(r["participant_ids"])) for r in views] == [
        ("view", "boa", ["P08", "P01"])]
    at = at.selectbox(key="financing_pending_reveal").set_value("P08").run()
    revealed = [d.value for d in at.dataframe if len(d.value) == 1 and SALMA[1] in d.value.to_numpy()]
    assert revealed
    access_log.flush()
    reveals = [r for r in access_log.entries(writable_waiting_db) if r["action"] == "reveal"]
    assert [(r["user_name"], r["target"], r["participant_ids"]) for r in reveals] == [
        ("boa", "financing/pending", '["P08"]')]


def test_cam_never_sees_boa_pending_rows(monkeypatch, writable_waiting_db):
    """Test that CAM's Financing page lists FD6 only and shows nothing of BOA's FD4 and FD7."""
    at = open_page(monkeypatch, writable_waiting_db, "cam", FINANCING)
    assert_no_exception(at)
    assert list(pending_table(at)["Décision"]) == ["FD6"]
    text = page_text(at)
    assert not [value for value in ("FD4", "FD7", "BP6", "Bank Of Africa", "BOA Oujda", FATIMA[0]) if value in text]


def test_manager_financing_lists_every_bank_pending(monkeypatch, writable_waiting_db):
    """Test that a manager's Financing page lists the pending decisions of every bank."""
    at = open_page(monkeypatch, writable_waiting_db, "manager", FINANCING)
    assert_no_exception(at)
    assert list(pending_table(at)["Décision"]) == [d for d, _, _ in PENDING_ALL]


def test_bank_financing_draws_its_par30_month_by_month(monkeypatch, programme_db):
    """Test that BOA's page draws its PAR30 per month end: 0 % until November 2023, then 100 %."""
    at = open_page(monkeypatch, programme_db, "boa", FINANCING)
    assert_no_exception(at)
    lines = [trace for chart in at.get("plotly_chart") for trace in json.loads(chart.proto.spec)["data"]
             if trace["type"] == "scatter" and trace.get("mode") == "lines+markers"]
    assert len(lines) == 1
    assert lines[0]["y"] == [0.0] * 12 + [1.0]
    table = table_with(at, "Fin de mois")
    assert table["PAR30"].iloc[0] == 1.0 and len(table) == MONTHS_ALL  # latest month first


# As if the data date were 20/01/2023 (2022-2023 in progress): participants 6 of 9, expected 9
# (the 2021-2022 cohorts had all their 4 participants by 20/01/2022: share 1) -> 67 % of the
# expected, behind; companies 0 of 2, expected 0 (CO1 came after 20/01/2022: share 0) -> nothing
# expected yet, on pace. (indicator, target, actual, progress, status, expected)
OVERVIEW_TARGETS_IN_PROGRESS = [("Participants", 9, 6, 6 / 9, "En retard", 9),
                                ("Entreprises créées", 2, 0, 0.0, "Dans le rythme", 0)]


def target_lines(at: AppTest, actual: str, expected: str | None = None) -> list[tuple]:
    """The Overview's targets table as (indicator, target, actual, progress, status[, expected])."""
    table = next(frame.value for frame in at.dataframe if "Statut" in frame.value.columns)
    actual = next(column for column in table.columns if column.startswith(actual))
    columns = ["Indicateur", "Objectif", actual, "Progression", "Statut"] + ([expected] if expected else [])
    rows = [tuple(row) for row in table[columns].itertuples(index=False)]
    return [(name, int(target), int(done), pytest.approx(float(progress)), status, *(int(e) for e in rest))
            for name, target, done, progress, status, *rest in rows]


def test_overview_targets_of_a_year_in_progress_follow_the_pace(monkeypatch, programme_db):
    """Test that, the data date being 20/01/2023, the Overview judges 2022-2023 against the value
    expected then and says which reference it used."""
    monkeypatch.setattr(kpis, "data_date", lambda source, scope=None: date(2023, 1, 20))
    at = open_page(monkeypatch, programme_db, "leadership", OVERVIEW, year="2022-2023")
    assert_no_exception(at)
    assert target_lines(at, "Réalisé au 20/01/2023", "Attendu au 20/01/2023") == OVERVIEW_TARGETS_IN_PROGRESS
    assert any("Année 2022-2023 en cours (données au 20/01/2023)" in c.value for c in at.caption)
