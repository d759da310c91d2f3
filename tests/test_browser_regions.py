"""The Regions page (leadership) in a real browser: `streamlit run` driven by Debian's Chromium.

Server, login and screenshot helpers come from tests/browser_support.py, the browser fixtures
from tests/conftest.py. Screenshots
go to a temporary folder, or to docs/screenshots/ when PIE_SCREENSHOTS is set (then the demo
screenshot of the page is redrawn too).

Clicking a region: plotly's geo maps take pointer events on their background layer, not on the
region's <path>, so Playwright's `locator.click()` on a path is refused ("intercepts pointer
events"). The test finds a point inside the region's shape (SVG `isPointInFill`) and clicks
the mouse there, as a person would; that selects the region headless too.
"""
from __future__ import annotations

import json
import re
import urllib.request
from pathlib import Path
from typing import Iterator

import pytest

from browser_support import (demo_for_screenshots, 
    ROOT, VIEWPORT, assert_no_exception, choose_in_sidebar, expect, full_screenshot,
    open_page, served_copy, streamlit_server, wait_until_idle)

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"
LEADER = "direction"
N_REGIONS = 12
MAP = '[data-testid="stPlotlyChart"]:has(.choroplethlayer)'
# The choropleth traces of the map: all 12 regions in grey below, then the coloured regions.
BASE_REGIONS = f"{MAP} .choroplethlayer .trace.choropleth >> nth=0"
COLOURED_REGIONS = f"{MAP} .choroplethlayer .trace.choropleth >> nth=1"
# The small hand-made programme (tests/fixtures/small_programme.sql): cards of the Regions page
# (participants, immersion completed, projects financed, companies created).
CARDS_ALL = ["10", "4", "2", "2"]
CARDS_SOUSS_MASSA = ["7", "3", "2", "2"]
CARDS_ORIENTAL = ["3", "1", "0", "0"]
SOUSS_MASSA = 9  # region 09: its path is the 9th of the coloured trace (regions in code order)
CASABLANCA_SETTAT = 6  # region 06: ISTA Settat has neither a launch date nor a cohort

# JavaScript: the screen coordinates of a point inside an SVG path (its shape, not just its
# bounding box: regions are not convex).
POINT_INSIDE = """(path) => {
    const box = path.getBBox(), matrix = path.getScreenCTM();
    for (let step = 2; step <= 16; step *= 2) {
        for (let i = 1; i < step; i++) for (let j = 1; j < step; j++) {
            const point = new DOMPoint(box.x + box.width * i / step, box.y + box.height * j / step);
            if (path.isPointInFill(point)) {
                const screen = point.matrixTransform(matrix);
                return {x: screen.x, y: screen.y};
            }
        }
    }
    return null;
}"""


# ------------------------------------------------------------------------------ fixtures
@pytest.fixture(scope="module")
def server(small_db, tmp_path_factory, browser) -> Iterator[str]:
    """The dashboard on a copy of the small programme, with a leadership account."""
    with served_copy(small_db, tmp_path_factory.mktemp("browser_regions"), [(LEADER, "leadership", None)],
                     PASSWORD) as url:
        yield url


# ------------------------------------------------------------------------------ helpers
def open_regions(page, url: str, query: str = "", user: str = LEADER, password: str = PASSWORD) -> None:
    open_page(page, f"{url}/regions{query}", user, password)
    expect(page.locator(BASE_REGIONS).locator("path.choroplethlocation")).to_have_count(N_REGIONS)


def click_region(page, index: int) -> None:
    """Click inside the `index`-th region (1-based) of the map's coloured trace."""
    path = page.locator(COLOURED_REGIONS).locator("path.choroplethlocation").nth(index - 1)
    path.scroll_into_view_if_needed()
    point = path.evaluate(POINT_INSIDE)
    assert point is not None, "no point inside the region's shape"
    page.mouse.move(point["x"], point["y"])
    page.mouse.click(point["x"], point["y"])
    wait_until_idle(page)


# ------------------------------------------------------------------------------ tests
def test_static_world_topology_is_served(server):
    """Test that the empty topology plotly's geo maps fetch is served offline from static/."""
    with urllib.request.urlopen(f"{server}/app/static/world_110m.json", timeout=5) as response:
        assert response.status == 200
        assert json.loads(response.read())["type"] == "Topology"


