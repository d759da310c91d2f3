"""Tables that carry contact data (docs/PRIVACY.md): masked on screen, one row revealed at a
time on request, downloads named `…_donnees_personnelles`, and every view, reveal and
download written to the access log (pie.privacy.access_log, queued: the page never waits).

A table whose frame has no contact column (a scope without personal data) is shown as any
other table and logs nothing."""
from __future__ import annotations

from typing import Callable

import pandas as pd
import streamlit as st

from pie.privacy import access_log
from pie.privacy.masking import mask_frame
from pie.ui import data, layout, session, tables
from pie.ui.choice import keep_label
from pie.ui.lang import language, t

# contact columns -> the column holding the ids of the people they belong to
CONTACT_SETS = {("full_name", "phone", "email"): "participant_id",
                ("lead_name", "lead_phone", "lead_email"): "lead_id"}

HEADERS = {"participant_id": "follow_up.col.participant", "lead_id": "follow_up.col.lead",
           "full_name": "follow_up.col.name", "lead_name": "follow_up.col.lead_name",
           "phone": "follow_up.col.phone", "lead_phone": "follow_up.col.phone",
           "email": "follow_up.col.email", "lead_email": "follow_up.col.email"}


def contact_columns(frame: pd.DataFrame) -> tuple[tuple[str, ...], str] | None:
    """The contact columns of `frame` and its id column, or None when it carries no contact."""
    for columns, id_column in CONTACT_SETS.items():
        if any(c in frame.columns for c in columns):
            return tuple(c for c in columns if c in frame.columns), id_column
    return None


def _log(action: str, target: str, ids) -> None:
    user = session.user()
    access_log.record(user.user_name, user.role, action, target, ids)


def download_logger(target: str, ids: list[str]) -> Callable[[str], None]:
    """What a contact download calls when its file is built: one `download` row (the file name,
    every id it carries). The user is read now, when the page runs: the file may be built
    outside the page's run."""
    user = session.user()
    return lambda file_name: access_log.record(user.user_name, user.role, "download", f"{target} {file_name}", ids)


def show(frame: pd.DataFrame, build: Callable[[pd.DataFrame], tables.Table], file_name: str, key: str,
         target: str, max_rows: int | None = None) -> None:
    """`build(frame)` as layout.show_table shows it, contacts masked on screen (logged as a view
    of the rows shown), a select to reveal one row (logged), the unmasked table in downloads."""
    found = contact_columns(frame)
    if found is None:
        layout.show_table(build(frame), file_name, key=key, max_rows=max_rows)
        return
    columns, id_column = found
    shown = frame.head(max_rows or tables.SCREEN_ROWS)
    all_ids = access_log.split_ids(frame[id_column])
    masked, whole = _tables(build, frame)
    layout.show_table(masked, file_name, key=key, max_rows=max_rows, download=whole,
                      personal=download_logger(target, list(all_ids)))
    _log("view", target, shown[id_column])
    _reveal(shown, columns, id_column, key, target)


BUILT_KEPT = 24   # (masked, whole) pairs of lists of thousands of rows: a few MB each


def _tables(build: Callable[[pd.DataFrame], tables.Table], frame: pd.DataFrame) -> tuple[tables.Table, tables.Table]:
    """(`build` of `frame` with its contacts masked, `build` of `frame`), built once for the same
    list and language and shared by reruns and sessions: a call list holds thousands of rows,
    and masking and building both tables took most of the Follow-up page's warm rerun."""
    try:
        key = (build.__module__, build.__qualname__, tables.frame_digest(frame), language())
    except (TypeError, ValueError):  # a cell pandas cannot hash: built on every run
        return build(mask_frame(frame)), build(frame)
    return data.kept("contact_tables", BUILT_KEPT).get_or_build(key, lambda: (build(mask_frame(frame)), build(frame)))


def _reveal(shown: pd.DataFrame, columns: tuple[str, ...], id_column: str, key: str, target: str) -> None:
    """One row's contacts unmasked, chosen by its id in a select (none by default); each choice
    is logged once."""
    ids = list(dict.fromkeys(str(v) for v in shown[id_column] if v is not None and v == v))
    shown_as = lambda v: t("privacy.reveal.none") if v is None else v  # noqa: E731
    keep_label(f"{key}_reveal", shown_as(st.session_state.get(f"{key}_reveal")))  # after a language switch
    choice = st.selectbox(t("privacy.reveal.label"), [None, *ids], key=f"{key}_reveal", format_func=shown_as,
                          help=t("privacy.reveal.help"))
    if choice is None:
        return
    row = shown[shown[id_column].astype(str) == choice].head(1)
    frame = row[[id_column, *columns]].rename(columns=lambda c: t(HEADERS[c])).reset_index(drop=True)
    tables.dataframe(tables.Table(frame, {header: tables.TEXT for header in frame.columns}))
    marker = f"_pie_revealed_{key}"
    if st.session_state.get(marker) != choice:
        st.session_state[marker] = choice
        _log("reveal", target, [choice])
