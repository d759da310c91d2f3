"""The dashboard in a real browser: `streamlit run` driven by Debian's Chromium (Playwright).

Screenshots go to a temporary folder, or to docs/screenshots/ when PIE_SCREENSHOTS is set
(then test_readme_screenshots also redraws the README's pictures from a demo database).
The server and login helpers are in tests/browser_support.py, the browser fixtures in conftest.py.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Iterator

import pytest

import browser_support
from browser_support import (demo_for_screenshots, 
    ROOT, TIMEOUT_MS, VIEWPORT, assert_no_exception, choose_in_sidebar, expect,
    full_screenshot, served_copy, streamlit_server, wait_until_idle)
from pie import auth

pytestmark = pytest.mark.browser

NBSP = "\u00a0"
# The small hand-made programme (tests/fixtures/small_programme.sql), worked out by hand.
# Funnel bar texts: count, then " · rate" from the previous step of the same unit; the steps
# are nested (METRICS.md): P06, a project member without immersion, is not at the last people step.
FUNNEL_ALL = ["10", f"8 · 80,0{NBSP}%", f"6 · 75,0{NBSP}%", f"4 · 66,7{NBSP}%", f"4 · 100,0{NBSP}%",
              "3", f"3 · 100,0{NBSP}%", f"2 · 66,7{NBSP}%", f"2 · 100,0{NBSP}%", f"2 · 100,0{NBSP}%"]
# Oriental (02): cohort C3 only, P08 P09 P10 and PR3 (a plan submitted, none validated): the
# empty project bars say 0 beside them (a bar too narrow for its figures has them beside it).
FUNNEL_ORIENTAL = ["3", f"2 · 66,7{NBSP}%", f"1 · 50,0{NBSP}%", f"1 · 100,0{NBSP}%", f"1 · 100,0{NBSP}%",
                   "1", f"1 · 100,0{NBSP}%", f"0 · 0,0{NBSP}%", "0", "0"]
FUNNEL_BARS = 10
# Funnel page cards: participants, immersion completed, dropped, companies created.
CARDS_ALL = ["10", "4", "3", "2"]
CARDS_ORIENTAL = ["3", "1", "0", "0"]
CARDS_SOUSS_MASSA = ["7", "3", "3", "2"]
OVERVIEW_AMOUNT = "170\u202f000\u00a0MAD"
PASSWORD = "correct horse battery"
MANAGER = [("manager", "manager", None)]


# ------------------------------------------------------------------------------ server
@pytest.fixture(scope="module")
def server(small_db, tmp_path_factory, browser) -> Iterator[str]:
    """The dashboard on a copy of the small hand-made programme."""
    with served_copy(small_db, tmp_path_factory.mktemp("browser"), MANAGER, PASSWORD) as url:
        yield url


def test_a_bookmarked_page_opens_cleanly_on_a_fresh_server(small_db, tmp_path, browser):
    """Test that the very first request to a just-started server may be a deep link (/funnel):
    no "Page not found" dialog (plain `streamlit run` with a pages/ folder shows one; pie.ui.serve
    does not), and after logging in the bookmarked page is the one shown."""
    database = Path(shutil.copyfile(small_db, tmp_path / "pie.duckdb"))
    auth.add_user(database, "manager", "manager", PASSWORD)
    with streamlit_server(database) as url:
        page = browser.new_page(viewport=VIEWPORT)
        page.goto(f"{url}/funnel")
        page.get_by_role("button", name="Se connecter").wait_for(timeout=TIMEOUT_MS)
        wait_until_idle(page)
        expect(page.get_by_text("Page not found")).to_have_count(0)
        open_page(page, f"{url}/funnel")
        expect(page.locator('[data-testid="stPlotlyChart"]').first).to_be_visible(timeout=TIMEOUT_MS)
        expect(page.get_by_text("Page not found")).to_have_count(0)
        assert page.url.rstrip("/").endswith("/funnel")
        page.close()


# ------------------------------------------------------------------------------ helpers
def open_page(page, url: str, user_name: str = "manager", password: str = PASSWORD) -> None:
    """Open `url`, logging in first (as the manager by default) if the session is not logged in yet."""
    browser_support.open_page(page, url, user_name, password)


def funnel_bars(page):
    return page.locator('[data-testid="stPlotlyChart"] g.funnellayer g.point')


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
    database = demo_for_screenshots(tmp_path)
    folder = ROOT / "docs" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    with streamlit_server(database) as url:
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


# The demo's data date is 15/11/2026: 2026-2027 is two and a half months old.
YEAR_IN_PROGRESS = "2026-2027"


def test_year_in_progress_screenshots(browser, tmp_path):
    """Test that Overview, Regions (map and targets) and a bank's Financing can be drawn for a
    year in progress (PIE_SCREENSHOTS only): docs/screenshots/year-in-progress-*.png, the pictures
    of README's "A year in progress" — compared to date, targets against the expected pace."""
    database = demo_for_screenshots(tmp_path)
    folder = ROOT / "docs" / "screenshots"
    with streamlit_server(database) as url:
        shots = (("overview", "", "manager", None), ("regions", "regions", "manager", None),
                 ("regions-targets", "regions", "manager", "Objectifs et réalisations"),
                 ("overview-targets", "", "manager", "Objectifs"),
                 ("financing", "financing", "boa", None))
        pages = {}
        for name, path, user, heading in shots:
            if user not in pages:
                pages[user] = browser.new_page(viewport=VIEWPORT)
            page = pages[user]
            # a bank's decisions of this year's cohorts are months away: its page shows every year
            query = "" if user == "boa" else f"?year={YEAR_IN_PROGRESS}"
            open_page(page, f"{url}/{path}{query}", user, user)
            browser_support.settle(page)
            assert_no_exception(page)
            page.evaluate("""(heading) => {
                const main = document.querySelector('[data-testid="stMain"]');
                const titles = [...main.querySelectorAll(heading ? 'h2' : 'h1')];
                const title = titles.find(h => !heading || h.textContent.startsWith(heading)) || titles[0];
                main.scrollTop = title.getBoundingClientRect().top + main.scrollTop - 8; }""", heading)
            page.wait_for_timeout(500)
            page.screenshot(path=folder / f"year-in-progress-{name}.png")
        for page in pages.values():
            page.close()
