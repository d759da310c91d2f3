"""The data-quality page's pieces: one tab per check, its count in the tab, its list below."""
from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from pie.quality import figures as quality
from pie.scope import Scope
from pie.ui import data, layout, tables
from pie.ui.lang import day, language, number, t

# How each column of the checks' results is shown: its kind, and the code list it holds.
COLUMN_KINDS = {
    "n_leads": tables.COUNT, "n_members": tables.COUNT, "version": tables.COUNT,
    "days_since_enrolment": tables.COUNT, "days_waiting": tables.COUNT, "days_without_news": tables.COUNT,
    "amount_approved_mad": tables.AMOUNT,
    "enrolled_on": tables.DATE, "submitted_on": tables.DATE, "decided_on": tables.DATE,
    "registered_on": tables.DATE, "last_followup_on": tables.DATE,
}


def as_table(frame: pd.DataFrame) -> tables.Table:
    """A check's rows with translated headers; region codes shown by name."""
    if "region_code" in frame.columns:
        regions = data.filter_options().regions
        names = dict(zip(regions["region_code"], regions["name_ar" if language() == "ar" else "name_fr"]))
        codes = frame["region_code"]
        frame = frame.assign(region_code=codes.map(names).fillna(codes))
    headers = {column: t(f"quality.column.{column}") for column in frame.columns}
    kinds = {headers[column]: COLUMN_KINDS.get(column, tables.TEXT) for column in frame.columns}
    return tables.Table(frame.rename(columns=headers), kinds)


def title(check: quality.Check) -> str:
    """A check's card label, its threshold in it ("Plans awaiting review > 30 days"): the same
    words and the same number as the Follow-up card counting the same thing (pie.thresholds)."""
    return t(f"quality.{check.key}.title", days=number(check.days or 0))


def tab_label(check: quality.Check, count: int) -> str:
    return f"{title(check)} ({number(count)})"


def show(scope: Scope, as_of: date) -> None:
    """One tab per check (its count in the label): what it means, then the list to download."""
    results = {check.key: data.ask(quality.run, scope, check, as_of) for check in quality.CHECKS}
    st.caption(t("quality.as_of", date=day(as_of)))
    for column, check in zip(st.columns(len(quality.CHECKS)), quality.CHECKS):
        column.metric(title(check), number(len(results[check.key])), border=True)
    for tab, check in zip(st.tabs([tab_label(c, len(results[c.key])) for c in quality.CHECKS]),
                          quality.CHECKS):
        with tab:
            st.markdown(t(f"quality.{check.key}.text", days=number(check.days or 0)))
            rows = results[check.key]
            if rows.empty:
                st.success(t("quality.none"), icon=":material/check_circle:")
            else:
                layout.show_table(as_table(rows), t(f"quality.{check.key}.file"), key=f"quality_{check.key}")
