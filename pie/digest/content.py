"""What one account's weekly digest holds: figures only, each read in the account's own scope.

Every figure goes through Scope.for_role(role, scope_code) and the scope macros (kpis.compute,
the follow-up and financing figures), so a bank's digest can only count its own rows. No
personal data: participants who stalled and items waiting are counted, never named (the mail
links to the page that lists them, behind the login).

"This week" is the 7 days ending on the week's last day (`week_end`): the day the digest is
made, or the programme's data date when the data are older (programme.reference_date), so a
digest of old data still reads "+N" on the data's last week rather than "+0".
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from pie import kpis, queries
from pie.financing import figures as financing
from pie.programme import figures as programme
from pie.reporting import figures as reporting
from pie.queries import Source
from pie.scope import Scope

WEEK_DAYS = 7
MANAGERS = ("admin", "manager")

# Indicators (METRICS.md keys) whose change over the week each role reads (DESIGN.md Roles:
# a bank its financing, an incubator its incubation, an establishment its cohorts, leadership
# the programme's aggregates, managers everything).
PROGRAMME_KEYS = ("participants", "projects", "plans_submitted", "plans_validated", "projects_financed",
                  "companies_created")
CHANGE_KEYS = {
    "admin": (*PROGRAMME_KEYS[:4], "projects_financed", "amount_approved_mad", "projects_incubated",
              "companies_created"),
    "manager": (*PROGRAMME_KEYS[:4], "projects_financed", "amount_approved_mad", "projects_incubated",
                "companies_created"),
    "leadership": PROGRAMME_KEYS,
    "establishment": PROGRAMME_KEYS,
    "bank": ("projects_financed", "amount_approved_mad", "amount_disbursed_mad"),
    "incubator": ("projects_incubated", "companies_created", "coaching_hours"),
}
# The page each section links to (pie.ui.navigation's url path of that page).
FOLLOW_UP, FINANCING, INCUBATION, OVERVIEW, IMPORT = "follow_up", "financing", "incubation", "overview", "import"
HOME_PAGE = {"admin": OVERVIEW, "manager": OVERVIEW, "leadership": OVERVIEW, "establishment": OVERVIEW,
             "bank": FINANCING, "incubator": INCUBATION}


@dataclass(frozen=True)
class Account:
    """The account a digest is for (a row of auth.list_users)."""

    user_name: str
    role: str
    scope_code: str | None
    email: str | None
    language: str

    @classmethod
    def from_row(cls, row: dict) -> "Account":
        return cls(row["user_name"], row["role"], row["scope_code"], row.get("email"), row.get("language") or "fr")

    def scope(self) -> Scope:
        return Scope.for_role(self.role, self.scope_code)


@dataclass(frozen=True)
class Change:
    """An indicator on the week's last day and its change over the week."""

    key: str
    value: int | float | None
    change: int | float | None


@dataclass(frozen=True)
class Waiting:
    """Something waiting for the account: `key` names it (digest.waiting.<key>), `count` how
    many, `page` the page that lists them, `days` the threshold its label names (or None)."""

    key: str
    count: int
    page: str
    days: int | None = None


@dataclass
class DigestData:
    account: Account
    week_start: date           # the week's first day (week_end - 6)
    week_end: date
    scope_label: str | None    # the account's own bank, incubator or establishment (None: the whole programme)
    changes: list[Change] = field(default_factory=list)
    # participants newly stalled this week / on the call list (None: not the account's page)
    newly_stalled: int | None = None
    call_list: int | None = None
    waiting: list[Waiting] = field(default_factory=list)
    next_report_due: date | None = None
    home_page: str = OVERVIEW


def next_report_due(source: Source, db_path: Path | str, account: Account) -> date | None:
    """The day the account's next report to the programme is due (its partner's reporting
    calendar, docs/REPORTING.md, as of today), or None for an account that reports nothing."""
    status = reporting.partner_status(reporting.partners(db_path), reporting.accepted_batches(source, Scope()),
                                      account.role, account.scope_code, reporting.today())
    return None if status is None else status["next_due_on"]


def week_end_for(source: Source, today: date | None = None) -> date:
    """The week's last day: `today` (default the system's), or the programme's data date when
    the data are older (the whole programme's, so every account's digest covers the same week)."""
    return programme.reference_date(source, Scope(), today)


def weekly_changes(source: Source, scope: Scope, keys: tuple[str, ...], week_end: date) -> list[Change]:
    """Each indicator of `keys` as of `week_end` and its change since `week_end` - 7 days
    (kpis.compute with as_of, METRICS.md "As of"): the rows of the week's 7 days."""
    now = kpis.compute(source, scope, as_of=week_end)
    before = kpis.compute(source, scope, as_of=week_end - timedelta(days=WEEK_DAYS))
    return [Change(key, now[key], None if now[key] is None or before[key] is None else now[key] - before[key])
            for key in keys]


def stalled_counts(source: Source, scope: Scope, week_end: date) -> tuple[int, int]:
    """(newly stalled this week, on the call list): participants of the Follow-up page's call
    list on `week_end` (no activity for DEFAULT_IDLE_DAYS days or more, within the lost-contact
    cut-off), and those of them who crossed the threshold during the week — idle for fewer than
    DEFAULT_IDLE_DAYS + 7 days, so not yet on the list 7 days earlier. A participant with two
    phases in progress counts once."""
    idle = programme.DEFAULT_IDLE_DAYS
    no_contacts = dataclasses.replace(scope, personal_data=False)  # counts only: never read a contact
    listed = programme.call_list(source, no_contacts, idle, programme.lost_contact_default(), week_end)
    newly = listed[listed["idle_days"] < idle + WEEK_DAYS]
    return int(newly["participant_id"].nunique()), int(listed["participant_id"].nunique())


def _scope_label(source: Source, account: Account, language: str) -> str | None:
    from pie import i18n

    if account.role == "bank":
        return i18n.bank_name(account.scope_code, language)
    if account.role == "incubator":
        return account.scope_code
    if account.role == "establishment":
        names = queries.run(source, "filters/establishments", Scope())
        own = names[names["establishment_id"] == account.scope_code]
        return str(own["name"].iloc[0]) if len(own) else account.scope_code
    return None


def collect(source: Source, db_path: Path | str, account: Account, week_end: date) -> DigestData:
    """The figures of `account`'s digest for the week ending `week_end` (see the module)."""
    scope = account.scope()
    role = account.role
    data = DigestData(account, week_end - timedelta(days=WEEK_DAYS - 1), week_end,
                      _scope_label(source, account, account.language), home_page=HOME_PAGE[role])
    data.changes = weekly_changes(source, scope, CHANGE_KEYS[role], week_end)
    no_contacts = dataclasses.replace(scope, personal_data=False)
    if role in (*MANAGERS, "establishment"):          # the roles that see the Follow-up page
        data.newly_stalled, data.call_list = stalled_counts(source, scope, week_end)
        plans = programme.plans_to_review(source, no_contacts, week_end)
        data.waiting.append(Waiting("plans_to_review", len(plans), FOLLOW_UP, programme.WAITING_DAYS["to_review"]))
    if role in (*MANAGERS, "bank"):                   # the roles that see the Financing page
        pending = financing.pending_decisions(source, no_contacts, as_of=week_end)
        data.waiting.append(Waiting("pending_decisions", len(pending), FINANCING))
    if role in MANAGERS:
        from pie import ingest

        data.waiting.append(Waiting("batches_to_approve", len(ingest.pending(db_path)), IMPORT))
    data.next_report_due = next_report_due(source, db_path, account)
    return data
