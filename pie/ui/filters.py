"""The shared sidebar filters: academic year, region, establishment.

dashboard.py draws them on every run, before `st.navigation(...).run()`, so their values
(kept in st.session_state under the keys below) survive page switches. They are mirrored
into the URL (`?year=2022-2023&region=09&establishment=E1`) so a view can be bookmarked:
on a session's first run the URL's values are read back, and any value that is not one of
the options is ignored (pie.ui.choice). An establishment outside the chosen region is reset.
An establishment account sees its own establishment only: it gets the year filter alone, and
the region and establishment keys are held empty (a URL cannot set them).
"""
from __future__ import annotations

import streamlit as st

from pie.safety import escape_markdown
from pie.ui import choice, data
from pie.ui.choice import ALL
from pie.ui.lang import language, t

YEAR, REGION, ESTABLISHMENT = "year", "region", "establishment"
FILTER_KEYS = (YEAR, REGION, ESTABLISHMENT)
_FROM_URL = "_filters_read_from_url"
_HOME = "_filters_home_establishment"


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


def sidebar(home_establishment: str | None = None) -> None:
    """Draw the filters in the sidebar, each kept in the URL (pie.ui.choice). With the account's
    `home_establishment` (an establishment account), only the year: the rest is its own."""
    options = data.filter_options()
    state = st.session_state
    if state.get(_FROM_URL):  # the URL is read on the session's first run only
        for key in FILTER_KEYS:
            state.setdefault(key, ALL)
    state[_FROM_URL] = True
    state[_HOME] = home_establishment
    keys = FILTER_KEYS
    if home_establishment is not None:
        keys = (YEAR,)
        state[REGION] = state[ESTABLISHMENT] = ALL
        for key in (REGION, ESTABLISHMENT):
            choice.to_url(st.query_params, key, ALL)
    with st.sidebar:
        # Bold text, not a heading: the sidebar comes before the page in the document, and its
        # heading came before the page's h1 (docs/ACCESSIBILITY.md, headings in order).
        st.markdown(f"**{t('filters.title')}**")
        for key in keys:  # region before establishment, which it narrows
            choices = _choices(options, state.get(REGION, ALL))[key]
            choice.draw("select", t(f"filters.{key}"), choices, key, format_func=choices.__getitem__,
                        all_text=t(f"filters.{key}.all"))


def selected() -> dict[str, str | None]:
    """The chosen filters as Scope.with_filters arguments (None = no filter)."""
    state = st.session_state
    return {
        "academic_year": state.get(YEAR) or None,
        "region_code": state.get(REGION) or None,
        "establishment_id": state.get(ESTABLISHMENT) or None,
    }


def summary() -> str:
    """The chosen filters in words, e.g. `2022-2023 · Souss-Massa` (or the whole programme), as
    markdown: the names come from data and are escaped (pie.safety.escape_markdown). An
    establishment account's pages name its establishment first: they never cover more."""
    state = st.session_state
    choices = _choices(data.filter_options(), state.get(REGION, ALL))
    chosen = [choices[key][state[key]] for key in FILTER_KEYS if state.get(key) in choices[key]]
    home = state.get(_HOME)
    if home is not None:
        chosen.insert(0, establishment_name(home))
    return " · ".join(escape_markdown(name) for name in chosen) if chosen else t("filters.everything")


def establishment_name(establishment_id: str) -> str:
    """The establishment's name (its identifier when the data do not know it)."""
    establishments = data.filter_options().establishments
    names = establishments.loc[establishments["establishment_id"] == establishment_id, "name"]
    return str(names.iloc[0]) if len(names) else establishment_id
