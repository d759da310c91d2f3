"""Safe defaults of the served dashboard: uploads for importers only, listen address, errors
with a reference, a busy database, the demo only when asked for, private files.
"""
from __future__ import annotations

import asyncio
import logging
import os
import re
import shutil
import stat
import sys
from pathlib import Path

import pytest
import requests
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from apptest_support import dashboard
from pie import auth
from pie.errors import DatabaseBusy
from pie.ui import serve, uploads

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "correct horse battery"


pytestmark = pytest.mark.usefixtures("fresh_caches")


# ------------------------------------------------------------------------------ uploads
def _session_id(ws_session) -> list[str]:
    """Wrap a benchmarks/ws_client Session so the id of its server session is recorded."""
    found: list[str] = []
    receive = ws_session._ws.recv

    async def recv():
        data = await receive()
        message = ForwardMsg()
        message.ParseFromString(data)
        if message.WhichOneof("type") == "new_session":
            found.append(message.new_session.initialize.session_id)
        return data

    ws_session._ws.recv = recv
    return found


def _put(url: str, session_id: str) -> int:
    """An upload PUT as the browser sends it (with a valid XSRF cookie and header)."""
    http = requests.Session()
    http.get(f"{url}/_stcore/health", timeout=10)  # sets Streamlit's XSRF cookie, as for the browser
    token = next((cookie.value for cookie in http.cookies if "xsrf" in cookie.name), "")
    response = http.put(f"{url}/_stcore/upload_file/{session_id}/file-1",
                        files={"file": ("participants.csv", b"participant_id\nP1\n", "text/csv")},
                        headers={"X-Xsrftoken": token}, timeout=10)
    return response.status_code


async def _live_sessions(url: str):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from ws_client import Session

    anonymous, manager, leadership = Session(url, timeout=60), Session(url, timeout=60), Session(url, timeout=60)
    for tab in (anonymous, manager, leadership):
        await tab.connect()
    ids = [_session_id(tab) for tab in (anonymous, manager, leadership)]
    await anonymous.open("")
    await manager.login("manager", PASSWORD)
    await leadership.login("leadership", PASSWORD)
    return (anonymous, manager, leadership), [found[-1] for found in ids]


def test_uploads_are_refused_unless_the_session_may_import(small_db, tmp_path):
    """Test, on a real server started as in production (pie.ui.serve), that Streamlit's upload
    endpoint answers 403 for a live anonymous session and for a role without the import page
    (leadership), and accepts the file for a logged-in manager (the XSRF token is valid in
    every case, so only the guard refuses)."""
    from browser_support import streamlit_server

    database = Path(shutil.copyfile(small_db, tmp_path / "pie.duckdb"))
    auth.add_user(database, "manager", "manager", PASSWORD)
    auth.add_user(database, "leadership", "leadership", PASSWORD)
    with streamlit_server(database) as url:
        loop = asyncio.new_event_loop()
        try:
            tabs, (anonymous, manager, leadership) = loop.run_until_complete(_live_sessions(url))
            assert _put(url, anonymous) == 403
            assert _put(url, leadership) == 403
            assert _put(url, manager) in (200, 204)
            for tab in tabs:
                loop.run_until_complete(tab.close())
        finally:
            loop.close()


def test_the_registry_follows_login_and_logout():
    """Test the registry: a session may upload only while allowed."""
    uploads.allow_uploads("s1", True)
    assert uploads.may_upload("s1") and not uploads.may_upload("s2")
    uploads.allow_uploads("s1", False)
    assert not uploads.may_upload("s1")
    assert all(uploads.may_import(role) for role in ("admin", "manager", "establishment", "bank", "incubator"))
    assert not uploads.may_import("leadership")


def test_the_dashboard_registers_the_session_for_uploads(monkeypatch, small_db, tmp_path):
    """Test that a dashboard run tells the registry whether its user may import."""
    seen: dict[str, bool] = {}
    monkeypatch.setattr(uploads, "allow_uploads", lambda session_id, allowed: seen.__setitem__("last", allowed))
    database = Path(shutil.copyfile(small_db, tmp_path / "pie.duckdb"))
    dashboard(monkeypatch, database, account="manager")
    assert seen == {"last": True}
    dashboard(monkeypatch, database, account="leadership")
    assert seen == {"last": False}
    dashboard(monkeypatch, database, account=None)
    assert seen == {"last": False}


