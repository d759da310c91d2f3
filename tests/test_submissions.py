"""Partners report their own data: scoped submissions, a manager's approval (DESIGN.md, Roles;
pie/ingest/partners.py, pie/ingest/submissions.py).

On the small hand-made programme (tests/fixtures/small_programme.sql): establishments E1
(cohorts C1, C2: participants P01–P07, projects PR1, PR2) and E2 (C3: P08–P10, PR3); BOA
decided FD1 (BP1, approved), FD3 and FD5 (rejected), FD4 (BP4, pending), CAM FD2 (BP3,
approved); MCISE has PR1's stages, Technopark Agadir PR2's pre_incubation. Every refused case
checks that nothing was written to the programme tables.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import run_cli
from pie import auth, cli, db, ingest, kpis
from pie.config import PROJECT_ROOT
from pie.errors import ImportRefused, NotAwaitingApproval, ReviewRefused
from pie.ingest import submissions
from pie.scope import NO_ROWS, Scope

DECISIONS = "decision_id,plan_id,bank,branch,product,decision,decided_on,amount_approved_mad\n"
PARTICIPANTS = "participant_id,cohort_id,gender,birth_year,profile,sector,enrolled_on\n"
STAGES = "project_id,stage,incubator,entered_on,exited_on,exit_reason\n"
# BOA's new approved decision on BP3 (PR2's validated plan: CAM finances it, BOA only refused it)
BOA_NEW = "FD6,BP3,BOA,BOA Agadir,intelaka,approved,2023-06-20,30000\n"
CAM_NEW = "FD7,BP1,CAM,CAM Agadir,intelaka,approved,2023-06-20,30000\n"
E1_PARTICIPANTS = 7          # P01–P07 (C1, C2)
BOA_FINANCED = 1             # PR1 (FD1)


@pytest.fixture
def partners_db(writable_small_db) -> Path:
    """The small programme with a manager, two banks, an incubator, an establishment (E1) and leadership."""
    for name, role, scope in (("amina", "manager", None), ("boa", "bank", "BOA"), ("cam", "bank", "CAM"),
                              ("mcise", "incubator", "MCISE"), ("cmc09", "establishment", "E1"),
                              ("direction", "leadership", None)):
        auth.add_user(writable_small_db, name, role, "unused-password", scope, _demo=True)
    return writable_small_db


def folder(tmp_path: Path, name: str, files: dict[str, str]) -> Path:
    target = tmp_path / name
    target.mkdir()
    for file, text in files.items():
        (target / file).write_text(text, encoding="utf-8")
    return target


def table(path: Path, sql: str) -> list[tuple]:
    with db.reader(path).connection().cursor() as cur:
        return cur.execute(sql).fetchall()


def programme_rows(path: Path) -> dict[str, list[tuple]]:
    """Every programme table's rows, to show that nothing was written."""
    return {t: sorted(table(path, f"select * from {t}"), key=repr) for t in db.PROGRAMME_TABLES}


def places(report) -> list[tuple]:
    return [(p.file, p.row, p.column, p.value, p.type) for p in report.problems]


# ------------------------------------------------------------------------------ scope of submissions
def test_bank_submitting_another_banks_decision_is_refused_with_its_place(partners_db, tmp_path):
    """Test that BOA's batch holding a CAM decision is rejected on that row, nothing written."""
    before = programme_rows(partners_db)
    files = folder(tmp_path, "both", {"financing_decisions.csv": DECISIONS + BOA_NEW + CAM_NEW})
    report = ingest.ingest([files], partners_db, user="boa")
    assert report.outcome == "rejected"
    assert places(report) == [("financing_decisions.csv", 3, "bank", "CAM", "outside-scope")]
    assert "BOA" in report.problems[0].reason("fr") and "CAM" in report.problems[0].reason("en")
    assert programme_rows(partners_db) == before


def test_bank_new_decision_on_a_plan_it_does_not_finance_yet_is_submitted_not_loaded(partners_db, tmp_path):
    """Test that CAM's new decision on BP1 (a plan only BOA finances) is allowed, kept as
    submitted and not loaded until approved."""
    before = programme_rows(partners_db)
    report = ingest.ingest([folder(tmp_path, "cam", {"financing_decisions.csv": DECISIONS + CAM_NEW})],
                           partners_db, user="cam")
    assert (report.outcome, report.problems_count) == ("submitted", 0)
    assert programme_rows(partners_db) == before
    assert [b["batch_id"] for b in submissions.pending(partners_db)] == [report.batch_id]
    archived = partners_db.parent / "imports" / report.batch_id / "financing_decisions.csv"
    assert archived.read_text(encoding="utf-8") == DECISIONS + CAM_NEW


