"""Reporting calendar and rates (METRICS.md "Reporting", docs/REPORTING.md), on a calendar
made by hand on the small programme, as of 20 April 2024:

- bank BOA (accounts boa and boa2, created 15 January 2024, due day 10 by default): a batch
  made 5 February (January's report, on time) then approved; one made 15 March by boa2
  (February's, late) then approved; one made 2 April and returned (does not count); nothing
  else — March is missing (due 10 April). Expected 3 (Jan, Feb, Mar), submitted 2, on time 1:
  reporting_rate 2/3, on_time_rate 1/3.
- incubator MCISE (trusted: accepted at once; the manager set due day 20 and reporting from
  2024-02): batches made 18 March (February, on time) and 19 April (March, on time, but March
  is due 20 April: not expected yet). Expected 1, submitted 1, on time 1: rates 1 and 1.
- establishment E1 (cmc09): a batch rejected on 6 February, nothing accepted: January,
  February and March missing. Expected 3, submitted 0, on time 0: rates 0 and 0.
- Across partners: expected 3 + 1 + 3 = 7, submitted 2 + 1 + 0 = 3, on time 1 + 1 + 0 = 2.
"""
from __future__ import annotations

import json
import shutil
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest

from apptest_support import ACCOUNTS, dashboard
from pie import auth, cli, db, ingest
from pie.errors import AccountError
from pie.ingest import api, submissions
from pie.reporting import charts, figures

AS_OF = date(2024, 4, 20)
CREATED = datetime(2024, 1, 15, 9, 0)
DECISIONS = "decision_id,plan_id,bank,branch,product,decision,decided_on,amount_approved_mad\n"
STAGES = "project_id,stage,incubator,entered_on,exited_on,exit_reason\n"
PARTICIPANTS = "participant_id,cohort_id,gender,birth_year,profile,sector,enrolled_on\n"

# role, scope: months expected, submitted, on time (hand-counted in the module docstring)
EXPECTED = {("bank", "BOA"): (3, 2, 1), ("incubator", "MCISE"): (1, 1, 1), ("establishment", "E1"): (3, 0, 0)}
TOTAL_EXPECTED, TOTAL_SUBMITTED, TOTAL_ON_TIME = 7, 3, 2


