"""Who is looking, and what they may see: the one place pages get their Scope from."""
from __future__ import annotations

import dataclasses

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


def with_bank(scope: Scope, bank: str | None) -> Scope:
    """`scope` narrowed to one bank's decisions (and the projects behind them), for a page's
    bank selector. A scope that already has a bank (a bank account's) is returned unchanged
    whatever `bank` is: a selector, a URL or a widget can narrow a role, never change it."""
    if scope.bank is not None or not bank:
        return scope
    return dataclasses.replace(scope, bank=bank)


def with_incubator(scope: Scope, incubator: str | None) -> Scope:
    """`scope` narrowed to the projects one incubator accompanies (and its own stage rows); a
    scope that already has an incubator (an incubator account's) is returned unchanged."""
    if scope.incubator is not None or not incubator:
        return scope
    return dataclasses.replace(scope, incubator=incubator)