def test_bank_changing_another_banks_decision_is_refused(partners_db, tmp_path):
    """Test that BOA re-sending CAM's FD2 under its own name is refused on the decision id."""
    before = programme_rows(partners_db)
    row = "FD2,BP3,BOA,BOA Agadir,intelaka,approved,2023-06-11,50000\n"
    report = ingest.ingest([folder(tmp_path, "take", {"financing_decisions.csv": DECISIONS + row})],
                           partners_db, user="boa")
    assert report.outcome == "rejected"
    assert places(report) == [("financing_decisions.csv", 2, "decision_id", "FD2", "outside-scope")]
    assert report.problems[0].key == "ingest.scope.decision_of_other_bank"
    assert programme_rows(partners_db) == before


def test_bank_may_not_submit_another_table(partners_db, tmp_path):
    """Test that a bank's participants file is one problem on its header row."""
    files = folder(tmp_path, "people", {"participants.csv": PARTICIPANTS + "P11,C1,f,2001,trainee,other,2021-10-01\n"})
    report = ingest.ingest([files], partners_db, user="boa")
    assert report.outcome == "rejected"
    assert [(p.file, p.row, p.key) for p in report.problems] == [
        ("participants.csv", 1, "ingest.scope.table_not_allowed")]
    assert "financing_decisions, loan_followups" in report.problems[0].reason("fr")


def test_establishment_submitting_a_participant_of_another_establishments_cohort_is_refused(partners_db, tmp_path):
    """Test that E1 may not enrol a participant in C3 (E2's cohort) nor change P08 (E2's)."""
    before = programme_rows(partners_db)
    rows = "P11,C3,f,2001,trainee,other,2022-10-10\nP08,C1,f,2001,trainee,crafts,2022-10-10\n"
    report = ingest.ingest([folder(tmp_path, "e1", {"participants.csv": PARTICIPANTS + rows})],
                           partners_db, user="cmc09")
    assert report.outcome == "rejected"
    assert places(report) == [("participants.csv", 2, "cohort_id", "C3", "outside-scope"),
                              ("participants.csv", 3, "participant_id", "P08", "outside-scope")]
    assert programme_rows(partners_db) == before


def test_establishment_may_not_write_contacts_or_phases_of_another_establishments_participant(partners_db, tmp_path):
    """Test that a contact and a phase row of P09 (E2) are refused for E1."""
    files = folder(tmp_path, "e1", {
        "participant_contacts.csv": "participant_id,full_name\nP09,Nom Inconnu\n",
        "phase_progress.csv": "participant_id,phase,status,started_on\nP09,immersion,in_progress,2023-02-01\n"})
    report = ingest.ingest([files], partners_db, user="cmc09")
    assert {(p.file, p.row, p.key) for p in report.problems if p.type == "outside-scope"} == {
        ("participant_contacts.csv", 2, "ingest.scope.participant_of_other_establishment"),
        ("phase_progress.csv", 2, "ingest.scope.participant_of_other_establishment")}


def test_incubator_changing_another_incubators_stage_is_refused(partners_db, tmp_path):
    """Test that MCISE taking over Technopark Agadir's PR2 pre_incubation is refused."""
    before = programme_rows(partners_db)
    files = folder(tmp_path, "mcise", {"incubation_stages.csv": STAGES + "PR2,pre_incubation,MCISE,2023-06-20,,\n"})
    report = ingest.ingest([files], partners_db, user="mcise")
    assert report.outcome == "rejected"
    assert places(report) == [("incubation_stages.csv", 2, "stage", "pre_incubation", "outside-scope")]
    assert programme_rows(partners_db) == before


def test_leadership_may_submit_nothing(partners_db, tmp_path):
    """Test that a leadership account's batch is refused whatever it holds."""
    report = ingest.ingest([folder(tmp_path, "l", {"financing_decisions.csv": DECISIONS + BOA_NEW})],
                           partners_db, user="direction")
    assert [p.key for p in report.problems] == ["ingest.scope.nothing_allowed"]


