"""The dashboard in a real browser: `streamlit run` driven by Debian's Chromium (Playwright).

Screenshots go to a temporary folder, or to docs/screenshots/ when PIE_SCREENSHOTS is set
(then test_readme_screenshots also redraws the README's pictures from a demo database).
"""
from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest

from pie import auth

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect
expect.set_options(timeout=20_000)

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1400, "height": 900}
TIMEOUT_MS = 20_000

NBSP = "\u00a0"
# The small hand-made programme (tests/fixtures/small_programme.sql), worked out by hand.
# Funnel bar texts: count, then " · rate" from the previous step of the same unit.
FUNNEL_ALL = ["10", f"8 · 80,0{NBSP}%", f"6 · 75,0{NBSP}%", f"4 · 66,7{NBSP}%", f"5 · 125,0{NBSP}%",
              "2", f"2 · 100,0{NBSP}%", f"2 · 100,0{NBSP}%"]
# Oriental (02): cohort C3 only, P08 P09 P10; no validated plan, so the project bars are empty.
FUNNEL_ORIENTAL = ["3", f"2 · 66,7{NBSP}%", f"1 · 50,0{NBSP}%", f"1 · 100,0{NBSP}%", f"1 · 100,0{NBSP}%"]
FUNNEL_BARS = 8
# Funnel page cards: participants, immersion completed, dropped, companies created.
CARDS_ALL = ["10", "4", "3", "2"]
CARDS_ORIENTAL = ["3", "1", "0", "0"]
CARDS_SOUSS_MASSA = ["7", "3", "3", "2"]
OVERVIEW_AMOUNT = "170\u202f000\u00a0MAD"
PASSWORD = "correct horse battery"


