"""Page-level narrowing: the bank and incubator selectors, breakdowns and drill-down focus.

A page value (the bank chosen by a manager, the breakdown of a chart, the branch a user
clicked…) lives in st.session_state under `partners_<page>_<key>` (each page calls `begin`
first, so a region chosen on one page never narrows another), outside the widget's own state
(`..._widget`), so it survives runs that do not draw its widget. When the page opens it is read
from the URL query parameter `<key>`, kept only if it is one of the options offered, and every
run writes it back to the URL (pie.ui.choice), so a view can be bookmarked and shared. A focus
can be chosen in a select box or by clicking a bar of a chart (its customdata is the code); the
active focus values are listed above the tables they narrow, with a button that clears them.

Nothing here widens a role: the options come from queries run in the user's own scope, and
the selectors never show, nor read from the URL, the bank of a bank account or the incubator
of an incubator account (pie.ui.session.with_bank / with_incubator keep them in any case).
"""
from __future__ import annotations

import streamlit as st

from pie import i18n
from pie.financing import figures as financing
from pie.incubation import figures as incubation
from pie.scope import Scope
from pie.ui import choice, data, layout, session
from pie.ui.choice import ALL
from pie.ui.lang import language, t

_PREFIX = "partners_"
_PAGE = "partners_page"


def begin(page: str) -> None:
    """Name the page whose values the calls below read and write (call it first on the page)."""
    st.session_state[_PAGE] = page


def _state_key(key: str) -> str:
    return f"{_PREFIX}{st.session_state.get(_PAGE, '')}_{key}"


def _widget_key(key: str) -> str:
    return f"{_state_key(key)}_widget"


def _generation_key(key: str) -> str:
    return f"{_state_key(key)}_generation"


def value(key: str) -> str | None:
    """The current value of page value `key` (None: not narrowed)."""
    return st.session_state.get(_state_key(key)) or None


def _mirror(key: str) -> None:
    """Write the value of `key` into the URL (remove the parameter when nothing is chosen)."""
    choice.to_url(st.query_params, key, value(key) or ALL)


def settle(key: str, options: object, default: str = ALL) -> str | None:
    """Make page value `key` one of `options` (or `default`), and mirror it into the URL.

    The first time in a session, the value comes from the URL when it is one of the options;
    afterwards a value that is no longer an option (the filters changed) falls back to
    `default`. Values live outside the widgets' own state, so a focus chosen under one
    breakdown survives showing another. Returns the value (None for ALL)."""
    choice.settle(_state_key(key), options, default, param=key)
    _mirror(key)
    return value(key)


def _bump(key: str) -> None:
    """A new value chosen outside the chart: draw the chart afresh, without the old selection."""
    st.session_state[_generation_key(key)] = st.session_state.get(_generation_key(key), 0) + 1


def _changed(key: str) -> None:
    _bump(key)
    _mirror(key)


def _draw(kind: str, key: str, options, label: str, container, **widget_args) -> str:
    """The widget of page value `key`, its value kept under the page's state key (settled first)."""
    return choice.draw(kind, label, options, _widget_key(key), value_key=_state_key(key), param=key,
                       url_default=ALL, on_change=_changed, args=(key,), container=container, **widget_args)


def select(key: str, options: dict[str, str], label: str, all_label: str, container=None) -> str | None:
    """A select box offering "all" then `options` (code → label) for page value `key`; returns the
    chosen code (None for all)."""
    return _draw("select", key, options, label, container, format_func=options.__getitem__,
                 all_text=all_label) or None


def breakdown(key: str, choices: tuple[str, ...], label: str, container=None) -> str:
    """Horizontal radio buttons choosing how a chart and its table are broken down (`choices`
    translated with `breakdown.<code>`), kept in the URL under `key` even when it is the first,
    the default."""
    return _draw("radio", key, choices, label, container, horizontal=True,
                 format_func=lambda code: t(f"breakdown.{code}"))