def test_leadership_sees_the_map_of_the_12_regions(page, server, screenshots):
    """Test that the Regions page draws the 12 regions, the establishments and the cards."""
    open_regions(page, server)
    expect(page.locator(COLOURED_REGIONS).locator("path.choroplethlocation")).to_have_count(N_REGIONS)
    expect(page.locator(f"{MAP} .scatterlayer .trace.scattergeo path.point")).to_have_count(2)  # Agadir, Oujda
    expect(page.get_by_test_id("stMetricValue").first).to_have_text(CARDS_ALL[0])
    assert page.get_by_test_id("stMetricValue").all_inner_texts()[:4] == CARDS_ALL
    assert_no_exception(page)
    full_screenshot(page, screenshots / "small-regions.png")


def test_click_on_a_region_narrows_the_page(page, server, screenshots):
    """Test that clicking Souss-Massa on the map filters the whole page (and the URL) on it."""
    open_regions(page, server)
    click_region(page, SOUSS_MASSA)
    expect(page).to_have_url(re.compile(r"[?&]region=09\b"))
    expect(page.get_by_test_id("stSidebar").get_by_role("combobox", name="Région")).to_have_value("Souss-Massa")
    expect(page.get_by_test_id("stMetricValue").first).to_have_text(CARDS_SOUSS_MASSA[0])
    assert page.get_by_test_id("stMetricValue").all_inner_texts()[:4] == CARDS_SOUSS_MASSA
    # zoomed on the region: the grey regions, the region itself, its outline
    expect(page.locator(f"{MAP} .choroplethlayer .trace.choropleth")).to_have_count(3)
    assert_no_exception(page)
    full_screenshot(page, screenshots / "small-regions-souss-massa.png")

    page.get_by_role("button", name="Revoir toutes les régions").click()
    wait_until_idle(page)
    expect(page.get_by_test_id("stMetricValue").first).to_have_text(CARDS_ALL[0])
    expect(page).not_to_have_url(re.compile(r"region="))

    click_region(page, CASABLANCA_SETTAT)  # no cohort there: nothing to narrow to, and the page says why
    expect(page.get_by_test_id("stToast")).to_contain_text("pas encore de cohorte dans la région Casablanca-Settat")
    expect(page.get_by_test_id("stMetricValue").first).to_have_text(CARDS_ALL[0])
    expect(page).not_to_have_url(re.compile(r"region="))


def test_sidebar_region_narrows_the_page(page, server):
    """Test that choosing Oriental in the sidebar filters the Regions page the same way."""
    open_regions(page, server)
    choose_in_sidebar(page, "Région", "Oriental")
    expect(page.get_by_test_id("stMetricValue").first).to_have_text(CARDS_ORIENTAL[0])
    assert page.get_by_test_id("stMetricValue").all_inner_texts()[:4] == CARDS_ORIENTAL
    assert_no_exception(page)


def test_report_button_downloads_a_pdf(page, server):
    """Test that "prepare the report" then "download" gives a PDF file."""
    open_regions(page, server)
    page.get_by_role("button", name="Préparer le rapport PDF").click()
    download_button = page.get_by_role("button", name="Télécharger le rapport (PDF)")
    download_button.wait_for(timeout=120_000)
    with page.expect_download() as info:
        download_button.click()
    path = info.value.path()
    assert Path(path).read_bytes()[:5] == b"%PDF-"
    assert info.value.suggested_filename.endswith(".pdf")
    assert_no_exception(page)


def test_regions_screenshot_of_a_demo(browser, tmp_path):
    """Test that the Regions page of a 3,000-participant demo can be drawn (PIE_SCREENSHOTS only)."""
    database = demo_for_screenshots(tmp_path)
    with streamlit_server(database) as url:
        page = browser.new_page(viewport=VIEWPORT)
        open_regions(page, url, user="leadership", password="leadership")
        assert_no_exception(page)
        full_screenshot(page, ROOT / "docs" / "screenshots" / "regions.png")
        page.close()