def test_disabled_account_and_unknown_account_are_refused(partners_db, tmp_path):
    """Test that `--as` needs an existing account and a disabled account's batch is not recorded."""
    files = folder(tmp_path, "boa", {"financing_decisions.csv": DECISIONS + BOA_NEW})
    with pytest.raises(ImportRefused, match="nobody"):
        ingest.ingest([files], partners_db, account="nobody")
    auth.disable_user(partners_db, "boa")
    with pytest.raises(ImportRefused):
        ingest.ingest([files], partners_db, user="boa")
    assert table(partners_db, "select count(*) from import_batches") == [(0,)]


def test_manager_and_operator_imports_are_unchanged(partners_db, tmp_path):
    """Test that a manager account and a user without an account still import every table at once."""
    files = folder(tmp_path, "m", {"financing_decisions.csv": DECISIONS + CAM_NEW})
    assert ingest.ingest([files], partners_db, user="amina").outcome == "accepted"
    assert table(partners_db, "select bank from financing_decisions where decision_id = 'FD7'") == [("CAM",)]


# ------------------------------------------------------------------------------ approval
def submit(path: Path, tmp_path: Path, name: str, user: str, files: dict[str, str]):
    report = ingest.ingest([folder(tmp_path, name, files)], path, user=user)
    assert report.outcome == "submitted", places(report)
    return report.batch_id


def test_approval_publishes_and_the_bank_sees_it(partners_db, tmp_path):
    """Test that approving BOA's batch loads it, records who approved, and BOA's figures move."""
    batch_id = submit(partners_db, tmp_path, "boa", "boa", {"financing_decisions.csv": DECISIONS + BOA_NEW})
    boa = Scope.for_role("bank", "BOA")
    assert kpis.compute(db.reader(partners_db), boa)["projects_financed"] == BOA_FINANCED
    report = submissions.approve(partners_db, batch_id, "amina")
    assert report.outcome == "approved" and report.rows == {"financing_decisions": 1}
    assert kpis.compute(db.reader(partners_db), boa)["projects_financed"] == BOA_FINANCED + 1
    (row,) = [b for b in ingest.history(partners_db) if b["batch_id"] == batch_id]
    assert (row["outcome"], row["reviewed_by"], row["user_name"]) == ("approved", "amina", "boa")
    events = [(e["user_name"], e["event"]) for e in auth.audit_log(partners_db)]
    assert ("boa", "partner_batch") in events and events[-1] == ("amina", "batch_approved")


def test_approving_twice_and_approving_a_returned_batch_are_refused(partners_db, tmp_path):
    """Test that only a submitted batch can be approved or returned."""
    first = submit(partners_db, tmp_path, "one", "boa", {"financing_decisions.csv": DECISIONS + BOA_NEW})
    submissions.approve(partners_db, first, "amina")
    after = programme_rows(partners_db)
    with pytest.raises(NotAwaitingApproval, match="approved"):
        submissions.approve(partners_db, first, "amina")
    second = submit(partners_db, tmp_path, "two", "cam", {"financing_decisions.csv": DECISIONS + CAM_NEW})
    submissions.return_batch(partners_db, second, "Agence manquante", "amina")
    with pytest.raises(NotAwaitingApproval, match="returned"):
        submissions.approve(partners_db, second, "amina")
    with pytest.raises(NotAwaitingApproval):
        submissions.return_batch(partners_db, second, "encore", "amina")
    assert programme_rows(partners_db) == after
    (returned,) = ingest.history(partners_db, user_name="cam")
    assert (returned["outcome"], returned["review_comment"]) == ("returned", "Agence manquante")


def test_a_partner_cannot_approve(partners_db, tmp_path):
    """Test that a partner account (even approving its own batch) is refused."""
    batch_id = submit(partners_db, tmp_path, "boa", "boa", {"financing_decisions.csv": DECISIONS + BOA_NEW})
    with pytest.raises(ReviewRefused):
        submissions.approve(partners_db, batch_id, "boa")
    with pytest.raises(ReviewRefused):
        submissions.return_batch(partners_db, batch_id, "non", "cmc09")
    assert [b["outcome"] for b in submissions.pending(partners_db)] == ["submitted"]


