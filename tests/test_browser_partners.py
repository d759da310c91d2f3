"""The Financing and Incubation pages in a real browser, as the bank BOA, the incubator MCISE and
a manager: what each sees, what each downloads, and a click on a chart that narrows the tables.

Screenshots (1400 px wide) go to a temporary folder, or to docs/screenshots/ with PIE_SCREENSHOTS.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator

import pytest

from browser_support import assert_no_exception, expect, full_screenshot, open_page, served_copy, wait_until_idle

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"
NNBSP, NBSP = "\u202f", "\u00a0"
# tests/fixtures/small_programme.sql, by hand (see tests/test_partner_pages.py).
BOA_AMOUNT_APPROVED = f"120{NNBSP}000{NBSP}MAD"      # FD1
BOA_APPROVAL_RATE = f"33,3{NBSP}%"                    # FD1 approved; FD3, FD5 rejected
BOA_DECISIONS = {"FD1", "FD3", "FD4", "FD5"}
MCISE_PROJECTS = {"PR1"}                              # not Technopark Agadir's PR2
MICROCREDIT_DECISIONS = {"FD4"}                       # the one microcredit decision (pending)


@pytest.fixture(scope="module")
def server(small_db, tmp_path_factory, browser) -> Iterator[str]:
    """The dashboard on a copy of the small programme, with a BOA, an MCISE and a manager account."""
    accounts = [("boa.agadir", "bank", "BOA"), ("mcise.souss", "incubator", "MCISE"), ("amina", "manager", None)]
    with served_copy(small_db, tmp_path_factory.mktemp("browser_partners"), accounts, PASSWORD) as url:
        yield url


def metric(page, label: str):
    return page.get_by_test_id("stMetric").filter(has_text=label).get_by_test_id("stMetricValue")


def charts_drawn(page) -> None:
    """Wait until every chart of the page is drawn."""
    charts = page.get_by_test_id("stPlotlyChart")
    expect(charts.first).to_be_visible()
    expect(page.locator('[data-testid="stPlotlyChart"] .main-svg').first).to_be_visible()
    wait_until_idle(page)


def download_csv(page, label_near: str, tmp_path: Path) -> str:
    """The text of the CSV offered right after the heading or caption `label_near`."""
    button = page.get_by_text(label_near).locator(
        "xpath=following::*[@data-testid='stDownloadButton'][1]").get_by_role("button")
    with page.expect_download() as info:
        button.click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    return path.read_text(encoding="utf-8-sig")


def ids_in(text: str, prefix: str) -> set[str]:
    return set(re.findall(rf"\b{prefix}\d+\b", text))


def test_bank_sees_only_its_own_decisions_in_browser(browser, server, screenshots, tmp_path):
    """Test that BOA lands on Financing with its figures, no mention of CAM, and a CSV of its own rows."""
    page = browser.new_page(viewport={"width": 1400, "height": 900}, accept_downloads=True)
    page.set_default_timeout(30_000)
    open_page(page, f"{server}/financing?bank=CAM", "boa.agadir", PASSWORD)
    expect(page.get_by_role("heading", name="Financement des projets")).to_be_visible()
    expect(metric(page, "Montant accordé")).to_have_text(BOA_AMOUNT_APPROVED)
    expect(metric(page, "Taux d'accord")).to_have_text(BOA_APPROVAL_RATE)
    charts_drawn(page)
    assert_no_exception(page)
    body = page.inner_text("body")
    assert "CAM" not in body and "Crédit Agricole" not in body and "FD2" not in body
    assert "bank=CAM" not in page.url
    decisions = download_csv(page, "Décisions listées", tmp_path)
    assert ids_in(decisions, "FD") == BOA_DECISIONS and "CAM" not in decisions
    full_screenshot(page, screenshots / "small-financing-boa.png")
    page.close()


def test_incubator_sees_only_its_projects_in_browser(browser, server, screenshots, tmp_path):
    """Test that MCISE lands on Incubation with PR1 only (cards, Sankey, downloaded list)."""
    page = browser.new_page(viewport={"width": 1400, "height": 900}, accept_downloads=True)
    page.set_default_timeout(30_000)
    open_page(page, f"{server}/incubation", "mcise.souss", PASSWORD)
    expect(page.get_by_role("heading", name="Incubation et accompagnement")).to_be_visible()
    expect(metric(page, "Projets incubés")).to_have_text("1")
    expect(page.locator('[data-testid="stPlotlyChart"] g.sankey')).to_have_count(1)
    charts_drawn(page)
    assert_no_exception(page)
    assert "Technopark" not in page.inner_text("body")
    projects = download_csv(page, "Projets listés", tmp_path)
    assert ids_in(projects, "PR") == MCISE_PROJECTS and "Technopark" not in projects
    full_screenshot(page, screenshots / "small-incubation-mcise.png")
    page.close()


def test_click_on_a_bar_narrows_the_tables_in_browser(browser, server, screenshots, tmp_path):
    """Test that a manager clicking the microcredit bar gets the decisions of microcredit only,
    the narrowing said on the page and kept in the URL."""
    page = browser.new_page(viewport={"width": 1400, "height": 900}, accept_downloads=True)
    page.set_default_timeout(30_000)
    open_page(page, f"{server}/financing?by=product", "amina", PASSWORD)
    charts_drawn(page)
    chart = page.get_by_test_id("stPlotlyChart").filter(has_text="En attente").filter(has_text="Microcrédit")
    chart.scroll_into_view_if_needed()              # the mouse clicks inside the window only
    page.wait_for_timeout(500)
    bars = chart.locator("g.barlayer g.trace").nth(2).locator("g.point path")   # the pending decisions
    boxes = [box for box in (bar.bounding_box() for bar in bars.all()) if box and box["width"] > 1]
    assert len(boxes) == 1                          # microcredit's FD4, the only pending decision
    # plotly's drag layer receives the clicks: click where the bar is drawn
    page.mouse.click(boxes[0]["x"] + boxes[0]["width"] / 2, boxes[0]["y"] + boxes[0]["height"] / 2)
    expect(page.get_by_text("Tableaux ci-dessous limités à")).to_be_visible()
    expect(page).to_have_url(re.compile(r"[?&]product=microcredit\b"))
    wait_until_idle(page)
    decisions = download_csv(page, "Décisions listées", tmp_path)
    assert ids_in(decisions, "FD") == MICROCREDIT_DECISIONS
    full_screenshot(page, screenshots / "small-financing-manager-microcredit.png")
    page.get_by_role("button", name="Tout afficher").click()
    expect(page.get_by_text("Tableaux ci-dessous limités à")).to_have_count(0)
    page.close()
