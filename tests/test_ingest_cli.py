"""`python -m pie ingest|batches|export|templates` exactly as shared/CLI.md says: exit
status, --json shape (compared with the library's own result), human report. `ingest` runs
as a real process; the other commands run in this process through pie.cli.main."""
from __future__ import annotations

import json
import subprocess
import sys


from conftest import FIXTURES
from pie import cli, db, ingest
from pie.config import PROJECT_ROOT
from pie.ingest import rules

REGISTERS = FIXTURES / "imports" / "registers"
ERRORS = FIXTURES / "imports" / "errors"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pie", *map(str, args)], capture_output=True, text=True,
                          cwd=PROJECT_ROOT, timeout=300)


def main(capsys, *args) -> tuple[int, str, str]:
    """(exit status, stdout, stderr) of `python -m pie ARGS` run in this process."""
    status = cli.main([str(a) for a in args])
    out = capsys.readouterr()
    return status, out.out, out.err


def test_ingest_json_accepted_then_batches(empty_db, capsys):
    """Test `ingest --json` on good registers: exit 0, exactly the CLI.md keys, the rows per
    table; then `batches --json` lists that batch."""
    done = run("ingest", REGISTERS, "--db", empty_db, "--user", "amina", "--json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert list(out) == ["batch_id", "outcome", "rows", "problems"]
    assert out["outcome"] == "accepted" and out["problems"] == []
    # the registers hold every DATA_MODEL table; none of our own follow-up actions (docs/FOLLOW_UP_ACTIONS.md)
    assert out["rows"]["participants"] == 10 and set(out["rows"]) == set(rules.TABLE_NAMES) - {"follow_up_actions"}

    status, stdout, _ = main(capsys, "batches", "--db", empty_db, "--json")
    assert status == 0
    [batch] = json.loads(stdout)
    assert (batch["batch_id"], batch["user_name"], batch["outcome"]) == (out["batch_id"], "amina", "accepted")
    assert batch["rows"] == out["rows"] and all(len(f["sha256"]) == 64 for f in batch["files"])
    status, stdout, _ = main(capsys, "batches", "--db", empty_db)
    assert status == 0 and out["batch_id"] in stdout and "amina" in stdout and "accepté" in stdout


def test_ingest_rejected_exit_1_and_json_matches_the_library(writable_small_db):
    """Test a rejected batch: exit 1, each problem with exactly file/row/column/value/reason,
    the same problems as the library's dry run of the same files."""
    done = run("ingest", ERRORS, "--db", writable_small_db, "--json")
    assert done.returncode == 1, done.stderr
    out = json.loads(done.stdout)
    assert out["outcome"] == "rejected" and out["rows"] == {"participants": 3, "phase_progress": 2}
    assert all(list(p) == ["file", "row", "column", "value", "reason"] for p in out["problems"])
    library = ingest.check([ERRORS], writable_small_db).as_json()
    assert out["problems"] == library["problems"]
    gender = next(p for p in out["problems"] if (p["file"], p["row"], p["column"]) == ("participants.csv", 2, "gender"))
    assert gender["value"] == "x" and "f, m" in gender["reason"]


def test_ingest_human_report_and_dry_run(writable_small_db):
    """Test the human report (file:row column value — reason, in French) and that a clean
    dry run exits 0, says so, and writes no data."""
    done = run("ingest", ERRORS / "participants.csv", "--db", writable_small_db)
    assert done.returncode == 1
    assert 'participants.csv:2 gender "x" — « x » n\'est pas un code accepté pour gender' in done.stdout
    assert "f, m" in done.stdout

    good = REGISTERS / "establishments.csv"
    done = run("ingest", good, "--db", writable_small_db, "--dry-run", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["outcome"] == "accepted"
    outcomes = [b["outcome"] for b in ingest.history(writable_small_db)]
    assert outcomes == ["checked", "rejected"]


def test_ingest_refusals_exit_1_with_a_message(writable_small_db, tmp_path, capsys):
    """Test that a missing path and a demo database are refused with a message, no traceback."""
    status, _, err = main(capsys, "ingest", tmp_path / "absent.csv", "--db", writable_small_db)
    assert status == 1 and "absent.csv" in err
    with db.writing(writable_small_db) as con:
        con.execute("update app_meta set value = 'true' where key = 'is_demo'")
    status, _, err = main(capsys, "ingest", REGISTERS, "--db", writable_small_db)
    assert status == 1 and "python -m pie init" in err


def test_export_init_ingest_gives_the_same_kpis(small_db, tmp_path, capsys):
    """Test `export DIR`, then `init` and `ingest DIR` on a new database: same `kpis --json`."""
    assert main(capsys, "export", tmp_path / "out", "--db", small_db)[0] == 0
    new = tmp_path / "new" / "pie.duckdb"
    assert main(capsys, "init", "--db", new)[0] == 0
    status, stdout, _ = main(capsys, "ingest", tmp_path / "out", "--db", new)
    assert status == 0, stdout
    assert json.loads(main(capsys, "kpis", "--db", new, "--json")[1]) == \
        json.loads(main(capsys, "kpis", "--db", small_db, "--json")[1])


def test_templates_command(tmp_path, capsys):
    """Test `templates DIR` writes a CSV per table and the workbook."""
    assert main(capsys, "templates", tmp_path)[0] == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [f"{t}.csv" for t in rules.TABLE_NAMES] + ["pie-modeles.xlsx"])
