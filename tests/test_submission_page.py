"""The Import page for partners and managers (AppTest): what each role may send, a partner's
submission waiting for approval, the manager's queue (preview, approve, return), trusted
partners, fixing cells on the page, and forged session values that cannot widen a partner.

On the small hand-made programme (tests/fixtures/small_programme.sql): BOA decided FD1 (BP1,
approved 120 000 MAD), FD3 and FD5 (rejected), FD4 (pending); CAM FD2 (BP3, approved);
establishment E1 has cohorts C1 and C2, E2 has C3.
"""
from __future__ import annotations

import io

import pytest

import apptest_support
from apptest_support import dashboard
from pie import auth, db, i18n, ingest
from pie.ingest import submissions as library
from pie.ui import fixes, submissions

pytestmark = pytest.mark.usefixtures("fresh_caches")

IMPORT_PAGE = "pages/admin/import.py"
LANGUAGES = ("fr", "ar", "en")
DECISIONS = "decision_id,plan_id,bank,branch,product,decision,decided_on,amount_approved_mad\n"
BOA_NEW = "FD6,BP3,BOA,BOA Agadir,intelaka,approved,2023-06-20,30000\n"     # BP3: CAM finances it, BOA may decide
CAM_NEW = "FD7,BP1,CAM,CAM Agadir,intelaka,approved,2023-06-20,30000\n"
# Two bad cells: an unknown product on row 2, an impossible date on row 3.
TWO_BAD_CELLS = (DECISIONS + "FD6,BP3,BOA,BOA Agadir,intelakaX,approved,2023-06-20,30000\n"
                 "FD8,BP3,BOA,BOA Agadir,intelaka,approved,2023-13-45,30000\n")
NNBSP, NBSP = "\u202f", "\u00a0"
BOA_APPROVED_BEFORE = f"120{NNBSP}000{NBSP}MAD"     # FD1
BOA_APPROVED_AFTER = f"150{NNBSP}000{NBSP}MAD"      # FD1 + FD6's 30 000
PARTNER_TABLES = {"boa": ["financing_decisions", "loan_followups"],
                  "mcise": ["incubation_stages", "coaching_sessions"],
                  "cmc09": ["participants", "participant_contacts", "phase_progress", "projects", "project_members",
                            "business_plans", "follow_up_actions"]}


@pytest.fixture(autouse=True)
def establishment_account(monkeypatch):
    """An establishment account for E1 among the AppTest accounts (as the demo's cmc09)."""
    monkeypatch.setitem(apptest_support.ACCOUNTS, "cmc09", auth.User("cmc09", "establishment", "E1"))


def import_page(monkeypatch, database, account: str, **query):
    at = dashboard(monkeypatch, database, account=account, **query)
    return at.switch_page(IMPORT_PAGE).run()


def upload(at, files: dict[str, str | bytes]):
    at.file_uploader(key="import_files").set_value(
        [(name, text.encode() if isinstance(text, str) else text, "text/csv") for name, text in files.items()])
    return at.run()


def click(at, label: str):
    return next(b for b in at.button if b.label == label).click().run()


def texts(at) -> list[str]:
    return [e.value for kind in ("success", "error", "warning", "info", "markdown", "caption")
            for e in at.get(kind)]


def decisions(database) -> set[str]:
    with db.reader(database).connection().cursor() as cur:
        return {row[0] for row in cur.execute("select decision_id from financing_decisions").fetchall()}


def frame_with(at, column: str):
    return next(f.value for f in at.dataframe if column in f.value.columns)


# ------------------------------------------------------------------------------ every role, every language
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("account", ["admin", "manager", "boa", "mcise", "cmc09"])
def test_import_page_of_every_role_renders_in_each_language(monkeypatch, programme_db, account, language):
    """Test that each role's Import page renders in fr, ar and en, reading like a report: a partner
    gets what it may send and its own batches, a manager the approval queue and the history."""
    at = import_page(monkeypatch, programme_db, account, lang=language)
    assert [e.value for e in at.exception] == []
    assert at.title[0].value == i18n.t("page.import.title", language)
    headers = [h.value for h in at.header]
    common = [i18n.t("import.templates.title", language), i18n.t("import.upload.title", language)]
    if account in PARTNER_TABLES:
        assert headers == [*common, i18n.t("import.mine.title", language)]
        listed = ", ".join(f"`{table}`" for table in PARTNER_TABLES[account])
        may_send = next(m.value for m in at.markdown if listed in m.value)
        assert apptest_support.ACCOUNTS[account].scope_code in may_send
        assert not at.multiselect                            # no trusted switch for a partner
    else:
        assert headers == [*common, i18n.t("import.queue.title", language), i18n.t("import.history.title", language)]
        assert i18n.t("import.queue.empty", language) in texts(at)


