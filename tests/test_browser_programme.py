"""The Phases and Follow-up pages in a real browser (`streamlit run` + Debian's Chromium),
as the manager of tests/test_browser.py.

Screenshots (1400 px wide) go to a temporary folder, or to docs/screenshots/ with PIE_SCREENSHOTS.
"""
from __future__ import annotations

import re

import pytest

from browser_support import assert_no_exception, expect, full_screenshot, served_copy, wait_until_idle
from test_browser import MANAGER, PASSWORD, open_page

pytestmark = pytest.mark.browser

# The small hand-made programme (tests/fixtures/small_programme.sql), worked out by hand.
# Phases cards: awareness, fundamentals, immersion completed, participants who dropped a phase.
PHASES_CARDS = ["8", "6", "4", "3"]
# Cohort C1 (P01-P04): all four completed awareness, three fundamentals (P04 dropped), two
# immersion (P03 dropped).
C1_CARDS = ["4", "3", "2", "2"]
# Follow-up with 600 days without activity and contact lost beyond 700: only P09 (602 days) to
# call; BP4 waits for review; nothing else (no one beyond 700 days).
FOLLOW_UP_600 = ["1", "1", "0", "0", "0", "0"]  # the last: came back after a call (none recorded)


@pytest.fixture(scope="module")
def server(small_db, tmp_path_factory, browser):
    """The dashboard on a copy of the small hand-made programme, with a manager account."""
    with served_copy(small_db, tmp_path_factory.mktemp("browser_programme"), MANAGER, PASSWORD) as url:
        yield url


def charts(page):
    return page.locator('[data-testid="stPlotlyChart"]')


def test_phases_page_draws_and_a_click_narrows_it(page, server, screenshots):
    """Test that the Phases page draws its charts, and a click on a cohort's bar narrows the page to it."""
    open_page(page, f"{server}/phases")
    expect(page.get_by_test_id("stMetricValue")).to_have_text(PHASES_CARDS)
    expect(charts(page)).to_have_count(7)
    expect(charts(page).first.locator(".main-svg").first).to_be_visible()
    assert_no_exception(page)
    full_screenshot(page, screenshots / "small-phases.png")

    cohorts = charts(page).nth(2)
    cohorts.scroll_into_view_if_needed()
    # C1's awareness bar (oldest cohort on top). Plotly's drag layer lies over the bars and
    # turns a click at their position into a selection, as for a user: click there.
    box = cohorts.locator("g.barlayer g.point path").first.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    wait_until_idle(page)

    expect(page.get_by_test_id("stMetricValue")).to_have_text(C1_CARDS)
    expect(page).to_have_url(re.compile(r"[?&]cohort=C1\b"))
    assert_no_exception(page)
    page.get_by_role("button", name="Effacer tous les filtres").click()
    wait_until_idle(page)
    expect(page.get_by_test_id("stMetricValue")).to_have_text(PHASES_CARDS)


def test_follow_up_page_from_a_bookmark(page, server, screenshots):
    """Test that a bookmarked Follow-up URL (600 days without activity, lost contact beyond 700)
    opens with its lists."""
    open_page(page, f"{server}/follow_up?idle=600&lost=700")
    expect(page.get_by_test_id("stMetricValue")).to_have_text(FOLLOW_UP_600)
    expect(page.get_by_role("tab", name=re.compile(r"Participants à relancer \(1\)"))).to_be_visible()
    expect(page.get_by_text("Jours comptés jusqu'au 01/07/2024", exact=False)).to_be_visible()
    assert_no_exception(page)
    full_screenshot(page, screenshots / "small-follow-up.png")
