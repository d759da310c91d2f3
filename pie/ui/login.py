"""Login, logout and session expiry for the dashboard.

Who is logged in is kept in the accounts store (pie.auth), shared by every dashboard
process; the browser session (st.session_state) holds only the session's random secret. So
nothing a client or a test writes into session state can make someone an admin or a bank:
an unknown secret is no session at all. Every run checks the session against the store (a
process trusts its last check for at most auth.SESSION_CHECK_SECONDS): an account disabled,
re-enabled, given a new password or a new role — from any process or the CLI — loses access at
its next click. Sessions end after PIE_SESSION_TIMEOUT_MINUTES without a click and after
PIE_SESSION_MAX_HOURS in any case.

The secret in session state counts only on the websocket connection that logged in; any other
connection (a reload, a new tab, a replayed Streamlit session id) is logged in only by the
browser's HttpOnly `pie_session` cookie, set after the login through a one-time ticket
(pie/ui/browser_session.py).

Single sign-on (optional, docs/DEPLOYMENT.md): when `.streamlit/secrets.toml` has an `[auth]`
section for Streamlit's OpenID Connect login, the page offers "Se connecter avec le compte
OFPPT" (st.login). Streamlit's own identity (st.user, from its 30-day cookie) never counts as a
login here: a fresh identity token is exchanged once, by its e-mail, for a PIE session of the
account that has that e-mail (pie.auth.sso_login: admin, manager, leadership) — the same
session, cookie and expiry as a password login. Logging out of PIE also ends Streamlit's
identity (st.logout, which clears the PIE cookie too: pie/ui/browser_session.py).
"""
from __future__ import annotations

import streamlit as st

from pie import auth
from pie.config import settings
from pie.errors import PieError
from pie.ui import browser_session, data, filters
from pie.ui.lang import language, t

TOKEN_KEY = "session_token"
EXPIRED_KEY = "session_expired"
CONNECTION_KEY = "session_connection"   # Sec-WebSocket-Key of the connection that logged in
TICKET_KEY = "session_ticket"           # one-time ticket for the cookie, shown once
CLEAR_COOKIE_KEY = "session_clear_cookie"
SSO_SEEN_KEY = "sso_token_seen"         # the identity token this browser session already handled
SSO_REFUSED_KEY = "sso_refused"         # its refusal, shown until the user signs out of it
SSO_SECRET_KEYS = ("redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url")


def open_session(user: auth.User) -> str:
    """Open a session of a logged-in user; returns the secret to keep in the browser session."""
    return auth.open_session(user, settings().db_path)


def close_sessions_of(user_name: str) -> None:
    """End every session of an account, in every process (it was disabled or changed)."""
    auth.close_sessions_of(user_name, settings().db_path)


def current_user() -> auth.User | None:
    """The logged-in user of this browser session, or None (never logged in, expired, ended,
    the account disabled or changed, or a secret the store never issued)."""
    token = st.session_state.get(TOKEN_KEY)
    connection = browser_session.connection_key()
    if not (isinstance(token, str) and st.session_state.get(CONNECTION_KEY) == connection):
        # Another connection than the one that logged in (reload, new tab, replayed Streamlit
        # session id): only the browser's cookie counts.
        st.session_state.pop(TOKEN_KEY, None)
        st.session_state.pop(CONNECTION_KEY, None)
        token = browser_session.cookie_secret()
        if token is None:
            browser_session.bind(None)
            return None
    user, why = auth.check_session(token, settings().db_path)
    if user is None:
        st.session_state.pop(TOKEN_KEY, None)
        st.session_state.pop(CONNECTION_KEY, None)
        browser_session.bind(None)
        if why == "expired":
            st.session_state[EXPIRED_KEY] = True
        return None
    st.session_state[TOKEN_KEY] = token
    st.session_state[CONNECTION_KEY] = connection
    browser_session.bind(token)
    return user