def test_a_batch_whose_rows_changed_meanwhile_is_not_approved(partners_db, tmp_path):
    """Test that two submitted batches updating FD4: after the first is approved, the second's
    approval is refused on that row and writes nothing (it stays submitted)."""
    rejected = "FD4,BP4,BOA,BOA Oujda Centre,microcredit,rejected,2023-07-01,\n"
    approved = "FD4,BP4,BOA,BOA Oujda Centre,microcredit,pending,,\n"
    first = submit(partners_db, tmp_path, "first", "boa", {"financing_decisions.csv": DECISIONS + rejected})
    second = submit(partners_db, tmp_path, "second", "boa", {"financing_decisions.csv": DECISIONS + approved})
    assert submissions.approve(partners_db, first, "amina").outcome == "approved"
    after_first = programme_rows(partners_db)
    report = submissions.approve(partners_db, second, "amina")
    assert report.outcome == "submitted"
    assert places(report) == [("financing_decisions.csv", 2, "decision_id", "FD4", "changed-since-submitted")]
    assert programme_rows(partners_db) == after_first
    assert [b["batch_id"] for b in submissions.pending(partners_db)] == [second]


def test_approval_checks_the_scope_as_the_account_says_now(partners_db, tmp_path):
    """Test that a batch submitted while CAM's account was CAM is refused if the account now
    belongs to another bank (rights are read when approving, not trusted from the submission)."""
    batch_id = submit(partners_db, tmp_path, "cam", "cam", {"financing_decisions.csv": DECISIONS + CAM_NEW})
    auth.set_role(partners_db, "cam", "bank", "BMCI")
    report = submissions.approve(partners_db, batch_id, "amina")
    assert report.outcome == "submitted" and [p.column for p in report.problems] == ["bank"]


def test_a_trusted_partner_publishes_at_once(partners_db, tmp_path):
    """Test that once trusted, BOA's batch is accepted and loaded without approval (audit-logged)."""
    auth.set_trusted(partners_db, "boa", True, by="amina")
    report = ingest.ingest([folder(tmp_path, "boa", {"financing_decisions.csv": DECISIONS + BOA_NEW})],
                           partners_db, user="boa")
    assert report.outcome == "accepted"
    assert table(partners_db, "select bank from financing_decisions where decision_id = 'FD6'") == [("BOA",)]
    auth.set_trusted(partners_db, "boa", False, by="amina")
    assert not auth.is_trusted(partners_db, "boa")
    events = [(e["user_name"], e["event"], e["detail"]) for e in auth.audit_log(partners_db)]
    assert ("amina", "partner_trusted", "boa") in events and ("amina", "partner_untrusted", "boa") in events
    with pytest.raises(Exception, match="partner"):
        auth.set_trusted(partners_db, "amina", True)


def test_preview_counts_rows_and_moves_the_partners_figures(partners_db, tmp_path):
    """Test the manager's preview: one decision added, one updated; BOA's figures before → after."""
    rows = BOA_NEW + "FD4,BP4,BOA,BOA Oujda Centre,microcredit,rejected,2023-07-01,\n"
    batch_id = submit(partners_db, tmp_path, "boa", "boa", {"financing_decisions.csv": DECISIONS + rows})
    before = programme_rows(partners_db)
    result = submissions.preview(partners_db, batch_id)
    assert result["tables"] == {"financing_decisions": {"added": 1, "updated": 1, "unchanged": 0}}
    assert result["figures"]["projects_financed"] == {"before": BOA_FINANCED, "after": BOA_FINANCED + 1}
    # BOA decided: FD1 approved, FD3 and FD5 rejected -> 1/3; then FD6 approved, FD4 rejected -> 2/5
    assert result["figures"]["approval_rate"]["before"] == pytest.approx(1 / 3, abs=1e-6)
    assert result["figures"]["approval_rate"]["after"] == pytest.approx(2 / 5, abs=1e-6)
    assert programme_rows(partners_db) == before
    assert [b["outcome"] for b in submissions.pending(partners_db)] == ["submitted"]


