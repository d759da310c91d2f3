"""Who is looking, and what they may see: the one place pages get their Scope from."""
from __future__ import annotations

import streamlit as st

from pie import auth
from pie.scope import Scope
from pie.ui import filters, login


def user() -> auth.User:
    """The logged-in user (dashboard.py only runs pages for a logged-in user)."""
    current = login.current_user()
    if current is None:  # a page run without dashboard.py's login check: show nothing
        st.stop()
    return current


def base_scope() -> Scope:
    """The widest scope of this session's user: their role's restriction, from the account
    (never from a widget, the URL or session state)."""
    return user().scope()


def current_scope() -> Scope:
    """The user's scope narrowed by the sidebar filters (filters can never widen it)."""
    return base_scope().with_filters(**filters.selected())
