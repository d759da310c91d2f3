"""In a real browser: a page load makes no request outside the dashboard's origin (favicon,
fonts, maps all served by the app), on the login page and on a logged-in page; and a served
dashboard without a database (no PIE_DEMO) shows how to create one.
"""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

import pytest

from browser_support import TIMEOUT_MS, VIEWPORT, expect, log_in, streamlit_server, wait_until_idle
from pie import auth

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def server(small_db, tmp_path_factory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("browser_hardening")
    database = Path(shutil.copyfile(small_db, folder / "pie.duckdb"))
    auth.add_user(database, "manager", "manager", PASSWORD)
    with streamlit_server(database) as url:
        yield url


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def test_page_loads_stay_on_the_dashboards_origin(browser, server):  # noqa: F811
    """Test that every request of a login page load, of the login and of two logged-in pages
    (overview, regions with its map) goes to the dashboard's own origin."""
    context = browser.new_context(viewport=VIEWPORT)
    requests: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(server)
    expect(page.get_by_role("button", name="Se connecter")).to_be_visible()
    page.wait_for_load_state("networkidle")
    login_requests = len(requests)
    log_in(page, "manager", PASSWORD)
    page.get_by_test_id("stMetricValue").first.wait_for()
    wait_until_idle(page)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Régions", exact=True).click()
    page.locator('[data-testid="stPlotlyChart"]').first.wait_for()
    wait_until_idle(page)
    page.wait_for_load_state("networkidle")
    icon = page.locator('link[rel~="icon"]').first.get_attribute("href")
    context.close()
    assert login_requests > 5 and len(requests) > login_requests
    outside = sorted({url for url in requests
                      if _origin(url) != server and not url.startswith(("data:", "blob:"))})
    assert outside == []
    assert icon and (icon.startswith("/") or icon.startswith(server) or not icon.startswith("http")), icon


def test_no_database_without_demo_shows_how_to_create_one(browser, tmp_path):  # noqa: F811
    """Test that `python -m pie.ui.serve` without PIE_DEMO on a missing database builds nothing
    and shows how to create a database."""
    database = tmp_path / "data" / "pie.duckdb"
    with streamlit_server(database, env={"PIE_DEMO": ""}) as url:
        page = browser.new_page(viewport=VIEWPORT)
        page.goto(url)
        expect(page.get_by_text("python -m pie init").first).to_be_visible()
        page.close()
    assert not database.exists()
