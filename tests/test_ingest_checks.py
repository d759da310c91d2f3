"""Every rule of DATA_MODEL.md, each with a failing file: the report names the file, the row
as the user sees it (header = row 1), the column, the value and the reason.

Checks run against a private copy of the small programme (tests/fixtures/small_programme.sql):
P01..P10 in cohorts C1..C3; P10 has no phase row; P09's fundamentals are in progress; P07
dropped awareness; plans BP1..BP5 (BP4 of PR3 submitted 2023-06-01, BP5 draft); FD1
approved on BP1, disbursed 2022-06-20; FD3 rejected; companies CO1 (PR1, registered
2022-07-01) and CO2 (PR2); PR3 has no company."""
from __future__ import annotations

from datetime import date
from pathlib import Path


from pie import ingest
from pie.ingest import rules

PARTICIPANTS = "participant_id,cohort_id,gender,birth_year,profile,sector,enrolled_on\n"
PHASES = "participant_id,phase,status,started_on,completed_on,hours_attended\n"
PLANS = "plan_id,project_id,version,status,submitted_on,reviewed_on,requested_amount_mad,planned_jobs\n"
DECISIONS = ("decision_id,plan_id,bank,branch,product,decision,decided_on,amount_approved_mad,disbursed_on,"
             "amount_disbursed_mad,rejection_reason\n")


def check(db_path: Path, **files: str):
    """Dry-run the given files (table name -> CSV text) as one batch."""
    return ingest.check([(f"{table}.csv", text.encode("utf-8")) for table, text in files.items()], db_path)


def places(report) -> set[tuple]:
    return {(p.file, p.row, p.column, p.type) for p in report.problems}


def only(report, file: str, row: int, column: str, type_: str):
    """The one problem of the report, which must be at this place and of this type."""
    assert places(report) == {(file, row, column, type_)}, report.to_rows()
    reason = report.problems[0].reason()
    assert "{" not in reason
    return report.problems[0]


# ------------------------------------------------------------------------------ cells
def test_unknown_code_names_the_allowed_codes(writable_small_db):
    """Test that a wrong code is reported with every allowed code of its column."""
    report = check(writable_small_db, participants=PARTICIPANTS + "P50,C1,f,2001,trainee,sport,2023-10-02\n")
    problem = only(report, "participants.csv", 2, "sector", "unknown-code")
    assert problem.value == "sport"
    assert ", ".join(rules.SECTORS) in problem.reason()


def test_gender_reason_says_femme_and_homme_are_accepted(writable_small_db):
    """Test that a wrong gender's reason lists f, m and the accepted words."""
    problem = only(check(writable_small_db, participants=PARTICIPANTS + "P50,C1,X,2001,trainee,other,2023-10-02\n"),
                   "participants.csv", 2, "gender", "unknown-code")
    assert "f, m" in problem.reason() and "femme" in problem.reason() and "homme" in problem.reason()


def test_every_problem_in_a_file_is_reported_not_just_the_first(writable_small_db):
    """Test that a file with several bad cells gets one problem per bad cell."""
    text = PARTICIPANTS + ("P50,C1,x,1930,boss,other,31/02/2023\n"
                           "P51,,f,2001,trainee,other,2023-10-02\n"
                           f"P52,C1,f,{date.today().year - 13},trainee,other,2023-10-02\n")
    report = check(writable_small_db, participants=text)
    assert places(report) == {
        ("participants.csv", 2, "gender", "unknown-code"),
        ("participants.csv", 2, "birth_year", "out-of-range"),
        ("participants.csv", 2, "profile", "unknown-code"),
        ("participants.csv", 2, "enrolled_on", "bad-date"),
        ("participants.csv", 3, "cohort_id", "missing-value"),
        ("participants.csv", 4, "birth_year", "out-of-range"),
    }
    assert report.problems_count == 6 and not report.valid


