"""Drill-down on the programme managers' pages (Phases, Follow-up): narrowing a page with a
click on a chart or a select box next to it.

A page's own choices (a breakdown, a number of days, a focus on one cohort, profile, sector or
gender) are widgets whose value is mirrored into the URL as a code (`?breakdown=sector&profile=
trainee`, pie.ui.choice), so the page can be bookmarked. None of them is a scope: a focus is one
more condition on the participants the user's Scope (pie.ui.session) already lets the page read,
so no URL can widen what a role sees.

A bar a user clicks carries its group's code in `customdata[0]` (pie/programme/charts.py);
`on_pick` sets the select box, or the sidebar filter, that the bar stands for, and the page
runs again narrowed. `active_filters` says what narrows the page, with a button clearing it all.
"""
from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

import streamlit as st

from pie.programme import figures as programme
from pie.ui import choice, filters
from pie.ui.choice import ALL
from pie.ui.lang import label, md, t

# The page focus, each a session state key and URL parameter named after the code it holds.
FOCUS_KEYS = ("cohort", "profile", "sector", "gender")


def focus_controls(cohorts: dict[str, str]) -> programme.Focus:
    """The page's focus row: cohort (`cohorts`: code -> label, those in scope), profile,
    sector and gender select boxes side by side; the Focus they make."""
    options = {"cohort": list(cohorts), "profile": list(programme.PROFILES),
               "sector": list(programme.SECTORS), "gender": list(programme.GENDERS)}
    chosen = {}
    for column, key in zip(st.columns(len(FOCUS_KEYS)), FOCUS_KEYS):
        name = (lambda code: cohorts.get(code, code)) if key == "cohort" else functools.partial(label, key)
        with column:
            chosen[key] = choice.draw("select", t(f"drill.focus.{key}"), options[key], key, format_func=name,
                                      all_text=t(f"drill.focus.{key}.all")) or None
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
            items = " · ".join(md("drill.item", name=name, value=value) for name, value in focus.items())
            st.markdown(t("drill.active", focus=items))
        st.button(t("drill.clear"), key="programme_clear_filters", icon=":material/filter_alt_off:",
                  on_click=_clear, args=(tuple(keys),), type="tertiary")
