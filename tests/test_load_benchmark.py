"""benchmarks/load.py's import midway (issue 18): a partner's submission approved by a manager.

The files it writes for the establishment account cmc09 must be a submission the product
accepts (`ingest --as cmc09`: outcome submitted, no problem) and, once approved, move the
overview's figures; the report must read older results (no import kind) as an operator's
import. On the small hand-made programme (tests/fixtures/small_programme.sql): E1 (CMC
Souss-Massa, region 09) has cohort C2 in 2022-2023 with P05, P06, P07; contacts of P05 and
P06; phases: P05 3, P06 3, P07 1. E2's C3 (P08–P10) is the same year in region 02.
"""
from __future__ import annotations

import asyncio
import importlib.util
import json
import sys
import time
from pathlib import Path

import pytest
from conftest import run_cli

from pie import auth
from pie.config import PROJECT_ROOT

_spec = importlib.util.spec_from_file_location("load_benchmark", PROJECT_ROOT / "benchmarks" / "load.py")
load_benchmark = importlib.util.module_from_spec(_spec)
sys.modules["load_benchmark"] = load_benchmark      # its dataclasses look their module up
_spec.loader.exec_module(load_benchmark)

OLD_RESULTS = PROJECT_ROOT / "docs" / "performance" / "load-1000000-think10s-serve2-100.json"


@pytest.fixture
def cmc_db(writable_small_db) -> Path:
    """The small programme with the establishment account cmc09 (E1) and a manager."""
    auth.add_user(writable_small_db, "cmc09", "establishment", "unused-password", "E1", _demo=True)
    auth.add_user(writable_small_db, "manager", "manager", "unused-password", None, _demo=True)
    return writable_small_db


def kpis(db_path: Path, *filters: str) -> dict:
    answer = run_cli("kpis", "--db", str(db_path), "--json", *filters)
    assert answer.returncode == 0, answer.stderr
    return json.loads(answer.stdout)


def test_submission_files_hold_new_participants_of_the_partners_own_cohorts(cmc_db, tmp_path):
    plan = load_benchmark.write_submission(cmc_db, tmp_path / "import", "2022-2023", 2, "-L1")
    # the first 2 participants of E1's 2022-2023 cohort C2: P05 and P06, their contacts, 3 phases each
    assert plan.rows == {"participants": 2, "participant_contacts": 2, "phase_progress": 6}
    assert plan.cohorts == ["C2"]
    assert plan.partner == {"establishment_id": "E1", "name": "CMC Souss-Massa", "region_code": "09",
                            "academic_year": "2022-2023"}
    participants = (tmp_path / "import" / "participants.csv").read_text().splitlines()
    assert participants[1:] == ["P05-L1,C2,f,2003,trainee,agriculture,2022-10-03",
                                "P06-L1,C2,m,2002,trainee,industry,2022-10-03"]
    contacts = (tmp_path / "import" / "participant_contacts.csv").read_text().splitlines()
    assert [line.split(",")[:3] for line in contacts[1:]] == [["P05-L1", "Khadija Ouahbi", ""],
                                                             ["P06-L1", "Omar Tazi", ""]]  # national_id blanked


def test_a_year_without_cohorts_of_the_partner_is_refused_before_the_run(cmc_db, tmp_path):
    with pytest.raises(RuntimeError, match="no participant in 2023-2024"):
        load_benchmark.write_submission(cmc_db, tmp_path / "import", "2023-2024", 500, "-L1")


def test_the_submission_is_accepted_as_submitted_and_its_approval_moves_the_overview(cmc_db, tmp_path):
    plan = load_benchmark.write_submission(cmc_db, tmp_path / "import", "2022-2023", 500, "-L1")
    assert plan.rows == {"participants": 3, "participant_contacts": 2, "phase_progress": 7}
    before, before_filtered = kpis(cmc_db), kpis(cmc_db, "--year", "2022-2023", "--region", "09")
    assert (before["participants"], before_filtered["participants"]) == (10, 3)
    submitted = run_cli("ingest", str(plan.folder), "--as", "cmc09", "--db", str(cmc_db), "--json")
    answer = json.loads(submitted.stdout)
    assert (submitted.returncode, answer["outcome"], answer["problems"]) == (0, "submitted", [])
    assert kpis(cmc_db)["participants"] == 10          # nothing published before the approval
    approved = run_cli("approve", answer["batch_id"], "--user", "manager", "--db", str(cmc_db), "--lang", "en")
    assert approved.returncode == 0, approved.stdout + approved.stderr
    assert kpis(cmc_db)["participants"] == 13
    assert kpis(cmc_db, "--year", "2022-2023", "--region", "09")["participants"] == 6


