"""The import page (AppTest) and DESIGN.md's concurrency promise: an import from the CLI
while a dashboard session is open succeeds, and the session sees it at the next click."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from apptest_support import ROOT, copy_of, dashboard
from pie import db, kpis

pytestmark = pytest.mark.usefixtures("fresh_caches")

IMPORT_PAGE = "pages/admin/import.py"
REGISTERS = Path(__file__).parent / "fixtures" / "imports" / "registers"
ERRORS = Path(__file__).parent / "fixtures" / "imports" / "errors"
CSV_REGISTERS = sorted(REGISTERS.glob("*.csv"))
REGISTER_PARTICIPANTS = 10   # participants.csv: P01..P10, as in the small programme


def upload(at, paths):
    at.file_uploader(key="import_files").set_value(
        [(path.name, path.read_bytes(), "text/csv") for path in paths])
    return at.run()


def click(at, label: str):
    return next(b for b in at.button if b.label == label).click().run()


def import_page(monkeypatch, database):
    at = dashboard(monkeypatch, database)
    return at.switch_page(IMPORT_PAGE).run()


def participants(database) -> int:
    return kpis.compute(db.reader(database))["participants"]


def test_dry_run_then_confirm_imports_the_batch(monkeypatch, empty_db):
    """Test that checking shows the rows per table, and confirming imports them."""
    at = upload(import_page(monkeypatch, empty_db), CSV_REGISTERS)
    at = click(at, "Vérifier (rien n'est enregistré)")
    assert not at.exception
    assert any("Aucun problème" in s.value for s in at.success)
    assert participants(empty_db) == 0                       # a dry run writes nothing
    at = click(at, "Importer ce lot")
    assert not at.exception
    assert any("importé" in s.value for s in at.success)
    assert participants(empty_db) == REGISTER_PARTICIPANTS
    history = at.dataframe[-1].value
    assert list(history.iloc[:, 4]) == ["Importé", "Vérifié (essai)"]   # newest first


def test_bad_rows_are_listed_and_nothing_is_imported(monkeypatch, empty_db):
    """Test that a batch with errors lists them (file, row, column) and offers no import."""
    at = upload(import_page(monkeypatch, empty_db), [*CSV_REGISTERS[:2], ERRORS / "participants.csv"])
    at = click(at, "Vérifier (rien n'est enregistré)")
    assert any("problème" in e.value for e in at.error)
    problems = next(frame.value for frame in at.dataframe if "Fichier" in frame.value.columns)
    assert {"participants.csv"} <= set(problems["Fichier"])
    assert 2 in set(problems["Ligne"].astype(int))            # first data row = row 2, as in Excel
    assert "Importer ce lot" not in [b.label for b in at.button]
    assert participants(empty_db) == 0


def test_demo_database_refuses_imports_on_the_page(monkeypatch, small_db, tmp_path):
    """Test that on a demo database the page says to create a real one and offers no upload."""
    path = copy_of(small_db, tmp_path / "demo")
    with db.writing(path) as con:
        con.execute("update app_meta set value = 'true' where key = 'is_demo'")
    at = import_page(monkeypatch, path)
    assert any("python -m pie init" in w.value for w in at.warning)
    assert not at.get("file_uploader")


def test_import_page_is_for_managers_admins_and_partners():
    """Test that every role but leadership has the import page (partners submit their own rows)."""
    from pie.ui import navigation

    assert [role for role in navigation.ALL_ROLES if "import" in [p.name for p in navigation.pages_for(role)]] == [
        "admin", "manager", "establishment", "bank", "incubator"]


def test_cli_import_while_a_dashboard_session_is_open(monkeypatch, empty_db):
    """Test that `python -m pie ingest` succeeds while a session reads, which then sees the data."""
    at = dashboard(monkeypatch, empty_db)                      # the session holds its snapshot open
    assert any("aucune donnée" in info.value for info in at.info)
    result = subprocess.run([sys.executable, "-m", "pie", "ingest", *map(str, CSV_REGISTERS),
                             "--db", str(empty_db), "--user", "amina"],
                            capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stderr
    at.run()                                                   # the next click
    assert not at.exception
    assert at.metric[0].value == str(REGISTER_PARTICIPANTS)


def test_a_hostile_workbook_leaves_the_dashboard_alive(monkeypatch, empty_db):
    """Test that a sheet that would make calamine abort its process is checked in the
    worker: the page shows the problem, grouped, and the dashboard process lives on."""
    import hostile
    from pie import ingest

    at = import_page(monkeypatch, empty_db)
    at.file_uploader(key="import_files").set_value(
        [("participants.xlsx", hostile.huge_sheet_xlsx(declare=False), "application/octet-stream")])
    at = click(at.run(), "Vérifier (rien n'est enregistré)")
    assert not at.exception
    assert any("n'a pas pu être lu" in str(frame.value) for frame in at.dataframe)
    assert [b["outcome"] for b in ingest.history(empty_db)] == ["checked"]
