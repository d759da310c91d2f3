"""Drill-down on the programme managers' pages (Phases, Follow-up): narrowing a page with a
click on a chart or a select box next to it.

A page's own choices (a breakdown, a number of days, a focus on one cohort, profile, sector or
gender) are widgets whose value is mirrored into the URL as a code (`?breakdown=sector&profile=
trainee`), so the page can be bookmarked; when the page opens, the URL's values are read back and
any value that is not one of the widget's options is ignored. (Streamlit's own
`bind="query-params"` writes the translated label, not the code, into the URL: not used.) None
of them is a scope: a focus is one more condition on the participants the user's Scope
(pie.ui.session) already lets the page read, so no URL can widen what a role sees.

A bar a user clicks carries its group's code in `customdata[0]` (pie/programme_charts.py);
`on_pick` sets the select box, or the sidebar filter, that the bar stands for, and the page
runs again narrowed. `active_filters` says what narrows the page, with a button clearing it all.
"""
from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

import streamlit as st

from pie.programme import figures as programme
from pie.ui import filters
from pie.ui.lang import label, t

ALL = ""  # the option meaning "no focus" (as in the sidebar filters)
# The page focus, each a session state key and URL parameter named after the code it holds.
FOCUS_KEYS = ("cohort", "profile", "sector", "gender")


def _initial(key: str, valid: Callable[[str], bool], default: str) -> None:
    """Before the widget `key` is drawn: keep the user's choice; on the page's first run take the
    URL's value if it is valid; reset a stale choice (e.g. a cohort of another region)."""
    state = st.session_state
    if key not in state:
        value = st.query_params.get(key)
        state[key] = value if value is not None and valid(value) else default
    elif not valid(str(state[key])):
        state[key] = default


def _to_url(key: str, value: str, default: str) -> None:
    """Mirror a choice into the URL (codes, never labels); a default choice leaves no parameter."""
    if value != default:
        if st.query_params.get(key) != value:
            st.query_params[key] = value
    elif key in st.query_params:
        del st.query_params[key]


def choice(label_text: str, options: Sequence[str], key: str, format_func: Callable[[str], str],
           default: str | None = None) -> str:
    """A horizontal radio of `options` (codes), kept in the URL parameter `key` (first option by
    default)."""
    default = options[0] if default is None else default
    _initial(key, lambda value: value in options, default)
    value = st.radio(label_text, options, key=key, horizontal=True, format_func=format_func)
    _to_url(key, value, default)
    return value


def select(label_text: str, options: Sequence[str], key: str, format_func: Callable[[str], str],
           all_text: str) -> str | None:
    """A select box of `options` (codes) plus "all" (`all_text`), kept in the URL parameter
    `key`; the chosen code, or None for all."""
    _initial(key, lambda value: value in options, ALL)
    value = st.selectbox(label_text, [ALL, *options], key=key,
                         format_func=lambda code: format_func(code) if code else all_text)
    _to_url(key, value, ALL)
    return value or None


def days(label_text: str, key: str, default: int, maximum: int, help_text: str | None = None) -> int:
    """A whole number of days (1..`maximum`) kept in the URL parameter `key`."""
    def valid(text: str) -> bool:
        return text.isdigit() and 1 <= int(text) <= maximum

    _initial(key, valid, str(default))
    if isinstance(st.session_state[key], str):
        st.session_state[key] = int(st.session_state[key])
    value = int(st.number_input(label_text, min_value=1, max_value=maximum, step=1, key=key, help=help_text))
    _to_url(key, str(value), str(default))
    return value


def focus_controls(cohorts: dict[str, str]) -> programme.Focus:
    """The page's focus row: cohort (`cohorts`: code -> label, those in scope), profile,
    sector and gender select boxes side by side; the Focus they make."""
    options = {"cohort": list(cohorts), "profile": list(programme.PROFILES),
               "sector": list(programme.SECTORS), "gender": list(programme.GENDERS)}
    chosen = {}
    for column, key in zip(st.columns(len(FOCUS_KEYS)), FOCUS_KEYS):
        name = (lambda code: cohorts.get(code, code)) if key == "cohort" else functools.partial(label, key)
        with column:
            chosen[key] = select(t(f"drill.focus.{key}"), options[key], key, name, t(f"drill.focus.{key}.all"))
    return programme.Focus(**chosen)


def _pick(chart_key: str, target: str) -> None:
    """Callback of a chart click: put the clicked bar's code into the `target` widget."""
    event = st.session_state.get(chart_key)
    points = event.selection.points if event is not None else []
    if points and points[0].get("customdata"):
        st.session_state[target] = str(points[0]["customdata"][0])


def on_pick(chart_key: str, target: str) -> Callable[[], None]:
    """`on_select` for st.plotly_chart(key=`chart_key`): a click narrows the page to the bar's
    group by setting `target` (a focus key, or filters.YEAR / filters.ESTABLISHMENT)."""
    return functools.partial(_pick, chart_key, target)


def chart_key(name: str, *state: object) -> str:
    """A chart's key that changes with what it shows, so a click's selection does not stay
    highlighted on the redrawn (narrowed) chart."""
    return f"{name}_{abs(hash(state)) % 10**8}"


def _clear(keys: Sequence[str]) -> None:
    for key in (*filters.FILTER_KEYS, *keys):
        st.session_state[key] = ALL


def active_filters(focus: dict[str, str], keys: Sequence[str] = FOCUS_KEYS) -> None:
    """Say what narrows the page beyond the scope line (`focus`: name -> text shown), with a
    button clearing every filter: the sidebar's and the page's `keys`. Nothing when none."""
    if not focus and not any(filters.selected().values()):
        return
    with st.container(horizontal=True, vertical_alignment="center"):
        if focus:
            items = " · ".join(t("drill.item", name=name, value=value) for name, value in focus.items())
            st.markdown(t("drill.active", focus=items))
        st.button(t("drill.clear"), key="programme_clear_filters", icon=":material/filter_alt_off:",
                  on_click=_clear, args=(tuple(keys),), type="tertiary")
