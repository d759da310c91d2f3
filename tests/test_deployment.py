"""docs/DEPLOYMENT.md, tried: nginx (Debian's) with the documented site configuration in front
of two `streamlit run` processes (PIE_READ_ONLY=1) on loopback; sessions open on both
processes through nginx (HTTPS, websocket, sticky cookie); a CLI import published meanwhile is
seen by both, without errors.

The nginx block of DEPLOYMENT.md is used as written, with its ports, certificate and log
paths swapped for a temporary folder. Skipped when nginx or openssl is missing
(`scripts/system-packages.sh --tests` installs them).
"""
from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Callable

import pytest

from conftest import build_small_programme
from pie import auth, db
from pie.config import PROJECT_ROOT

sys.path.insert(0, str(PROJECT_ROOT / "benchmarks"))
from ws_client import Session  # noqa: E402

pytestmark = pytest.mark.slow

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
OPENSSL = shutil.which("openssl")
DEPLOYMENT = PROJECT_ROOT / "docs" / "DEPLOYMENT.md"
PASSWORD = "correct horse battery"
PARTICIPANTS = "Participants"  # the overview's first card (French, the default language)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def site_config() -> str:
    """The ```nginx block that follows the `nginx-site` marker in docs/DEPLOYMENT.md."""
    text = DEPLOYMENT.read_text(encoding="utf-8")
    match = re.search(r"<!-- nginx-site.*?-->\s*```nginx\n(.*?)```", text, re.S)
    assert match, "docs/DEPLOYMENT.md has no nginx block after its nginx-site marker"
    return match.group(1)


