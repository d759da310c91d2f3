"""Follow-up (issue 15): who is lost contact at a cut-off and a date, the call list's order (most
recoverable first), and "one word, one number" — the Follow-up and Data quality pages give the
same count under the same label for plans awaiting review and approved loans not disbursed.

Every figure is worked out by hand from tests/fixtures/small_programme.sql (whose latest date is
2024-07-01), plus the rows each test adds, named in its comments.
"""
from __future__ import annotations

from datetime import date

import pytest

from apptest_support import copy_of, dashboard
from pie import db, i18n, thresholds
from pie.programme import figures as programme
from pie.quality import figures as quality
from pie.scope import Scope

pytestmark = pytest.mark.usefixtures("fresh_caches_for_module")

REFERENCE = date(2024, 7, 1)
FOLLOW_UP_PAGE = "pages/programme/follow_up.py"
DATA_QUALITY_PAGE = "pages/admin/data_quality.py"

# In progress on REFERENCE: P09 (fundamentals, latest activity 2022-11-07: 602 days) and P06
# (immersion, 2023-01-25: 523 days). On 2024-01-01: P09 420 days, P06 341 days.
EARLIER = date(2024, 1, 1)

# Added to a copy of the small programme (`waiting_db`):
# - P11 and P12 (cohort C2), awareness in progress since 2023-01-25, P06's latest activity too:
#   523 days, like P06, who is further (immersion);
# - PR4 (lead P07): BP6 submitted 2024-06-21, 10 days before REFERENCE — not awaiting review
#   for more than 30 days; BP4 (396 days) still is;
# - PR5 (lead P11): BP7 validated, approved by BOA on 2024-05-02 (FD6, 60 days: not yet late)
#   and by CAM on 2024-01-02 (FD7, 181 days: more than 90), neither disbursed.
ADDED_ROWS = """
insert into participants values
    ('P11', 'C2', 'f', 2002, 'trainee', 'health', '2022-10-03'),
    ('P12', 'C2', 'm', 2001, 'trainee', 'health', '2022-10-03');
insert into phase_progress values
    ('P11', 'awareness', 'in_progress', '2023-01-25', null, 4.0),
    ('P12', 'awareness', 'in_progress', '2023-01-25', null, 4.0);
insert into projects values
    ('PR4', 'C2', 'Atelier de couture Inezgane', 'crafts', '2023-09-01'),
    ('PR5', 'C2', 'Food truck Agadir', 'commerce_services', '2023-09-01');
insert into project_members values ('PR4', 'P07', 'lead'), ('PR5', 'P11', 'lead');
insert into business_plans values
    ('BP6', 'PR4', 1, 'submitted', '2024-06-21', null, 30000.00, 1),
    ('BP7', 'PR5', 1, 'validated', '2023-10-02', '2023-11-02', 50000.00, 2);
insert into financing_decisions values
    ('FD6', 'BP7', 'BOA', 'BOA Agadir Talborjt', 'intelaka', 'approved', '2024-05-02', 40000.00,
     null, null, null),
    ('FD7', 'BP7', 'CAM', 'CAM Agadir', 'microcredit', 'approved', '2024-01-02', 30000.00,
     null, null, null);
"""
MOST_RECOVERABLE_FIRST = [("P06", 523), ("P11", 523), ("P12", 523), ("P09", 602)]
# On both pages, for the whole programme on REFERENCE: BP4 only; FD7 only.
AWAITING_REVIEW = ["BP4"]
NOT_DISBURSED = ["FD7"]


@pytest.fixture(scope="module")
def source(small_db):
    return db.reader(small_db)


@pytest.fixture(scope="module")
def waiting_db(small_db, tmp_path_factory):
    path = copy_of(small_db, tmp_path_factory.mktemp("waiting"))
    with db.writing(path) as con:
        con.execute(ADDED_ROWS)
    return path


def ids(frame) -> list[str]:
    return list(frame["participant_id"])


# ------------------------------------------------------------------------------ lost contact
def test_lost_contact_at_the_default_cut_off(source):
    """Test that on 2024-07-01, beyond 365 days, P06 (523) and P09 (602) are lost contact and
    nobody is left to call."""
    assert ids(programme.lost_contact(source, Scope(), 365, REFERENCE)) == ["P06", "P09"]
    assert programme.call_list(source, Scope(), 30, 365, REFERENCE).empty