# ------------------------------------------------------------------------------ templates
def test_partner_template_holds_only_its_tables_and_its_own_code(monkeypatch, programme_db):
    """Test that BOA's workbook has its two sheets and offers BOA only; E1's offers C1, C2."""
    from openpyxl import load_workbook

    monkeypatch.setenv("PIE_DB", str(programme_db))
    boa = load_workbook(io.BytesIO(submissions.template_workbook(apptest_support.ACCOUNTS["boa"], "fr")))
    assert boa.sheetnames == ["financing_decisions", "loan_followups", "codes"]
    listed = [row for row in boa["codes"].iter_rows(min_row=2, values_only=True)]
    assert [row[2] for row in listed if row[:2] == ("financing_decisions", "bank")] == ["BOA"]
    establishment = load_workbook(io.BytesIO(submissions.template_workbook(apptest_support.ACCOUNTS["cmc09"], "fr")))
    assert establishment.sheetnames == [*PARTNER_TABLES["cmc09"], "codes"]
    listed = [row for row in establishment["codes"].iter_rows(min_row=2, values_only=True)]
    assert sorted(row[2] for row in listed if row[:2] == ("participants", "cohort_id")) == ["C1", "C2"]


# ------------------------------------------------------------------------------ submission and approval
def test_bank_submission_waits_then_manager_previews_and_approves(monkeypatch, writable_small_db):
    """Test that BOA's valid batch is sent for approval (nothing published), the manager sees it
    counted in the sidebar, previews it (1 decision added, BOA's amount approved 120 000 →
    150 000) and approves it, and BOA then sees it approved."""
    at = upload(import_page(monkeypatch, writable_small_db, "boa"), {"financing_decisions.csv": DECISIONS + BOA_NEW})
    at = click(at, "Vérifier (rien n'est enregistré)")
    assert any("attendra l'approbation" in s.value for s in at.success)
    at = click(at, "Envoyer ce lot pour approbation")
    assert not at.exception
    assert any("en attente d'approbation" in s.value for s in at.success)
    assert "FD6" not in decisions(writable_small_db)
    assert list(frame_with(at, "Examiné par").iloc[:, 3]) == ["En attente d'approbation"]

    at = dashboard(monkeypatch, writable_small_db, account="manager")      # the landing page too
    assert "1 lot(s) en attente d'approbation (page Import)" in [c.value for c in at.sidebar.caption]
    at = import_page(monkeypatch, writable_small_db, "manager")
    at = click(at, "Voir ce qu'il changerait")
    rows = frame_with(at, "Ajoutées")
    assert rows.values.tolist() == [["financing_decisions", 1, 0, 0]]
    figures = frame_with(at, "Avant")
    amount = figures[figures["Indicateur"] == "Montant accordé"]
    assert amount[["Avant", "Après"]].values.tolist() == [[BOA_APPROVED_BEFORE, BOA_APPROVED_AFTER]]
    at = click(at, "Approuver et publier")
    assert not at.exception
    assert any("approuvé et publié" in s.value for s in at.success)
    assert "FD6" in decisions(writable_small_db)
    assert library.pending(writable_small_db) == []

    at = import_page(monkeypatch, writable_small_db, "boa")
    assert list(frame_with(at, "Examiné par").iloc[:, 3]) == ["Approuvé et publié"]


def test_manager_returns_a_batch_and_the_partner_reads_the_comment(monkeypatch, writable_small_db):
    """Test that a returned batch is not loaded and its comment (markdown shown as typed) is
    on BOA's Import page."""
    auth.add_user(writable_small_db, "boa", "bank", "unused-password-1", "BOA", _demo=True)
    report = ingest.ingest([("financing_decisions.csv", (DECISIONS + BOA_NEW).encode())], writable_small_db,
                           user="boa")
    at = import_page(monkeypatch, writable_small_db, "manager")
    at.text_area(key=f"import_comment_{report.batch_id}").input("Montant FD6 : **30 000** ? voir [ici](http://x)")
    at = click(at.run(), "Renvoyer au partenaire")
    assert any("renvoyé au partenaire" in s.value for s in at.success)
    assert "FD6" not in decisions(writable_small_db)
    at = import_page(monkeypatch, writable_small_db, "boa")
    warning = at.warning[0].value
    assert "renvoyé par manager" in warning and r"\*\*30 000\*\*" in warning and r"\[ici\]" in warning
    assert list(frame_with(at, "Examiné par").iloc[:, 3]) == ["Renvoyé au partenaire"]


