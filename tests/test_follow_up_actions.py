"""Follow-up actions (issue 17, docs/FOLLOW_UP_ACTIONS.md): recorded through the library for
an account's scope, listed with the last action and the next date, closed cases hidden from
the call list, "came back after a call" counted, audit-logged, exported and re-imported.

Hand counts on tests/fixtures/small_programme.sql (latest date 2024-07-01): with a lost-contact
cut-off of 602 days the call list is P06 (E1, immersion in progress since 2023-01-25, 523
days) then P09 (E2, fundamentals in progress since 2022-11-07, 602 days). P06's phase events:
2022-10-05, 2022-10-26, 2022-11-02, 2023-01-20, 2023-01-25; P09's: 2022-10-12, 2022-11-02,
2022-11-07.
"""
from __future__ import annotations

from datetime import date

import pytest

from apptest_support import copy_of
from conftest import build_small_programme
from pie import auth, db, ingest
from pie.errors import ActionRefused
from pie.ingest import export, rules
from pie.programme import actions
from pie.programme import figures as programme
from pie.scope import Scope

REFERENCE = date(2024, 7, 1)
MANAGER = Scope.for_role("manager")
E1 = Scope.for_role("establishment", "E1")
E2 = Scope.for_role("establishment", "E2")


@pytest.fixture
def database(small_db, tmp_path):
    return copy_of(small_db, tmp_path)


def rows(path, table="follow_up_actions"):
    with db.reader(path).connection().cursor() as cur:
        return cur.execute(f"select * from {table} order by all").fetchall()


def record_three(path):
    """P06: called 2023-01-20 (will return, next 2023-02-01) then no answer 2023-01-24;
    P09: called 2024-06-01, resolved."""
    actions.record_action(path, MANAGER, "amina", "P06", "called", date(2023, 1, 20), "will_return",
                          "Rappeler après les examens", date(2023, 2, 1))
    actions.record_action(path, MANAGER, "amina", "P06", "no_answer", date(2023, 1, 24))
    actions.record_action(path, E2, "oujda", "P09", "called", date(2024, 6, 1), "resolved", None)


def test_recorded_actions_are_listed_latest_first_with_the_last_one(database):
    """Test the list of actions (latest first) and each participant's last action and next date."""
    record_three(database)
    source = db.reader(database)
    listed = actions.actions_of(source, MANAGER)
    assert list(zip(listed["participant_id"], listed["action"])) == [
        ("P09", "called"), ("P06", "no_answer"), ("P06", "called")]
    assert list(listed["recorded_by"]) == ["oujda", "amina", "amina"]
    assert list(listed["establishment_name"]) == ["ISTA Oujda", "CMC Souss-Massa", "CMC Souss-Massa"]
    last = actions.last_actions_of(source, MANAGER)
    assert list(zip(last["participant_id"], last["last_action"])) == [("P06", "no_answer"), ("P09", "called")]
    assert last["last_outcome"].isna().tolist() == [True, False] and last.loc[1, "last_outcome"] == "resolved"
    # P06's last action (2023-01-24) has no next date; the earlier one's 2023-02-01 is not shown
    assert last["next_action_on"].isna().tolist() == [True, True]


def test_a_resolved_participant_leaves_the_call_list(database):
    """Test that P09 (last outcome resolved) is hidden: the call list keeps P06 only, with its
    last action; a later action without outcome brings P09 back."""
    record_three(database)
    source = db.reader(database)
    listed = actions.with_last_actions(programme.call_list(source, MANAGER, 30, 602, REFERENCE),
                                       actions.last_actions_of(source, MANAGER))
    assert list(listed["participant_id"]) == ["P06", "P09"]
    closed = actions.is_closed(listed)
    assert list(listed[~closed]["participant_id"]) == ["P06"]
    assert list(listed[closed]["participant_id"]) == ["P09"]
    assert listed.loc[0, "last_action"] == "no_answer" and str(listed.loc[0, "last_action_on"])[:10] == "2023-01-24"
    actions.record_action(database, MANAGER, "amina", "P09", "message", date(2024, 6, 20))
    listed = actions.with_last_actions(programme.call_list(source, MANAGER, 30, 602, REFERENCE),
                                       actions.last_actions_of(source, MANAGER))
    assert not actions.is_closed(listed).any()