# ------------------------------------------------------------------------------ defaults
def test_the_server_listens_on_localhost_unless_told(monkeypatch):
    """Test the launcher's defaults (127.0.0.1, 50 MB uploads, no error details in the browser, no
    collection after each run),
    PIE_LISTEN_ADDRESS, and that command-line options win."""
    monkeypatch.delenv("PIE_LISTEN_ADDRESS", raising=False)
    args = serve.with_defaults(["--server.port", "8599"])
    assert args[args.index("--server.address") + 1] == "127.0.0.1"
    assert args[args.index("--server.maxUploadSize") + 1] == "50"
    assert args[args.index("--client.showErrorDetails") + 1] == "none"
    # no gc.collect(2) after every page run (two thirds of the CPU under load)
    assert args[args.index("--runner.postScriptGC") + 1] == "false"
    monkeypatch.setenv("PIE_LISTEN_ADDRESS", "10.0.0.5")
    assert serve.with_defaults([])[1] == "10.0.0.5"
    given = serve.with_defaults(["--server.address", "0.0.0.0"])
    assert given.count("--server.address") == 1 and given[-1] == "0.0.0.0"
    config = (ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8")
    assert 'address = "127.0.0.1"' in config and "maxUploadSize = 50" in config
    assert 'showErrorDetails = "none"' in config and "postScriptGC = false" in config


def test_a_page_error_shows_a_reference_that_the_log_has(monkeypatch, small_db, tmp_path, caplog):
    """Test that an unexpected error in a page is logged with its traceback and a short
    reference, and the page shows only a sentence with that reference (AppTest re-raises
    after it, so page tests still see errors; a served app does not)."""
    from pie.ui import data

    database = Path(shutil.copyfile(small_db, tmp_path / "pie.duckdb"))

    def broken(*args, **kwargs):
        raise RuntimeError("secret detail /srv/pie/data")

    monkeypatch.setattr(data, "indicators", broken)
    with caplog.at_level(logging.ERROR, logger="pie.dashboard"):
        at = dashboard(monkeypatch, database)
    errors = [element.value for element in at.error]
    assert len(errors) == 1 and "secret" not in errors[0]
    reference = re.search(r"\b([A-Z2-9]{6})\b", errors[0]).group(1)
    logged = [record for record in caplog.records if reference in record.getMessage()]
    assert logged and logged[0].exc_info and "secret detail" in str(logged[0].exc_info[1])


def test_a_busy_database_says_try_again(monkeypatch, small_db, tmp_path):
    """Test that DatabaseBusy from a page is a plain "try again in a moment", no error details."""
    from pie.ui import data

    database = Path(shutil.copyfile(small_db, tmp_path / "pie.duckdb"))

    def busy(*args, **kwargs):
        raise DatabaseBusy(key="db.error.busy", path="/srv/pie/data/pie.duckdb", seconds="30")

    monkeypatch.setattr(data, "indicators", busy)
    at = dashboard(monkeypatch, database)
    assert not at.exception
    assert [element.value for element in at.warning] == [
        "Les données sont en cours de mise à jour. Réessayez dans un instant."]
    assert not any("/srv/pie" in element.value for element in at.error)


def test_a_missing_database_says_how_to_create_one_without_a_demo(monkeypatch, tmp_path):
    """Test that without PIE_DEMO a missing database is not built: the page says how to create one."""
    monkeypatch.delenv("PIE_DEMO", raising=False)
    database = tmp_path / "data" / "pie.duckdb"
    at = dashboard(monkeypatch, database, account=None)
    assert not at.exception
    assert not database.exists()
    assert any("python -m pie init" in element.value for element in at.info)
    assert str(tmp_path) not in " ".join(element.value for element in at.info)


def test_start_script_asks_for_the_demo():
    """Test that scripts/start.sh sets PIE_DEMO (so its first run still builds the demo) and
    builds it only then."""
    script = (ROOT / "scripts" / "start.sh").read_text(encoding="utf-8")
    assert "export PIE_DEMO=${PIE_DEMO:-1}" in script
    assert 'if [ "$PIE_DEMO" = 1 ] && [ ! -f "$DB" ]; then' in script


# ------------------------------------------------------------------------------ files
def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_files_the_project_writes_are_private(tmp_path):
    """Test that the database, its folder, the published snapshots and pointer, and the archived
    imports (and the staging folder) are the service account's only (0600 files, 0700 folders),
    even with a permissive umask."""
    from conftest import build_small_programme
    from pie import ingest

    old = os.umask(0o022)
    try:
        database = build_small_programme(tmp_path / "data" / "pie.duckdb")
        projects = b"project_id,cohort_id,name,sector,created_on\nPR9,C1,Nouveau projet,other,2023-01-01\n"
        assert ingest.ingest([("projects.csv", projects)], database).accepted
    finally:
        os.umask(old)
    data_dir = database.parent
    assert _mode(data_dir) == 0o700
    assert _mode(database) == 0o600
    folders = [data_dir / "published", data_dir / "imports"]
    files = []
    for folder in folders[:]:
        for path in folder.rglob("*"):
            (folders if path.is_dir() else files).append(path)
    assert (data_dir / "imports" / ".staging") in folders
    assert any(path.suffix == ".csv" for path in files) and any(path.suffix == ".current" for path in files)
    assert {str(p): oct(_mode(p)) for p in folders if _mode(p) != 0o700} == {}
    assert {str(p): oct(_mode(p)) for p in files if _mode(p) != 0o600} == {}