def test_numbers_decimals_and_ranges(writable_small_db):
    """Test bad numbers, too many decimals, negative hours and a too large amount."""
    text = PHASES + ("P10,awareness,in_progress,2022-10-12,,abc\n"
                     "P10,fundamentals,in_progress,2022-10-13,,1.25\n"
                     "P10,immersion,in_progress,2022-10-14,,-2\n")
    report = check(writable_small_db, phase_progress=text)
    found = {(p.row, p.column, p.type, p.key.rsplit(".", 1)[1]) for p in report.problems if p.column == "hours_attended"}
    assert found == {(2, "hours_attended", "bad-number", "not_a_number"),
                     (3, "hours_attended", "bad-number", "too_many_decimals"),
                     (4, "hours_attended", "out-of-range", "below_minimum")}
    text = PLANS + "BP9,PR3,3,draft,,,1000000000000.00,1\n"
    only(check(writable_small_db, business_plans=text), "business_plans.csv", 2, "requested_amount_mad", "out-of-range")


def test_formats_cin_phone_ice_academic_year(writable_small_db):
    """Test that CIN, phone, ICE and academic year in a wrong format are bad-format."""
    assert places(check(writable_small_db,
                   participant_contacts="participant_id,full_name,national_id,phone\nP03,A,123456,0412\n",
                   companies="company_id,project_id,legal_form,registered_on,ice,jobs_created,status\n"
                             "CO9,PR3,sarl,2024-01-01,123456700089,1,active\n",
                   cohorts="cohort_id,establishment_id,academic_year,start_date,delivery_mode\n"
                           "C9,E1,2022-2024,2022-10-01,online\n")) == {("participant_contacts.csv", 2, "national_id", "bad-format"),
                              ("participant_contacts.csv", 2, "phone", "bad-format"),
                              ("companies.csv", 2, "ice", "bad-format"),
                              ("cohorts.csv", 2, "academic_year", "bad-format")}


def test_region_must_be_one_of_the_twelve(writable_small_db):
    """Test that region 13 is a missing reference naming 01 … 12, and 9 is read as 09."""
    text = "establishment_id,name,kind,region_code\nE8,A,cmc,9\nE9,B,ista,13\n"
    problem = only(check(writable_small_db, establishments=text), "establishments.csv", 3, "region_code",
                   "missing-reference")
    assert "01 … 12" in problem.reason()


def test_targets_metric_codes_and_region(writable_small_db):
    """Test targets: metric codes are checked, and so is the region."""
    text = "academic_year,region_code,metric,target_value\n2023-2024,9,participants,10\n" \
           "2023-2024,14,participants,10\n2023-2024,09,jobs,3\n"
    report = check(writable_small_db, targets=text)
    assert places(report) == {("targets.csv", 3, "region_code", "missing-reference"),
                              ("targets.csv", 4, "metric", "unknown-code")}
    assert "companies_created" in next(p for p in report.problems if p.column == "metric").reason()


# ------------------------------------------------------------------------------ keys and references
def test_the_same_key_twice_names_both_rows(writable_small_db):
    """Test that a key twice in a batch (even across two files) reports both rows, each
    naming the other."""
    report = ingest.check([("participants.csv", (PARTICIPANTS + "P50,C1,f,2001,trainee,other,2023-10-02\n").encode()),
                           ("more/participants.csv".split("/")[1],
                            (PARTICIPANTS + "P49,C1,f,2001,trainee,other,2023-10-02\n"
                                            " P50 ,C1,m,2001,trainee,other,2023-10-02\n").encode())],
                          writable_small_db)
    duplicates = [p for p in report.problems if p.type == "duplicate-key"]
    assert sorted((p.file, p.row) for p in duplicates) == [("participants.csv", 2), ("participants.csv (2)", 3)]
    assert "participants.csv (2):3" in duplicates[0].reason()
    assert "participants.csv:2" in duplicates[1].reason()


def test_composite_key_duplicates(writable_small_db):
    """Test that (participant_id, phase) twice is a duplicate, whatever the code's case."""
    text = PHASES + "P10,awareness,in_progress,2022-10-12,,\nP10,AWARENESS,dropped,2022-10-12,,\n"
    assert places(check(writable_small_db, phase_progress=text)) == {("phase_progress.csv", 2, "participant_id, phase", "duplicate-key"),
                              ("phase_progress.csv", 3, "participant_id, phase", "duplicate-key")}