def test_which_sessions_a_submission_moves():
    submission = load_benchmark.ImportPlan("submission", Path("."), {}, [], {})
    operator = load_benchmark.ImportPlan("operator", Path("."), {}, [], {})
    moved = {role: submission.moves(role) for role in ("admin", "manager", "leadership", "establishment",
                                                       "bank", "incubator")}
    assert moved == {"admin": True, "manager": True, "leadership": True, "establishment": True,
                     "bank": False, "incubator": False}
    assert operator.moves("bank") and operator.moves("incubator")


def test_older_results_read_as_an_operators_import():
    results = json.loads(OLD_RESULTS.read_text())
    assert "import_kind" not in results
    assert load_benchmark.section_title(results) == ("Load: 100 sessions during an import, 10 s between clicks "
                                                     "(1,000,000 participants, production start (2 processes))")
    text = load_benchmark.report(results)
    assert "Command: `python benchmarks/load.py --import-kind operator --sessions 100" in text
    assert "Import: `python -m pie ingest` of 27,044 rows" in text
    assert "sessions whose landing page showed new figures after the import |" in text
    assert "does not move" not in text


def test_a_submissions_report_counts_freshness_on_the_sessions_it_moves():
    results = json.loads(OLD_RESULTS.read_text())
    results["import_kind"] = "submission"
    results["import_partner"] = {"account": "cmc09", "approver": "manager", "establishment_id": "E-0017",
                                 "name": "CMC Souss-Massa", "region_code": "09", "academic_year": "2025-2026"}
    results["import_rows"] = {"participants": 500, "participant_contacts": 480, "phase_progress": 900}
    results["import_cohorts"] = ["C-000562"]
    results["import"] = {**results["import"], "outcome": "approved", "submit_outcome": "submitted",
                         "submitted": 100.0, "submit_cpu_seconds": 5.0, "approve_cpu_seconds": 6.0,
                         "batch_id": "B1", "approve_returncode": 0}
    for session in results["sessions"]:
        session["moved"] = session["role"] not in ("bank", "incubator")
    text = load_benchmark.report(results)
    assert load_benchmark.section_title(results).startswith("Load: 100 sessions during a partner's submission,")
    assert "Command: `python benchmarks/load.py --sessions 100" in text
    assert ("1,880 rows — 500 new participants in its existing cohort C-000562 of 2025-2026" in text)
    assert "outcome **submitted** at 100.0 s (took 10.0 s, batch B1)" in text
    assert "approved it: published at 178.4 s (approval took 78.4 s; 88.4 s from the start" in text
    # 100 sessions over manager, leadership, boa, cam, mcise, admin: 50 moved, 50 not
    assert "sessions whose landing figures the submission moves (manager, leadership, admin: 50)" in text
    assert "does not move (boa, cam, mcise: 50)" in text
    assert "| 10.0 s (5.0 s CPU) / 78.4 s (6.0 s CPU) |" in text


def test_a_refused_submission_voids_the_run_and_names_its_problems(cmc_db, tmp_path):
    """A row outside cmc09's scope (a participant in E2's cohort C3): `ingest --as` rejects the
    batch, and the benchmark stops with the problem instead of measuring a run without a
    publication."""
    folder = tmp_path / "import"
    folder.mkdir()
    (folder / "participants.csv").write_text("participant_id,cohort_id,gender,birth_year,profile,sector,enrolled_on\n"
                                             "P99,C3,f,2001,trainee,crafts,2022-10-10\n", encoding="utf-8")
    plan = load_benchmark.ImportPlan("submission", folder, {"participants": 1}, ["C3"], {},
                                     submitter="cmc09", approver="manager")
    shared = load_benchmark.Shared(t0=time.monotonic(), until=time.monotonic() + 60)
    shared.ready.set()
    result: dict = {}
    with pytest.raises(load_benchmark.ImportFailed, match=r"participants\.csv row 2 cohort_id 'C3'"):
        asyncio.run(load_benchmark._run_import(plan, cmc_db, 0, shared, result, 60))
    assert (result["outcome"], result["submit_outcome"]) == ("rejected", "rejected")
    assert not shared.published.is_set() and "approve_returncode" not in result
