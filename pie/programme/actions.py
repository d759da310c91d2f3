"""Follow-up actions (docs/FOLLOW_UP_ACTIONS.md): what a manager or an establishment did about
a stalled participant — called, no answer, message, meeting, referred —, what came of it, a
note and the date of the next action.

Actions live in the database of record (table `follow_up_actions`), are recorded through
`pie.db.writing()` (then a snapshot is published, like any write) and one line of the audit
trail each, are exported and re-imported like the programme tables, and are scoped like the
participants they are about: an action is visible and writable iff its participant is in the
account's scope (queries/scope/macros.sql, scoped_participants). A bank or an incubator never
sees actions, nor does a role without personal data (a note is about a person).
"""
from __future__ import annotations

import uuid
from datetime import date, datetime, timezone
from pathlib import Path

import pandas as pd

from pie import auth, codes, db, queries
from pie.errors import ActionRefused
from pie.queries import Source
from pie.safety import strip_bidi
from pie.scope import Scope

ACTIONS = codes.FOLLOW_UP_ACTIONS
OUTCOMES = codes.FOLLOW_UP_OUTCOMES
# A last outcome that takes the participant off the call list (nothing left to do).
CLOSED_OUTCOMES = ("resolved", "gone_for_good")
# Actions that reached the participant: "came back after a call" counts activity after these.
CONTACT_ACTIONS = ("called", "message", "meeting")
MAX_NOTE_LENGTH = 500          # = pie.ingest.parse.MAX_TEXT, the limit of every imported text
AUDIT_EVENT = "follow_up_action"
# Columns of actions_of, last_actions_of.
LAST_ACTION_COLUMNS = ("participant_id", "last_action", "last_outcome", "last_action_on", "next_action_on")


def may_see_actions(scope: Scope) -> bool:
    """True when the scope's role may see and record actions: no bank or incubator restriction,
    personal data allowed (admin, manager, establishment)."""
    return scope.bank is None and scope.incubator is None and scope.personal_data


def actions_of(source: Source, scope: Scope | None) -> pd.DataFrame:
    """Every action on a participant in scope, the latest first (action_on, then recorded_at):
    action_id, participant_id, action_on, action, outcome, note, next_action_on, recorded_by,
    recorded_at, establishment_id, establishment_name. Empty for a bank, an incubator or a
    role without personal data."""
    return queries.run(source, "programme/follow_up_actions", scope or Scope())


def last_actions_of(source: Source, scope: Scope | None) -> pd.DataFrame:
    """Each participant in scope with an action, their latest one (latest action_on, then
    latest recorded_at, then largest action_id): participant_id, last_action, last_outcome,
    last_action_on, next_action_on (of that action)."""
    return queries.run(source, "programme/follow_up_last_actions", scope or Scope())


def with_last_actions(frame: pd.DataFrame, last: pd.DataFrame) -> pd.DataFrame:
    """`frame` (rows with participant_id, order kept) with the columns last_action,
    last_outcome, last_action_on, next_action_on (empty when the participant has none)."""
    merged = frame.merge(last[list(LAST_ACTION_COLUMNS)], on="participant_id", how="left")
    merged.index = frame.index
    return merged


def is_closed(frame: pd.DataFrame) -> pd.Series:
    """Rows (with last_outcome) whose latest outcome leaves nothing to do (CLOSED_OUTCOMES)."""
    return frame["last_outcome"].isin(CLOSED_OUTCOMES)


def came_back_after_contact(source: Source, scope: Scope | None) -> dict[str, int]:
    """Participants in scope who came back after a call: those with a contact action (called,
    message or meeting) on a day D and a phase event of theirs (phase_progress started_on or
    completed_on) strictly after D. {"came_back": those, "contacted": participants in scope
    with at least one contact action}."""
    row = queries.run(source, "programme/follow_up_came_back", scope or Scope()).iloc[0]
    return {"came_back": int(row["came_back"]), "contacted": int(row["contacted"])}


def new_action_id() -> str:
    """A fresh, unique action_id: FA- then the UTC time and random hex (sorts by time)."""
    return "FA-" + datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]


def clean_note(note: str | None) -> str | None:
    """The note as stored: without bidi controls (they reorder what follows), trimmed, None
    when empty. Refused (ActionRefused) beyond MAX_NOTE_LENGTH characters."""
    if note is None:
        return None
    text = strip_bidi(str(note)).strip()
    if len(text) > MAX_NOTE_LENGTH:
        raise ActionRefused(key="follow_up.action.error.note_too_long", maximum=MAX_NOTE_LENGTH, length=len(text))
    return text or None


def record_action(db_path: Path | str | None, scope: Scope, user_name: str | None, participant_id: str,
                  action: str, action_on: date, outcome: str | None = None, note: str | None = None,
                  next_action_on: date | None = None) -> str:
    """Record one action on `participant_id` for the account whose scope is `scope` and write
    one audit line; returns the new action_id. Refused (ActionRefused, nothing written) when the
    role may not act (may_see_actions), the participant is not in `scope` (checked in the
    database of record, whatever the page showed), a code is unknown, the note is too long or
    the next action date is before the action's."""
    if not may_see_actions(scope):
        raise ActionRefused(key="follow_up.action.error.not_allowed")
    if action not in ACTIONS:
        raise ActionRefused(key="follow_up.action.error.unknown_code", value=str(action))
    if outcome is not None and outcome not in OUTCOMES:
        raise ActionRefused(key="follow_up.action.error.unknown_code", value=str(outcome))
    if not isinstance(action_on, date):
        raise ActionRefused(key="follow_up.action.error.no_date")
    if next_action_on is not None and next_action_on < action_on:
        raise ActionRefused(key="follow_up.action.error.next_before", next=next_action_on.isoformat(),
                            date=action_on.isoformat())
    text = clean_note(note)
    participant = str(participant_id)
    action_id = new_action_id()
    recorded_at = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    with db.writing(db_path) as con:
        found = con.execute(
            "select count(*) from scoped_participants($academic_year, $region, $establishment, $bank, $incubator) "
            "where participant_id = $participant_id",
            {**{k: v for k, v in scope.parameters().items() if k != "personal_data"},
             "participant_id": participant}).fetchone()[0]
        if not found:
            raise ActionRefused(key="follow_up.action.error.outside_scope", participant=participant)
        con.execute("insert into follow_up_actions (action_id, participant_id, action_on, action, outcome, note, "
                    "next_action_on, recorded_by, recorded_at) values ($action_id, $participant_id, $action_on, "
                    "$action, $outcome, $note, $next_action_on, $recorded_by, $recorded_at)",
                    {"action_id": action_id, "participant_id": participant, "action_on": action_on,
                     "action": action, "outcome": outcome, "note": text, "next_action_on": next_action_on,
                     "recorded_by": user_name, "recorded_at": recorded_at})
    auth.record_event(db_path, user_name, AUDIT_EVENT,
                      f"{action_id} participant={participant} action={action} outcome={outcome or ''} "
                      f"on={action_on.isoformat()} next={next_action_on.isoformat() if next_action_on else ''}")
    return action_id
