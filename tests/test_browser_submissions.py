"""Partners' submissions in a real browser (issue 16): BOA sends decisions, a manager approves
them, BOA's Financing page shows them and CAM never sees them; a clerk fixes two bad cells in
the page's grid and the batch is accepted without leaving the page; axe on the partner's
Import page.

On a copy of the small hand-made programme (tests/fixtures/small_programme.sql: importing into
a demo database is refused by design) with the accounts below. Screenshots go to a temporary
folder, or to docs/screenshots/import/ with PIE_SCREENSHOTS (docs/IMPORT.md shows them).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator

import pytest

from browser_support import (VIEWPORT, assert_no_exception, expect, full_screenshot, log_in, served_copy, settle,
                             wait_until_idle)
from pie import i18n

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"
ACCOUNTS = [("boa", "bank", "BOA"), ("cam", "bank", "CAM"), ("manager", "manager", None)]
DECISIONS = "decision_id,plan_id,bank,branch,product,decision,decided_on,amount_approved_mad\n"
# FD6: BOA's new decision on BP3 (a plan CAM finances; BOA may decide on it). FD7 names CAM.
BOA_ROW = "FD6,BP3,BOA,BOA Agadir Talborjt,intelaka,approved,2023-06-20,30000\n"
CAM_ROW = "FD7,BP1,CAM,CAM Agadir,intelaka,approved,2023-06-20,30000\n"
CAM_ROW_NUMBER = 3                       # header = row 1, as Excel numbers it
# Two bad cells: an unknown product (row 2) and an impossible date (row 3).
TWO_BAD_CELLS = (DECISIONS + "FD8,BP3,BOA,BOA Agadir,intelakaX,approved,2023-06-20,20000\n"
                 "FD9,BP3,BOA,BOA Agadir,intelaka,approved,2023-13-45,10000\n")
PRODUCT_COLUMN, DATE_COLUMN = 5, 8       # in the grid: #, decision_id, plan_id, bank, branch, product, ⚠ product, decision, decided_on
NNBSP, NBSP = "\u202f", "\u00a0"
BOA_APPROVED_AFTER = f"150{NNBSP}000{NBSP}MAD"   # FD1's 120 000 + FD6's 30 000
CAM_APPROVED = f"50{NNBSP}000{NBSP}MAD"          # FD2 only, before and after


@pytest.fixture(scope="module")
def server(small_db, tmp_path_factory, browser) -> Iterator[str]:
    with served_copy(small_db, tmp_path_factory.mktemp("browser_submissions"), ACCOUNTS, PASSWORD) as url:
        yield url


@pytest.fixture(scope="module")
def shots(screenshots) -> Path:
    folder = screenshots / "import"
    folder.mkdir(exist_ok=True)
    return folder


def new_page(browser):
    page = browser.new_page(viewport=VIEWPORT, accept_downloads=True)
    page.set_default_timeout(30_000)
    return page


def open_import(page, server: str, user_name: str) -> None:
    """The Import page as `user_name` (logging in when the browser has no session yet)."""
    page.goto(f"{server}/import")
    title = page.get_by_role("heading", name="Importer les registres des partenaires")
    login_button = page.get_by_role("button", name="Se connecter")
    login_button.or_(title).first.wait_for()
    if login_button.is_visible():
        log_in(page, user_name, PASSWORD)
    expect(title).to_be_visible()
    settle(page)


def upload(page, name: str, text: str) -> None:
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(
        files=[{"name": name, "mimeType": "text/csv", "buffer": text.encode("utf-8")}])
    expect(page.get_by_test_id("stFileChip")).to_have_count(1)
    wait_until_idle(page)


def click(page, name: str) -> None:
    page.get_by_role("button", name=name).click()
    settle(page)


def shot(page, path: Path) -> None:
    """A full-page screenshot once the run has ended: no element is left from the previous run
    (Streamlit fades those while a slow run, such as a preview, goes on)."""
    expect(page.locator("[data-stale='true']")).to_have_count(0)
    settle(page)
    full_screenshot(page, path)


def download_text(page, button_name: str, tmp_path: Path) -> str:
    with page.expect_download() as info:
        page.get_by_role("button", name=button_name).click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    return path.read_text(encoding="utf-8-sig")


def metric(page, label: str):
    return page.get_by_test_id("stMetric").filter(has_text=label).get_by_test_id("stMetricValue")


def test_bank_submits_manager_approves_and_only_the_bank_sees_it(browser, server, shots, tmp_path):
    """Test the issue's story: BOA's file with a BOA and a CAM decision is refused on the CAM
    row; BOA's alone is sent and awaits approval; the manager sees what it changes and
    approves; BOA's Financing page shows the new decision; CAM's never does."""
    boa = new_page(browser)
    open_import(boa, server, "boa")
    upload(boa, "financing_decisions.csv", DECISIONS + BOA_ROW + CAM_ROW)
    click(boa, "Vérifier (rien n'est enregistré)")
    expect(boa.get_by_text("1 problème(s)")).to_be_visible()
    assert_no_exception(boa)
    problems = download_text(boa, "Télécharger les problèmes (CSV)", tmp_path)
    (line,) = [row for row in problems.splitlines()[1:] if row]
    assert line.split(";")[2:6] == ["financing_decisions.csv", str(CAM_ROW_NUMBER), "bank", "CAM"]
    shot(boa, shots / "partner-refused-row.png")

    open_import(boa, server, "boa")                          # a fresh upload
    upload(boa, "financing_decisions.csv", DECISIONS + BOA_ROW)
    click(boa, "Vérifier (rien n'est enregistré)")
    click(boa, "Envoyer ce lot pour approbation")
    expect(boa.get_by_text("en attente d'approbation par un gestionnaire")).to_be_visible()
    shot(boa, shots / "partner-submitted.png")

    manager = new_page(browser)
    open_import(manager, server, "manager")
    expect(manager.get_by_test_id("stSidebar").get_by_text("1 lot(s) en attente d'approbation")).to_be_visible()
    click(manager, "Voir ce qu'il changerait")
    expect(manager.get_by_text("Chiffres du partenaire boa, avant → après")).to_be_visible()
    assert_no_exception(manager)
    shot(manager, shots / "manager-queue.png")
    click(manager, "Approuver et publier")
    expect(manager.get_by_text("approuvé et publié").first).to_be_visible()  # during the rerun, briefly twice
    expect(manager.get_by_text("Aucun lot n'attend d'approbation.")).to_be_visible()
    manager.close()

    boa.goto(f"{server}/financing")
    expect(metric(boa, "Montant accordé")).to_have_text(BOA_APPROVED_AFTER)
    boa.close()

    cam = new_page(browser)
    cam.goto(f"{server}/financing")
    log_in(cam, "cam", PASSWORD)
    expect(metric(cam, "Montant accordé")).to_have_text(CAM_APPROVED)
    settle(cam)
    assert "FD6" not in cam.inner_text("body")
    cam.close()


def edit_cell(page, grid, row: int, column: int, text: str) -> None:
    """Type `text` into the grid's cell (row, column), both counted from 0 (column 0 is the
    row number): select the first cell, move with the arrow keys, open the editor, replace
    its text, Enter. (Typing on a selected cell loses the first keys while the editor opens.)"""
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 20, box["y"] + 35 + 17)      # row 0's first cell, under the header row
    page.wait_for_timeout(300)        # the grid takes the focus (slower on a loaded machine)
    for _ in range(column):
        page.keyboard.press("ArrowRight")
    for _ in range(row):
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")      # opens the cell's editor on its text
    page.locator("#portal textarea, #portal input").first.wait_for()   # glide's overlay editor is open
    page.keyboard.press("Control+A")
    page.keyboard.type(text, delay=20)
    page.wait_for_timeout(200)
    page.keyboard.press("Enter")
    settle(page)                      # an edit reruns the page


def test_clerk_fixes_two_cells_in_the_page_and_the_batch_is_accepted(browser, server, shots):
    """Test that the two rows with problems open in the grid, two corrected cells pass the
    check again and the batch is sent without leaving the page."""
    page = new_page(browser)
    open_import(page, server, "boa")
    upload(page, "financing_decisions.csv", TWO_BAD_CELLS)
    click(page, "Vérifier (rien n'est enregistré)")
    expect(page.get_by_text("2 problème(s)")).to_be_visible()
    expect(page.get_by_text("Corriger ici")).to_be_visible()
    grid = page.get_by_text("2 ligne(s) à corriger").locator("xpath=following::*[@data-testid='stDataFrame'][1]")
    shot(page, shots / "fix-grid.png")
    grid.scroll_into_view_if_needed()
    edit_cell(page, grid, 0, PRODUCT_COLUMN, "intelaka")
    edit_cell(page, grid, 1, DATE_COLUMN, "21/06/2023")
    wait_until_idle(page)
    click(page, "Vérifier à nouveau")
    expect(page.get_by_text("Aucun problème")).to_be_visible()
    expect(page.get_by_role("button", name="Télécharger financing_decisions.csv corrigé")).to_be_visible()
    shot(page, shots / "fix-checked-again.png")
    click(page, "Envoyer ce lot pour approbation")
    expect(page.get_by_text("en attente d'approbation par un gestionnaire")).to_be_visible()
    assert_no_exception(page)
    page.close()


def test_axe_finds_nothing_of_ours_on_the_partner_import_page(browser, server, tmp_path):
    """Test that axe reports nothing but Streamlit's own markup on BOA's Import page, with a
    checked batch, its problems and the fix grid shown."""
    from test_browser_a11y import AXE, not_streamlit_own, run_axe

    if not AXE.exists():
        pytest.skip(f"axe-core is missing ({AXE}): scripts/test.sh installs it")
    page = new_page(browser)
    open_import(page, server, "boa")
    upload(page, "financing_decisions.csv", TWO_BAD_CELLS.replace("FD8", "FD10").replace("FD9", "FD11"))
    click(page, "Vérifier (rien n'est enregistré)")
    expect(page.get_by_text("Corriger ici")).to_be_visible()
    left = not_streamlit_own(page, run_axe(page, AXE.read_text(encoding="utf-8")))
    page.set_viewport_size(VIEWPORT)
    assert not left, json.dumps(left, ensure_ascii=False, indent=1)
    assert i18n.t("import.mine.title", "fr") in page.inner_text("body")
    page.close()
