"""What a partner account may write: the tables of its role, the rows of its own scope.

A batch is submitted by a `Submitter`: the account of the accounts store (pie.auth) named
by the import's `user`, resolved here — never a role or a scope a page or a command passes.
An operator with no account (the machine's administrator at the command line) and the
admin and manager accounts may write every table; a partner (DESIGN.md, Roles) only:

| role | tables | rows |
|---|---|---|
| establishment (scope: establishment_id) | participants, participant_contacts, phase_progress, projects, project_members, business_plans, follow_up_actions | of the cohorts of its establishment |
| bank (scope: bank code) | financing_decisions, loan_followups | decisions whose bank is its own |
| incubator (scope: incubator name) | incubation_stages, coaching_sessions | rows whose incubator / partner is its own name |
| leadership | none | — |

`check_scope(con, batch, submitter)` runs inside the importer's writer transaction, after
`validate.cross_check` (it reads the `batch_<table>` and `cur_<table>` views, the state the
database would have after the batch), and adds one `outside-scope` problem per row outside the
scope — a sheet of a table the role may not submit is one problem on its header row — so the
batch is rejected all-or-nothing like any other. What is outside:

- a row naming another partner (a decision of another bank, a stage or session of another
  incubator, a participant or project in a cohort of another establishment);
- a row whose key already exists and belongs to another partner (changing another bank's
  decision, another incubator's stage, a participant of another establishment): the stored
  row decides, whatever the batch's row says;
- a row hanging from a row of another partner (a contact, phase or membership of another
  establishment's participant, a plan of its project, a follow-up of another bank's loan).

Allowed: a bank's new decision on any plan (a plan whose project no bank, or another bank,
finances yet); an incubator's new stage for any project. A row whose parent is missing
altogether is left to the reference check (`missing-reference`), not reported twice.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from pie import auth, db
from pie.codes import PARTNER_ROLES, REVIEWER_ROLES
from pie.errors import ImportRefused
from pie.ingest.parse import ident
from pie.ingest.report import Problem
from pie.ingest.validate import Batch

# The tables each role may submit, in load order (DESIGN.md, Roles).
ALLOWED_TABLES: dict[str, tuple[str, ...]] = {
    "establishment": ("participants", "participant_contacts", "phase_progress", "projects", "project_members",
                      "business_plans", "follow_up_actions"),
    "bank": ("financing_decisions", "loan_followups"),
    "incubator": ("incubation_stages", "coaching_sessions"),
    "leadership": (),
}


@dataclass(frozen=True)
class Submitter:
    """Who a batch is written for, as the accounts store says: `role` None for an operator
    without an account (every table); `trusted` for a partner whose batches need no approval."""

    user_name: str | None
    role: str | None = None
    scope_code: str | None = None
    trusted: bool = False

    @property
    def is_partner(self) -> bool:
        return self.role in PARTNER_ROLES

    @property
    def restricted(self) -> bool:
        """True when the account may not write every table (a partner, or leadership)."""
        return self.role is not None and self.role not in REVIEWER_ROLES

    @property
    def awaits_approval(self) -> bool:
        """True when an accepted batch of this account waits for a manager (`submitted`)."""
        return self.is_partner and not self.trusted

    def allowed_tables(self) -> tuple[str, ...] | None:
        """The tables this account may submit (None: every table)."""
        return ALLOWED_TABLES.get(self.role) if self.restricted else None


def submitter(db_path: Path, user: str | None, *, account_required: bool = False) -> Submitter:
    """The Submitter of a batch imported by `user`: the enabled account of that name, else an
    operator without an account (`account_required`: refused, ImportRefused). A disabled
    account is refused either way: its batches are not written."""
    if user is None:
        if account_required:
            raise ImportRefused(key="ingest.refused.no_account", name="")
        return Submitter(None)
    with db.faults_off():   # the store's first use may move legacy accounts (a writer of its own)
        account = auth.find_user(db_path, user, enabled_only=False)
    if account is None:
        if account_required:
            raise ImportRefused(key="ingest.refused.no_account", name=user)
        return Submitter(user)
    if auth.find_user(db_path, user) is None:
        raise ImportRefused(key="ingest.refused.account_disabled", name=user)
    trusted = account.role in PARTNER_ROLES and auth.is_trusted(db_path, account.user_name)
    return Submitter(account.user_name, account.role, account.scope_code, trusted)


# ------------------------------------------------------------------------------ the rules
@dataclass(frozen=True)
class ScopeRule:
    """Rows of `table` outside the scope: `outside` is an SQL condition over the batch row `b`
    ($scope: the account's scope code, a query parameter); the problem is reported on
    `column` with the reason `ingest.scope.<reason>`."""

    table: str
    column: str
    outside: str
    reason: str


# Participants / projects of another establishment: in the state after the batch (their
# cohort) or as stored (a row the batch would take over).
_FOREIGN_COHORTS = "(select cohort_id from main.cohorts where establishment_id <> $scope)"
_FOREIGN_PARTICIPANTS = (f"(select participant_id from cur_participants where cohort_id in {_FOREIGN_COHORTS} "
                         f"union select participant_id from main.participants where cohort_id in {_FOREIGN_COHORTS})")
_FOREIGN_PROJECTS = (f"(select project_id from cur_projects where cohort_id in {_FOREIGN_COHORTS} "
                     f"union select project_id from main.projects where cohort_id in {_FOREIGN_COHORTS})")
_FOREIGN_DECISIONS = ("(select decision_id from cur_financing_decisions where bank <> $scope "
                      "union select decision_id from main.financing_decisions where bank <> $scope)")

RULES: dict[str, tuple[ScopeRule, ...]] = {
    "establishment": (
        ScopeRule("participants", "cohort_id", f"b.cohort_id in {_FOREIGN_COHORTS}", "cohort_of_other_establishment"),
        ScopeRule("participants", "participant_id", "b.participant_id in (select participant_id from "
                  f"main.participants where cohort_id in {_FOREIGN_COHORTS})", "participant_of_other_establishment"),
        ScopeRule("participant_contacts", "participant_id", f"b.participant_id in {_FOREIGN_PARTICIPANTS}",
                  "participant_of_other_establishment"),
        ScopeRule("phase_progress", "participant_id", f"b.participant_id in {_FOREIGN_PARTICIPANTS}",
                  "participant_of_other_establishment"),
        ScopeRule("projects", "cohort_id", f"b.cohort_id in {_FOREIGN_COHORTS}", "cohort_of_other_establishment"),
        ScopeRule("projects", "project_id", "b.project_id in (select project_id from main.projects "
                  f"where cohort_id in {_FOREIGN_COHORTS})", "project_of_other_establishment"),
        ScopeRule("project_members", "project_id", f"b.project_id in {_FOREIGN_PROJECTS}",
                  "project_of_other_establishment"),
        ScopeRule("project_members", "participant_id", f"b.participant_id in {_FOREIGN_PARTICIPANTS}",
                  "participant_of_other_establishment"),
        ScopeRule("business_plans", "project_id", f"b.project_id in {_FOREIGN_PROJECTS}",
                  "project_of_other_establishment"),
        ScopeRule("business_plans", "plan_id", "b.plan_id in (select plan_id from main.business_plans "
                  f"where project_id in {_FOREIGN_PROJECTS})", "plan_of_other_establishment"),
        ScopeRule("follow_up_actions", "participant_id", f"b.participant_id in {_FOREIGN_PARTICIPANTS}",
                  "participant_of_other_establishment"),
        ScopeRule("follow_up_actions", "action_id", "b.action_id in (select action_id from main.follow_up_actions "
                  f"where participant_id in {_FOREIGN_PARTICIPANTS})", "action_of_other_establishment"),
    ),
    "bank": (
        ScopeRule("financing_decisions", "bank", "b.bank <> $scope", "other_bank"),
        ScopeRule("financing_decisions", "decision_id", "b.decision_id in (select decision_id from "
                  "main.financing_decisions where bank <> $scope)", "decision_of_other_bank"),
        ScopeRule("loan_followups", "decision_id", f"b.decision_id in {_FOREIGN_DECISIONS}", "loan_of_other_bank"),
    ),
    "incubator": (
        ScopeRule("incubation_stages", "incubator", "b.incubator <> $scope", "other_incubator"),
        ScopeRule("incubation_stages", "stage", "exists (select 1 from main.incubation_stages s where "
                  "s.project_id = b.project_id and s.stage = b.stage and s.incubator <> $scope)",
                  "stage_of_other_incubator"),
        ScopeRule("coaching_sessions", "partner", "b.partner <> $scope", "other_partner"),
        ScopeRule("coaching_sessions", "session_id", "b.session_id in (select session_id from "
                  "main.coaching_sessions where partner <> $scope)", "session_of_other_partner"),
    ),
}


def check_scope(con: duckdb.DuckDBPyConnection, batch: Batch, who: Submitter) -> None:
    """Add an `outside-scope` problem for every sheet and row of `batch` outside `who`'s
    rights (see the module docstring); nothing for an account that may write everything."""
    allowed = who.allowed_tables()
    if allowed is None:
        return
    shown = ", ".join(allowed)
    for number, sheet in enumerate(batch.sheets):
        # an empty sheet of another table (the template workbook has them all) says nothing
        if sheet.table in allowed or sheet.table not in batch.rows or not con.execute(
                f"select count(*) from {ident('batch_' + sheet.table)} where _sheet = $sheet",
                {"sheet": number}).fetchone()[0]:
            continue
        key = "ingest.scope.table_not_allowed" if allowed else "ingest.scope.nothing_allowed"
        batch.collector.add(Problem("outside-scope", key, {"role": who.role, "allowed": shown,
                                                          "scope": who.scope_code or ""},
                                    file=sheet.file, row=sheet.header_row, table=sheet.table))
    present = set(batch.tables())
    limit = batch.collector.per_kind
    for rule in RULES.get(who.role or "", ()):
        if rule.table not in present or rule.table not in allowed:
            continue
        column = ident(rule.column)
        sql = (f"select b._sheet, b._row, cast(b.{column} as varchar) from {ident('batch_' + rule.table)} b "
               f"where b.{column} is not null and ({rule.outside}) order by b._sheet, b._row")
        found = con.execute(f"select * from ({sql}) limit {int(limit) + 1}", {"scope": who.scope_code}).fetchall()
        total = len(found) if len(found) <= limit else con.execute(
            f"select count(*) from ({sql})", {"scope": who.scope_code}).fetchone()[0]
        batch.collector.add_many([
            Problem("outside-scope", f"ingest.scope.{rule.reason}", {"scope": who.scope_code},
                    file=batch.label(sheet), row=row, column=rule.column, value=value, table=rule.table)
            for sheet, row, value in found[:limit]], total)
    batch.collector.sort()
