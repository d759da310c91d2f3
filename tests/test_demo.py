"""The demo generator (pie/demo/): every DATA_MODEL rule holds, it is deterministic, and
it tells the programme's story (rollout, funnel, partners).

Each rule is one SQL query that returns the offending rows; the test expects none.
"""
from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from pie import db
from pie.config import PROJECT_ROOT
from pie.demo import AS_OF, build_demo
from pie.errors import DatabaseNotEmpty, PieError

SHARED = PROJECT_ROOT.parent / "shared"      # the contracts, next to the project
N = 20_000                # 20 establishments: the 12 CMCs, Benguérir and a few ISTAs
SEED = 7
SMALL_N = 600
LAUNCH_REGIONS_2021 = {"02", "07", "09", "11"}
REGIONS_OPENED_2024 = {"01", "05"}
TARGET_METRICS = {"participants", "immersion_completed", "plans_validated", "projects_financed",
                  "companies_created"}


def _table_hashes(path: Path) -> dict[str, str]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {t: hashlib.sha256(repr(con.execute(f"select * from {t} order by all").fetchall()).encode()).hexdigest()
                for t in db.PROGRAMME_TABLES}
    finally:
        con.close()


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """A demo database of N participants: (path, rows per table, progress calls)."""
    path = tmp_path_factory.mktemp("demo") / "pie.duckdb"
    calls: list[tuple[str, float]] = []
    counts = build_demo(path, participants=N, seed=SEED, progress=lambda step, f: calls.append((step, f)))
    return path, counts, calls


@pytest.fixture(scope="module")
def con(demo):
    connection = duckdb.connect(str(demo[0]), read_only=True)
    yield connection
    connection.close()


