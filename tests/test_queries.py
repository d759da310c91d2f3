"""Every named query in queries/: it binds and runs for every kind of scope with every parameter
it takes, returns the hand-counted rows of the small programme, and follows the house rules for
SQL files."""
from __future__ import annotations

import math
import re
from datetime import date

import pytest

from pie import db, queries
from pie.config import QUERIES_DIR
from pie.errors import UnknownQuery
from pie.scope import Scope

TABLES = set(db.PROGRAMME_TABLES) | {"regions", "import_batches", "app_meta"}
SCOPES = [Scope(), Scope(academic_year="2022-2023", region_code="09", establishment_id="E1"),
          Scope.for_role("bank", "BOA"), Scope.for_role("incubator", "MCISE")]
SCOPE_PARAMETERS = set(Scope().parameters())

# A sensible value for every non-scope parameter a query may take, by name. queries.run passes a
# query only the parameters it uses, so a name no query uses any more is harmless here.
PARAMETERS: dict[str, object] = {
    "as_of": date(2024, 12, 31),
    "days": 30, "idle_days": 30,
    "phase": None, "with_contacts": True,
    "cohort": None, "gender": None, "profile": None, "sector": None,
    "breakdown": "region", "previous_year": None, "previous_as_of": None,
    "focus_year": None, "focus_region": None, "focus_sector": None, "focus_legal_form": None,
    "focus_branch": None, "focus_product": None, "focus_stage": None, "focus_partner": None,
}
# Queries whose parameter takes other values than the table's.
OVERRIDES: dict[str, dict[str, object]] = {}