# ------------------------------------------------------------------------------ server
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def streamlit_server(database: Path, env: dict[str, str] | None = None) -> Iterator[str]:
    """`streamlit run dashboard.py` on a free port with PIE_DB=`database`; yields its URL."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1",
         "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=ROOT, env={**os.environ, **(env or {}), "PIE_DB": str(database)},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
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
                    raise RuntimeError("streamlit did not start") from None
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def warm_up(browser, url: str) -> None:
    """Open the default page once. With a pages/ folder next to dashboard.py, the very first
    run of a server process goes through Streamlit's legacy multipage wrapper, which shows a
    spurious "Page not found" dialog if that first request is for another page."""
    page = browser.new_page(viewport=VIEWPORT)
    page.goto(url)
    page.get_by_role("button", name="Se connecter").wait_for(timeout=TIMEOUT_MS)
    page.close()


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as playwright:
        if not Path(CHROMIUM).exists():
            pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def server(small_db, tmp_path_factory, browser) -> Iterator[str]:
    """The dashboard on a copy of the small hand-made programme."""
    folder = tmp_path_factory.mktemp("browser")
    database = Path(shutil.copyfile(small_db, folder / "pie.duckdb"))
    auth.add_user(database, "manager", "manager", PASSWORD)
    with streamlit_server(database) as url:
        warm_up(browser, url)
        yield url


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory) -> Path:
    if os.environ.get("PIE_SCREENSHOTS"):
        folder = ROOT / "docs" / "screenshots"
        folder.mkdir(parents=True, exist_ok=True)
        return folder
    return tmp_path_factory.mktemp("screenshots")


@pytest.fixture
def page(browser):
    page = browser.new_page(viewport=VIEWPORT)
    page.set_default_timeout(TIMEOUT_MS)
    yield page
    page.close()


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


def open_page(page, url: str, user_name: str = "manager", password: str = PASSWORD) -> None:
    """Open `url`, logging in first if the session is not logged in yet."""
    page.goto(url)
    login_button = page.get_by_role("button", name="Se connecter")
    login_button.or_(page.get_by_test_id("stMetricValue").first).first.wait_for()
    if login_button.is_visible():
        log_in(page, user_name, password)
    page.get_by_test_id("stMetricValue").first.wait_for()
    wait_until_idle(page)


def choose_in_sidebar(page, label: str, option: str) -> None:
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_test_id("stSelectbox").filter(has_text=label).click()
    page.get_by_role("option", name=option, exact=True).click()
    wait_until_idle(page)


def funnel_bars(page):
    return page.locator('[data-testid="stPlotlyChart"] g.funnellayer g.point')


def full_screenshot(page, path: Path) -> None:
    """The whole page: Streamlit scrolls inside its main container, so grow the window to fit."""
    height = page.evaluate(
        "() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": VIEWPORT["width"], "height": max(VIEWPORT["height"], height)})
    page.screenshot(path=path)
    page.set_viewport_size(VIEWPORT)


def assert_no_exception(page) -> None:
    expect(page.get_by_test_id("stException")).to_have_count(0)


# ------------------------------------------------------------------------------ tests
def test_funnel_follows_region_filter_in_browser(page, server, screenshots):
    """Test that choosing Oriental in the sidebar redraws the funnel and cards with its figures."""
    open_page(page, f"{server}/funnel")
    expect(page.locator('[data-testid="stPlotlyChart"] .main-svg').first).to_be_visible()
    expect(funnel_bars(page).locator("path")).to_have_count(FUNNEL_BARS)
    expect(funnel_bars(page).locator("text")).to_have_text(FUNNEL_ALL)
    expect(page.get_by_test_id("stMetricValue")).to_have_text(CARDS_ALL)
    assert_no_exception(page)
    full_screenshot(page, screenshots / "small-funnel.png")

    choose_in_sidebar(page, "Région", "Oriental")

    expect(funnel_bars(page).locator("text")).to_have_text(FUNNEL_ORIENTAL)
    expect(page.get_by_test_id("stMetricValue")).to_have_text(CARDS_ORIENTAL)
    expect(page).to_have_url(re.compile(r"[?&]region=02\b"))
    assert_no_exception(page)
    full_screenshot(page, screenshots / "small-funnel-oriental.png")


def test_bookmarked_url_opens_with_its_filters(page, server):
    """Test that a URL carrying a region opens the funnel already filtered on it."""
    open_page(page, f"{server}/funnel?region=09")
    expect(page.get_by_test_id("stMetricValue")).to_have_text(CARDS_SOUSS_MASSA)
    expect(page.get_by_test_id("stSidebar").get_by_role("combobox", name="Région")).to_have_value("Souss-Massa")
    assert_no_exception(page)


def test_overview_shows_cards_and_trend_in_browser(page, server, screenshots):
    """Test that the Overview shows its cards (French formats) and the yearly trend chart."""
    open_page(page, server)
    values = page.get_by_test_id("stMetricValue")
    expect(values.first).to_have_text("10")
    expect(values.filter(has_text="MAD")).to_have_text(OVERVIEW_AMOUNT)
    expect(page.locator('[data-testid="stPlotlyChart"] .main-svg').first).to_be_visible()
    assert_no_exception(page)
    full_screenshot(page, screenshots / "small-overview.png")


def test_readme_screenshots(browser, tmp_path):
    """Test that the README's screenshots can be drawn from a demo database (PIE_SCREENSHOTS only)."""
    if not os.environ.get("PIE_SCREENSHOTS"):
        pytest.skip("set PIE_SCREENSHOTS=1 to redraw docs/screenshots/ from a demo database")
    demo = pytest.importorskip("pie.demo")
    database = tmp_path / "pie.duckdb"
    demo.build_demo(database, participants=3000, seed=1)
    folder = ROOT / "docs" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    with streamlit_server(database) as url:
        warm_up(browser, url)
        page = browser.new_page(viewport=VIEWPORT)
        for name, path in (("overview", ""), ("funnel", "funnel")):
            open_page(page, f"{url}/{path}", "manager", "manager")
            expect(page.locator('[data-testid="stPlotlyChart"] .main-svg').first).to_be_visible()
            assert_no_exception(page)
            # scroll past the demo banner so the title, the cards and the first chart fit in 900 px
            page.evaluate("""() => {
                const main = document.querySelector('[data-testid="stMain"]');
                const title = main.querySelector('h1');
                main.scrollTop = title.getBoundingClientRect().top + main.scrollTop - 8; }""")
            page.wait_for_timeout(300)
            page.screenshot(path=folder / f"{name}.png")
        page.close()
