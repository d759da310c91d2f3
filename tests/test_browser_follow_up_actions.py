"""Follow-up actions in a real browser (issue 17): the manager records an action on a stalled
participant and sees it in the call list and in the downloaded CSV of the actions.

Small programme (tests/fixtures/small_programme.sql), lost contact beyond 602 days: P06 and P09
are on the call list (tests/test_follow_up.py)."""
from __future__ import annotations

from pathlib import Path

import pytest

from browser_support import assert_no_exception, expect, served_copy, settle, wait_until_idle
from test_browser import MANAGER, PASSWORD, open_page

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(small_db, tmp_path_factory, browser):
    with served_copy(small_db, tmp_path_factory.mktemp("browser_actions"), MANAGER, PASSWORD) as url:
        yield url


def choose(page, key: str, option: str) -> None:
    box, wanted = page.locator(f".st-key-{key}"), page.get_by_role("option", name=option, exact=True)
    for _ in range(3):  # a box clicked while the form redraws stays closed: open it again
        box.get_by_role("combobox").click()
        try:
            wanted.wait_for(timeout=3000)
            break
        except Exception:
            page.keyboard.press("Escape")
    wanted.click()


def download(page, key: str, tmp_path: Path) -> str:
    with page.expect_download() as info:
        page.locator(f".st-key-{key} button").click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    return path.read_text(encoding="utf-8-sig")


def test_an_action_is_recorded_and_shown_in_the_list_and_the_export(page, server, tmp_path):
    """Test: P06 called, "will return", note → success; the call list's CSV shows P06's last
    action and outcome; the actions' CSV holds the row."""
    open_page(page, f"{server}/follow_up?lost=602")
    expect(page.get_by_text("Enregistrer une action de suivi")).to_be_visible()
    settle(page)  # a box clicked while the page still draws is redrawn closed
    choose(page, "follow_up_action_participant", "P06")
    choose(page, "follow_up_action_action", "Appelé")
    choose(page, "follow_up_action_outcome", "Va revenir")
    page.locator(".st-key-follow_up_action_note textarea").fill("Reprend en septembre")
    page.get_by_role("button", name="Enregistrer l'action").click()
    wait_until_idle(page)
    expect(page.get_by_text("Action enregistrée pour P06.")).to_be_visible()
    assert_no_exception(page)

    page.reload()  # a new run reads the published snapshot
    expect(page.get_by_text("Actions de suivi enregistrées")).to_be_visible()
    actions_csv = download(page, "follow_up_actions_csv", tmp_path)
    [header, row] = actions_csv.strip().splitlines()
    assert header.startswith("Date de l'action;Participant;Action;Résultat")  # French CSV: ';'
    assert ";P06;Appelé;Va revenir;" in row and "Reprend en septembre" in row and "CMC Souss-Massa" in row
    calls_csv = download(page, "follow_up_participants_csv", tmp_path)
    p06 = next(line for line in calls_csv.splitlines() if line.startswith("P06;"))
    assert "Appelé" in p06 and "Va revenir" in p06
    assert_no_exception(page)