def clear(*keys: str) -> None:
    """Clear page values `keys` (a callback: it runs before the page's next run)."""
    for key in keys:
        st.session_state[_state_key(key)] = ALL
        _bump(key)
        _mirror(key)


def _code(customdata: object) -> str | None:
    if isinstance(customdata, (list, tuple)):
        customdata = customdata[0] if customdata else None
    return None if customdata is None else str(customdata)


def _picked(chart_key: str, key: str, options: frozenset[str]) -> None:
    """Callback of a chart's selection: the clicked bar's code becomes the value of `key`
    (only a code the chart offers; an emptied selection clears the value)."""
    event = st.session_state.get(chart_key) or {}
    points = (event.get("selection") or {}).get("points") or []
    codes = [code for code in (_code(point.get("customdata")) for point in points) if code in options]
    st.session_state[_state_key(key)] = codes[0] if codes else ALL
    _mirror(key)


def chart(figure, name: str, key: str | None = None, options: object = ()) -> None:
    """Draw a plotly figure (layout.plotly_chart). With `key`, clicking a bar sets page value `key` to
    the bar's customdata when it is one of `options`."""
    if key is None:
        layout.plotly_chart(figure, theme=None, key=f"{_state_key(name)}_chart")
        return
    chart_key = f"{_state_key(name)}_chart_{st.session_state.get(_generation_key(key), 0)}"
    allowed = frozenset(str(option) for option in options)
    layout.plotly_chart(figure, theme=None, key=chart_key, selection_mode="points",
                        on_select=lambda: _picked(chart_key, key, allowed))


def active(focus: dict[str, tuple[str, str | None]], button_key: str) -> bool:
    """Above the tables a focus narrows: which values narrow them (`focus` maps each key to
    its label and the value's label, None when not narrowed) and a button clearing them all.
    Returns True when something narrows the tables."""
    chosen = {key: (label, shown) for key, (label, shown) in focus.items() if shown is not None}
    if not chosen:
        st.caption(t("partners.drill.none"))
        return False
    text, button = st.columns([5, 1], vertical_alignment="center")
    text.info(t("partners.drill.active", items=" · ".join(
        t("partners.drill.item", label=label, value=shown) for label, shown in chosen.values())),
              icon=":material/filter_alt:")
    button.button(t("partners.drill.clear"), key=button_key, on_click=clear, args=tuple(chosen),
                  icon=":material/filter_alt_off:")
    return True


# ------------------------------------------------------------------------------ role selectors
def bank_scope(scope: Scope) -> tuple[Scope, str | None]:
    """The scope of the Financing page and the bank it is narrowed to. A manager or an admin
    gets a select box of the banks with decisions in scope (kept in the URL as `bank`); a bank
    account gets its own bank, no select box, and the URL's `bank` is never read for it."""
    if scope.bank is not None:
        _drop_from_url("bank")  # a forged ?bank= is not read, and not left in the address bar
        return scope, scope.bank
    banks = data.ask(financing.banks, scope)
    options = {code: _with_code(i18n.bank_name(code, language()), code) for code in banks["bank"]}
    chosen = select("bank", options, t("financing.bank.label"), t("financing.bank.all"))
    narrowed = session.with_bank(scope, chosen)
    return narrowed, narrowed.bank


def incubator_scope(scope: Scope) -> tuple[Scope, str | None]:
    """As bank_scope, for the Incubation page and its incubators (URL `incubator`)."""
    if scope.incubator is not None:
        _drop_from_url("incubator")
        return scope, scope.incubator
    incubators = data.ask(incubation.incubators, scope)
    options = {name: name for name in incubators["incubator"]}
    chosen = select("incubator", options, t("incubation.incubator.label"), t("incubation.incubator.all"))
    narrowed = session.with_incubator(scope, chosen)
    return narrowed, narrowed.incubator


def _drop_from_url(key: str) -> None:
    if key in st.query_params:
        del st.query_params[key]


def _with_code(name: str, code: str) -> str:
    return name if name == code else f"{name} ({code})"