def test_came_back_after_a_call_is_counted_by_hand(database):
    """Test the card: P06 called 2023-01-20 then started immersion 2023-01-25 — came back; P09
    called 2024-06-01, no phase event since — not. No answer does not count as a contact."""
    assert actions.came_back_after_contact(db.reader(database), MANAGER) == {"came_back": 0, "contacted": 0}
    record_three(database)
    assert actions.came_back_after_contact(db.reader(database), MANAGER) == {"came_back": 1, "contacted": 2}
    assert actions.came_back_after_contact(db.reader(database), E2) == {"came_back": 0, "contacted": 1}


def test_an_event_on_the_day_of_the_call_is_not_coming_back(database):
    """Test that a call on 2023-01-25, the day P06 started immersion, is not followed by activity."""
    actions.record_action(database, MANAGER, "amina", "P06", "meeting", date(2023, 1, 25))
    assert actions.came_back_after_contact(db.reader(database), MANAGER) == {"came_back": 0, "contacted": 1}
    actions.record_action(database, MANAGER, "amina", "P06", "meeting", date(2023, 1, 24))
    assert actions.came_back_after_contact(db.reader(database), MANAGER) == {"came_back": 1, "contacted": 1}


def test_an_establishment_acts_on_its_own_participants_only(database):
    """Test that E1 cannot record an action on P09 (E2) — refused, nothing written — and sees
    only its own participants' actions; a bank, an incubator, leadership see none and may not act."""
    record_three(database)
    before = rows(database)
    with pytest.raises(ActionRefused) as refused:
        actions.record_action(database, E1, "agadir", "P09", "called", date(2024, 6, 2))
    assert refused.value.key == "follow_up.action.error.outside_scope"
    with pytest.raises(ActionRefused):
        actions.record_action(database, E1, "agadir", "NOBODY", "called", date(2024, 6, 2))
    assert rows(database) == before
    source = db.reader(database)
    assert set(actions.actions_of(source, E1)["participant_id"]) == {"P06"}
    assert set(actions.actions_of(source, E2)["participant_id"]) == {"P09"}
    for role, code in (("bank", "BOA"), ("incubator", "MCISE"), ("leadership", None)):
        scope = Scope.for_role(role, code)
        assert actions.actions_of(source, scope).empty and actions.last_actions_of(source, scope).empty
        assert actions.came_back_after_contact(source, scope) == {"came_back": 0, "contacted": 0}
        with pytest.raises(ActionRefused) as refused:
            actions.record_action(database, scope, "x", "P06", "called", date(2024, 6, 2))
        assert refused.value.key == "follow_up.action.error.not_allowed"
    assert rows(database) == before


def test_bad_values_are_refused_before_anything_is_written(database):
    """Test unknown codes, a next date before the action, a note over 500 characters."""
    for call in (lambda: actions.record_action(database, MANAGER, "a", "P06", "visited", date(2024, 1, 1)),
                 lambda: actions.record_action(database, MANAGER, "a", "P06", "called", date(2024, 1, 1), "happy"),
                 lambda: actions.record_action(database, MANAGER, "a", "P06", "called", date(2024, 1, 2),
                                               next_action_on=date(2024, 1, 1)),
                 lambda: actions.record_action(database, MANAGER, "a", "P06", "called", date(2024, 1, 1),
                                               note="x" * 501)):
        with pytest.raises(ActionRefused):
            call()
    assert rows(database) == []


def test_the_note_is_stored_without_bidi_controls_and_each_action_is_audited(database):
    """Test the stored note (bidi override removed, trimmed, a formula kept as typed text) and
    one audit line per action recorded."""
    note = "  \u202e=HYPERLINK(\"http://x\") سيعود  "
    action_id = actions.record_action(database, MANAGER, "amina", "P06", "called", date(2024, 1, 1), note=note)
    [row] = rows(database)
    assert row[0] == action_id and row[5] == "=HYPERLINK(\"http://x\") سيعود"
    lines = [line for line in auth.audit_log(database) if line["event"] == actions.AUDIT_EVENT]
    assert len(lines) == 1 and lines[0]["user_name"] == "amina" and action_id in lines[0]["detail"]
    assert "HYPERLINK" not in lines[0]["detail"]  # the note stays out of the audit trail


