"""`python -m pie`: the contract of shared/CLI.md (commands, help, exit codes, --json)."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from pie import cli, db, kpis
from pie.config import PROJECT_ROOT
from pie.scope import Scope

CHECK_CONTRACTS = PROJECT_ROOT.parent / "shared" / "tools" / "check_contracts.py"


def run_cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pie", *args], capture_output=True, text=True,
                          cwd=PROJECT_ROOT, env=env, timeout=300)


def registered_commands() -> list[str]:
    parser = cli.build_parser()
    action = next(a for a in parser._actions if a.dest == "command")
    return sorted(action.choices)


@pytest.mark.parametrize("command", registered_commands())
def test_every_command_has_help_ending_with_an_example(command, capsys):
    """Test that each command's --help describes it and ends with an example."""
    with pytest.raises(SystemExit) as stopped:
        cli.main([command, "--help"])
    assert stopped.value.code == 0
    out = capsys.readouterr().out
    assert "--db" in out and "--lang" in out
    assert out.rstrip().splitlines()[-1].strip().startswith("python -m pie " + command)


def test_kpis_json_has_exactly_the_metrics_keys_and_matches_the_library(small_db, tmp_path):
    """Test that `kpis --json` prints the METRICS.md keys with the library's values."""
    result = run_cli("kpis", "--db", str(small_db), "--region", "9", "--json")
    assert result.returncode == 0, result.stderr
    printed = json.loads(result.stdout)
    assert printed == kpis.compute(db.reader(small_db), Scope(region_code="09"))
    kpis_file = tmp_path / "kpis.json"
    kpis_file.write_text(result.stdout)
    check = subprocess.run([sys.executable, str(CHECK_CONTRACTS), "--db", str(db.reader(small_db).snapshot()),
                            "--kpis-json", str(kpis_file)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


def test_kpis_human_output_is_french_by_default(small_db):
    """Test that the human-readable output uses French labels and number formats."""
    result = run_cli("kpis", "--db", str(small_db))
    assert result.returncode == 0
    assert "Montant accordé" in result.stdout and "170\u202f000\u00a0MAD" in result.stdout
    assert "50,0\u00a0%" in result.stdout


def test_bad_region_is_a_usage_error(small_db):
    """Test that a region outside 01..12 exits 2 with a message, not a traceback."""
    result = run_cli("kpis", "--db", str(small_db), "--region", "13")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "13" in result.stderr


def test_unknown_command_is_a_usage_error():
    """Test that an unknown command exits 2."""
    assert run_cli("fly").returncode == 2


def test_missing_database_is_refused_with_advice(tmp_path):
    """Test that reading a missing database exits 1 and says to run init."""
    result = run_cli("kpis", "--db", str(tmp_path / "none.duckdb"))
    assert result.returncode == 1
    assert "init" in result.stderr and "Traceback" not in result.stderr


def test_init_creates_a_database_that_meets_the_data_model(tmp_path):
    """Test that init makes a database whose tables and columns match DATA_MODEL.md."""
    path = tmp_path / "new.duckdb"
    assert run_cli("init", "--db", str(path)).returncode == 0
    check = subprocess.run([sys.executable, str(CHECK_CONTRACTS), "--db", str(path)],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout


def test_init_refuses_a_database_with_data(small_db):
    """Test that init exits 1 on a database holding data and says how to force it."""
    result = run_cli("init", "--db", str(small_db))
    assert result.returncode == 1 and "--force" in result.stderr


def test_db_defaults_to_the_pie_db_variable(small_db):
    """Test that without --db the CLI reads $PIE_DB."""
    import os
    result = run_cli("kpis", "--json", env={**os.environ, "PIE_DB": str(small_db)})
    assert json.loads(result.stdout)["participants"] == 10