# ------------------------------------------------------------------------------ establishment role
def test_establishment_scope_is_its_cohorts_and_a_filter_can_only_narrow(partners_db):
    """Test the establishment role's figures: E1's 7 participants; another establishment's filter gives none."""
    reader = db.reader(partners_db)
    own = Scope.for_role("establishment", "E1")
    assert kpis.compute(reader, own)["participants"] == E1_PARTICIPANTS
    assert kpis.compute(reader, own.with_filters(establishment_id="E1"))["participants"] == E1_PARTICIPANTS
    other = own.with_filters(establishment_id="E2")
    assert other.parameters()["establishment"] == NO_ROWS
    assert kpis.compute(reader, other)["participants"] == 0
    assert kpis.compute(reader, own.with_filters(academic_year="2022-2023"))["participants"] == 3   # P05–P07


def test_establishment_submission_approved_shows_in_its_figures(partners_db, tmp_path):
    """Test that cmc09's new participant, once approved, counts in E1's figures."""
    batch_id = submit(partners_db, tmp_path, "e1", "cmc09",
                      {"participants.csv": PARTICIPANTS + "P11,C2,f,2002,trainee,health,2022-10-05\n"})
    assert submissions.approve(partners_db, batch_id, "amina").outcome == "approved"
    assert kpis.compute(db.reader(partners_db), Scope.for_role("establishment", "E1"))["participants"] == \
        E1_PARTICIPANTS + 1


# ------------------------------------------------------------------------------ command line
def cli_json(*args) -> tuple[int, object]:
    done = run_cli(*map(str, args))
    return done.returncode, (json.loads(done.stdout) if done.stdout.strip().startswith(("{", "[")) else done)


def test_cli_story_boa_cmc09_mcise(partners_db, tmp_path):
    """Test the CLI story: boa submits BOA+CAM (CAM row refused, exit 1), BOA alone (submitted,
    exit 0), the manager approves, kpis --json shows it; the same for cmc09 and mcise."""
    both = folder(tmp_path, "both", {"financing_decisions.csv": DECISIONS + BOA_NEW + CAM_NEW})
    status, out = cli_json("ingest", both, "--db", partners_db, "--as", "boa", "--json")
    assert status == 1 and out["outcome"] == "rejected"
    assert out["problems"] == [{"file": "financing_decisions.csv", "row": 3, "column": "bank", "value": "CAM",
                                "reason": "La décision porte la banque CAM : votre compte ne peut envoyer que "
                                          "les décisions de BOA."}]
    # whole-programme figures: approved 120,000 (FD1) + 50,000 (FD2); 10 participants; PR1, PR2 incubated
    stories = [("boa", {"financing_decisions.csv": DECISIONS + BOA_NEW}, "amount_approved_mad", 170000, 200000),
               ("cmc09", {"participants.csv": PARTICIPANTS + "P11,C2,f,2002,trainee,health,2022-10-05\n"},
                "participants", 10, 11),
               ("mcise", {"incubation_stages.csv": STAGES + "PR3,pre_incubation,MCISE,2023-07-01,,\n"},
                "projects_incubated", 2, 3)]
    for account, files, key, before, after in stories:
        status, out = cli_json("ingest", folder(tmp_path, account, files), "--db", partners_db, "--as", account,
                               "--json")
        assert status == 0 and out["outcome"] == "submitted" and out["problems"] == [], out
        status, pending = cli_json("batches", "--pending", "--json", "--db", partners_db)
        assert [(b["batch_id"], b["outcome"], b["user_name"]) for b in pending] == [
            (out["batch_id"], "submitted", account)]
        assert cli_json("kpis", "--json", "--db", partners_db)[1][key] == before
        done = run_cli("approve", out["batch_id"], "--user", "amina", "--db", str(partners_db))
        assert done.returncode == 0, done.stderr
        assert cli_json("kpis", "--json", "--db", partners_db)[1][key] == after
    status, history = cli_json("batches", "--json", "--db", partners_db)
    assert [b["outcome"] for b in history] == ["approved", "approved", "approved", "rejected"]
    assert cli_json("batches", "--pending", "--json", "--db", partners_db)[1] == []