def test_export_reimported_changes_nothing_and_rebuilds(database, tmp_path):
    """Test that the actions are exported in the import format, that ingesting the export into
    the same database changes no table, and that init + ingest rebuilds them."""
    record_three(database)
    actions.record_action(database, MANAGER, "amina", "P06", "called", date(2024, 1, 1), note='=1+1 "quoted", ok')
    before = {t: rows(database, t) for t in rules.TABLE_NAMES}
    export.export(tmp_path / "out", database)
    exported = (tmp_path / "out" / "follow_up_actions.csv").read_text(encoding="utf-8-sig").splitlines()
    assert exported[0] == ",".join(rules.TABLES["follow_up_actions"].names) and len(exported) == 5
    report = ingest.ingest([tmp_path / "out"], database)
    assert report.accepted, report.to_rows()
    assert {t: rows(database, t) for t in rules.TABLE_NAMES} == before
    rebuilt = db.init_database(tmp_path / "new" / "pie.duckdb")
    assert ingest.ingest([tmp_path / "out"], rebuilt).accepted
    assert {t: rows(rebuilt, t) for t in rules.TABLE_NAMES} == before


def test_an_establishment_may_submit_actions_of_its_own_participants_only(tmp_path):
    """Test partners.ALLOWED_TABLES and the scope rule: E2's action on P06 (E1) is outside its scope."""
    from pie.ingest import partners

    assert "follow_up_actions" in partners.ALLOWED_TABLES["establishment"]
    rule_tables = {(r.table, r.column) for r in partners.RULES["establishment"]}
    assert {("follow_up_actions", "participant_id"), ("follow_up_actions", "action_id")} <= rule_tables


def test_an_old_database_gets_the_table_from_its_first_writer(tmp_path):
    """Test that a database without follow_up_actions (made before it) gets it, empty."""
    path = build_small_programme(tmp_path / "old" / "pie.duckdb")
    import duckdb

    con = duckdb.connect(str(path))
    con.execute("drop table follow_up_actions")
    con.close()
    with db.writing(path):
        pass
    assert rows(path) == []


# ------------------------------------------------------------------------------ the page's form
FORM_TEXTS = {  # submit button, success, hidden caption start, came-back card
    "fr": ("Enregistrer l'action", "Action enregistrée pour P09.", "1 participant(s) dont", "Revenus après un appel"),
    "ar": ("تسجيل الإجراء", "تم تسجيل الإجراء للمشارك P09.", "1 من المشاركين", "عادوا بعد اتصال"),
    "en": ("Record the action", "Action recorded for P09.", "1 participant(s) whose", "Came back after a call"),
}
LAST_ACTION = {"fr": ("Dernière action", "Appelé"), "ar": ("آخر إجراء", "تم الاتصال"), "en": ("Last action", "Called")}


@pytest.mark.usefixtures("fresh_caches")
@pytest.mark.parametrize("language", ["fr", "ar", "en"])
def test_the_form_records_an_action_in_every_language(monkeypatch, small_db, tmp_path, language):
    """Test the Follow-up page's form (manager, lost contact beyond 602 days: P06 and P09 to
    call): P09 called, resolved → recorded (success), P09 leaves the call list (the caption
    counts 1 hidden), the actions list shows it, the card counts 0 of 1 contacted; then P06
    called → P06's last action is shown in the call list."""
    from apptest_support import dashboard

    database = copy_of(small_db, tmp_path)
    submit, recorded, hidden, card = FORM_TEXTS[language]
    at = dashboard(monkeypatch, database, "manager", lang=language, lost="602").switch_page(
        "pages/programme/follow_up.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="follow_up_action_participant").options == ["P06", "P09"]
    at.selectbox(key="follow_up_action_participant").set_value("P09")
    at.selectbox(key="follow_up_action_action").set_value("called")
    at.selectbox(key="follow_up_action_outcome").set_value("resolved")
    at.date_input(key="follow_up_action_on").set_value(date(2024, 6, 1))
    at.text_area(key="follow_up_action_note").input("Trouvé un emploi")
    next(b for b in at.button if b.label == submit).click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert recorded in [s.value for s in at.success]
    assert [(r[1], r[3], r[4], r[5]) for r in rows(database)] == [("P09", "called", "resolved", "Trouvé un emploi")]
    at.run()  # the next run reads the new snapshot
    assert any(c.value.startswith(hidden) for c in at.caption)
    assert at.selectbox(key="follow_up_action_participant").options == ["P06"]
    assert {m.label: m.value for m in at.metric}[card] == "0"
    listed = at.dataframe[-1].value  # the actions recorded
    assert "P09" in listed.to_string() and "Trouvé un emploi" in listed.to_string()
    at.selectbox(key="follow_up_action_participant").set_value("P06")
    at.selectbox(key="follow_up_action_action").set_value("called")
    at.date_input(key="follow_up_action_on").set_value(date(2024, 6, 2))
    next(b for b in at.button if b.label == submit).click().run()
    at.run()
    header, called = LAST_ACTION[language]
    calls = at.dataframe[0].value
    assert called in calls.to_string() and header in calls.to_string()