def test_references_checked_against_database_plus_batch_in_any_order(writable_small_db):
    """Test that a child may come before its parent in the batch, and that a reference found
    neither in the database nor in the batch is reported."""
    files = [("phase_progress.csv", (PHASES + "P60,awareness,in_progress,2023-10-03,,\n").encode()),
             ("participants.csv", (PARTICIPANTS + "P60,C9,f,2001,trainee,other,2023-10-02\n").encode()),
             ("cohorts.csv", b"cohort_id,establishment_id,academic_year,start_date,delivery_mode\n"
                             b"C9,E1,2023-2024,2023-10-01,online\n")]
    assert ingest.check(files, writable_small_db).valid
    report = check(writable_small_db, project_members="project_id,participant_id,role\nPR3,P99,member\nPR9,P01,member\n")
    assert places(report) == {("project_members.csv", 2, "participant_id", "missing-reference"),
                              ("project_members.csv", 3, "project_id", "missing-reference")}
    assert "participants" in report.problems[0].reason() or "participants" in report.problems[1].reason()


# ------------------------------------------------------------------------------ phases
def test_phase_order_needs_the_previous_phase_completed(writable_small_db):
    """Test: fundamentals without awareness, immersion after a fundamentals in progress."""
    report = check(writable_small_db, phase_progress=PHASES + "P10,fundamentals,in_progress,2022-11-01,,\n"
                                                         "P09,immersion,in_progress,2023-02-01,,\n")
    assert places(report) == {("phase_progress.csv", 2, "phase", "rule-violation"),
                              ("phase_progress.csv", 3, "phase", "rule-violation")}
    reasons = {p.row: p.reason() for p in report.problems}
    assert "awareness" in reasons[2] and "P10" in reasons[2]
    assert "fundamentals" in reasons[3] and "in_progress" in reasons[3]


def test_phase_order_holds_within_the_batch(writable_small_db):
    """Test that a batch bringing awareness (completed) and fundamentals together is valid,
    and that fundamentals may not start before awareness ended."""
    good = PHASES + "P10,awareness,completed,2022-10-12,2022-11-02,10\nP10,fundamentals,in_progress,2022-11-07,,\n"
    assert check(writable_small_db, phase_progress=good).valid
    bad = PHASES + "P10,awareness,completed,2022-10-12,2022-11-02,10\nP10,fundamentals,in_progress,2022-11-01,,\n"
    problem = only(check(writable_small_db, phase_progress=bad), "phase_progress.csv", 3, "started_on", "rule-violation")
    assert "2022-11-02" in problem.reason()


def test_a_phase_starts_on_or_after_enrolment(writable_small_db):
    """Test that a phase starting before the participant's enrolled_on is refused."""
    problem = only(check(writable_small_db, phase_progress=PHASES + "P10,awareness,in_progress,2022-10-10,,\n"),
                   "phase_progress.csv", 2, "started_on", "rule-violation")
    assert "2022-10-11" in problem.reason()


def test_changing_a_parent_that_breaks_rows_in_the_database_is_reported_on_the_parent(writable_small_db):
    """Test that a batch dropping P01's awareness (whose fundamentals are in the database),
    or enrolling P02 after its phases started, is reported on the batch's own row."""
    report = check(writable_small_db,
                   phase_progress=PHASES + "P01,awareness,dropped,2021-10-04,,12\n",
                   participants=PARTICIPANTS + "P02,C1,m,1999,graduate,ecommerce,2021-12-01\n")
    assert places(report) == {("phase_progress.csv", 2, "status", "rule-violation"),
                              ("participants.csv", 2, "enrolled_on", "rule-violation")}


def test_completed_on_rules(writable_small_db):
    """Test completed_on: required when completed, empty otherwise, not before started_on."""
    text = PHASES + ("P10,awareness,completed,2022-10-12,,\n"
                     "P09,fundamentals,in_progress,2022-11-07,2023-01-01,\n"
                     "P07,awareness,completed,2022-10-05,2022-10-01,\n")
    report = check(writable_small_db, phase_progress=text)
    assert places(report) == {("phase_progress.csv", 2, "completed_on", "missing-value"),
                              ("phase_progress.csv", 3, "completed_on", "rule-violation"),
                              ("phase_progress.csv", 4, "completed_on", "rule-violation")}


