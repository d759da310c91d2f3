"""Follow-up actions on the Follow-up page (docs/FOLLOW_UP_ACTIONS.md): the call list's extra
columns (last action, next date), the form that records an action, the "came back after a
call" card and the list of actions recorded, with its download."""
from __future__ import annotations

import dataclasses
from datetime import date

import pandas as pd
import streamlit as st

from pie.config import settings
from pie.errors import ActionRefused
from pie.programme import actions
from pie.ui import layout, session
from pie.ui import programme_tables
from pie.ui.lang import error_text, label, number, t
from pie.ui.tables import DATE, TEXT, Table, once_per_value

FORM_KEY = "follow_up_action"


def _dates(series: pd.Series) -> pd.Series:
    """Dates as date objects (written as dates in the XLSX, ISO in the CSV), None when empty."""
    return pd.to_datetime(series).dt.date.astype("object").where(series.notna(), None)


def _labels(series: pd.Series, kind: str) -> pd.Series:
    return series.map(once_per_value(lambda code: label(kind, code) if isinstance(code, str) else None))


def call_list_table(frame: pd.DataFrame) -> Table:
    """The call list's table (programme_tables.idle_participants) with, after the days without
    activity, the participant's last action (label), its date and the next action's date."""
    base = programme_tables.idle_participants(frame)
    if "last_action" not in frame.columns:
        return base
    extra = {
        t("follow_up.col.last_action"): (_labels(frame["last_action"], "follow_up_action"), TEXT),
        t("follow_up.col.last_outcome"): (_labels(frame["last_outcome"], "follow_up_outcome"), TEXT),
        t("follow_up.col.last_action_on"): (_dates(frame["last_action_on"]), DATE),
        t("follow_up.col.next_action_on"): (_dates(frame["next_action_on"]), DATE),
    }
    columns = list(base.frame.columns)
    at = columns.index(t("follow_up.col.idle_days")) + 1
    result = base.frame.copy()
    for offset, (header, (values, _)) in enumerate(extra.items()):
        result.insert(at + offset, header, values.reset_index(drop=True))
    return dataclasses.replace(base, frame=result, kinds={**base.kinds, **{h: k for h, (_, k) in extra.items()}})


def actions_table(frame: pd.DataFrame) -> Table:
    """Actions recorded, the latest first: date, participant, action, outcome, next date, note,
    establishment, who recorded it and when, the action's code."""
    columns = {
        t("follow_up.col.action_on"): (_dates(frame["action_on"]), DATE),
        t("follow_up.col.participant"): (frame["participant_id"], TEXT),
        t("follow_up.col.action"): (_labels(frame["action"], "follow_up_action"), TEXT),
        t("follow_up.col.outcome"): (_labels(frame["outcome"], "follow_up_outcome"), TEXT),
        t("follow_up.col.next_action_on"): (_dates(frame["next_action_on"]), DATE),
        t("follow_up.col.note"): (frame["note"], TEXT),
        t("breakdown.establishment"): (frame["establishment_name"], TEXT),
        t("follow_up.col.recorded_by"): (frame["recorded_by"], TEXT),
        t("follow_up.col.recorded_at"): (frame["recorded_at"], TEXT),
        t("follow_up.col.action_id"): (frame["action_id"], TEXT),
    }
    table = pd.DataFrame({header: values.reset_index(drop=True) for header, (values, _) in columns.items()})
    return Table(table, {header: kind for header, (_, kind) in columns.items()})


def came_back_card(counts: dict[str, int]) -> None:
    """The card: participants who came back after a call, of those contacted."""
    st.metric(t("follow_up.actions.came_back.label"), number(counts["came_back"]), border=True,
              help=t("follow_up.actions.came_back.help", contacted=number(counts["contacted"])))


def form(participants: list[str]) -> None:
    """The form that records an action on one of `participants` (the call list's, in its
    order). The library re-checks the account's scope; a refusal is shown, nothing written."""
    st.subheader(t("follow_up.actions.header"), anchor=False)
    if not participants:
        st.info(t("follow_up.actions.none_to_act"), icon=":material/info:")
        return
    with st.form(FORM_KEY, clear_on_submit=True):
        who, what, result = st.columns([1, 1, 1])
        participant = who.selectbox(t("follow_up.actions.participant"), participants, key=f"{FORM_KEY}_participant")
        action = what.selectbox(t("follow_up.actions.action"), actions.ACTIONS, key=f"{FORM_KEY}_action",
                                format_func=lambda code: label("follow_up_action", code))
        outcome = result.selectbox(t("follow_up.actions.outcome"), [None, *actions.OUTCOMES], key=f"{FORM_KEY}_outcome",
                                   format_func=lambda code: t("follow_up.actions.outcome_none") if code is None
                                   else label("follow_up_outcome", code))
        when, following = st.columns([1, 1])
        action_on = when.date_input(t("follow_up.actions.action_on"), value=date.today(), max_value=date.today(),
                                    key=f"{FORM_KEY}_on")
        next_on = following.date_input(t("follow_up.actions.next_on"), value=None, key=f"{FORM_KEY}_next",
                                       help=t("follow_up.actions.next_help"))
        note = st.text_area(t("follow_up.actions.note"), max_chars=actions.MAX_NOTE_LENGTH, key=f"{FORM_KEY}_note",
                            help=t("follow_up.actions.note_help", maximum=number(actions.MAX_NOTE_LENGTH)))
        submitted = st.form_submit_button(t("follow_up.actions.submit"), type="primary")
    if not submitted:
        return
    user = session.user()
    try:
        actions.record_action(settings().db_path, session.base_scope(), user.user_name, participant, action,
                              action_on, outcome, note, next_on)
    except ActionRefused as error:
        st.error(error_text(error), icon=":material/block:")
        return
    st.success(t("follow_up.actions.recorded", participant=participant), icon=":material/check_circle:")


def actions_list(frame: pd.DataFrame, key: str, max_rows: int) -> None:
    """The actions recorded in scope, with the CSV/XLSX download."""
    st.subheader(t("follow_up.actions.list.header"), anchor=False)
    st.caption(t("follow_up.actions.list.caption"))
    if frame.empty:
        st.info(t("follow_up.actions.list.empty"), icon=":material/info:")
        return
    layout.show_table(actions_table(frame), t("follow_up.actions.file"), key=key, max_rows=max_rows)