def client_ids() -> tuple[str, ...]:
    """Who is attempting a login, for throttling: this websocket session, and the browser's
    address when Streamlit knows it and it is not a local reverse proxy's."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ids = []
    ctx = get_script_run_ctx()
    if ctx is not None:
        ids.append(f"ws:{ctx.session_id}")
    try:
        address = st.context.ip_address
    except Exception:  # noqa: BLE001 - no request context (AppTest, bare mode)
        address = None
    if address and not address.startswith("127.") and address != "::1":
        ids.append(f"ip:{address}")
    return tuple(ids)


def logout() -> bool:
    """End this browser's PIE session; True when the browser is also sent to Streamlit's
    /auth/logout (single sign-on), which the caller must let happen: no st.rerun after it
    (a new run clears Streamlit's outgoing queue, the redirect with it)."""
    user = current_user()
    auth.close_session(st.session_state.get(TOKEN_KEY), settings().db_path)
    st.session_state.pop(TOKEN_KEY, None)
    st.session_state.pop(CONNECTION_KEY, None)
    browser_session.bind(None)
    st.session_state[CLEAR_COOKIE_KEY] = True  # the login page expires the browser's cookie
    if user is not None:
        try:
            auth.record_event(settings().db_path, user.user_name, "logout")
        except PieError:
            pass  # the trail is best effort; the logout itself is done
    if sso_configured() and sso_identity() is not None:
        # Streamlit's identity cookie and the provider's session end too (the browser goes to
        # /auth/logout, which also expires the PIE cookie).
        st.logout()
        return True
    return False


# ------------------------------------------------------------------------------ single sign-on
def sso_configured() -> bool:
    """True when `.streamlit/secrets.toml` configures Streamlit's OpenID Connect login for the
    default provider ([auth]: SSO_SECRET_KEYS) and Authlib is installed; False otherwise (no
    button, nothing changes)."""
    from streamlit.auth_util import is_authlib_installed

    try:
        if not st.secrets.load_if_toml_exists():
            return False
        section = st.secrets.get("auth")
    except Exception:  # noqa: BLE001 - unreadable secrets: no single sign-on
        return False
    return hasattr(section, "get") and all(section.get(key) for key in SSO_SECRET_KEYS) \
        and is_authlib_installed()


def sso_identity() -> dict | None:
    """The claims of Streamlit's OpenID Connect identity for this connection (st.user), or None."""
    try:
        if not st.user.is_logged_in:
            return None
        return dict(st.user.to_dict())
    except Exception:  # noqa: BLE001 - no identity (no [auth] section, no client context)
        return None


def _sign_in_with_sso() -> None:
    """Exchange a fresh identity of this connection for a PIE session (pie.auth.sso_login), once;
    a refusal is shown until the user signs out of the OFPPT account."""
    claims = sso_identity()
    token = None if claims is None else auth.sso_token_hash(claims)
    if token is not None and st.session_state.get(SSO_SEEN_KEY) != token:
        st.session_state[SSO_SEEN_KEY] = token
        st.session_state.pop(SSO_REFUSED_KEY, None)
        try:
            user = auth.sso_login(settings().db_path, claims)
        except PieError as error:
            st.session_state[SSO_REFUSED_KEY] = error.text(language())
        else:
            if user is not None:
                _start_session(user)
                st.rerun()
    refusal = st.session_state.get(SSO_REFUSED_KEY)
    if refusal and claims is not None:
        st.error(refusal)
        if st.button(t("login.sso_logout"), key="sso_logout", icon=":material/logout:"):
            st.session_state.pop(SSO_REFUSED_KEY, None)
            st.logout()


def _start_session(user: auth.User) -> None:
    """Open the PIE session of a user who just proved who they are (password or single sign-on):
    its secret counts on this connection, and a one-time ticket gets the browser its cookie."""
    secret = open_session(user)
    st.session_state[TOKEN_KEY] = secret
    st.session_state[CONNECTION_KEY] = browser_session.connection_key()
    st.session_state[TICKET_KEY] = browser_session.issue_ticket(secret)


def login_page() -> None:
    """The page shown to anyone not logged in, whatever URL they asked for."""
    # No heading anchor: one Tab stop less before the user field, and no link labelled in
    # Streamlit's English ("Link to heading") on a page with nothing to link to.
    st.title(t("login.title"), anchor=False)
    st.markdown(t("login.intro"))
    if st.session_state.pop(CLEAR_COOKIE_KEY, False):
        browser_session.render(browser_session.clear_cookie_script(browser_session.base_path()))
    if st.session_state.pop(EXPIRED_KEY, False):
        st.info(t("login.expired", minutes=settings().session_timeout_minutes))
    if sso_configured():
        _sign_in_with_sso()
        if st.button(t("login.sso"), key="sso_login", type="primary", icon=":material/badge:"):
            st.login()
        st.caption(t("login.sso_help"))
    with st.form("login", enter_to_submit=True):
        user_name = st.text_input(t("login.user_name"), key="login_user_name", autocomplete="username")
        password = st.text_input(t("login.password"), type="password", key="login_password",
                                 autocomplete="current-password")
        submitted = st.form_submit_button(t("login.submit"), type="primary")
    if submitted:
        try:
            user = _authenticate(user_name, password)
        except PieError as error:
            st.error(error.text(language()))
        else:
            _start_session(user)
            st.session_state.pop("login_password", None)
            st.rerun()
    if data.is_demo():
        st.divider()
        st.markdown(t("login.demo_accounts"))
        st.table({t("login.user_name"): [name for name, _, _ in auth.DEMO_ACCOUNTS],
                  t("login.role"): [t(f"role.{role}") + (f" · {scope}" if scope else "")
                                    for _, role, scope in auth.DEMO_ACCOUNTS]})


def _authenticate(user_name: str, password: str) -> auth.User:
    """Check a login, throttled per account and per client (the address and the websocket
    session): the same message whatever was wrong."""
    return auth.authenticate(settings().db_path, user_name, password, clients=client_ids())


def account_box(user: auth.User) -> None:
    """Who is logged in, in the sidebar, with the logout button."""
    ticket = st.session_state.pop(TICKET_KEY, None)
    if ticket:  # just logged in: the browser exchanges the ticket for its HttpOnly cookie
        browser_session.render(browser_session.set_cookie_script(ticket, browser_session.base_path()))
    with st.sidebar:
        partner = user.scope_code
        if partner and user.role == "establishment":
            partner = filters.establishment_name(partner)
        role = t(f"role.{user.role}") + (f" · {partner}" if partner else "")
        st.caption(t("login.signed_in_as", user=user.user_name, role=role))
        if st.button(t("login.logout"), key="logout", icon=":material/logout:"):
            if logout():
                st.stop()  # the browser leaves for /auth/logout
            st.rerun()
