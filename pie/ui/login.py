"""Login, logout and session expiry for the dashboard.

Who is logged in is kept on the server, in this process's table of open sessions; the
browser session (st.session_state) holds only a random token. So nothing a client or a
test writes into session state can make someone an admin or a bank: an unknown token is
no session at all. Sessions end after PIE_SESSION_TIMEOUT_MINUTES without a click.
"""
from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass

import streamlit as st

from pie import auth
from pie.config import settings
from pie.errors import PieError
from pie.ui import data
from pie.ui.lang import language, t

TOKEN_KEY = "session_token"
EXPIRED_KEY = "session_expired"


@dataclass
class _OpenSession:
    user: auth.User
    last_seen: float


# Module state, not st.cache_resource: it must survive cache clearing, and the modules of
# pie/ are imported once per process (Streamlit re-runs only dashboard.py and the pages).
_sessions: dict[str, _OpenSession] = {}
_lock = threading.Lock()


def open_session(user: auth.User) -> str:
    """Register a logged-in user; returns the token to keep in the browser session."""
    token = secrets.token_urlsafe(32)
    with _lock:
        _sessions[token] = _OpenSession(user, time.monotonic())
    return token


def close_sessions_of(user_name: str) -> None:
    """End every open session of an account (it was disabled or its password changed)."""
    with _lock:
        for token in [k for k, s in _sessions.items() if s.user.user_name == user_name]:
            del _sessions[token]


def current_user() -> auth.User | None:
    """The logged-in user of this browser session, or None (never logged in, expired, or a
    token this process never issued)."""
    token = st.session_state.get(TOKEN_KEY)
    if not isinstance(token, str):
        return None
    timeout = settings().session_timeout_minutes * 60
    now = time.monotonic()
    with _lock:
        session = _sessions.get(token)
        if session is not None and now - session.last_seen > timeout:
            del _sessions[token]
            st.session_state[EXPIRED_KEY] = True
            session = None
        if session is None:
            return None
        session.last_seen = now
        return session.user


def logout() -> None:
    user = current_user()
    with _lock:
        _sessions.pop(st.session_state.get(TOKEN_KEY, ""), None)
    st.session_state.pop(TOKEN_KEY, None)
    if user is not None:
        try:
            auth.record_event(settings().db_path, user.user_name, "logout")
        except PieError:
            pass  # the trail is best effort when the database is busy; the logout itself is done


def login_page() -> None:
    """The page shown to anyone not logged in, whatever URL they asked for."""
    st.title(t("login.title"))
    st.markdown(t("login.intro"))
    if st.session_state.pop(EXPIRED_KEY, False):
        st.info(t("login.expired", minutes=settings().session_timeout_minutes))
    with st.form("login", enter_to_submit=True):
        user_name = st.text_input(t("login.user_name"), key="login_user_name", autocomplete="username")
        password = st.text_input(t("login.password"), type="password", key="login_password",
                                 autocomplete="current-password")
        submitted = st.form_submit_button(t("login.submit"), type="primary")
    if submitted:
        try:
            user = auth.authenticate(settings().db_path, user_name, password)
        except PieError as error:
            st.error(error.text(language()))
        else:
            st.session_state[TOKEN_KEY] = open_session(user)
            st.session_state.pop("login_password", None)
            st.rerun()
    if data.is_demo():
        st.divider()
        st.markdown(t("login.demo_accounts"))
        st.table({t("login.user_name"): [name for name, _, _ in auth.DEMO_ACCOUNTS],
                  t("login.role"): [t(f"role.{role}") + (f" · {scope}" if scope else "")
                                    for _, role, scope in auth.DEMO_ACCOUNTS]})


def account_box(user: auth.User) -> None:
    """Who is logged in, in the sidebar, with the logout button."""
    with st.sidebar:
        role = t(f"role.{user.role}") + (f" · {user.scope_code}" if user.scope_code else "")
        st.caption(t("login.signed_in_as", user=user.user_name, role=role))
        if st.button(t("login.logout"), key="logout", icon=":material/logout:"):
            logout()
            st.rerun()