def _rows(con, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def _one(con, sql: str):
    return con.execute(sql).fetchall()[0][0]


# ------------------------------------------------------------------------------ shape
def test_every_programme_table_has_rows(demo, con):
    """Test that the demo fills every DATA_MODEL table and reports the row counts it wrote."""
    _, counts, _ = demo
    assert set(counts) == set(db.PROGRAMME_TABLES)
    for table in db.PROGRAMME_TABLES:
        assert _one(con, f"select count(*) from {table}") == counts[table] > 0, table


def test_participant_count_is_close_to_requested(demo):
    """Test that the demo has the requested number of participants, within 2 %."""
    assert abs(demo[1]["participants"] - N) <= 0.02 * N


def test_database_is_marked_as_demo(con):
    """Test that app_meta says demo, with its size and seed."""
    facts = db.meta(con)
    assert facts["is_demo"] == "true"
    assert facts["demo_participants"] == str(N)
    assert facts["demo_seed"] == str(SEED)


def test_progress_is_reported_up_to_completion(demo):
    """Test that progress goes through the tables with rising fractions and ends at 1."""
    calls = demo[2]
    fractions = [f for _, f in calls]
    assert fractions == sorted(fractions)
    assert 0 <= fractions[0] and fractions[-1] == 1.0
    assert {"participants", "phase_progress", "targets"} <= {step for step, _ in calls}


# ------------------------------------------------------------------------------ references
REFERENCES = {
    "establishments.region_code": ("establishments", "region_code", "regions", "region_code"),
    "cohorts.establishment_id": ("cohorts", "establishment_id", "establishments", "establishment_id"),
    "participants.cohort_id": ("participants", "cohort_id", "cohorts", "cohort_id"),
    "participant_contacts.participant_id": ("participant_contacts", "participant_id", "participants", "participant_id"),
    "phase_progress.participant_id": ("phase_progress", "participant_id", "participants", "participant_id"),
    "projects.cohort_id": ("projects", "cohort_id", "cohorts", "cohort_id"),
    "project_members.project_id": ("project_members", "project_id", "projects", "project_id"),
    "project_members.participant_id": ("project_members", "participant_id", "participants", "participant_id"),
    "business_plans.project_id": ("business_plans", "project_id", "projects", "project_id"),
    "financing_decisions.plan_id": ("financing_decisions", "plan_id", "business_plans", "plan_id"),
    "incubation_stages.project_id": ("incubation_stages", "project_id", "projects", "project_id"),
    "coaching_sessions.project_id": ("coaching_sessions", "project_id", "projects", "project_id"),
    "companies.project_id": ("companies", "project_id", "projects", "project_id"),
    "loan_followups.decision_id": ("loan_followups", "decision_id", "financing_decisions", "decision_id"),
    "company_followups.company_id": ("company_followups", "company_id", "companies", "company_id"),
    "targets.region_code": ("targets", "region_code", "regions", "region_code"),
}


@pytest.mark.parametrize("name", REFERENCES)
def test_reference_resolves(con, name):
    """Test that every value of a reference column exists in the table it points to."""
    child, column, parent, key = REFERENCES[name]
    missing = _rows(con, f"select c.{column} from {child} as c anti join {parent} as p on p.{key} = c.{column} "
                         f"limit 5")
    assert missing == []


# ------------------------------------------------------------------------------ rules (one query each)
AS_OF_SQL = f"date '{AS_OF.isoformat()}'"
RULES = {
    "every participant has contacts":
        "select participant_id from participants anti join participant_contacts using (participant_id)",
    "establishment launch date is the start of its first cohort":
        "select e.establishment_id from establishments as e left join "
        "(select establishment_id, min(start_date) as first_start from cohorts group by 1) as c using (establishment_id) "
        "where e.pie_launch_date is distinct from c.first_start",
    "cohort starts in September–November of its academic year":
        "select cohort_id from cohorts where year(start_date) <> cast(left(academic_year, 4) as integer) "
        "or month(start_date) not between 9 and 11",
    "one cohort per establishment and year":
        "select establishment_id, academic_year from cohorts group by all having count(*) > 1",
    "enrolled on or after the cohort start, within 20 days":
        "select participant_id from participants join cohorts using (cohort_id) "
        "where enrolled_on < start_date or enrolled_on > start_date + 20",
    "birth year between 1940 and cohort year − 14":
        "select participant_id from participants join cohorts using (cohort_id) "
        "where birth_year < 1940 or birth_year > cast(left(academic_year, 4) as integer) - 14",
    "trainees and graduates aged 17–30, trainers 25–55":
        "select participant_id from participants join cohorts using (cohort_id) "
        "where (cast(left(academic_year, 4) as integer) - birth_year) not between "
        "case profile when 'trainer' then 25 else 17 end and case profile when 'trainer' then 55 else 30 end",
    "phase starts on or after enrolment":
        "select participant_id from phase_progress join participants using (participant_id) where started_on < enrolled_on",
    "completed_on only and always when completed, after the start":
        "select participant_id from phase_progress where (status = 'completed') <> (completed_on is not null) "
        "or completed_on < started_on",
    "fundamentals needs a completed awareness":
        "select f.participant_id from phase_progress as f left join phase_progress as a "
        "on a.participant_id = f.participant_id and a.phase = 'awareness' "
        "where f.phase = 'fundamentals' and (a.status is distinct from 'completed' or f.started_on < a.completed_on)",
    "immersion needs a completed fundamentals":
        "select i.participant_id from phase_progress as i left join phase_progress as f "
        "on f.participant_id = i.participant_id and f.phase = 'fundamentals' "
        "where i.phase = 'immersion' and (f.status is distinct from 'completed' or i.started_on < f.completed_on)",
    "hours attended within the phase's range":
        "select participant_id from phase_progress where hours_attended < 0 or hours_attended > "
        "case phase when 'awareness' then 20 when 'fundamentals' then 80 else 150 end",
    "project members reached immersion in the project's cohort":
        "select pm.participant_id from project_members as pm join projects as pr using (project_id) "
        "join participants as pa using (participant_id) left join phase_progress as pp "
        "on pp.participant_id = pm.participant_id and pp.phase = 'immersion' "
        "where pa.cohort_id <> pr.cohort_id or pp.participant_id is null",
    "project created during immersion (after every member started it)":
        "select pr.project_id from projects as pr join project_members using (project_id) "
        "join phase_progress as pp using (participant_id) where pp.phase = 'immersion' "
        "group by pr.project_id, pr.created_on having pr.created_on < max(pp.started_on)",
    "a participant is in at most one project":
        "select participant_id from project_members group by 1 having count(*) > 1",
    "exactly one lead per project":
        "select project_id from projects left join project_members using (project_id) "
        "group by 1 having count(*) filter (where role = 'lead') <> 1",
    "teams of 1 to 5":
        "select project_id from project_members group by 1 having count(*) > 5",
    "project sector is its team's most common sector":
        "with s as (select pm.project_id, pa.sector, count(*) as n from project_members as pm "
        "join participants as pa using (participant_id) group by all) "
        "select pr.project_id from projects as pr join s using (project_id) "
        "group by pr.project_id, pr.sector having max(s.n) filter (where s.sector = pr.sector) is distinct from max(s.n)",
    "plan versions are 1..n per project":
        "select project_id from business_plans group by 1 having min(version) <> 1 or max(version) <> count(*)",
    "plan submitted unless draft, after the project was created":
        "select plan_id from business_plans join projects using (project_id) "
        "where (status <> 'draft') <> (submitted_on is not null) or submitted_on < created_on",
    "plan reviewed exactly when validated or rejected, after submission":
        "select plan_id from business_plans where (status in ('validated', 'rejected')) <> (reviewed_on is not null) "
        "or reviewed_on < submitted_on",
    "a second version follows the review of a rejected first one":
        "select v2.plan_id from business_plans as v2 join business_plans as v1 "
        "on v1.project_id = v2.project_id and v1.version = v2.version - 1 "
        "where v1.status <> 'rejected' or v2.submitted_on < v1.reviewed_on",
    "plan amounts and jobs are realistic":
        "select plan_id from business_plans where requested_amount_mad not between 5000 and 300000 "
        "or planned_jobs not between 1 and 8",
    "decisions only on submitted or validated plans":
        "select decision_id from financing_decisions join business_plans using (plan_id) "
        "where status not in ('submitted', 'validated')",
    "approval only on a validated plan":
        "select decision_id from financing_decisions join business_plans using (plan_id) "
        "where decision = 'approved' and status <> 'validated'",
    "decided on after submission, and only when decided":
        "select decision_id from financing_decisions join business_plans using (plan_id) "
        "where (decision <> 'pending') <> (decided_on is not null) or decided_on < submitted_on",
    "approved amount only when approved, positive, at most the request":
        "select decision_id from financing_decisions join business_plans using (plan_id) "
        "where (decision = 'approved') <> (amount_approved_mad is not null) "
        "or amount_approved_mad <= 0 or amount_approved_mad > requested_amount_mad",
    "disbursed after the decision, at most the approved amount":
        "select decision_id from financing_decisions where (disbursed_on is not null) <> (amount_disbursed_mad is not null) "
        "or (disbursed_on is not null and decision <> 'approved') or disbursed_on < decided_on "
        "or amount_disbursed_mad <= 0 or amount_disbursed_mad > amount_approved_mad",
    "rejection reason only on rejections, and every rejection has one":
        "select decision_id from financing_decisions where (decision = 'rejected') <> (rejection_reason is not null)",
    "bank is an upper-case short name, branch is one of its agencies":
        "select decision_id from financing_decisions where bank <> upper(bank) or not starts_with(branch, bank || ' ')",
    "at most one decision per bank and plan":
        "select plan_id, bank from financing_decisions group by all having count(*) > 1",
    "one incubator per project":
        "select project_id from incubation_stages group by 1 having count(distinct incubator) > 1",
    "stages follow each other without gaps":
        "with s as (select *, case stage when 'pre_incubation' then 1 when 'incubation' then 2 "
        "when 'acceleration' then 3 else 4 end as k from incubation_stages) "
        "select s.project_id from s left join s as prev on prev.project_id = s.project_id and prev.k = s.k - 1 "
        "where s.k > 1 and (prev.project_id is null or prev.exited_on is distinct from s.entered_on "
        "or prev.exit_reason is distinct from 'advanced')",
    "exit reason with exit date; 'advanced' exactly when a next stage exists; only the last stage open":
        "with s as (select *, case stage when 'pre_incubation' then 1 when 'incubation' then 2 "
        "when 'acceleration' then 3 else 4 end as k from incubation_stages) "
        "select s.project_id from s left join s as nxt on nxt.project_id = s.project_id and nxt.k = s.k + 1 "
        "where (s.exited_on is null) <> (s.exit_reason is null) or s.exited_on < s.entered_on "
        "or (s.exit_reason = 'advanced') <> (nxt.project_id is not null)",
    "incubation starts after the project was created":
        "select project_id from incubation_stages join projects using (project_id) "
        "where stage = 'pre_incubation' and entered_on < created_on",
    "post-creation only for projects with a company":
        "select project_id from incubation_stages anti join companies using (project_id) where stage = 'post_creation'",
    "coaching within the project's life, positive hours":
        "select session_id from coaching_sessions join projects using (project_id) "
        "where held_on < created_on or hours <= 0 or hours > 8",
    "coaching only for incubated or financed projects":
        "select session_id from coaching_sessions as cs where cs.project_id not in (select project_id from incubation_stages) "
        "and cs.project_id not in (select bp.project_id from financing_decisions join business_plans as bp "
        "using (plan_id) where decision = 'approved')",
    "company registered after the project, after its first approval":
        "select c.company_id from companies as c join projects as p using (project_id) "
        "left join (select bp.project_id, min(decided_on) as approved_on from financing_decisions "
        "join business_plans as bp using (plan_id) where decision = 'approved' group by 1) as f using (project_id) "
        "where c.registered_on < p.created_on or c.registered_on < f.approved_on",
    "company jobs 1–6 and a 15-digit ICE":
        "select company_id from companies where jobs_created not between 1 and 6 or not regexp_full_match(ice, '[0-9]{15}')",
    "loan follow-ups only for approved, disbursed decisions, after disbursement":
        "select l.decision_id from loan_followups as l join financing_decisions as d using (decision_id) "
        "where d.decision <> 'approved' or d.disbursed_on is null or l.as_of < d.disbursed_on",
    "loan outstanding between 0 and the disbursed amount, 0 exactly when repaid":
        "select l.decision_id from loan_followups as l join financing_decisions as d using (decision_id) "
        "where l.outstanding_mad < 0 or l.outstanding_mad > d.amount_disbursed_mad "
        "or (l.status = 'repaid') <> (l.outstanding_mad = 0)",
    "loan status agrees with days past due":
        "select decision_id from loan_followups where (status = 'current' and days_past_due <> 0) "
        "or (status = 'late' and days_past_due = 0) or (status = 'repaid' and days_past_due <> 0)",
    "loan outstanding never grows":
        "select decision_id from (select *, lag(outstanding_mad) over (partition by decision_id order by as_of) as prev "
        "from loan_followups) where outstanding_mad > prev",
    "nothing reported after a loan is repaid or written off":
        "select decision_id from (select *, max(case when status in ('repaid', 'written_off') then as_of end) "
        "over (partition by decision_id) as ended from loan_followups) where as_of > ended",
    "company follow-ups after registration":
        "select company_id from company_followups join companies using (company_id) where as_of < registered_on",
    "a closed company's last follow-up says closed, and nothing follows":
        "with last as (select company_id, arg_max(status, as_of) as last_status, "
        "count(*) filter (where status = 'closed') as n_closed from company_followups group by 1) "
        "select c.company_id from companies as c left join last using (company_id) "
        "where (c.status = 'closed') <> (last.last_status is not distinct from 'closed') or n_closed > 1",
    "closed follow-ups have no employees":
        "select company_id from company_followups where status = 'closed' and employees <> 0",
    "targets for every year and region with cohorts, all five metrics":
        "select c.academic_year, e.region_code from cohorts as c join establishments as e using (establishment_id) "
        "left join targets as t on t.academic_year = c.academic_year and t.region_code = e.region_code "
        "group by all having count(distinct t.metric) <> 5",
    "emails are unique, lower-case ascii @example.ma":
        "select email from participant_contacts where email is not null "
        "group by 1 having count(*) > 1 or not regexp_full_match(email, '[a-z0-9.]+@example\\.ma')",
    "national id and phone formats":
        "select participant_id from participant_contacts where not regexp_full_match(national_id, '[A-Z]{1,2}[0-9]{1,6}') "
        "or not regexp_full_match(phone, '\\+212[67][0-9]{8}')",
}


@pytest.mark.parametrize("rule", RULES)
def test_rule_holds(con, rule):
    """Test that one DATA_MODEL (or realism) rule holds on the whole demo: no offending row."""
    assert _rows(con, RULES[rule] + " limit 5") == []


DATE_COLUMNS = (
    ("establishments", "pie_launch_date"), ("cohorts", "start_date"), ("participants", "enrolled_on"),
    ("phase_progress", "started_on"), ("phase_progress", "completed_on"), ("projects", "created_on"),
    ("business_plans", "submitted_on"), ("business_plans", "reviewed_on"),
    ("financing_decisions", "decided_on"), ("financing_decisions", "disbursed_on"),
    ("incubation_stages", "entered_on"), ("incubation_stages", "exited_on"), ("coaching_sessions", "held_on"),
    ("companies", "registered_on"), ("loan_followups", "as_of"), ("company_followups", "as_of"),
)


@pytest.mark.parametrize("table,column", DATE_COLUMNS)
def test_no_date_after_as_of(con, table, column):
    """Test that the demo holds no date after its fixed today (AS_OF) nor before the programme."""
    low, high = con.execute(f"select min({column}), max({column}) from {table}").fetchall()[0]
    assert low.isoformat() >= "2021-09-01"
    assert high <= AS_OF


def test_birth_years_are_plausible(con):
    """Test that the birth year rule of DATA_MODEL (1940 .. year − 14) holds."""
    assert _one(con, "select count(*) from participants where birth_year < 1940 or birth_year > 2026 - 14") == 0


# ------------------------------------------------------------------------------ realism
def test_rollout_starts_in_the_launch_regions(con):
    """Test that 2021-2022 cohorts exist in 09, 02, 11 and at Benguérir only, and 01/05 start in 2024."""
    first_year = _rows(con, "select distinct e.region_code, e.name from cohorts join establishments as e "
                            "using (establishment_id) where academic_year = '2021-2022'")
    assert {region for region, _ in first_year} == LAUNCH_REGIONS_2021
    assert [name for region, name in first_year if region == "07"] == ["ISTA Benguérir"]
    early = _rows(con, "select distinct e.region_code from cohorts join establishments as e using (establishment_id) "
                       "where academic_year < '2024-2025'")
    assert not {r for (r,) in early} & REGIONS_OPENED_2024
    later = _rows(con, "select distinct e.region_code from cohorts join establishments as e using (establishment_id) "
                       "where academic_year = '2024-2025'")
    assert REGIONS_OPENED_2024 <= {r for (r,) in later}


def test_some_establishments_are_not_launched_yet(con):
    """Test that the rollout is unfinished: some establishments have no launch date and no cohort."""
    assert _one(con, "select count(*) from establishments where pie_launch_date is null") > 0


def test_the_programme_grows_every_year(con):
    """Test that each academic year has more participants than the one before."""
    sizes = [n for _, n in _rows(con, "select academic_year, count(*) from participants join cohorts "
                                      "using (cohort_id) group by 1 order by 1")]
    assert len(sizes) == 6 and sizes == sorted(sizes)


def test_most_participants_drop_before_immersion(con):
    """Test the funnel: awareness > fundamentals > immersion completions, immersion under half."""
    counts = dict(_rows(con, "select phase, count(*) from phase_progress where status = 'completed' group by 1"))
    participants = _one(con, "select count(*) from participants")
    assert counts["awareness"] > counts["fundamentals"] > counts["immersion"]
    assert counts["immersion"] < 0.5 * participants


def test_current_cohorts_are_in_progress(con):
    """Test that the 2026-2027 cohorts are under way (in progress) and have not reached immersion."""
    rows = dict(_rows(con, "select status, count(*) from phase_progress join participants using (participant_id) "
                           "join cohorts using (cohort_id) where academic_year = '2026-2027' group by 1"))
    assert rows["in_progress"] > rows.get("dropped", 0)
    assert _one(con, "select count(*) from phase_progress join participants using (participant_id) "
                     "join cohorts using (cohort_id) where academic_year = '2026-2027' and phase = 'immersion'") == 0


def test_past_cohorts_are_finished_but_for_a_few_stalled(con):
    """Test that under 1 % of the phase rows of cohorts before 2025-2026 are still in progress."""
    stalled, rows = con.execute(
        "select count(*) filter (where status = 'in_progress'), count(*) from phase_progress "
        "join participants using (participant_id) join cohorts using (cohort_id) "
        "where academic_year < '2025-2026'").fetchall()[0]
    assert 0 < stalled < 0.01 * rows


def test_women_share_is_realistic(con):
    """Test that about 40–45 % of participants are women, more in health than in construction."""
    share = dict(_rows(con, "select sector, avg(case when gender = 'f' then 1.0 else 0 end) from participants group by 1"))
    overall = _one(con, "select avg(case when gender = 'f' then 1.0 else 0 end) from participants")
    assert 0.38 <= overall <= 0.47
    assert share["health"] > overall > share["construction"]


def test_partner_banks_include_boa_first_and_cam(con):
    """Test that BOA takes the most decisions and CAM is present (demo accounts boa and cam)."""
    banks = _rows(con, "select bank, count(*) from financing_decisions group by 1 order by 2 desc, 1")
    assert banks[0][0] == "BOA"
    assert "CAM" in {b for b, _ in banks}


def test_incubators_include_mcise_and_another(con):
    """Test that MCISE and at least one other incubator accompany projects (demo account mcise)."""
    incubators = {i for (i,) in _rows(con, "select distinct incubator from incubation_stages")}
    assert "MCISE" in incubators and len(incubators) >= 2


def test_decisions_mix_pending_approved_and_rejected(con):
    """Test that approval rate is 55–80 % and recent plans wait for a decision."""
    counts = dict(_rows(con, "select decision, count(*) from financing_decisions group by 1"))
    assert counts["pending"] > 0
    assert 0.55 <= counts["approved"] / (counts["approved"] + counts["rejected"]) <= 0.80


def test_portfolio_at_risk_is_realistic(con):
    """Test that the banks' PAR30 on the latest follow-up of each loan is between 2 and 15 %."""
    par30 = _one(con, "with last as (select * from loan_followups qualify row_number() over "
                      "(partition by decision_id order by as_of desc) = 1) "
                      "select sum(outstanding_mad) filter (where days_past_due > 30) / sum(outstanding_mad) from last")
    assert 0.02 <= par30 <= 0.15


def test_targets_are_near_the_actuals(con):
    """Test that participant targets are within ±30 % of the actuals for each year and region."""
    rows = _rows(con, "with actual as (select c.academic_year, e.region_code, count(*) as n from participants "
                      "join cohorts as c using (cohort_id) join establishments as e using (establishment_id) group by all) "
                      "select t.target_value, a.n from targets as t join actual as a using (academic_year, region_code) "
                      "where t.metric = 'participants'")
    assert rows and all(0.75 * n - 1 <= target <= 1.30 * n + 1 for target, n in rows)
    assert {m for (m,) in _rows(con, "select distinct metric from targets")} == TARGET_METRICS


# ------------------------------------------------------------------------------ determinism
def test_same_size_and_seed_give_the_same_database(tmp_path):
    """Test that two builds with the same N and seed are identical, and another seed differs."""
    first, second, other = tmp_path / "a" / "pie.duckdb", tmp_path / "b" / "pie.duckdb", tmp_path / "c" / "pie.duckdb"
    for path, seed in ((first, 3), (second, 3), (other, 4)):
        path.parent.mkdir()
        build_demo(path, participants=SMALL_N, seed=seed)
    assert _table_hashes(first) == _table_hashes(second)
    differing = {t for t, h in _table_hashes(other).items() if h != _table_hashes(first)[t]}
    assert {"participants", "participant_contacts", "phase_progress"} <= differing


# ------------------------------------------------------------------------------ refusals and rebuilds
@pytest.mark.parametrize("participants", [99, 1_000_001, 0, -5])
def test_size_out_of_bounds_is_refused(tmp_path, participants):
    """Test that a size outside 100..1,000,000 raises PieError and creates nothing."""
    path = tmp_path / "pie.duckdb"
    with pytest.raises(PieError, match="between 100 and 1,000,000"):
        build_demo(path, participants=participants)
    assert not path.exists()


def test_real_database_is_not_overwritten_without_force(tmp_path):
    """Test that a database with real (non-demo) data is refused, and replaced with force."""
    path = tmp_path / "pie.duckdb"
    db.init_database(path)
    with db.writing(path) as con:
        con.execute("insert into establishments values ('REAL-1', 'ISTA Réelle', 'ista', '06', 'Casablanca', null)")
    with pytest.raises(DatabaseNotEmpty):
        build_demo(path, participants=SMALL_N)
    check = duckdb.connect(str(path), read_only=True)
    try:
        assert check.execute("select establishment_id from establishments").fetchall() == [("REAL-1",)]
    finally:
        check.close()
    build_demo(path, participants=SMALL_N, force=True)
    check = duckdb.connect(str(path), read_only=True)
    try:
        assert db.meta(check)["is_demo"] == "true"
        assert check.execute("select count(*) from establishments where establishment_id = 'REAL-1'").fetchall() == [(0,)]
    finally:
        check.close()


def test_empty_real_database_and_existing_demo_are_rebuilt(tmp_path):
    """Test that an empty database and an existing demo are (re)built without force, from scratch."""
    path = tmp_path / "pie.duckdb"
    db.init_database(path)
    build_demo(path, participants=SMALL_N, seed=1)
    counts = build_demo(path, participants=SMALL_N + 100, seed=2)
    check = duckdb.connect(str(path), read_only=True)
    try:
        assert check.execute("select count(*) from participants").fetchall()[0][0] == counts["participants"]
        assert db.meta(check)["demo_seed"] == "2"
    finally:
        check.close()


# ------------------------------------------------------------------------------ contracts
def test_published_snapshot_passes_the_contract_checker(demo):
    """Test that shared/tools/check_contracts.py accepts the published snapshot."""
    path = demo[0]
    pointer = db.published_dir(path) / f"{path.stem}.current"
    snapshot = db.published_dir(path) / pointer.read_text(encoding="utf-8").strip()
    result = subprocess.run([sys.executable, str(SHARED / "tools" / "check_contracts.py"), "--db", str(snapshot)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert _table_hashes(snapshot) == _table_hashes(path)


def test_reference_data_follow_the_code_lists():
    """Test that the demo's regions are in pie.codes.REGION_CODES order (the arrays index them
    so) and that its delivery shares name every delivery mode of the data model."""
    from pie import codes
    from pie.demo import reference

    assert tuple(region.code for region in reference.REGIONS) == codes.REGION_CODES
    assert sorted(reference.DELIVERY_P) == sorted(codes.DELIVERY_MODES)
