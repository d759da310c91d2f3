"""The shared sidebar filters: academic year, region, establishment.

dashboard.py draws them on every run, before `st.navigation(...).run()`, so their values
(kept in st.session_state under the keys below) survive page switches. They are mirrored
into the URL (`?year=2022-2023&region=09&establishment=E1`) so a view can be bookmarked:
on a session's first run the URL's values are read back, and any value that is not one of
the options is ignored.
"""
from __future__ import annotations

import streamlit as st

from pie.ui import data
from pie.ui.lang import language, t

YEAR, REGION, ESTABLISHMENT = "year", "region", "establishment"
FILTER_KEYS = (YEAR, REGION, ESTABLISHMENT)
ALL = ""  # the option meaning "no filter" (not None: a None value empties a selectbox)
_FROM_URL = "_filters_read_from_url"


def _choices(options: data.FilterOptions, region: str) -> dict[str, dict[str, str]]:
    """For each filter, its codes → labels; establishments narrowed to `region` if any."""
    names = options.regions["name_ar" if language() == "ar" else "name_fr"]
    establishments = options.establishments
    if region:
        establishments = establishments[establishments["region_code"] == region]
    return {
        YEAR: {year: year for year in options.years},
        REGION: dict(zip(options.regions["region_code"], names)),
        ESTABLISHMENT: dict(zip(establishments["establishment_id"], establishments["name"])),
    }


def _read_url(options: data.FilterOptions) -> None:
    """Take the filters from the URL, once per session, keeping only valid values."""
    state = st.session_state
    for key in FILTER_KEYS:  # region before establishment, which it narrows
        value = st.query_params.get(key)
        if value and value in _choices(options, state.get(REGION, ALL))[key]:
            state[key] = value
    state[_FROM_URL] = True


def _write_url() -> None:
    for key in FILTER_KEYS:
        value = st.session_state.get(key, ALL)
        if value and st.query_params.get(key) != value:
            st.query_params[key] = value
        elif not value and key in st.query_params:
            del st.query_params[key]


def sidebar() -> None:
    """Draw the filters in the sidebar and mirror their values into the URL."""
    options = data.filter_options()
    state = st.session_state
    if not state.get(_FROM_URL):
        _read_url(options)
    with st.sidebar:
        st.header(t("filters.title"))
        for key in FILTER_KEYS:
            choices = _choices(options, state.get(REGION, ALL))[key]
            if state.get(key, ALL) not in (ALL, *choices):
                state[key] = ALL  # e.g. an establishment of another region, or a stale value
            st.selectbox(t(f"filters.{key}"), [ALL, *choices], key=key,
                         format_func=lambda code, choices=choices, key=key:
                             choices[code] if code else t(f"filters.{key}.all"))
    _write_url()


def selected() -> dict[str, str | None]:
    """The chosen filters as Scope.with_filters arguments (None = no filter)."""
    state = st.session_state
    return {
        "academic_year": state.get(YEAR) or None,
        "region_code": state.get(REGION) or None,
        "establishment_id": state.get(ESTABLISHMENT) or None,
    }


def summary() -> str:
    """The chosen filters in words, e.g. `2022-2023 · Souss-Massa` (or the whole programme)."""
    state = st.session_state
    choices = _choices(data.filter_options(), state.get(REGION, ALL))
    chosen = [choices[key][state[key]] for key in FILTER_KEYS if state.get(key) in choices[key]]
    return " · ".join(chosen) if chosen else t("filters.everything")
