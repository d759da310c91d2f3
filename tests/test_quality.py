"""Data-quality checks (pie.quality, queries/quality/) and their page, on the hand-made
programme (tests/fixtures/small_programme.sql), whose latest date is 01/07/2024."""
from __future__ import annotations

from datetime import date


from apptest_support import copy_of, dashboard
from pie import db
from pie.quality import figures as quality
from pie.scope import Scope

AS_OF = date(2024, 7, 1)          # the fixture's latest date (company follow-ups of 01/07/2024)
CHECKS = {check.key: check for check in quality.CHECKS}


def rows(database, key: str, scope: Scope | None = None):
    return quality.run(db.reader(database), scope, CHECKS[key], AS_OF)


def test_participant_enrolled_without_any_phase_is_listed(small_db):
    """Test that P10 (enrolled 11/10/2022, no phase row) is the only one waiting over 60 days."""
    frame = rows(small_db, "participants_without_phase")
    assert frame["participant_id"].tolist() == ["P10"]
    assert frame["days_since_enrolment"].tolist() == [(AS_OF - date(2022, 10, 11)).days]


def test_plan_submitted_and_never_reviewed_is_listed(small_db):
    """Test that BP4 (submitted 01/06/2023, still `submitted`) waits for review."""
    frame = rows(small_db, "plans_not_reviewed")
    assert frame["plan_id"].tolist() == ["BP4"]
    assert frame["days_waiting"].tolist() == [(AS_OF - date(2023, 6, 1)).days]


def test_clean_checks_list_nothing(small_db):
    """Test that every project has one lead, every approval was disbursed, every active
    company has recent news in the fixture."""
    for key in ("projects_without_one_lead", "approved_not_disbursed", "companies_without_followup"):
        assert rows(small_db, key).empty, key


def test_project_with_two_leads_and_one_without_are_listed(small_db, tmp_path):
    """Test that a second lead on PR1 and a project with no member at all are both listed."""
    path = copy_of(small_db, tmp_path / "quality")
    with db.writing(path) as con:
        con.execute("update project_members set role = 'lead' where project_id = 'PR1'")
        con.execute("insert into projects values ('PR9', 'C3', 'Projet sans équipe', 'other', '2023-04-01')")
    frame = rows(path, "projects_without_one_lead").set_index("project_id")
    assert frame.loc["PR1", ["n_leads", "n_members"]].tolist() == [2, 2]
    assert frame.loc["PR9", ["n_leads", "n_members"]].tolist() == [0, 0]


def test_checks_follow_the_scope(small_db):
    """Test that a region without P10 and BP4 (Souss-Massa) lists nothing for them, and a
    bank sees only its own projects' plans."""
    assert rows(small_db, "participants_without_phase", Scope(region_code="09")).empty
    assert rows(small_db, "plans_not_reviewed", Scope.for_role("bank", "BOA"))["plan_id"].tolist() == ["BP4"]
    assert rows(small_db, "plans_not_reviewed", Scope.for_role("bank", "CAM")).empty


def test_data_quality_page_counts_and_lists(monkeypatch, small_db, tmp_path, fresh_caches):
    """Test that the page shows one card per check with the hand counts, and the lists."""
    at = dashboard(monkeypatch, copy_of(small_db, tmp_path / "page"))
    at.switch_page("pages/admin/data_quality.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert [m.value for m in at.metric] == ["0", "1", "1", "0", "0"]
    assert any("P10" in set(frame.value.iloc[:, 0]) for frame in at.dataframe)


def test_long_list_shows_its_first_rows_and_downloads_every_row(monkeypatch, small_db, tmp_path, fresh_caches):
    """Test that a list longer than tables.SCREEN_ROWS is drawn with its first rows only and a
    caption giving the total, while the download buttons get the whole list."""
    from pie.ui import downloads, tables

    path = copy_of(small_db, tmp_path / "long")
    with db.writing(path) as con:  # two projects without exactly one lead: PR1 (two leads), PR9 (none)
        con.execute("update project_members set role = 'lead' where project_id = 'PR1'")
        con.execute("insert into projects values ('PR9', 'C3', 'Projet sans équipe', 'other', '2023-04-01')")
    monkeypatch.setattr(tables, "SCREEN_ROWS", 1)
    downloaded = {}
    monkeypatch.setattr(downloads, "download_buttons",
                        lambda table, file_name, key: downloaded.setdefault(key, table))
    at = dashboard(monkeypatch, path)
    at.switch_page("pages/admin/data_quality.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.metric[0].value == "2"
    assert "À l'écran, les 1 premières lignes sur 2 ; les téléchargements les contiennent toutes." in [
        c.value for c in at.caption]
    shown = next(frame.value for frame in at.dataframe if "PR1" in set(frame.value.iloc[:, 0])
                 or "PR9" in set(frame.value.iloc[:, 0]))
    assert len(shown) == 1
    table = downloaded["quality_projects_without_one_lead"]
    assert sorted(table.frame.iloc[:, 0]) == ["PR1", "PR9"]
    assert len(downloads.csv_bytes(table).decode("utf-8-sig").splitlines()) == 3  # header and both rows
