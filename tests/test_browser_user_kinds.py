"""Bookmarks of each role's pages in a real browser (Debian's Chromium through Playwright): a
bank's bookmark of its landing page (/financing) opens it, as "/" does, and leadership's
bookmark of Companies and jobs opens the aggregated page."""
from __future__ import annotations

from typing import Iterator

import pytest

from browser_support import TIMEOUT_MS, VIEWPORT, expect, open_page, served_copy
from pie import i18n

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"
ACCOUNTS = [("boa.agadir", "bank", "BOA"), ("direction", "leadership", None)]


@pytest.fixture(scope="module")
def server(small_db, tmp_path_factory, browser) -> Iterator[str]:
    with served_copy(small_db, tmp_path_factory.mktemp("browser_user_kinds"), ACCOUNTS, PASSWORD) as url:
        yield url


def title(page):
    return page.locator("h1").first


def test_a_bank_bookmark_of_its_landing_page_opens_it(server, browser):
    """Test that /financing, the bank's landing page, opens Financing after login (no "Page not
    found"), stays at /financing, and that "/" opens the same page."""
    page = browser.new_page(viewport=VIEWPORT)
    open_page(page, f"{server}/financing", "boa.agadir", PASSWORD)
    expect(title(page)).to_contain_text(i18n.t("page.financing.title"), timeout=TIMEOUT_MS)
    expect(page.get_by_text("Page not found")).to_have_count(0)
    assert page.url.split("?")[0].rstrip("/").endswith("/financing")
    expect(page.get_by_text(i18n.t("financing.pending.title"))).to_be_visible(timeout=TIMEOUT_MS)
    page.goto(f"{server}/")
    expect(title(page)).to_contain_text(i18n.t("page.financing.title"), timeout=TIMEOUT_MS)
    expect(page.get_by_text("Page not found")).to_have_count(0)
    page.close()


def test_leadership_bookmark_of_companies_opens_the_aggregated_page(server, browser):
    """Test that leadership's bookmark of /companies opens Companies and jobs, without the list
    of companies."""
    page = browser.new_page(viewport=VIEWPORT)
    open_page(page, f"{server}/companies", "direction", PASSWORD)
    expect(title(page)).to_contain_text(i18n.t("page.companies.title"), timeout=TIMEOUT_MS)
    expect(page.get_by_text("Page not found")).to_have_count(0)
    expect(page.get_by_text(i18n.t("companies.details.title"))).to_have_count(0)
    page.close()
