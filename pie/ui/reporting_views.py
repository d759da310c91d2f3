"""The Reporting page's table and calendar editor (pages/admin/reporting.py): layout helpers
over pie.reporting.figures and pie.auth's calendar; no figure is computed here."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from pie import auth
from pie.config import settings
from pie.errors import PieError
from pie.reporting import figures
from pie.ui.lang import error_text, md, t
from pie.ui.tables import COUNT, RATE, TEXT, Table

STATUS_COLOURS = {"on_time": "#D7F0DF", "late": "#FCE8C8", "missing": "#F8D7D3", "due": "#E3ECF7"}


def partner_name(role: str, scope_code: str) -> str:
    """« Banque partenaire BOA »: the role's name and its scope code."""
    return f"{t(f'role.{role}')} {scope_code}"


def partners_table(rates: pd.DataFrame, statuses: pd.DataFrame) -> Table:
    """One row per partner, the most months missing or late first (figures.rates' order): the
    partner, its contact, the selected month's status, its due day, the months expected,
    submitted, on time, late and missing, and both rates."""
    merged = rates.merge(statuses[["role", "scope_code", "status"]], on=["role", "scope_code"], how="left")
    status = {code: t(f"reporting.status.{code}") for code in figures.STATUSES}
    columns = [
        ("reporting.column.partner", [partner_name(r, s) for r, s in zip(merged["role"], merged["scope_code"])], TEXT),
        ("reporting.column.contact", merged["contact"], TEXT),
        ("reporting.column.status", merged["status"].map(status), TEXT),
        ("reporting.column.due_day", merged["due_day"].astype(int), COUNT),
        ("reporting.column.months_expected", merged["months_expected"].astype(int), COUNT),
        ("reporting.column.months_submitted", merged["months_submitted"].astype(int), COUNT),
        ("reporting.column.months_on_time", merged["months_on_time"].astype(int), COUNT),
        ("reporting.column.months_late", merged["months_late"].astype(int), COUNT),
        ("reporting.column.months_missing", merged["months_missing"].astype(int), COUNT),
        ("reporting.rate.reporting_rate", merged["reporting_rate"].astype(float), RATE),
        ("reporting.rate.on_time_rate", merged["on_time_rate"].astype(float), RATE),
    ]
    frame = pd.DataFrame({t(key): list(values) for key, values, _ in columns})
    return Table(frame, {t(key): kind for key, _, kind in columns},
                 colours={t("reporting.column.status"): {status[code]: colour for code, colour in STATUS_COLOURS.items()}})


def calendar_editor(partners: list[dict], manager: auth.User) -> None:
    """A form to set one partner's due day (1..28) and first month expected; the change is
    audit-logged under the manager's name and shows at the next run."""
    if not partners:
        return
    keys = [(p["role"], p["scope_code"]) for p in partners]
    by_key = dict(zip(keys, partners))
    # outside the form, so that choosing a partner shows its current calendar in the form
    chosen = st.selectbox(t("reporting.calendar.partner"), keys, key="reporting_calendar_partner",
                          format_func=lambda key: partner_name(*key))
    current, suffix = by_key[chosen], "_".join(chosen)
    with st.form("reporting_calendar"):
        due_day = st.number_input(t("reporting.calendar.due_day"), min_value=1, max_value=28, step=1,
                                  value=int(current["due_day"]), key=f"reporting_calendar_due_day_{suffix}",
                                  help=t("reporting.calendar.due_day.help"))
        start = st.text_input(t("reporting.calendar.reporting_from"), value=current["reporting_from"] or "",
                              key=f"reporting_calendar_from_{suffix}", help=t("reporting.calendar.reporting_from.help"),
                              max_chars=7, placeholder=t("reporting.calendar.reporting_from.placeholder"))
        submitted = st.form_submit_button(t("reporting.calendar.save"), type="primary")
    if not submitted:
        return
    try:
        auth.set_reporting_calendar(settings().db_path, chosen[0], chosen[1], int(due_day), start.strip() or None,
                                    by=manager.user_name)
    except PieError as error:
        st.error(error_text(error))
    else:
        st.success(md("reporting.calendar.saved", partner=partner_name(*chosen), day=int(due_day)))