def nginx_config(folder: Path, https_port: int, http_port: int, ports: tuple[int, int]) -> Path:
    site = site_config()
    for old, new in (("127.0.0.1:8501", f"127.0.0.1:{ports[0]}"), ("127.0.0.1:8502", f"127.0.0.1:{ports[1]}"),
                     ("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;"),
                     ("listen 80;", f"listen 127.0.0.1:{http_port};"),
                     ("/etc/letsencrypt/live/pie.example.ma/", f"{folder}/"),
                     ("/var/log/nginx/", f"{folder}/logs/")):
        assert old in site, f"DEPLOYMENT.md's nginx block no longer has {old!r}"
        site = site.replace(old, new)
    (folder / "logs").mkdir()
    temp = "\n".join(f"    {kind}_temp_path {folder}/tmp_{kind};" for kind in
                     ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    user = "user root root;\n" if os.geteuid() == 0 else ""  # workers must read the temporary folder
    config = folder / "nginx.conf"
    config.write_text(f"""{user}worker_processes 1;
error_log {folder}/logs/error.log warn;
events {{ worker_connections 512; }}
http {{
    default_type application/octet-stream;
    access_log {folder}/logs/access.log;
{temp}
{site}
}}
""", encoding="utf-8")
    return config


def wait_until(check, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def healthy(url: str) -> bool:
    with urllib.request.urlopen(url, timeout=2) as answer:
        return answer.status == 200


@pytest.fixture
def database(tmp_path) -> Path:
    path = build_small_programme(tmp_path / "data" / "pie.duckdb")
    auth.add_user(path, "amina", "manager", PASSWORD)
    return path


@pytest.fixture
def two_dashboards_behind_nginx(database, tmp_path):
    if NGINX is None or OPENSSL is None:
        pytest.skip("nginx or openssl not installed (scripts/system-packages.sh --tests)")
    folder = tmp_path / "nginx"
    folder.mkdir()
    subprocess.run([OPENSSL, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                    "/CN=pie.example.ma", "-keyout", folder / "privkey.pem", "-out", folder / "fullchain.pem"],
                   check=True, capture_output=True)
    ports = (free_port(), free_port())
    # answers shared through the disk and prepared by the import, as in production (pie.answers)
    env = {**os.environ, "PIE_DB": str(database), "PIE_READ_ONLY": "1", "PIE_SHARED_ANSWERS": "1"}
    processes = [subprocess.Popen(
        [sys.executable, "-m", "pie.ui.serve", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        cwd=PROJECT_ROOT, env=env, stdout=(tmp_path / f"streamlit-{port}.log").open("wb"),
        stderr=subprocess.STDOUT) for port in ports]
    https_port, http_port = free_port(), free_port()
    config = nginx_config(folder, https_port, http_port, ports)
    nginx = subprocess.Popen([NGINX, "-p", str(folder), "-c", str(config), "-g",
                              f"daemon off; pid {folder}/nginx.pid;"],
                             stdout=(folder / "logs" / "stdout.log").open("wb"), stderr=subprocess.STDOUT)
    try:
        for port in ports:
            wait_until(lambda port=port: healthy(f"http://127.0.0.1:{port}/_stcore/health"), 60, f"streamlit :{port}")
        wait_until(lambda: nginx.poll() is not None or socket.create_connection(("127.0.0.1", https_port), 1),
                   10, "nginx")
        assert nginx.poll() is None, (folder / "logs" / "error.log").read_text()
        yield {"url": f"https://127.0.0.1:{https_port}", "ports": ports, "logs": folder / "logs",
               "http": f"http://127.0.0.1:{http_port}"}
    finally:
        nginx.send_signal(signal.SIGQUIT)
        for process in processes:
            process.terminate()
        for process in (nginx, *processes):
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def write_import(folder: Path) -> Path:
    """A new cohort of five participants at CMC Souss-Massa (E1 of the small programme)."""
    folder.mkdir()
    (folder / "cohorts.csv").write_text(
        "cohort_id,establishment_id,academic_year,start_date,delivery_mode\nC9,E1,2023-2024,2023-10-02,in_person\n",
        encoding="utf-8")
    (folder / "participants.csv").write_text(
        "participant_id,cohort_id,gender,birth_year,profile,sector,enrolled_on\n" + "".join(
            f"P9{i},C9,{'f' if i % 2 else 'm'},2002,trainee,digital_ai,2023-10-02\n" for i in range(5)),
        encoding="utf-8")
    return folder


async def open_sessions(url: str) -> list[tuple[Session, str, str]]:
    """One logged-in session pinned to each node (cookie pie_node=a / b): (session, node, figure)."""
    sessions = []
    for node in ("a", "b"):
        tab = Session(url, timeout=60, headers={"Cookie": f"pie_node={node}"}, verify_tls=False)
        await tab.connect()
        assert f"pie_node={node}" in tab.response_headers.get("Set-Cookie", "")
        landed = await tab.login("amina", PASSWORD)
        assert landed.ok, (node, landed.status, landed.exceptions, landed.errors)
        sessions.append((tab, node, landed.metrics[PARTICIPANTS]))
    return sessions


def an_import_reaches_every_session(url: str, database, folder: Path, timeout: float,
                                    after_import: Callable[[], None] | None = None) -> None:
    """Open sessions through nginx on both processes, import through the CLI (a third process)
    into `database`, and check that each session opened before sees the new figures at its next
    click, and that new sessions on both processes see them at once, with the manager's menu.
    `after_import()` runs once the import returned, before any session clicks."""
    async def scenario() -> None:
        sessions = await open_sessions(url)
        try:
            assert {figure for _, _, figure in sessions} == {"10"}
            done = await asyncio.to_thread(
                subprocess.run, [sys.executable, "-m", "pie", "ingest", str(write_import(folder / "import")),
                                 "--db", str(database), "--user", "amina", "--json"],
                cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=timeout,
                env={**os.environ, "PIE_SHARED_ANSWERS": "1"})
            assert done.returncode == 0 and '"accepted"' in done.stdout, done.stdout + done.stderr
            if after_import:
                after_import()
            for tab, node, _ in sessions:  # the sessions opened before the import, next click
                run = await tab.open("")
                assert run.ok, (node, run.status, run.exceptions, run.errors)
                assert run.metrics[PARTICIPANTS] == "15", node
            for tab, node, figure in await open_sessions(url):  # and new sessions on both
                assert figure == "15", node
                assert tab.pages and "follow_up" in tab.pages
                await tab.close()
        finally:
            for tab, _, _ in sessions:
                await tab.close()

    asyncio.run(scenario())


def test_two_processes_behind_nginx_both_see_an_import(two_dashboards_behind_nginx, database, tmp_path):
    site = two_dashboards_behind_nginx
    # Plain HTTP is redirected to HTTPS.
    request = urllib.request.Request(site["http"] + "/funnel", method="HEAD")
    opener = urllib.request.build_opener(type("NoRedirect", (urllib.request.HTTPRedirectHandler,),
                                              {"redirect_request": lambda *a, **k: None}))
    with pytest.raises(urllib.error.HTTPError) as redirect:
        opener.open(request, timeout=5)
    assert redirect.value.code == 301 and redirect.value.headers["Location"].startswith("https://")

    def answers_prepared() -> None:
        """The import computed the dashboards' landing answers before readers switched to its
        snapshot (pie.answers): they are on disk before any session asks for them."""
        version = db.Reader(database).data_version()
        kept = list(db.published_dir(database).joinpath("answers", version).glob("*.pickle"))
        assert len(kept) >= 5, kept

    an_import_reaches_every_session(site["url"], database, tmp_path, timeout=120, after_import=answers_prepared)
    # Both processes served websockets, each through its own upstream (nginx's access log).
    time.sleep(0.5)
    streams = [line for line in (site["logs"] / "pie.access.log").read_text().splitlines()
               if "/_stcore/stream" in line]
    for node, port in zip(("a", "b"), site["ports"]):
        assert any(f"node={node}" in line and f"upstream=127.0.0.1:{port}" in line for line in streams), streams


def test_nginx_logs_no_url_that_carries_a_session_id(two_dashboards_behind_nginx):
    """Test that upload and media URLs (a Streamlit session id, a session's file) reach the
    access log without their path, and that /media answers 404 to a request without the
    session cookie (pie/ui/browser_session.py)."""
    site = two_dashboards_behind_nginx
    tls = ssl.create_default_context()
    tls.check_hostname, tls.verify_mode = False, ssl.CERT_NONE
    secret_paths = ("/media/0f1e2d3c4b5a69788796a5b4c3d2e1f0.csv",
                    "/_stcore/upload_file/5e55101d-0000-4000-8000-5e55101d5e55/f11e1d")
    for path in secret_paths:
        request = urllib.request.Request(site["url"] + path, method="PUT" if "upload" in path else "GET")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=5, context=tls)
        assert refused.value.code in (400, 403, 404, 405), (path, refused.value.code)
    time.sleep(0.5)
    log = (site["logs"] / "pie.access.log").read_text()
    assert "/media/-" in log and "/_stcore/upload_file/-" in log, log
    assert "0f1e2d3c" not in log and "5e55101d" not in log, log
