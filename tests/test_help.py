"""The Help page (issue 17): each role's own pages explained, in fr, ar (right to left) and en."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from apptest_support import ACCOUNTS, copy_of, opened_on
from pie import i18n
from pie.codes import ROLES
from pie.ui import help_content, navigation

pytestmark = pytest.mark.usefixtures("fresh_caches")

LOCALES = Path(__file__).resolve().parents[1] / "pie" / "locales"
LANGUAGES = ("fr", "ar", "en")


@pytest.fixture(scope="module")
def help_db(small_db, tmp_path_factory):
    return copy_of(small_db, tmp_path_factory.mktemp("help"))


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_has_its_help_in_every_language(language):
    """Test that every page but Help has both help texts, written in that language (not a copy of
    the French one)."""
    texts = json.loads((LOCALES / f"{language}.json").read_text())
    french = json.loads((LOCALES / "fr.json").read_text())
    for spec in navigation.PAGES:
        if spec.name == "help":
            continue
        for part in ("answers", "read"):
            key = f"help.{spec.name}.{part}"
            assert texts.get(key), key
            if language != "fr":
                assert texts[key] != french[key], key


@pytest.mark.parametrize("role", ROLES)
def test_help_explains_exactly_the_role_pages(role):
    """Test that Help lists every page of the role but itself, and the submission steps only for
    roles that have the Import page."""
    explained = [spec.name for spec in help_content.pages_explained(role)]
    assert explained == [spec.name for spec in navigation.pages_for(role) if spec.name != "help"]
    assert "help" in [spec.name for spec in navigation.pages_for(role)]
    assert help_content.sends_files(role) == ("import" in explained)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("account", list(ACCOUNTS))
def test_help_page_renders_for_each_role(monkeypatch, help_db, account, language):
    """Test that each role's Help page renders in the language with one section per page of the
    role, its texts in that language, no other role's page, and Arabic laid out right to left."""
    role = ACCOUNTS[account].role
    at = opened_on(monkeypatch, help_db, account, "pages/reference/help.py", lang=language)
    assert [e.value for e in at.exception] == []
    assert at.title[0].value == i18n.t("page.help.title", language)
    headers = [h.value for h in at.header]
    pages = help_content.pages_explained(role)
    for spec in pages:
        assert i18n.t(f"page.{spec.name}.nav", language) in headers
    markdown = [m.value for m in at.markdown]
    assert i18n.t(f"help.{pages[0].name}.answers", language) in markdown
    others = {spec.name for spec in navigation.PAGES} - {spec.name for spec in pages} - {"help"}
    for name in others:
        assert i18n.t(f"help.{name}.answers", language) not in markdown, name
    submit = i18n.t("help.submit.title", language) in headers
    assert submit == help_content.sends_files(role)
    right_to_left = any("direction: rtl" in html.proto.body for html in at.get("html"))
    assert right_to_left == (language == "ar")
