"""Browser sessions (docs/SECURITY.md "Browser sessions", pie/ui/browser_session.py) in Chromium:
a reload or a new tab stays logged in through an HttpOnly cookie, a replayed Streamlit session
id from another client gets the login page, logout and disable end it, and a download's /media
URL is served only to the browser whose session holds it."""
from __future__ import annotations

import asyncio
import subprocess
from concurrent.futures import ThreadPoolExecutor
import sys
from pathlib import Path
from typing import Iterator

import pytest

from browser_support import (ROOT, VIEWPORT, assert_no_exception, expect, log_in, served_copy, session_ids,
                             wait_for_cookie, wait_until_idle)

sys.path.insert(0, str(ROOT / "benchmarks"))
from ws_client import Session  # noqa: E402

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"
ACCOUNTS = [("manager", "manager", None), ("karim", "manager", None), ("salma", "manager", None)]
COOKIE = "pie_session"


@pytest.fixture(scope="module")
def served(small_db, tmp_path_factory, browser) -> Iterator[tuple[str, Path]]:
    folder = tmp_path_factory.mktemp("browser_session")
    with served_copy(small_db, folder, ACCOUNTS, PASSWORD) as url:
        yield url, folder / "pie.duckdb"


def login_button(page):
    return page.get_by_role("button", name="Se connecter")


def logged_in(page) -> None:
    expect(page.get_by_test_id("stMetricValue").first).to_be_visible()
    expect(login_button(page)).to_have_count(0)
    assert_no_exception(page)


def asks_password(page) -> None:
    expect(login_button(page)).to_be_visible()
    expect(page.get_by_test_id("stMetricValue")).to_have_count(0)


def log_in_and_wait_for_cookie(page, url: str, user: str) -> dict:
    page.goto(url)
    login_button(page).wait_for()
    log_in(page, user, PASSWORD)
    logged_in(page)
    return wait_for_cookie(page, COOKIE)


def test_reload_and_new_tab_stay_logged_in_through_an_httponly_cookie(served, context):
    """Test that after one login, F5 and a new tab of the same browser are logged in without a
    password, by a cookie page scripts cannot read (HttpOnly, SameSite=Strict, path /)."""
    url, _ = served
    page = context.new_page()
    cookie = log_in_and_wait_for_cookie(page, url, "manager")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["path"] == "/"
    assert not cookie["secure"]  # plain http here; PIE_COOKIE_SECURE / https adds Secure
    assert COOKIE not in page.evaluate("document.cookie")
    assert cookie["value"] not in page.url
    page.reload()
    logged_in(page)
    other = context.new_page()
    other.goto(f"{url}/funnel")
    logged_in(other)
    expect(other.get_by_role("heading", name="Entonnoir du programme")).to_be_visible()


def test_logout_ends_the_cookie_session(served, context):
    """Test that after logout a reload (and another tab) asks for the password again."""
    url, _ = served
    page = context.new_page()
    log_in_and_wait_for_cookie(page, url, "salma")
    other = context.new_page()
    other.goto(url)
    logged_in(other)
    page.get_by_test_id("stSidebar").get_by_role("button", name="Se déconnecter").click()
    asks_password(page)
    page.reload()
    asks_password(page)
    other.reload()
    asks_password(other)


def test_a_disabled_account_sees_the_login_page_at_its_next_click(served, context):
    """Test that `python -m pie users disable` ends a cookie-logged-in tab at its next click."""
    url, database = served
    page = context.new_page()
    log_in_and_wait_for_cookie(page, url, "karim")
    page.reload()
    logged_in(page)
    subprocess.run([sys.executable, "-m", "pie", "users", "disable", "karim", "--db", str(database)],
                   cwd=ROOT, check=True, capture_output=True)
    page.wait_for_timeout(2500)  # a process trusts its last check of a session for 2 s
    page.get_by_test_id("stSidebar").get_by_role("link", name="Entonnoir").click()
    asks_password(page)
    page.reload()
    asks_password(page)


async def _replay(url: str, session_id: str):
    async with Session(url, timeout=60, resume_session_id=session_id) as intruder:
        return await intruder.open(""), intruder


def test_a_replayed_streamlit_session_id_gets_the_login_page(served, context):
    """Test that another client presenting the logged-in browser's Streamlit session id (as in
    an upload URL in a log) gets the login form and no figure, and that the browser itself
    stays logged in (its reconnect carries the cookie)."""
    url, _ = served
    page = context.new_page()
    ids = session_ids(page)
    log_in_and_wait_for_cookie(page, url, "manager")
    assert ids, "no session id seen in the websocket"
    with ThreadPoolExecutor(1) as pool:  # Playwright's sync API holds this thread's event loop
        run, intruder = pool.submit(asyncio.run, _replay(url, ids[-1])).result()
    assert run.status == "finished"
    assert not run.metrics, f"the replayed session id showed figures: {run.metrics}"
    assert any(kind == "text_input" and body.autocomplete == "current-password"
               for kind, body in intruder.widgets.values())
    page.reload()
    logged_in(page)


def test_a_download_url_is_served_only_to_its_browser(served, context, browser, tmp_path):
    """Test that the /media URL of a CSV download answers the browser that downloaded it and
    404 to another client (no cookie) and to another logged-in browser."""
    url, _ = served
    page = context.new_page()
    log_in_and_wait_for_cookie(page, f"{url}/financing", "manager")
    wait_until_idle(page)
    button = page.get_by_text("Décisions listées").locator(
        "xpath=following::*[@data-testid='stDownloadButton'][1]").get_by_role("button")
    with page.expect_download() as info:
        button.click()
    media = info.value.url
    assert "/media/" in media
    assert context.request.get(media).status == 200
    stranger = browser.new_context()
    try:
        assert stranger.request.get(media).status in (403, 404)
    finally:
        stranger.close()
    other = browser.new_context(viewport=VIEWPORT)
    try:
        other_page = other.new_page()
        log_in_and_wait_for_cookie(other_page, url, "salma")
        assert other.request.get(media).status in (403, 404)
    finally:
        other.close()
