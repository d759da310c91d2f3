"""Arabic and English are complete: every page of every role, opened in ar and in en (AppTest on
the small hand-made programme), writes no French label anywhere it draws text — titles,
captions, cards, tables (headers and cells), selectors and their options, buttons, chart texts
and their screen-reader summaries; in Arabic no region is named in French either.

What counts as "French": every text of pie/locales/fr.json that differs from the same key's
English and Arabic texts and from every English and Arabic text (so "Participants", the same
word in English, or a bank's name, the same in every language, are not flagged). A text with
`{placeholders}` is probed by its longest fixed part. Texts are compared piece by piece (split
at · | : ( ) ; and line breaks), so "CMC Souss-Massa", an establishment's name as the partner
wrote it, is not taken for the region "Souss-Massa"; partners' free text (names, rejection
reasons) is shown as they wrote it and never matches a label.
"""
from __future__ import annotations

import json
import re

import pytest

from apptest_support import ACCOUNTS
from pie import codes, i18n
from pie.ui import navigation

LANGUAGES = ("ar", "en")
# Every page of every role (the accounts of tests/apptest_support.py: admin, manager, leadership,
# two banks, an incubator).
ROLE_PAGES = [(account, page.name, page.path) for account, user in ACCOUNTS.items()
              for page in navigation.pages_for(user.role)]
SHORTEST_PROBE = 12          # characters of a placeholder text's fixed part worth probing
PIECES = re.compile(r"\s*(?:·|\||:|\(|\)|;|<br>|\n|—)\s*")


def _fixed_part(text: str) -> str:
    """The longest run of a text between its {placeholders}."""
    return max(re.split(r"\{[^}]*\}", text), key=len).strip()


def french_labels() -> tuple[set[str], set[str]]:
    """(whole texts, fragments): the French texts no Arabic or English page may show."""
    french, english, arabic = (i18n.catalog(language) for language in ("fr", "en", "ar"))
    elsewhere = {text.strip() for text in (*english.values(), *arabic.values())}
    # French words an English or Arabic text keeps on purpose ("Single-member limited company
    # (SARL AU)"), as whole words
    blob = "\n".join(elsewhere)
    kept = lambda text: re.search(rf"(?<!\w){re.escape(text)}(?!\w)", blob) is not None  # noqa: E731
    whole, fragments = set(), set()
    for key, text in french.items():
        if key.startswith("cli.") or text in (english.get(key), arabic.get(key)):
            continue
        if "{" in text:
            part = _fixed_part(text)
            if len(part) >= SHORTEST_PROBE and not kept(part):
                fragments.add(part)
        elif not kept(text.strip()) and re.search(r"[A-Za-zÀ-ÿ]{3}", text):
            whole.add(text.strip())
    return whole, fragments


WHOLE, FRAGMENTS = french_labels()
FRENCH_REGION_NAMES = {i18n.region_name(code, "fr") for code in codes.REGION_CODES}


# ------------------------------------------------------------------------------ what a page draws
NOT_DRAWN = frozenset({"geojson"})  # a map's shapes: their properties are data, never drawn


def _strings(value: object):
    """Every string inside a JSON value (a plotly figure), but for what is never drawn."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            if key not in NOT_DRAWN:
                yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _proto_strings(message) -> list[str]:
    """Every string field of a protobuf message, nested messages included (labels, options,
    help texts, bodies); a plotly chart's JSON spec opened up."""
    found = []
    for descriptor, value in message.ListFields():
        values = value if descriptor.is_repeated else [value]
        for item in values:
            if isinstance(item, str):
                if descriptor.name == "spec":
                    found += list(_strings(json.loads(item)))
                else:
                    found.append(item)
            elif hasattr(item, "ListFields"):
                found += _proto_strings(item)
    return found


def _nodes(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _nodes(child)


def drawn_texts(at) -> list[str]:
    """Every text the page draws, in main and sidebar: each element's string fields, the text
    cells and headers of its tables, the plain text of its HTML."""
    found = []
    for node in _nodes(at._tree):
        proto = getattr(node, "proto", None)
        if proto is None or not hasattr(proto, "ListFields"):
            continue
        if node.type == "dataframe":
            frame = node.value
            found += [str(column) for column in frame.columns]
            found += [value for column in frame.columns for value in frame[column] if isinstance(value, str)]
        elif node.type == "html":
            found.append(re.sub(r"<[^>]*>", " ", proto.body))
        else:
            found += _proto_strings(proto)
    return found


def french_in(texts: list[str], language: str) -> list[str]:
    """The French labels (and in Arabic, French region names) found in `texts`."""
    leaks = set()
    for text in texts:
        plain = re.sub(r"<[^>]*>", " ", text).strip()
        pieces = {plain, *(piece.strip() for piece in PIECES.split(plain) if piece.strip())}
        leaks |= pieces & WHOLE
        leaks |= {fragment for fragment in FRAGMENTS if fragment in plain}
        if language == "ar":
            leaks |= pieces & FRENCH_REGION_NAMES
    return sorted(leaks)


# ------------------------------------------------------------------------------ fixtures
def test_the_french_label_list_is_not_empty():
    """Test that the probe lists hold the labels the issue named (a list that matched nothing
    would let every page pass)."""
    assert {"Toutes les régions", "Région"} <= WHOLE
    assert {"Souss-Massa", "Laâyoune-Sakia El Hamra"} <= FRENCH_REGION_NAMES
    assert french_in(["Souss-Massa · 7"], "ar") == ["Souss-Massa"]
    assert french_in(["CMC Souss-Massa"], "ar") == []


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("account", "name", "path"), ROLE_PAGES)
def test_page_draws_no_french(rendered_page, account, name, path, language):
    """Test that page `name`, opened by `account` in `language`, draws no French label (nor, in
    Arabic, a region's French name) in any text, table, selector, button or chart."""
    at = rendered_page(account, path, language)
    assert [e.value for e in at.exception] == []
    assert french_in(drawn_texts(at), language) == []


# ------------------------------------------------------------------------------ in the browser
# AppTest sees what the server sends; a select box's text after a language switch is the
# browser's own state (it kept showing the French "Participants" on an Arabic page), so the
# switch is checked in Chromium.
BROWSER_USER, BROWSER_PASSWORD = "direction", "correct horse battery"


@pytest.fixture(scope="module")
def served(small_db, tmp_path_factory):
    from browser_support import served_copy

    with served_copy(small_db, tmp_path_factory.mktemp("i18n_browser"), [(BROWSER_USER, "leadership", None)],
                     BROWSER_PASSWORD) as url:
        yield url


@pytest.mark.browser
def test_select_boxes_show_their_choice_in_the_new_language(page, served):
    """Test that after switching to Arabic, then back to French, the sidebar filters and the
    map's "colour by" box show their current choice in the language chosen."""
    from browser_support import expect, open_page, wait_until_idle

    open_page(page, f"{served}/regions", BROWSER_USER, BROWSER_PASSWORD)
    expect(page.locator('[data-testid="stMain"] [data-testid="stSelectbox"] input').first).to_have_value(
        i18n.t("kpi.participants", "fr"))
    for name, language in (("العربية", "ar"), ("Français", "fr")):
        page.locator('[data-testid="stSidebar"] label').filter(has_text=name).click()
        wait_until_idle(page)
        expect(page.locator("h1").first).to_have_text(i18n.t("page.regions.title", language))
        expect(page.locator('[data-testid="stMain"] [data-testid="stSelectbox"] input').first).to_have_value(
            i18n.t("kpi.participants", language))
        expect(page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"] input').nth(1)).to_have_value(
            i18n.t("filters.region.all", language))
