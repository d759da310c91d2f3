"""Every page in a real browser in French, Arabic and English: full-page screenshots (1400 px
wide) to look at, and in Arabic the app laid out right to left with the sidebar on the right.

Screenshots go to a temporary folder, or to docs/screenshots/ when PIE_SCREENSHOTS is set
(then test_readme_i18n_screenshots also redraws the README's Arabic and English pictures
from a demo database).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from browser_support import (settle, demo_for_screenshots, VIEWPORT, assert_no_exception, expect, full_screenshot, served_copy,
                             streamlit_server, wait_until_idle)
from pie import i18n
from pie.ui import navigation

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"
LANGUAGES = ("ar", "fr", "en")
MANAGER_PAGES = [page.name for page in navigation.pages_for("manager")]
# What the README shows of the other languages: (language, page, file name).
README_PICTURES = (("ar", "overview", "overview-ar.png"), ("en", "funnel", "funnel-en.png"),
                   ("ar", "regions", "regions-ar.png"))


@pytest.fixture(scope="module")
def server(small_db, tmp_path_factory):
    """The dashboard on a copy of the small programme, with a manager account."""
    with served_copy(small_db, tmp_path_factory.mktemp("browser_i18n"), [("amina", "manager", None)],
                     PASSWORD) as url:
        yield url


def log_in(page, url: str, language: str, user_name: str = "amina", password: str = PASSWORD) -> None:
    """Open the dashboard in `language` and log in (the form's fields found by their role, not
    their translated labels)."""
    page.goto(f"{url}/?lang={language}")
    page.locator('input[autocomplete="username"]').fill(user_name)
    page.locator('input[type="password"]').fill(password)
    page.get_by_role("button", name=i18n.t("login.submit", language)).click()
    page.get_by_test_id("stMetricValue").first.wait_for()
    wait_until_idle(page)


def open_from_menu(page, name: str, language: str) -> None:
    """Click page `name` in the sidebar menu and wait until its title and charts are drawn."""
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=i18n.t(f"page.{name}.nav", language),
                                                    exact=True).click()
    expect(page.locator("h1").first).to_contain_text(i18n.t(f"page.{name}.title", language))
    settle(page)
    charts = page.get_by_test_id("stPlotlyChart")
    if charts.count():
        expect(charts.first.locator(".main-svg").first).to_be_visible()


def direction_and_sides(page) -> tuple[str, float, float]:
    """The main container's computed direction, and the left edges of the sidebar and the main area."""
    return page.evaluate("""() => {
        const main = document.querySelector('[data-testid="stMain"]');
        const sidebar = document.querySelector('[data-testid="stSidebar"]');
        return [getComputedStyle(main).direction, sidebar.getBoundingClientRect().left,
                main.getBoundingClientRect().left];
    }""")


def texts_outside_their_chart(page) -> list[str]:
    """The texts a chart draws past its own box (cut off by the page), each with how far. Plotly
    sizes its margins by measuring labels in a test element of the page: measured right to left,
    an Arabic funnel's step names were given no room and ran off the edge."""
    return page.evaluate("""() => {
        const out = [];
        for (const plot of document.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot')) {
            const box = plot.getBoundingClientRect();
            for (const text of plot.querySelectorAll('.main-svg text')) {
                const r = text.getBoundingClientRect();
                if (!text.textContent.trim() || r.width === 0) continue;
                const past = Math.max(box.left - r.left, r.right - box.right);
                if (past > 2) out.push(`${text.textContent.slice(0, 40)} (${Math.round(past)} px)`);
            }
        }
        return out;
    }""")


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_in_the_language(browser, server, screenshots, language):
    """Test that every page of a manager opens in fr, ar and en without exception (screenshot
    of each), and that in Arabic the app reads right to left with the sidebar on the right."""
    page = browser.new_page(viewport=VIEWPORT)
    try:
        log_in(page, server, language)
        for name in MANAGER_PAGES:
            open_from_menu(page, name, language)
            assert_no_exception(page)
            assert texts_outside_their_chart(page) == [], name
            direction, sidebar_left, main_left = direction_and_sides(page)
            if i18n.is_rtl(language):
                assert direction == "rtl"
                assert sidebar_left > main_left  # the sidebar on the right
            else:
                assert direction == "ltr"
                assert sidebar_left < main_left
            full_screenshot(page, screenshots / f"i18n-{language}-{name}.png")
    finally:
        page.close()


def test_readme_i18n_screenshots(browser, tmp_path):
    """Test that the README's Arabic and English pictures can be drawn from a demo database
    (PIE_SCREENSHOTS only)."""
    database = demo_for_screenshots(tmp_path)
    folder = Path(__file__).resolve().parents[1] / "docs" / "screenshots"
    with streamlit_server(database) as url:
        for language, name, file_name in README_PICTURES:
            page = browser.new_page(viewport=VIEWPORT)
            try:
                account = "leadership" if name == "regions" else "manager"
                log_in(page, url, language, account, account)
                open_from_menu(page, name, language)
                assert_no_exception(page)
                if name == "regions":  # the map, not the cards, is what this picture is for
                    page.get_by_test_id("stPlotlyChart").first.scroll_into_view_if_needed()
                    page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollBy(0, -220)")
                page.wait_for_timeout(500)  # let plotly finish its transitions
                page.screenshot(path=folder / file_name)
            finally:
                page.close()
