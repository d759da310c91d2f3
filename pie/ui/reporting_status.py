"""A partner's own reporting status on its landing page (docs/REPORTING.md): « Rapport de
février 2024 : reçu à temps » / « attendu le 10/03/2024 » / « en retard », and when the next
report is due. Managers and leadership see nothing here."""
from __future__ import annotations

import streamlit as st

from pie.codes import PARTNER_ROLES
from pie.config import settings
from pie.reporting import charts, figures
from pie.ui import data, session
from pie.ui.lang import day, language, t

ICONS = {"on_time": ":material/check_circle:", "late": ":material/schedule:", "missing": ":material/warning:",
         "due": ":material/event:"}


def show_partner_status() -> None:
    """For a partner account (establishment, bank, incubator): its last month's report status
    and the next due date, in one box; nothing for other roles or when it has no calendar yet."""
    account = session.user()
    if account.role not in PARTNER_ROLES:
        return
    status = figures.partner_status(figures.partners(settings().db_path), data.ask(figures.accepted_batches),
                                    account.role, account.scope_code, figures.today())
    if status is None:
        return
    lines = []
    if status["month"] is not None:
        lines.append(t(f"reporting.partner.{status['status']}", month=charts.month_label(status["month"], language()),
                       due=day(status["due_on"]), submitted=day(status["submitted_at"])))
    if status["status"] != "due":
        lines.append(t("reporting.partner.next", month=charts.month_label(status["next_month"], language()),
                       due=day(status["next_due_on"])))
    box = {"on_time": st.success, "late": st.warning, "missing": st.error}.get(status["status"], st.info)
    box("  \n".join(lines), icon=ICONS.get(status["status"], ":material/event:"))