def test_cli_approve_and_return_refusals_exit_1(partners_db, tmp_path, capsys):
    """Test `return` with a comment, then `approve`/`return` of a batch not awaiting approval: exit 1."""
    status, out = cli_json("ingest", folder(tmp_path, "cam", {"financing_decisions.csv": DECISIONS + CAM_NEW}),
                           "--db", partners_db, "--as", "cam", "--json")
    assert (status, out["outcome"]) == (0, "submitted")
    batch_id = out["batch_id"]
    assert cli.main(["return", batch_id, "--comment", "Agence à préciser", "--user", "amina",
                     "--db", str(partners_db)]) == 0
    assert cli.main(["approve", batch_id, "--db", str(partners_db)]) == 1
    assert "n'attend pas" in capsys.readouterr().err
    assert cli.main(["return", batch_id, "--comment", "x", "--db", str(partners_db)]) == 1
    assert cli.main(["approve", "no-such-batch", "--db", str(partners_db)]) == 1
    assert cli.main(["batches", "--db", str(partners_db)]) == 0
    assert "Agence à préciser" in capsys.readouterr().out


def test_cli_users_trust_and_establishment_scope(partners_db, capsys):
    """Test `users trust|untrust` and that an establishment account needs an existing establishment."""
    assert cli.main(["users", "trust", "mcise", "--db", str(partners_db)]) == 0
    assert auth.is_trusted(partners_db, "mcise")
    assert cli.main(["users", "untrust", "mcise", "--db", str(partners_db)]) == 0
    assert not auth.is_trusted(partners_db, "mcise")
    assert cli.main(["users", "trust", "amina", "--db", str(partners_db)]) == 1
    done = run_cli("users", "add", "ista.x", "--role", "establishment", "--scope", "E9", "--db", str(partners_db),
                   password="a long and unusual passphrase 42")
    assert done.returncode == 1 and "E9" in done.stderr
    done = run_cli("users", "add", "ista.oujda", "--role", "establishment", "--scope", "E2", "--db",
                   str(partners_db), password="a long and unusual passphrase 42")
    assert done.returncode == 0, done.stderr
    assert auth.find_user(partners_db, "ista.oujda") == auth.User("ista.oujda", "establishment", "E2")


# ------------------------------------------------------------------------------ crash safety
@pytest.mark.parametrize("fault, outcome", [("load", "submitted"), ("commit", "approved")])
def test_approval_killed_leaves_submitted_or_approved_and_published(partners_db, tmp_path, monkeypatch, fault,
                                                                    outcome):
    """Test that an approval killed before its commit leaves the batch submitted and nothing
    written, and one killed after its commit is published by the next reader."""
    batch_id = submit(partners_db, tmp_path, "boa", "boa", {"financing_decisions.csv": DECISIONS + BOA_NEW})
    env = {**os.environ, "PIE_FAULT": fault}
    done = subprocess.run([sys.executable, "-m", "pie", "approve", batch_id, "--db", str(partners_db)],
                          cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == db.FAULT_EXIT, done.stderr
    monkeypatch.setattr(db.Reader, "REPAIR_EVERY", 0)      # this process's reader looks at once
    (row,) = [b for b in ingest.history(partners_db) if b["batch_id"] == batch_id]
    assert row["outcome"] == outcome
    loaded = table(partners_db, "select count(*) from financing_decisions where decision_id = 'FD6'")
    assert loaded == [(1 if outcome == "approved" else 0,)]


# ------------------------------------------------------------------------------ migration
OLD_IMPORT_BATCHES = """
create table import_batches (
    batch_id varchar primary key, started_at timestamp not null, finished_at timestamp, user_name varchar,
    dry_run boolean not null default false,
    outcome varchar not null check (outcome in ('accepted', 'rejected', 'checked')),
    files_json varchar not null, rows_json varchar not null, problems_count integer not null default 0,
    warnings_count integer not null default 0)"""


def test_an_older_batches_table_is_migrated_by_the_next_writer(partners_db, tmp_path):
    """Test that import_batches made before submissions (old outcome check, no review columns)
    keeps its rows and takes a partner's batch after the next write."""
    import duckdb

    con = duckdb.connect(str(partners_db))
    con.execute("drop table import_batches")
    con.execute(OLD_IMPORT_BATCHES)
    con.execute("insert into import_batches values ('old-1', '2025-01-01 10:00', null, 'amina', false, "
                "'accepted', '[]', '{}', 0, 0)")
    con.close()
    batch_id = submit(partners_db, tmp_path, "boa", "boa", {"financing_decisions.csv": DECISIONS + BOA_NEW})
    assert [(b["batch_id"], b["outcome"], b["reviewed_by"]) for b in ingest.history(partners_db)] == [
        (batch_id, "submitted", None), ("old-1", "accepted", None)]
