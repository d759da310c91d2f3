"""Who is looking, and what they may see: the one place pages get their Scope from."""
from __future__ import annotations

from pie.scope import Scope
from pie.ui import filters


def base_scope() -> Scope:
    """The widest scope of this session's user.

    There is no login yet: everyone is a programme manager. The roles issue replaces this
    function with the logged-in account's `Scope.for_role(...)`; nothing else changes.
    """
    return Scope.for_role("manager")


def current_scope() -> Scope:
    """The user's scope narrowed by the sidebar filters (filters can never widen it)."""
    return base_scope().with_filters(**filters.selected())
