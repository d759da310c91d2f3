"""Helpers shared by the browser tests: `streamlit run` on a free port, Debian's Chromium
through Playwright, logging in, waiting for Streamlit, full-page screenshots.

The fixtures (browser, page, screenshots) are in tests/conftest.py; test modules import the
helpers they use from here.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import tempfile
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

import pytest

from pie import auth

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect
expect.set_options(timeout=20_000)

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1400, "height": 900}
TIMEOUT_MS = 20_000
RUN_TIMEOUT_MS = 90_000  # the longest script run settle() waits for (a check of an import, on a loaded machine)


# ------------------------------------------------------------------------------ server
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def streamlit_server(database: Path, env: dict[str, str] | None = None) -> Iterator[str]:
    """The dashboard as scripts/start.sh starts it (`python -m pie.ui.serve`, i.e. `streamlit run
    dashboard.py`) on a free port with PIE_DB=`database`; yields its URL. A server that does not
    start fails with its output (stdout and stderr) in the message."""
    port = free_port()
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8", errors="replace") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "pie.ui.serve", "--server.headless", "true",
             "--server.port", str(port), "--server.address", "127.0.0.1",
             "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
            cwd=ROOT, env={**os.environ, **(env or {}), "PIE_DB": str(database)},
            stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as response:
                        if response.status == 200:
                            break
                except OSError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        log.seek(0)
                        raise RuntimeError(
                            f"streamlit did not start on {url} (exit code {process.poll()}); "
                            f"its output:\n{log.read()}") from None
                    time.sleep(0.1)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def demo_for_screenshots(folder: Path) -> Path:
    """A 3,000-participant demo database in `folder` to redraw docs/screenshots/ from; skips the
    test unless PIE_SCREENSHOTS is set."""
    if not os.environ.get("PIE_SCREENSHOTS"):
        pytest.skip("set PIE_SCREENSHOTS=1 to redraw docs/screenshots/ from a demo database")
    demo = pytest.importorskip("pie.demo")
    database = folder / "pie.duckdb"
    demo.build_demo(database, participants=3000, seed=1)
    return database


@contextmanager
def served_copy(database: Path, folder: Path,
                accounts: Iterable[tuple[str, str, str | None]], password: str) -> Iterator[str]:
    """The dashboard on a copy of `database` in `folder` holding `accounts` (user, role, scope),
    all with `password`; yields its URL."""
    folder.mkdir(parents=True, exist_ok=True)
    copy = Path(shutil.copyfile(database, folder / "pie.duckdb"))
    for user_name, role, scope in accounts:
        auth.add_user(copy, user_name, role, password, scope)
    with streamlit_server(copy) as url:
        yield url


# ------------------------------------------------------------------------------ helpers
def wait_until_idle(page) -> None:
    """Wait while Streamlit shows it is running. A run may end before the status widget
    shows, so every test also waits, through expect(), for the figures it then reads."""
    page.get_by_test_id("stStatusWidget").wait_for(state="hidden", timeout=TIMEOUT_MS)


def log_in(page, user_name: str, password: str) -> None:
    """Fill the login form and submit it."""
    page.get_by_label("Nom d'utilisateur").fill(user_name)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()


def open_page(page, url: str, user_name: str, password: str) -> None:
    """Open `url`, logging in first if the session is not logged in yet."""
    page.goto(url)
    login_button = page.get_by_role("button", name="Se connecter")
    login_button.or_(page.get_by_test_id("stMetricValue").first).first.wait_for()
    if login_button.is_visible():
        log_in(page, user_name, password)
    page.get_by_test_id("stMetricValue").first.wait_for()
    wait_until_idle(page)


def cookie(context, name: str) -> dict | None:
    """The browser context's cookie `name`, None when it has none."""
    return next((c for c in context.cookies() if c["name"] == name), None)


def wait_for_cookie(page, name: str) -> dict:
    """The cookie `name` of the page's context once it is set (a login sets pie_session just
    after the page shows); fails after TIMEOUT_MS."""
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while (found := cookie(page.context, name)) is None:
        if time.monotonic() > deadline:
            raise AssertionError(f"no {name} cookie")
        page.wait_for_timeout(100)
    return found


def session_ids(page) -> list[str]:
    """The Streamlit session ids the page's websockets are given from now on (as upload URLs
    carry them), in order: the list fills as the page runs."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    ids: list[str] = []

    def frame(payload) -> None:
        if isinstance(payload, str):
            return
        message = ForwardMsg()
        try:
            message.ParseFromString(payload)
        except Exception:  # noqa: BLE001 - not a ForwardMsg
            return
        if message.WhichOneof("type") == "new_session" and message.new_session.initialize.session_id:
            ids.append(message.new_session.initialize.session_id)

    page.on("websocket", lambda ws: ws.on("framereceived", frame))
    return ids


def choose_in_sidebar(page, label: str, option: str) -> None:
    sidebar = page.get_by_test_id("stSidebar")
    box = sidebar.get_by_test_id("stSelectbox").filter(has_text=label)
    box.scroll_into_view_if_needed()  # the filters sit below the menu, near the window's edge
    box.click()
    page.get_by_role("option", name=option, exact=True).click()
    wait_until_idle(page)


def full_screenshot(page, path: Path) -> None:
    """The whole page: Streamlit scrolls inside its main container, so grow the window to fit."""
    height = page.evaluate(
        "() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": VIEWPORT["width"], "height": max(VIEWPORT["height"], height)})
    page.screenshot(path=path)
    page.set_viewport_size(VIEWPORT)
    page.wait_for_timeout(500)  # let the page lay itself out again before the next click


def assert_no_exception(page) -> None:
    expect(page.get_by_test_id("stException")).to_have_count(0)


def settle(page, quiet_ms: int = 400) -> None:
    """Wait until the script run has ended and the page has then stopped growing for `quiet_ms`
    (charts draw themselves after the run). The end of the run is stApp's
    data-test-script-state, which Streamlit sets as soon as a rerun is asked for — its status
    widget shows only after a while, so waiting on it needed longer quiet periods."""
    finished = page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]')
    height_js = "() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight"
    for _ in range(40):
        finished.wait_for(timeout=RUN_TIMEOUT_MS)
        height = page.evaluate(height_js)
        page.wait_for_timeout(quiet_ms)
        if finished.count() == 1 and page.evaluate(height_js) == height:
            return
