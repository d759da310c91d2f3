"""The accounts page's pieces (admins only). Same library as `python -m pie users`."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from pie import auth, i18n
from pie.config import settings
from pie.errors import PieError
from pie.scope import ROLES
from pie.ui import login, tables
from pie.ui.choice import keep_label
from pie.ui.lang import language, t


def _when(value) -> str:
    """A moment as the language writes its date (02/10/2023, 10/02/2023 in English), then the time."""
    if value is None or pd.isna(value):
        return i18n.EMPTY
    moment = pd.Timestamp(value)
    return f"{i18n.fmt_date(moment.date(), language())} {moment:%H:%M}"


def users_table() -> tables.Table:
    """Every account: name, role, scope, state, last login (never a hash)."""
    users = auth.list_users(settings().db_path)
    frame = pd.DataFrame({
        t("users.column.name"): [u["user_name"] for u in users],
        t("users.column.role"): [t(f"role.{u['role']}") for u in users],
        t("users.column.scope"): [u["scope_code"] or "—" for u in users],
        t("users.column.state"): [t("users.state.disabled") if u["disabled"] else
                                  t("users.state.throttled", failures=u["failed_logins"],
                                    until=_when(u["throttled_until"])) if u["throttled_until"] is not None else
                                  t("users.state.active") for u in users],
        t("users.column.last_login"): [_when(u["last_login_at"]) for u in users],
    })
    return tables.Table(frame, {column: tables.TEXT for column in frame.columns})


def _done(message: str) -> None:
    st.success(message, icon=":material/check_circle:")


def add_form(admin: auth.User) -> None:
    """Create an account (password typed twice, at least 12 characters, hard to guess)."""
    with st.form("add_user", clear_on_submit=True):
        name = st.text_input(t("users.column.name"), key="new_user_name", help=t("users.name.help"))
        keep_label("new_user_role", t(f"role.{st.session_state.get('new_user_role', ROLES[0])}"))
        role = st.selectbox(t("users.column.role"), ROLES, key="new_user_role",
                            format_func=lambda code: t(f"role.{code}"))
        scope = st.text_input(t("users.column.scope"), key="new_user_scope", help=t("users.scope.help"))
        password = st.text_input(t("login.password"), type="password", key="new_user_password")
        again = st.text_input(t("users.password_again"), type="password", key="new_user_again")
        submitted = st.form_submit_button(t("users.add.button"), type="primary")
    if not submitted:
        return
    if password != again:
        st.error(t("cli.users.password_mismatch"))
        return
    try:
        auth.add_user(settings().db_path, name.strip(), role, password, scope.strip() or None,
                      by=admin.user_name)
    except PieError as error:
        st.error(error.text(language()))
    else:
        _done(t("cli.users.added", name=name.strip(), role=t(f"role.{role}")))


def change_form(admin: auth.User) -> None:
    """Disable, enable, or set a new password for an account; its open sessions end."""
    names = [u["user_name"] for u in auth.list_users(settings().db_path)]
    with st.form("change_user"):
        name = st.selectbox(t("users.column.name"), names, key="change_user_name")
        action = st.radio(t("users.change.action"), ("disable", "enable", "passwd"), horizontal=True,
                          key="change_user_action", format_func=lambda code: t(f"users.action.{code}"))
        password = st.text_input(t("users.new_password"), type="password", key="change_user_password",
                                 help=t("users.new_password.help"))
        submitted = st.form_submit_button(t("users.change.button"))
    if not submitted or not name:
        return
    if action == "disable" and name == admin.user_name:
        st.error(t("users.error.self_disable"))
        return
    try:
        if action == "disable":
            auth.disable_user(settings().db_path, name, by=admin.user_name)
            message = t("cli.users.disabled_done", name=name)
        elif action == "enable":
            auth.enable_user(settings().db_path, name, by=admin.user_name)
            message = t("cli.users.enabled_done", name=name)
        else:
            auth.set_password(settings().db_path, name, password, by=admin.user_name)
            message = t("cli.users.password_changed", name=name)
    except PieError as error:
        st.error(error.text(language()))
        return
    # The change bumped the account's version: its sessions end at their next click in every
    # process (pie.auth); this ends them in the store at once as well.
    login.close_sessions_of(name)
    _done(message)