# What each query returns on the small programme (tests/fixtures/small_programme.sql), whole
# programme, with PARAMETERS: (row count, {column: its values in the query's order}).
EXPECTED: dict[str, tuple[int, dict[str, list]]] = {
    "companies/by_group": (1, {"group_key": ["09"], "companies_created": [2]}),  # CO1 CO2, both E1
    "companies/companies": (2, {"company_id": ["CO2", "CO1"],                   # latest registered first
                                "status_now": ["closed", "active"], "jobs_now": [0, 5]}),
    # 12 months: CO1 active (2023-07-01), CO2 closed (2024-07-01); 24: CO2 too recent on 2024-12-31
    "companies/survival": (2, {"months": [12, 24], "n_eligible": [2, 1], "n_active": [1, 1],
                               "n_closed": [1, 0]}),
    "filters/academic_years": (2, {"academic_year": ["2022-2023", "2021-2022"]}),
    "filters/establishments": (2, {"establishment_id": ["E1", "E2"]}),  # E3 has no cohort
    "filters/cohorts": (3, {"cohort_id": ["C2", "C3", "C1"]}),           # newest year first
    "filters/regions": (12, {}),
    # latest submitted plans BP1 150 000 + BP3 60 000 + BP4 40 000; files: one per decision FD1-FD5
    # (BP1, BP3, BP2, BP4, BP3); approved FD1 120 000 + FD2 50 000; disbursed 100 000 + 50 000
    "financing/amounts": (1, {"asked_in_plans_mad": [250000.0], "asked_in_files_mad": [390000.0],
                              "approved_mad": [170000.0], "disbursed_mad": [150000.0]}),
    "financing/banks": (2, {"bank": ["BOA", "CAM"], "n_decisions": [4, 1]}),  # FD1 FD3 FD4 FD5; FD2
    "financing/by_group": (2, {"group_key": ["09", "02"], "n_decisions": [4, 1]}),  # FD4 is PR3's (Oujda)
    "financing/days_to_decision": (4, {"decision_id": ["FD3", "FD5", "FD1", "FD2"],
                                       "days_to_decision": [10, 20, 30, 40]}),
    "financing/decisions": (5, {"decision_id": ["FD4", "FD2", "FD5", "FD3", "FD1"]}),  # pending first
    "financing/loan_health": (1, {"n_loans": [2], "portfolio_at_risk_30": [0.6]}),  # FD1 60 000 late
    "financing/outcomes": (2, {"project_id": ["PR1", "PR2"], "approved_mad": [120000.0, 50000.0]}),
    # month ends 2022-12 .. 2023-12: FD1 alone until FD2's first follow-up on 2023-12-31
    "financing/par30_by_month": (13, {"n_loans_reported": [1] * 12 + [2]}),
    # FD4 (BOA, BP4 submitted 2023-06-01): 579 days on 2024-12-31; PR3's lead P08
    "financing/pending_decisions": (1, {"decision_id": ["FD4"], "days_waiting": [579],
                                        "lead_name": ["Salma Bennani"]}),
    "financing/pipeline": (5, {"step": ["submitted", "validated", "decided", "approved", "disbursed"],
                               "n_projects": [3, 2, 2, 2, 2]}),
    "financing/rejection_reasons": (2, {"n_decisions": [1, 1]}),  # FD3, FD5
    "incubation/coaching": (4, {"hours": [4.0, 3.5, 2.0, 1.5]}),  # CS3 CS1 CS2 CS4
    "incubation/flows": (3, {"n_projects": [1, 1, 1]}),           # PR1 pre→incubation→now; PR2 pre→now
    "incubation/incubators": (2, {"incubator": ["MCISE", "Technopark Agadir"], "n_projects": [1, 1]}),
    "incubation/projects": (2, {"project_id": ["PR2", "PR1"], "status_now": ["pre_incubation", "incubation"]}),
    "incubation/sessions": (4, {"session_id": ["CS3", "CS4", "CS1", "CS2"]}),
    "incubation/stages_now": (2, {"status_now": ["pre_incubation", "incubation"], "n_projects": [1, 1]}),
    "incubation/time_in_stage": (2, {"n_entered": [2, 1], "n_exited": [1, 0]}),  # PR1 left pre after 92 days
    "kpis/indicators": (1, {"participants": [10], "dropped": [3]}),
    "leadership/academic_years": (2, {"academic_year": ["2022-2023", "2021-2022"]}),
    "leadership/banks_side_by_side": (3, {"bank": ["BOA", "CAM", None], "n_decisions": [4, 1, 5]}),  # then all
    "leadership/establishments_on_map": (2, {"establishment_id": ["E2", "E1"], "participants": [3, 7]}),
    "leadership/last_import": (1, {}),                                # no import batch: one null row
    "leadership/region_launches": (12, {}),
    "leadership/regional_indicators": (12, {}),
    "leadership/rollout_by_year": (3, {"region_code": ["02", "09", "09"], "participants": [3, 4, 3]}),
    "leadership/target_years": (1, {"academic_year": ["2022-2023"]}),
    "leadership/targets_vs_actuals": (60, {}),                          # 12 regions × 5 metrics
    "programme/follow_up_loans_not_disbursed": (0, {}),                 # FD1 and FD2 were disbursed
    # the small programme has no follow-up action (tests/test_follow_up_actions.py counts them)
    "programme/follow_up_actions": (0, {}),
    "programme/follow_up_last_actions": (0, {}),
    "programme/follow_up_came_back": (1, {"came_back": [0], "contacted": [0]}),
    # in progress and idle 30+ days on 2024-12-31: P09 (fundamentals, no contact row), P06 (immersion)
    "programme/follow_up_participants": (2, {"participant_id": ["P09", "P06"],
                                             "phase": ["fundamentals", "immersion"],
                                             "full_name": [None, "Omar Tazi"]}),
    "programme/follow_up_plans_to_review": (1, {"plan_id": ["BP4"], "lead_name": ["Salma Bennani"]}),
    "programme/follow_up_plans_without_decision": (0, {}),              # BP1, BP3 were decided
    # nested: 09 (C1, C2) all phases P01 P02 P05, each in a project; 02 (C3) P08 (PR3); PR1 PR2 financed
    # the small programme is loaded by SQL, not imported: no batch, so no report yet
    "reporting/accepted_batches": (0, {}),
    "programme/funnel_nested": (2, {"group_key": ["09", "02"], "participants": [7, 3],
                                    "completed_all_phases": [3, 1], "in_project": [3, 1], "financed": [2, 0]}),
    "programme/latest_date": (1, {}),
    "programme/participants_by_year": (2, {"academic_year": ["2021-2022", "2022-2023"],
                                           "participants": [4, 6]}),
    # groups: all 1 + cohort 3 + establishment 2 + year 2 + profile 3 + sector 10 + gender 2 = 23, × 3 phases
    "programme/phase_groups": (69, {}),
    "quality/approved_not_disbursed": (0, {}),
    "quality/companies_without_followup": (2, {"company_id": ["CO1", "CO2"],   # last news 2024-07-01
                                               "days_without_news": [183, 183]}),
    "quality/participants_without_phase": (1, {"participant_id": ["P10"]}),
    "quality/plans_not_reviewed": (1, {"plan_id": ["BP4"]}),
    "quality/projects_without_one_lead": (0, {}),                      # PR1 P01, PR2 P05, PR3 P08
}


