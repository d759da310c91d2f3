"""The Help page in a real browser, and the screenshots it shows (docs/screenshots/help/).

With PIE_SCREENSHOTS set, test_help_screenshots redraws every page's screenshot, in each
language, from a demo database, each page as the role that uses it (a bank's Financing as
`boa`, an incubator's Incubation as `mcise`, the rest as `manager`)."""
from __future__ import annotations

import pytest

from browser_support import (TIMEOUT_MS, VIEWPORT, assert_no_exception, demo_for_screenshots, expect, log_in,
                             served_copy, settle, wait_for_cookie)
from pie import i18n
from pie.ui import help_content, navigation

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"
ACCOUNTS = [("manager", "manager", None), ("admin", "admin", None), ("boa", "bank", "BOA"),
            ("mcise", "incubator", "MCISE")]
# Who the screenshot of each page is taken as: the role that uses the page.
SHOT_AS = {"financing": "boa", "incubation": "mcise", "users": "admin", "access_log": "admin"}
LANGUAGES = ("fr", "ar", "en")


def logged_in_page(browser, url: str, user_name: str):
    page = browser.new_page(viewport=VIEWPORT)
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(url)
    log_in(page, user_name, PASSWORD)
    page.get_by_test_id("stSidebarNav").wait_for()
    settle(page)
    # Pages opened by URL next are new sessions, logged in by the HttpOnly cookie the login sets.
    wait_for_cookie(page, "pie_session")
    return page


def test_help_page_shows_its_screenshots_right_to_left(small_db, tmp_path, browser):
    """Test that a bank's Help page in Arabic is laid out right to left, shows its pages'
    screenshots (served to this session: the images load) and links to its Financing page."""
    with served_copy(small_db, tmp_path, ACCOUNTS, PASSWORD) as url:
        page = logged_in_page(browser, url, "boa")
        page.goto(f"{url}/help?lang=ar")
        settle(page)
        assert_no_exception(page)
        assert page.evaluate("() => document.documentElement.dir") == "rtl"
        images = page.locator("[data-testid=stMain] img")
        expected = sum(help_content.screenshot(spec.name, "ar") is not None
                       for spec in help_content.pages_explained("bank"))
        assert expected > 0, "no screenshot in docs/screenshots/help/ (redraw with PIE_SCREENSHOTS=1)"
        expect(images).to_have_count(expected)
        for index in range(images.count()):
            images.nth(index).scroll_into_view_if_needed()
            page.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=images.nth(index).element_handle())
        page.get_by_role("link", name="فتح الصفحة").first.click()
        settle(page)
        expect(page.locator("h1").first).to_have_text(i18n.t("page.financing.title", "ar"))
        page.close()


@pytest.mark.timeout(1800)  # 39 pages; runs only when PIE_SCREENSHOTS is set
def test_help_screenshots(tmp_path, browser):
    """Redraw docs/screenshots/help/<page>-<lang>.jpg: the top of each page (what the Help
    page's text describes), as the role that uses it, in each language."""
    database = demo_for_screenshots(tmp_path)
    folder = help_content.SCREENSHOTS
    folder.mkdir(parents=True, exist_ok=True)
    with served_copy(database, tmp_path / "served", ACCOUNTS, PASSWORD) as url:
        pages = {}
        for spec in navigation.PAGES:
            if spec.name == "help":
                continue
            user_name = SHOT_AS.get(spec.name, "manager")
            if user_name not in pages:
                pages[user_name] = logged_in_page(browser, url, user_name)
            page = pages[user_name]
            for language in LANGUAGES:
                page.goto(f"{url}/{spec.path.rsplit('/', 1)[1][:-3]}?lang={language}")
                settle(page)
                assert_no_exception(page)
                expect(page.locator("h1").first).to_have_text(i18n.t(f"page.{spec.name}.title", language))
                page.screenshot(path=folder / f"{spec.name}-{language}.jpg", type="jpeg", quality=70)
        for page in pages.values():
            page.close()