# ------------------------------------------------------------------------------ plans and financing
def test_plan_version_unique_per_project(writable_small_db):
    """Test that a plan version taken in the database, or twice in the batch, is refused."""
    report = check(writable_small_db, business_plans=PLANS + "BP9,PR3,2,draft,,,,\nBP7,PR1,2,draft,,,,\nBP8,PR1,2,draft,,,,\n")
    assert places(report) == {("business_plans.csv", 2, "version", "rule-violation"),
                              ("business_plans.csv", 3, "project_id, version", "duplicate-key"),
                              ("business_plans.csv", 4, "project_id, version", "duplicate-key")}
    assert "BP5" in next(p for p in report.problems if p.row == 2).reason()


def test_plan_dates_by_status(writable_small_db):
    """Test submitted_on required unless draft, reviewed_on required when validated or
    rejected, and reviewed_on not before submitted_on."""
    text = PLANS + ("BP9,PR3,3,submitted,,,,\n"
                    "BP8,PR3,4,validated,2023-07-01,,,\n"
                    "BP7,PR3,5,rejected,2023-07-01,2023-06-01,,\n")
    assert places(check(writable_small_db, business_plans=text)) == {("business_plans.csv", 2, "submitted_on", "missing-value"),
                              ("business_plans.csv", 3, "reviewed_on", "missing-value"),
                              ("business_plans.csv", 4, "reviewed_on", "rule-violation")}


def test_decision_rules_within_a_row(writable_small_db):
    """Test decided_on, amount_approved_mad, disbursed_on and amount_disbursed_mad rules."""
    text = DECISIONS + ("FD9,BP1,boa,,intelaka,approved,,,,,\n"                           # 2: no date, no amount
                        "FD8,BP4,BOA,,intelaka,pending,,5000,2023-07-01,5000,\n"          # 3: amount and disbursement
                        "FD7,BP1,BOA,,intelaka,approved,2022-06-01,0,,,\n"                # 4: amount 0
                        "FD6,BP1,BOA,,intelaka,approved,2022-06-01,1000,2022-05-01,2000,\n"  # 5
                        "FD0,BP1,BOA,,intelaka,approved,2022-06-01,1000,,500,\n"          # 6: amount without date
                        "FD5,BP1,BOA,,leasing,rejected,2022-06-01,,,,\n")                 # 7: product
    assert places(check(writable_small_db, financing_decisions=text)) == {
        ("financing_decisions.csv", 2, "decided_on", "missing-value"),
        ("financing_decisions.csv", 2, "amount_approved_mad", "missing-value"),
        ("financing_decisions.csv", 3, "amount_approved_mad", "rule-violation"),
        ("financing_decisions.csv", 3, "disbursed_on", "rule-violation"),
        ("financing_decisions.csv", 4, "amount_approved_mad", "out-of-range"),
        ("financing_decisions.csv", 5, "disbursed_on", "rule-violation"),
        ("financing_decisions.csv", 5, "amount_disbursed_mad", "rule-violation"),
        ("financing_decisions.csv", 6, "amount_disbursed_mad", "rule-violation"),
        ("financing_decisions.csv", 7, "product", "unknown-code"),
    }


def test_decisions_against_their_plan(writable_small_db):
    """Test decided_on not before the plan's submission, and approval only on a validated plan;
    and a plan whose approved decision is in the database must stay validated."""
    text = DECISIONS + ("FD9,BP1,BOA,,intelaka,rejected,2022-05-01,,,,\n"
                        "FD8,BP4,BOA,,intelaka,approved,2023-07-01,1000,,,\n")
    report = check(writable_small_db, financing_decisions=text)
    assert places(report) == {("financing_decisions.csv", 2, "decided_on", "rule-violation"),
                              ("financing_decisions.csv", 3, "decision", "rule-violation")}
    assert "2022-05-02" in next(p for p in report.problems if p.row == 2).reason()
    report = check(writable_small_db, business_plans=PLANS + "BP1,PR1,1,rejected,2022-05-02,2022-05-20,150000,3\n")
    only(report, "business_plans.csv", 2, "status", "rule-violation")