def parameters_for(name: str) -> dict[str, object]:
    return {**PARAMETERS, **OVERRIDES.get(name, {})}


def plain(value):
    """A cell as a plain Python value (NaN and NA as None) for comparison."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or str(value) in ("<NA>", "NaT"):
        return None
    return value.item() if hasattr(value, "item") else value


@pytest.fixture(scope="module")
def small(small_db):
    return db.reader(small_db)


def test_every_query_parameter_has_a_value():
    """Test that the parameter table covers every `$name` of every query, so none is skipped."""
    missing = {name: sorted(queries.parameters(name) - SCOPE_PARAMETERS - set(PARAMETERS))
               for name in queries.names()}
    assert {name: m for name, m in missing.items() if m} == {}


def test_every_query_has_expected_rows():
    """Test that each query has a hand-counted expectation (a new query needs one)."""
    assert sorted(EXPECTED) == queries.names()


@pytest.mark.parametrize("name", queries.names())
def test_query_returns_the_hand_counted_rows(small, name):
    """Test each query's row count and key values on the small programme."""
    frame = queries.run(small, name, Scope(), **parameters_for(name))
    rows, columns = EXPECTED[name]
    assert len(frame) == rows, frame
    for column, values in columns.items():
        assert [plain(v) for v in frame[column]] == values, column


@pytest.mark.parametrize("name", queries.names())
def test_query_runs_on_an_empty_database_for_every_scope(empty_db, small, name):
    """Test that each query binds and runs with each kind of scope, with the columns it has on
    the small programme."""
    reader = db.reader(empty_db)
    columns = list(queries.run(small, name, Scope(), **parameters_for(name)).columns)
    for scope in SCOPES:
        assert list(queries.run(reader, name, scope, **parameters_for(name)).columns) == columns, scope


@pytest.mark.parametrize("name", queries.names())
def test_query_file_says_what_it_returns(name):
    """Test that each query file starts with a comment saying what it returns."""
    assert queries.sql(name).lstrip().startswith("--"), f"{name}.sql needs a first-line comment"


@pytest.mark.parametrize("path", sorted(QUERIES_DIR.rglob("*.sql")), ids=lambda p: p.name)
def test_no_cte_is_named_after_a_table(path):
    """Test that no CTE shadows a table (it would change what the scope macros read)."""
    ctes = re.findall(r"(?:with|,)\s*\n?\s*([a-z_]+)\s+as\s*\(", path.read_text(), flags=re.I)
    assert not TABLES & {c.lower() for c in ctes}


def test_unknown_query_name_is_refused():
    """Test that a name outside queries/ cannot be loaded."""
    with pytest.raises(UnknownQuery, match="no query"):
        queries.sql("../pie/schema")