def test_an_approval_refused_on_the_current_database_shows_its_problems(monkeypatch, writable_small_db):
    """Test that of two batches sent with the same new decision, the second cannot be approved
    once the first is: the page shows why, nothing is written, it stays in the queue."""
    auth.add_user(writable_small_db, "boa", "bank", "unused-password-1", "BOA", _demo=True)
    first, second = (ingest.ingest([("financing_decisions.csv", (DECISIONS + row).encode())], writable_small_db,
                                   user="boa").batch_id
                     for row in (BOA_NEW, BOA_NEW.replace("30000", "35000")))
    library.approve(writable_small_db, first, user=None)
    at = import_page(monkeypatch, writable_small_db, "manager")
    at = click(at, "Approuver et publier")
    assert not at.exception
    assert any("ne peut plus être approuvé" in e.value for e in at.error), [e.value for e in at.error]
    assert [b["batch_id"] for b in library.pending(writable_small_db)] == [second]
    with db.reader(writable_small_db).connection().cursor() as cur:
        assert cur.execute("select amount_approved_mad from financing_decisions where decision_id = 'FD6'"
                           ).fetchone()[0] == 30000


def test_manager_marks_a_partner_trusted_and_its_batch_publishes_at_once(monkeypatch, writable_small_db):
    """Test that the trusted switch is audit-logged and BOA's next batch is imported at once."""
    at = import_page(monkeypatch, writable_small_db, "boa")            # creates BOA's account
    at = import_page(monkeypatch, writable_small_db, "manager")
    at.multiselect(key=submissions.TRUSTED_KEY).set_value(["boa"])
    at = click(at.run(), "Enregistrer")
    assert auth.is_trusted(writable_small_db, "boa")
    assert ("manager", "partner_trusted") in [(e["user_name"], e["event"]) for e in auth.audit_log(writable_small_db)]
    at = upload(import_page(monkeypatch, writable_small_db, "boa"), {"financing_decisions.csv": DECISIONS + BOA_NEW})
    at = click(click(at, "Vérifier (rien n'est enregistré)"), "Importer ce lot")
    assert any("importé" in s.value for s in at.success)
    assert "FD6" in decisions(writable_small_db)


# ------------------------------------------------------------------------------ fix it here
def test_two_bad_cells_fixed_on_the_page_are_checked_and_submitted(monkeypatch, writable_small_db):
    """Test that the two rows with problems open in the grid, the corrected cells pass the
    check again, and the corrected file is what is submitted and archived."""
    at = upload(import_page(monkeypatch, writable_small_db, "boa"), {"financing_decisions.csv": TWO_BAD_CELLS})
    at = click(at, "Vérifier (rien n'est enregistré)")
    assert any("2 problème(s)" in e.value for e in at.error)
    grid = frame_with(at, "⚠ product")
    assert list(grid["#"]) == [2, 3] and list(grid["product"]) == ["intelakaX", "intelaka"]
    assert "intelakaX" in grid["⚠ product"][0] and "2023-13-45" in grid["⚠ decided_on"][1]
    at.session_state["import_fix_0_0"] = {"edited_rows": {0: {"product": "intelaka"}, 1: {"decided_on": "2023-06-21"}},
                                          "added_rows": [], "deleted_rows": []}
    at = click(at.run(), "Vérifier à nouveau")
    assert any("Aucun problème" in s.value for s in at.success)
    assert r"Télécharger financing\_decisions.csv corrigé" in [b.label for b in at.get("download_button")]
    at = click(at, "Envoyer ce lot pour approbation")
    assert any("en attente d'approbation" in s.value for s in at.success)
    (batch,) = library.pending(writable_small_db)
    archived = (writable_small_db.parent / batch["files"][0]["archived_as"]).read_text(encoding="utf-8-sig")
    assert archived.splitlines()[1:] == ["FD6,BP3,BOA,BOA Agadir,intelaka,approved,2023-06-20,30000",
                                         "FD8,BP3,BOA,BOA Agadir,intelaka,approved,2023-06-21,30000"]


