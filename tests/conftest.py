"""Shared fixtures: small hand-made databases in temporary folders, and for the browser tests
Debian's Chromium (through Playwright), a page of it and the screenshot folder."""
from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import argon2
import pytest

from pie import auth, db
from pie.config import PROJECT_ROOT

FIXTURES = Path(__file__).parent / "fixtures"
# The hasher the product uses (OWASP's minimum for argon2id: ~0.05 s a hash, pie/auth.py).
PRODUCT_HASHER = auth._hasher
# argon2id at its cheapest cost, for the test process: the suite hashes and checks hundreds of
# passwords (demo accounts, accounts of served copies, logins), each the same code path.
CHEAP_HASHER = argon2.PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashes():
    """argon2id at its cheapest cost in the test process (not in the servers tests start: they
    keep the product's; a login there re-hashes a cheap hash with the product's cost, as for
    any hash of older parameters). test_auth checks the product's parameters."""
    auth._hasher = CHEAP_HASHER
    yield
    auth._hasher = PRODUCT_HASHER


@pytest.fixture(scope="session", autouse=True)
def answers_not_shared():
    """No answers shared through the disk (pie.answers) in the test process and the servers it
    starts: a test's stand-in figure must never reach another test. tests/test_answers.py
    switches it on where it tests it."""
    before = os.environ.get("PIE_SHARED_ANSWERS")
    os.environ["PIE_SHARED_ANSWERS"] = "0"
    yield
    if before is None:
        os.environ.pop("PIE_SHARED_ANSWERS", None)
    else:
        os.environ["PIE_SHARED_ANSWERS"] = before


@pytest.fixture
def product_password_hasher(monkeypatch):
    """The product's argon2 hasher, in place of the cheap one, for this test."""
    monkeypatch.setattr(auth, "_hasher", PRODUCT_HASHER)
    return PRODUCT_HASHER


def build_small_programme(path: Path) -> Path:
    """A database holding tests/fixtures/small_programme.sql, published for readers."""
    db.init_database(path)
    with db.writing(path) as con:
        con.execute((FIXTURES / "small_programme.sql").read_text(encoding="utf-8"))
    return path


@pytest.fixture(scope="session")
def small_db(tmp_path_factory) -> Path:
    """Path of the small hand-made programme (read it, don't write it: it is shared)."""
    return build_small_programme(tmp_path_factory.mktemp("small") / "pie.duckdb")


@pytest.fixture
def writable_small_db(small_db, tmp_path) -> Path:
    """A private copy of the small programme with its published snapshot (the test may write)."""
    shutil.copytree(small_db.parent, tmp_path / "db")
    return tmp_path / "db" / small_db.name


@pytest.fixture(scope="module")
def programme_db(small_db, tmp_path_factory) -> Path:
    """A copy of the small programme's file of record for one test module (AppTest pages: readers
    publish their own snapshot of it; the shared one must not be written)."""
    folder = tmp_path_factory.mktemp("programme")
    return Path(shutil.copyfile(small_db, folder / small_db.name))


def _clear_streamlit_caches() -> None:
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def fresh_caches():
    """Streamlit caches outlive an AppTest run: the test starts and ends without them."""
    _clear_streamlit_caches()
    yield
    _clear_streamlit_caches()


@pytest.fixture(scope="module")
def fresh_caches_for_module():
    """Streamlit caches cleared around a whole test module (within it, answers are cached per
    database file and data version, so its tests do not see each other's)."""
    _clear_streamlit_caches()
    yield
    _clear_streamlit_caches()


@pytest.fixture(scope="session")
def rendered_page(small_db, tmp_path_factory):
    """`rendered_page(account, path, language)`: page `path` of the dashboard on a copy of the
    small programme, opened by `account` (tests/apptest_support.py ACCOUNTS) with
    ?lang=`language` — each rendered once for the whole test session, because test_i18n_pages,
    test_formats and test_i18n_complete check the same renders. Tests only read the AppTest it
    returns (no clicks, no run())."""
    from apptest_support import copy_of, opened_on
    from pie import i18n
    from pie.ui import navigation

    _clear_streamlit_caches()
    database = copy_of(small_db, tmp_path_factory.mktemp("rendered_pages"))
    name_of = {page.path: page.name for page in navigation.PAGES}
    rendered = {}

    def render(account: str, path: str, language: str):
        if (account, path, language) not in rendered:
            with pytest.MonkeyPatch.context() as monkeypatch:
                at = opened_on(monkeypatch, database, account, path, lang=language)
            # the page asked for, not the role's landing page (a check of another page would pass)
            title = i18n.t(f"page.{name_of[path]}.title", language)
            assert [e.value for e in at.exception] or at.title[0].value == title, (path, at.title)
            rendered[account, path, language] = at
        return rendered[account, path, language]
    yield render
    rendered.clear()


@pytest.fixture
def empty_db(tmp_path) -> Path:
    """A fresh database with the schema and regions only."""
    return db.init_database(tmp_path / "pie.duckdb")


# ------------------------------------------------------------------------------ browser tests
@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, headless, for the whole test module."""
    import browser_support  # skips the test when Playwright is missing

    if not Path(browser_support.CHROMIUM).exists():
        pytest.skip(f"{browser_support.CHROMIUM} is missing (apt-get install chromium)")
    with browser_support.playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=browser_support.CHROMIUM, headless=True,
                                              args=browser_support.CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser):
    """A browser context of its own (cookies, downloads) for the test, 1400 px wide."""
    import browser_support

    context = browser.new_context(viewport=browser_support.VIEWPORT, accept_downloads=True)
    context.set_default_timeout(browser_support.TIMEOUT_MS)
    yield context
    context.close()


@pytest.fixture
def page(context):
    """A page of the test's own browser context: 1400 px wide, accepts downloads."""
    return context.new_page()


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory) -> Path:
    """Where screenshots go: docs/screenshots/ when PIE_SCREENSHOTS is set, else a temporary folder."""
    if os.environ.get("PIE_SCREENSHOTS"):
        folder = Path(__file__).resolve().parents[1] / "docs" / "screenshots"
        folder.mkdir(parents=True, exist_ok=True)
        return folder
    return tmp_path_factory.mktemp("screenshots")


def workbook(sheets: dict[str, list[list]]) -> bytes:
    """An XLSX file (bytes) with a sheet per name, each holding its rows."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def run_cli(*args: str, password: str | None = None) -> subprocess.CompletedProcess:
    """`python -m pie ARGS` in a subprocess, with PIE_PASSWORD set to `password` (or unset)."""
    env = {k: v for k, v in os.environ.items() if k != "PIE_PASSWORD"}
    if password is not None:
        env["PIE_PASSWORD"] = password
    return subprocess.run([sys.executable, "-m", "pie", *args], capture_output=True, text=True,
                          cwd=PROJECT_ROOT, env=env, stdin=subprocess.DEVNULL, timeout=120)


@pytest.fixture(scope="session")
def postgres():
    """A throwaway PostgreSQL cluster on loopback for the whole test session (tests/postgres_support.py);
    skips, saying why, where PostgreSQL is not installed."""
    from postgres_support import postgres_cluster
    with postgres_cluster() as cluster:
        yield cluster