def test_lost_contact_is_strictly_more_than_the_cut_off(source):
    """Test that P09, inactive 602 days, is lost beyond 601 days but still to call at 602."""
    assert ids(programme.lost_contact(source, Scope(), 601, REFERENCE)) == ["P09"]
    assert ids(programme.call_list(source, Scope(), 30, 601, REFERENCE)) == ["P06"]
    assert programme.lost_contact(source, Scope(), 602, REFERENCE).empty
    assert ids(programme.call_list(source, Scope(), 30, 602, REFERENCE)) == ["P06", "P09"]


def test_lost_contact_depends_on_the_date(source):
    """Test that on 2024-01-01 P09 (420 days) is lost and P06 (341 days) is still to call."""
    lost = programme.lost_contact(source, Scope(), 365, EARLIER)
    assert list(zip(lost["participant_id"], lost["idle_days"])) == [("P09", 420)]
    called = programme.call_list(source, Scope(), 30, 365, EARLIER)
    assert list(zip(called["participant_id"], called["idle_days"])) == [("P06", 341)]


def test_lost_contact_follows_the_phase_and_the_scope(source):
    """Test that the phase choice and the sidebar scope narrow lost contact as the call list."""
    assert ids(programme.lost_contact(source, Scope(), 365, REFERENCE, "immersion")) == ["P06"]
    assert ids(programme.lost_contact(source, Scope(region_code="02"), 365, REFERENCE)) == ["P09"]


def test_the_cut_off_must_be_a_number_of_days(source):
    """Test that a cut-off outside 1..MAX_IDLE_DAYS is refused."""
    for bad in (0, programme.MAX_IDLE_DAYS + 1):
        with pytest.raises(ValueError):
            programme.lost_contact(source, Scope(), bad, REFERENCE)


def test_the_default_cut_off_is_a_setting(monkeypatch):
    """Test that PIE_LOST_CONTACT_DAYS sets the page's default (365 when unset), kept in range."""
    monkeypatch.delenv("PIE_LOST_CONTACT_DAYS", raising=False)
    assert programme.lost_contact_default() == 365
    monkeypatch.setenv("PIE_LOST_CONTACT_DAYS", "180")
    assert programme.lost_contact_default() == 180
    monkeypatch.setenv("PIE_LOST_CONTACT_DAYS", "0")
    assert programme.lost_contact_default() == 1


# ------------------------------------------------------------------------------ call-list order
def test_call_list_puts_the_most_recoverable_first(waiting_db):
    """Test the order: fewest days without activity first (P06, P11, P12 at 523 before P09 at
    602); at equal days the furthest phase (P06 in immersion before P11, P12 in awareness); then
    the participant's code."""
    called = programme.call_list(db.reader(waiting_db), Scope(), 30, 700, REFERENCE)
    assert list(zip(called["participant_id"], called["idle_days"])) == MOST_RECOVERABLE_FIRST
    assert list(called["phase"]) == ["immersion", "awareness", "awareness", "fundamentals"]