def test_corrected_files_are_inert_and_read_back_as_typed(writable_small_db):
    """Test that a formula typed in a text cell is written with its apostrophe (CSV and XLSX),
    a number stays a number, and only the corrected cells of a workbook change."""
    from conftest import workbook
    from openpyxl import load_workbook

    auth.add_user(writable_small_db, "boa", "bank", "unused-password-1", "BOA", _demo=True)
    rows = [line.split(",") for line in TWO_BAD_CELLS.strip().splitlines()]
    for files in ([("financing_decisions.csv", TWO_BAD_CELLS.encode())],
                  [("registre.xlsx", workbook({"financing_decisions": rows}))]):
        report = ingest.check(files, writable_small_db, user="boa")
        (sheet,) = fixes.problem_sheets(files, report, "fr")
        frame, read_only = fixes.grid_frame(sheet, "problèmes")
        assert read_only == ["#", "⚠ product", "⚠ decided_on"]
        frame.loc[0, "product"], frame.loc[0, "branch"] = "intelaka", "=HYPERLINK(\"http://x\")"
        frame.loc[1, "decided_on"], frame.loc[1, "amount_approved_mad"] = "2023-06-21", "-5"
        corrected, changed = fixes.corrected_files(files, [sheet], {sheet.label: fixes.edits_of(sheet, frame)})
        assert changed == [files[0][0]]
        again = ingest.check(corrected, writable_small_db, user="boa")
        assert [(p.row, p.column, p.value) for p in again.problems] == [(3, "amount_approved_mad", "-5")]
        name, data = corrected[0]
        if name.endswith(".csv"):
            assert "'=HYPERLINK" in data.decode("utf-8-sig") and ",-5\r\n" in data.decode("utf-8-sig")
        else:
            cells = load_workbook(io.BytesIO(data))["financing_decisions"]
            assert cells["D2"].value == "'=HYPERLINK(\"http://x\")" and cells["D2"].data_type == "s"
            assert cells["D3"].value == "BOA Agadir" and cells["A3"].value == "FD8"


# ------------------------------------------------------------------------------ security
def test_forged_session_values_cannot_widen_a_partners_scope(monkeypatch, writable_small_db):
    """Test that a BOA session whose checked batch is swapped in session state for CAM's decision
    and a participants file, which asks to trust itself and presses another batch's approve
    button, writes nothing outside BOA's scope: the library refuses below the page."""
    auth.add_user(writable_small_db, "cam", "bank", "unused-password-1", "CAM", _demo=True)
    cam_batch = ingest.ingest([("financing_decisions.csv", (DECISIONS + CAM_NEW).encode())], writable_small_db,
                              user="cam").batch_id
    before = decisions(writable_small_db)
    at = upload(import_page(monkeypatch, writable_small_db, "boa"), {"financing_decisions.csv": DECISIONS + BOA_NEW})
    at = click(at, "Vérifier (rien n'est enregistré)")
    work = at.session_state[fixes.WORK_KEY]
    work.files = [("financing_decisions.csv", (DECISIONS + CAM_NEW).encode()),
                  ("participants.csv", b"participant_id,cohort_id,gender,birth_year,profile,sector,enrolled_on\n"
                                       b"P11,C3,f,2001,trainee,other,2022-10-10\n")]
    at.session_state[submissions.TRUSTED_KEY] = ["boa"]
    at.session_state[f"import_approve_{cam_batch}"] = True
    at = click(at.run(), "Envoyer ce lot pour approbation")
    assert not at.exception
    assert any("problème" in e.value for e in at.error)
    assert "Approuver et publier" not in [b.label for b in at.button]
    assert decisions(writable_small_db) == before
    assert not auth.is_trusted(writable_small_db, "boa")
    assert [b["batch_id"] for b in library.pending(writable_small_db)] == [cam_batch]
    refused = ingest.history(writable_small_db, user_name="boa", limit=1)[0]
    assert (refused["outcome"], refused["problems_count"]) == ("rejected", 2)


def test_grid_edits_outside_the_rows_with_problems_are_ignored(writable_small_db):
    """Test that rows added to the grid, a deleted row and edits of the read-only columns
    (row number, reasons) change nothing in the corrected file: only the file's cells of the
    rows with problems are taken."""
    import pandas as pd

    auth.add_user(writable_small_db, "boa", "bank", "unused-password-1", "BOA", _demo=True)
    files = [("financing_decisions.csv", TWO_BAD_CELLS.encode())]
    (sheet,) = fixes.problem_sheets(files, ingest.check(files, writable_small_db, user="boa"), "fr")
    frame, _ = fixes.grid_frame(sheet, "problèmes")
    frame.loc[1, "decided_on"] = "2023-06-21"
    frame.loc[1, "#"], frame.loc[1, "⚠ decided_on"] = 99, "rien"
    frame = pd.concat([frame.drop(index=0), frame.iloc[[1]].assign(decision_id="FD99")])  # row 0 deleted, one added
    assert fixes.edits_of(sheet, frame) == {
        3: ["FD8", "BP3", "BOA", "BOA Agadir", "intelaka", "approved", "2023-06-21", "30000"]}
