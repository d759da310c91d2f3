"""Access log of contact data (Law 09-08, docs/PRIVACY.md): who saw, revealed, downloaded or
exported which participants' contacts, filterable by person and by account; both this log and
the audit log can be downloaded (CSV and XLSX) — the privacy export of the admin."""
import pandas as pd
import streamlit as st

from pie import auth
from pie.privacy import access_log
from pie.ui import layout, session, tables
from pie.ui.choice import keep_label
from pie.ui.lang import t

session.user()
layout.page_header("access_log", with_scope=False)

left, right = st.columns(2)
person = left.text_input(t("access_log.filter.person"), key="person").strip() or None
accounts = sorted(u["user_name"] for u in auth.list_users(None))
account_label = lambda name: t("access_log.filter.all") if name is None else name  # noqa: E731
keep_label("account", account_label(st.session_state.get("account")))  # its text after a language switch
account = right.selectbox(t("access_log.filter.account"), [None, *accounts], key="account", format_func=account_label)

headers = {"occurred_at": t("access_log.col.occurred_at"), "user_name": t("access_log.col.user_name"),
           "role": t("access_log.col.role"), "action": t("access_log.col.action"),
           "target": t("access_log.col.target"), "people": t("access_log.col.people"),
           "participant_ids": t("access_log.col.participant_ids")}
frame = pd.DataFrame(access_log.entries(None, participant_id=person, user_name=account),
                     columns=list(access_log.COLUMNS)).rename(columns=headers)
st.header(t("access_log.title.access"), anchor=False)
if frame.empty:
    st.info(t("access_log.empty"), icon=":material/info:")
kinds = {header: (tables.COUNT if column == "people" else tables.TEXT) for column, header in headers.items()}
layout.show_table(tables.Table(frame, kinds), t("access_log.file.access"), key="access_log")

st.header(t("access_log.title.audit"), anchor=False)
audit = pd.DataFrame(auth.audit_log(None), columns=["occurred_at", "user_name", "event", "detail"])
audit = audit.iloc[::-1].reset_index(drop=True)
if account:
    audit = audit[audit["user_name"] == account].reset_index(drop=True)
audit_headers = {"occurred_at": t("access_log.col.occurred_at"), "user_name": t("access_log.col.user_name"),
                 "event": t("access_log.col.event"), "detail": t("access_log.col.detail")}
audit = audit.rename(columns=audit_headers)
layout.show_table(tables.Table(audit, {h: tables.TEXT for h in audit_headers.values()}), t("access_log.file.audit"),
                  key="audit_log")