def test_page_call_list_order_and_lost_contact_section(monkeypatch, waiting_db):
    """Test that the page lists the call list most recoverable first and, at a 550-day cut-off,
    P09 in its own lost-contact card and list."""
    at = dashboard(monkeypatch, waiting_db, lost="550").switch_page(FOLLOW_UP_PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    cards = {m.label: m.value for m in at.metric}
    assert (cards["Participants à relancer"], cards["Contact perdu >\u00a0550\u00a0j"]) == ("3", "1")
    people = [frame.value for frame in at.dataframe if "Participant" in frame.value.columns]
    assert list(people[0]["Participant"]) == ["P06", "P11", "P12"]
    assert list(people[1]["Participant"]) == ["P09"]


# ------------------------------------------------------------------------------ one word, one number
def test_both_pages_count_with_the_same_thresholds(waiting_db):
    """Test that Follow-up's lists and Data quality's checks hold the same rows (BP4 but not BP6,
    only 10 days old; FD7 but not FD6, 60 days), for several dates and scopes."""
    source = db.reader(waiting_db)
    checks = {check.key: check for check in quality.CHECKS}
    assert checks["plans_not_reviewed"].days == thresholds.PLAN_REVIEW_DAYS
    assert checks["approved_not_disbursed"].days == thresholds.DISBURSEMENT_DAYS
    assert list(programme.plans_to_review(source, Scope(), REFERENCE)["plan_id"]) == AWAITING_REVIEW
    assert list(programme.loans_not_disbursed(source, Scope(), REFERENCE)["decision_id"]) == NOT_DISBURSED
    for as_of in (REFERENCE, date(2024, 8, 1), date(2024, 4, 1)):
        for scope in (Scope(), Scope(region_code="09"), Scope.for_role("bank", "BOA"), Scope.for_role("bank", "CAM")):
            review = quality.run(source, scope, checks["plans_not_reviewed"], as_of)
            loans = quality.run(source, scope, checks["approved_not_disbursed"], as_of)
            assert list(programme.plans_to_review(source, scope, as_of)["plan_id"]) == list(review["plan_id"])
            assert list(programme.loans_not_disbursed(source, scope, as_of)["decision_id"]) == list(loans["decision_id"])


@pytest.mark.parametrize("lang", ["fr", "ar", "en"])
def test_same_label_same_number_on_follow_up_and_data_quality(monkeypatch, waiting_db, lang):
    """Test that the cards both pages show carry the same label, threshold included, and the same
    hand-counted number: plans awaiting review > 30 days 1 (BP4), loans not disbursed > 90 days 1 (FD7)."""
    at = dashboard(monkeypatch, waiting_db, lang=lang)
    follow_up = {m.label: m.value for m in at.switch_page(FOLLOW_UP_PAGE).run().metric}
    data_quality = {m.label: m.value for m in at.switch_page(DATA_QUALITY_PAGE).run().metric}
    review = i18n.t("follow_up.list.to_review", lang, days=i18n.fmt_number(30, lang))
    loans = i18n.t("follow_up.list.not_disbursed", lang, days=i18n.fmt_number(90, lang))
    assert set(follow_up) & set(data_quality) == {review, loans}
    assert (follow_up[review], follow_up[loans]) == ("1", "1")
    assert (data_quality[review], data_quality[loans]) == ("1", "1")
    assert "30" in review and "90" in loans


# ------------------------------------------------------------------------------ personal data
def test_lost_contact_list_is_masked_and_logged(monkeypatch, writable_small_db):
    """Test that the lost-contact list (P06, P09 at the default 365 days) shows contacts masked to
    a manager, logs the view with its ids under its own target, and downloads as personal data."""
    from pie.privacy import access_log

    at = dashboard(monkeypatch, writable_small_db).switch_page(FOLLOW_UP_PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    lost = next(frame.value for frame in at.dataframe if "Participant" in frame.value.columns)
    assert list(lost["Participant"]) == ["P06", "P09"]
    assert all("****" in str(phone) for phone in lost["Téléphone"].dropna())
    access_log.flush()
    views = {r["target"]: r for r in access_log.entries(writable_small_db) if r["action"] == "view"}
    assert views["follow_up/lost_contact"]["participant_ids"] == '["P06", "P09"]'
    assert "follow_up/participants" not in views          # the call list is empty: nothing shown
    assert any(b.proto.id.endswith("follow_up_lost_contact_csv") for b in at.get("download_button"))


def test_lost_contact_without_personal_data_has_no_contacts(monkeypatch, programme_db_copy):
    """Test that a scope without personal data gets the lost-contact list without contact columns."""
    import dataclasses

    from pie.ui import session

    monkeypatch.setattr(session, "base_scope", lambda: dataclasses.replace(Scope(), personal_data=False))
    at = dashboard(monkeypatch, programme_db_copy).switch_page(FOLLOW_UP_PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    lost = next(frame.value for frame in at.dataframe if "Participant" in frame.value.columns)
    assert list(lost["Participant"]) == ["P06", "P09"]
    assert not {"Nom", "Téléphone", "E-mail"} & set(lost.columns)


@pytest.fixture
def programme_db_copy(small_db, tmp_path):
    return copy_of(small_db, tmp_path / "programme")