def test_loan_followups_only_on_approved_and_disbursed_loans(writable_small_db):
    """Test loan follow-ups: on an approved decision only, and not before disbursement."""
    text = "decision_id,as_of,outstanding_mad,days_past_due,status\n" \
           "FD3,2023-12-31,0,0,current\nFD1,2022-06-01,100000,0,current\n"
    report = check(writable_small_db, loan_followups=text)
    assert places(report) == {("loan_followups.csv", 2, "decision_id", "rule-violation"),
                              ("loan_followups.csv", 3, "as_of", "rule-violation")}
    report = check(writable_small_db, financing_decisions=DECISIONS + "FD1,BP1,BOA,,intelaka,rejected,2022-06-01,,,,\n")
    only(report, "financing_decisions.csv", 2, "decision", "rule-violation")


# ------------------------------------------------------------------------------ incubation, companies
def test_incubation_exit_rules(writable_small_db):
    """Test exited_on not before entered_on, and exit_reason only with exited_on."""
    text = "project_id,stage,incubator,entered_on,exited_on,exit_reason\n" \
           "PR3,incubation,MCISE,2023-07-01,2023-06-01,graduated\nPR3,acceleration,MCISE,2023-08-01,,abandoned\n"
    report = check(writable_small_db, incubation_stages=text)
    assert places(report) == {("incubation_stages.csv", 2, "exited_on", "rule-violation"),
                              ("incubation_stages.csv", 3, "exit_reason", "rule-violation")}


def test_coaching_hours_must_be_positive(writable_small_db):
    """Test that coaching hours of 0 are refused (> 0)."""
    text = "session_id,project_id,partner,kind,held_on,hours\nCS9,PR3,MCISE,coaching,2023-07-01,0\n"
    only(check(writable_small_db, coaching_sessions=text), "coaching_sessions.csv", 2, "hours", "out-of-range")


def test_one_company_per_project(writable_small_db):
    """Test that a second company for a project (in the database, or in the batch) is refused."""
    header = "company_id,project_id,legal_form,registered_on,ice,jobs_created,status\n"
    report = check(writable_small_db, companies=header + "CO9,PR1,sarl,2024-01-01,,1,active\n"
                                                    "CO7,PR3,sarl,2024-01-01,,1,active\nCO8,PR3,other,2024-01-01,,1,active\n")
    assert places(report) == {("companies.csv", 2, "project_id", "rule-violation"),
                              ("companies.csv", 3, "project_id", "duplicate-key"),
                              ("companies.csv", 4, "project_id", "duplicate-key")}
    assert "CO1" in next(p for p in report.problems if p.row == 2).reason()


def test_company_followups_not_before_registration(writable_small_db):
    """Test that a company follow-up dated before the company's registration is refused, and
    that moving a registration after existing follow-ups is reported on the company row."""
    text = "company_id,as_of,employees,revenue_mad,status\nCO1,2022-06-30,3,,active\n"
    only(check(writable_small_db, company_followups=text), "company_followups.csv", 2, "as_of", "rule-violation")
    header = "company_id,project_id,legal_form,registered_on,ice,jobs_created,status\n"
    report = check(writable_small_db, companies=header + "CO1,PR1,sarl_au,2023-08-01,001234567000089,3,active\n")
    only(report, "companies.csv", 2, "registered_on", "rule-violation")


# ------------------------------------------------------------------------------ warnings
def test_a_project_without_exactly_one_lead_is_a_warning_not_an_error(writable_small_db):
    """Test that two leads (or none) give a warning and the batch stays valid."""
    report = check(writable_small_db, project_members="project_id,participant_id,role\nPR3,P09,lead\n",
                   projects="project_id,cohort_id,name,sector,created_on\nPR4,C3,Nouveau,other,2023-09-01\n")
    assert report.valid and report.problems == []
    warnings = {(w.file, w.row, w.type, w.params["project"], w.params["leads"]) for w in report.warnings}
    assert warnings == {("project_members.csv", 2, "lead-count", "PR3", 2),
                        ("projects.csv", 2, "lead-count", "PR4", 0)}
    assert report.warnings_count == 2