def _folder(root: Path, name: str, files: dict[str, str]) -> Path:
    target = root / name
    target.mkdir()
    for file, text in files.items():
        (target / file).write_text(text, encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def calendar_db(small_db, tmp_path_factory) -> Path:
    """The small programme with the partners and batches of the module docstring."""
    root = tmp_path_factory.mktemp("reporting")
    shutil.copytree(small_db.parent, root / "db")
    path = root / "db" / small_db.name
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(auth, "_now", lambda: CREATED)
        for name, role, scope in (("manager", "manager", None), ("boa", "bank", "BOA"), ("boa2", "bank", "BOA"),
                                  ("mcise", "incubator", "MCISE"), ("cmc09", "establishment", "E1")):
            auth.add_user(path, name, role, "unused-password", scope, _demo=True)

    def made_on(moment: datetime, user: str, name: str, files: dict[str, str]):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(api, "_now", lambda: moment)
            return ingest.ingest([_folder(root, name, files)], path, user=user)

    jan = made_on(datetime(2024, 2, 5, 10), "boa", "jan", {"financing_decisions.csv": DECISIONS +
                  "FD6,BP3,BOA,BOA Agadir,intelaka,approved,2023-06-20,30000\n"})
    assert jan.outcome == "submitted"
    submissions.approve(path, jan.batch_id, "manager")
    feb = made_on(datetime(2024, 3, 15, 10), "boa2", "feb", {"financing_decisions.csv": DECISIONS +
                  "FD6,BP3,BOA,BOA Agadir,intelaka,approved,2023-06-20,35000\n"})
    assert feb.outcome == "submitted"
    submissions.approve(path, feb.batch_id, "manager")
    back = made_on(datetime(2024, 4, 2, 10), "boa", "back", {"financing_decisions.csv": DECISIONS +
                   "FD6,BP3,BOA,BOA Agadir,intelaka,approved,2023-06-20,40000\n"})
    submissions.return_batch(path, back.batch_id, "montant à vérifier", "manager")

    auth.set_trusted(path, "mcise", True, by="manager")
    auth.set_reporting_calendar(path, "incubator", "MCISE", 20, "2024-02", by="manager")
    stage = {"incubation_stages.csv": STAGES + "PR3,pre_incubation,MCISE,2023-07-01,,\n"}
    assert made_on(datetime(2024, 3, 18, 10), "mcise", "mar", stage).outcome == "accepted"
    assert made_on(datetime(2024, 4, 19, 10), "mcise", "apr", stage).outcome == "accepted"

    refused = made_on(datetime(2024, 2, 6, 10), "cmc09", "e1", {"participants.csv": PARTICIPANTS +
                      "P11,C3,f,2002,trainee,health,2022-10-05\n"})     # C3 is E2's cohort
    assert refused.outcome == "rejected"
    return path


@pytest.fixture
def grid(calendar_db) -> pd.DataFrame:
    found = figures.partners(calendar_db)
    return figures.months(found, figures.accepted_batches(db.reader(calendar_db), None), AS_OF)


def by_partner(frame: pd.DataFrame) -> dict[tuple[str, str], tuple[int, int, int]]:
    return {(r.role, r.scope_code): (r.months_expected, r.months_submitted, r.months_on_time)
            for r in frame.itertuples()}


# ------------------------------------------------------------------------------ rules
def test_a_report_covers_the_month_before_it_was_made():
    """Test that a batch made 3 March covers February, and one made 2 January covers December."""
    assert figures.covered_month(datetime(2024, 3, 3)) == "2024-02"
    assert figures.covered_month(date(2024, 1, 2)) == "2023-12"
    assert figures.due_on("2024-12", 10) == date(2025, 1, 10)
    assert figures.month_range("2023-11", "2024-02") == ["2023-11", "2023-12", "2024-01", "2024-02"]


def test_partners_are_organisations_not_accounts(calendar_db):
    """Test that boa and boa2 make one partner BOA, with both names as its contact."""
    found = {(p["role"], p["scope_code"]): p for p in figures.partners(calendar_db)}
    assert set(found) == set(EXPECTED)
    assert found[("bank", "BOA")]["user_names"] == ["boa", "boa2"]
    assert found[("bank", "BOA")]["contact"] == "boa, boa2"
    assert (found[("bank", "BOA")]["due_day"], found[("bank", "BOA")]["reporting_from"]) == (10, None)
    assert (found[("incubator", "MCISE")]["due_day"], found[("incubator", "MCISE")]["reporting_from"]) == (20, "2024-02")


def test_each_month_has_its_status(grid):
    """Test every partner's months and statuses, as counted by hand."""
    status = {(r.scope_code, r.month): (r.status, r.expected) for r in grid.itertuples()}
    assert status == {
        ("BOA", "2024-01"): ("on_time", True), ("BOA", "2024-02"): ("late", True),
        ("BOA", "2024-03"): ("missing", True),
        ("MCISE", "2024-02"): ("on_time", True), ("MCISE", "2024-03"): ("on_time", False),
        ("E1", "2024-01"): ("missing", True), ("E1", "2024-02"): ("missing", True),
        ("E1", "2024-03"): ("missing", True)}
    boa_feb = grid[(grid["scope_code"] == "BOA") & (grid["month"] == "2024-02")].iloc[0]
    assert boa_feb["submitted_at"] == pd.Timestamp(2024, 3, 15, 10)      # made then, not approved then
    assert boa_feb["due_on"] == date(2024, 3, 10)


def test_rates_per_partner_late_first(grid, calendar_db):
    """Test months expected, submitted, on time and both rates per partner, most behind first."""
    rates = figures.rates(grid, figures.partners(calendar_db))
    assert by_partner(rates) == EXPECTED
    assert list(rates["scope_code"]) == ["E1", "BOA", "MCISE"]
    rate = {r.scope_code: (r.reporting_rate, r.on_time_rate) for r in rates.itertuples()}
    assert rate["BOA"] == pytest.approx((2 / 3, 1 / 3))
    assert rate["MCISE"] == (1.0, 1.0) and rate["E1"] == (0.0, 0.0)
    assert rates.set_index("scope_code").loc["BOA", ["months_late", "months_missing"]].tolist() == [1, 1]


def test_rates_across_partners_and_months(grid):
    """Test the pooled rates (3/7, 2/7) and the rates month by month."""
    overall = figures.overall(grid)
    assert (overall["months_expected"], overall["months_submitted"], overall["months_on_time"]) == \
        (TOTAL_EXPECTED, TOTAL_SUBMITTED, TOTAL_ON_TIME)
    assert overall["reporting_rate"] == pytest.approx(3 / 7) and overall["on_time_rate"] == pytest.approx(2 / 7)
    months = figures.rates_by_month(grid)
    # Jan: BOA on time, E1 missing; Feb: BOA late, MCISE on time, E1 missing; Mar: BOA, E1 missing
    assert months[["month", "n_partners", "n_submitted", "n_on_time"]].values.tolist() == [
        ["2024-01", 2, 1, 1], ["2024-02", 3, 2, 1], ["2024-03", 2, 0, 0]]


def test_month_filter_counts_up_to_that_month(grid):
    """Test that up to February, BOA has 2 months expected, both submitted, 1 on time."""
    assert by_partner(figures.rates(figures.through(grid, "2024-02")))[("bank", "BOA")] == (2, 2, 1)


def test_before_the_due_day_a_month_is_due_not_missing(calendar_db):
    """Test that on 9 April BOA's March is `due` and not counted; on 10 April still due; on 11 April missing."""
    found = figures.partners(calendar_db)
    batches = figures.accepted_batches(db.reader(calendar_db), None)
    for as_of, status, expected in ((date(2024, 4, 9), "due", 2), (date(2024, 4, 10), "due", 2),
                                    (date(2024, 4, 11), "missing", 3)):
        grid = figures.months(found, batches, as_of)
        boa = grid[grid["scope_code"] == "BOA"]
        assert boa.iloc[-1]["status"] == status and int(boa["expected"].sum()) == expected


def test_a_past_date_ignores_later_batches(calendar_db):
    """Test that as of 1 March, BOA's February batch (made 15 March) is not there: Jan on time only."""
    grid = figures.months(figures.partners(calendar_db),
                          figures.accepted_batches(db.reader(calendar_db), None), date(2024, 3, 1))
    boa = grid[grid["scope_code"] == "BOA"]
    assert boa[["month", "status"]].values.tolist() == [["2024-01", "on_time"], ["2024-02", "due"]]


def test_partner_status_for_the_landing_page(calendar_db):
    """Test each partner's last month, its status and the next due date, as of 20 April."""
    found = figures.partners(calendar_db)
    batches = figures.accepted_batches(db.reader(calendar_db), None)
    boa = figures.partner_status(found, batches, "bank", "BOA", AS_OF)
    assert (boa["month"], boa["status"], boa["due_on"]) == ("2024-03", "missing", date(2024, 4, 10))
    assert (boa["next_month"], boa["next_due_on"]) == ("2024-04", date(2024, 5, 10))
    mcise = figures.partner_status(found, batches, "incubator", "MCISE", AS_OF)
    assert (mcise["month"], mcise["status"], mcise["next_due_on"]) == ("2024-03", "on_time", date(2024, 5, 20))
    early = figures.partner_status(found, batches, "bank", "BOA", date(2024, 4, 5))
    assert (early["status"], early["next_month"], early["next_due_on"]) == ("due", "2024-03", date(2024, 4, 10))
    assert figures.partner_status(found, batches, "bank", "CAM", AS_OF) is None


# ------------------------------------------------------------------------------ the calendar
def test_calendar_is_checked_and_audit_logged(calendar_db):
    """Test that a due day outside 1..28, a bad month or an unknown partner is refused, and a change is logged."""
    for args in ((29, None), (0, None), (10, "2024-13"), (10, "24-01")):
        with pytest.raises(AccountError):
            auth.set_reporting_calendar(calendar_db, "bank", "BOA", *args, by="manager")
    with pytest.raises(AccountError):
        auth.set_reporting_calendar(calendar_db, "bank", "CAM", 10, by="manager")
    with pytest.raises(AccountError):
        auth.set_reporting_calendar(calendar_db, "manager", "x", 10, by="manager")
    events = [(e["user_name"], e["event"], json.loads(e["detail"])) for e in auth.audit_log(calendar_db)
              if e["event"] == "reporting_calendar_set"]
    assert events == [("manager", "reporting_calendar_set",
                       {"role": "incubator", "scope": "MCISE", "due_day": 20, "reporting_from": "2024-02"})]


# ------------------------------------------------------------------------------ CLI
def test_cli_json_gives_the_hand_counted_rates(calendar_db, monkeypatch, capsys):
    """Test that `reporting --json` prints exactly CLI.md's keys and the figures counted by hand."""
    monkeypatch.setattr(figures, "today", lambda: AS_OF)
    assert cli.main(["reporting", "--json", "--db", str(calendar_db)]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [list(row) for row in rows] == [list(figures.CLI_KEYS)] * 3
    assert {(r["role"], r["scope_code"]): (r["months_expected"], r["months_submitted"], r["months_on_time"])
            for r in rows} == EXPECTED
    boa = next(r for r in rows if r["scope_code"] == "BOA")
    assert boa["reporting_rate"] == pytest.approx(2 / 3) and boa["on_time_rate"] == pytest.approx(1 / 3)
    assert cli.main(["reporting", "--month", "2024-02", "--json", "--db", str(calendar_db)]) == 0
    boa = next(r for r in json.loads(capsys.readouterr().out) if r["scope_code"] == "BOA")
    assert (boa["months_expected"], boa["months_submitted"], boa["months_on_time"]) == (2, 2, 1)


def test_cli_text_and_bad_month(calendar_db, monkeypatch, capsys):
    """Test the text table (one line per partner) and that a malformed --month is a usage error."""
    monkeypatch.setattr(figures, "today", lambda: AS_OF)
    assert cli.main(["reporting", "--db", str(calendar_db), "--lang", "en"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 + 3 and lines[2].split("\t")[:5] == ["bank", "BOA", "3", "2", "1"]
    assert cli.main(["reporting", "--month", "2024-3", "--db", str(calendar_db)]) == 2


# ------------------------------------------------------------------------------ pages
def test_month_labels_in_each_language():
    """Test that a month is named as each language names it."""
    assert [charts.month_label("2024-02", lang) for lang in ("fr", "ar", "en")] == \
        ["février 2024", "فبراير 2024", "February 2024"]


PERCENT = {"fr": ("42,9\u00a0%", "28,6\u00a0%"), "ar": ("42,9%", "28,6%"), "en": ("42.9%", "28.6%")}


@pytest.mark.parametrize("lang", ["fr", "ar", "en"])
def test_reporting_page_shows_the_hand_counted_rates(calendar_db, monkeypatch, lang):
    """Test that the Reporting page shows 3/7 and 2/7, the chart, and E1 then BOA then MCISE."""
    monkeypatch.setattr(figures, "today", lambda: AS_OF)
    at = dashboard(monkeypatch, calendar_db, "manager", lang=lang)
    at.switch_page("pages/admin/reporting.py").run()
    assert not at.exception
    values = [m.value for m in at.metric]
    assert values[:3] == [*PERCENT[lang], "7"]
    assert at.selectbox(key="reporting_month").value == "2024-03"
    assert len(at.get("plotly_chart")) == 1
    table = at.dataframe[0].value          # late partners first, with their contact
    assert [text.split()[-1] for text in table.iloc[:, 0]] == ["E1", "BOA", "MCISE"]
    assert list(table.iloc[:, 1]) == ["cmc09", "boa, boa2", "mcise"]
    assert table.iloc[:, 4:9].values.tolist() == [[3, 0, 0, 0, 3], [3, 2, 1, 1, 1], [1, 1, 1, 0, 0]]
    assert table.iloc[1, 9:].tolist() == pytest.approx([2 / 3, 1 / 3])


def test_manager_sets_a_partners_due_day_on_the_page(calendar_db, tmp_path, monkeypatch):
    """Test that the calendar editor saves BOA's due day 16 (audit-logged): February becomes on time."""
    copy = tmp_path / "db"
    shutil.copytree(calendar_db.parent, copy)
    path = copy / calendar_db.name
    monkeypatch.setattr(figures, "today", lambda: AS_OF)
    at = dashboard(monkeypatch, path, "manager", lang="en")
    at.switch_page("pages/admin/reporting.py").run()
    at.selectbox(key="reporting_calendar_partner").set_value(("incubator", "MCISE")).run()
    assert at.number_input(key="reporting_calendar_due_day_incubator_MCISE").value == 20     # its calendar
    assert at.text_input(key="reporting_calendar_from_incubator_MCISE").value == "2024-02"
    at.selectbox(key="reporting_calendar_partner").set_value(("bank", "BOA")).run()
    assert at.number_input(key="reporting_calendar_due_day_bank_BOA").value == 10
    at.number_input(key="reporting_calendar_due_day_bank_BOA").set_value(16)
    at.button[0].click().run()                        # the form's only button
    assert at.number_input(key="reporting_calendar_due_day_bank_BOA").value == 16
    assert not at.exception
    assert "BOA" in at.success[0].value
    assert (auth.audit_log(path)[-1]["user_name"], auth.audit_log(path)[-1]["event"]) == \
        ("manager", "reporting_calendar_set")
    boa = {(p["role"], p["scope_code"]): p for p in figures.partners(path)}[("bank", "BOA")]
    assert boa["due_day"] == 16
    rates = figures.rates(figures.months(figures.partners(path), figures.accepted_batches(db.reader(path), None),
                                         AS_OF))
    assert by_partner(rates)[("bank", "BOA")] == (3, 2, 2)      # 15 March is now by the 16th


# what each partner reads on its landing page as of 20 April 2024 (English)
LANDING = {
    "boa": ("pages/financing/financing.py", "error", "March 2024 report: late — due on 04/10/2024, not received yet."),
    "mcise": ("pages/incubation/incubation.py", "success", "March 2024 report: received on time (on 04/19/2024)."),
    "cmc09": ("pages/programme/overview.py", "error", "March 2024 report: late — due on 04/10/2024, not received yet."),
}


@pytest.mark.parametrize("account", list(LANDING))
def test_a_partner_sees_its_status_on_its_landing_page(calendar_db, monkeypatch, account):
    """Test that BOA, MCISE and E1 each read their March status and their next due date."""
    monkeypatch.setattr(figures, "today", lambda: AS_OF)
    monkeypatch.setitem(ACCOUNTS, "cmc09", auth.User("cmc09", "establishment", "E1"))
    page, kind, text = LANDING[account]
    at = dashboard(monkeypatch, calendar_db, account, lang="en")
    at.switch_page(page).run()
    assert not at.exception
    box = getattr(at, kind)
    assert box and box[0].value.splitlines()[0].strip() == text
    next_due = "05/20/2024" if account == "mcise" else "05/10/2024"
    assert box[0].value.splitlines()[-1] == f"Next report (April 2024): due on {next_due}."


def test_managers_see_no_partner_status(calendar_db, monkeypatch):
    """Test that the manager's Overview has no reporting box."""
    monkeypatch.setattr(figures, "today", lambda: AS_OF)
    at = dashboard(monkeypatch, calendar_db, "manager", lang="en")
    assert not at.exception
    assert not [e for e in (*at.success, *at.error, *at.info, *at.warning) if "report" in e.value]

