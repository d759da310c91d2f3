"""Layout pieces every page shares: header, empty state, demo banner, tables, sidebar footer."""
from __future__ import annotations

import streamlit as st

from pie.i18n import EMPTY
from pie.reference import SOURCE_CREDIT
from pie.scope import Scope
from pie.ui import data, downloads, filters, tables
from pie.ui.lang import t


def page_header(page: str, with_scope: bool = True) -> None:
    """The page's title, the question it answers, and (if `with_scope`) the scope it shows."""
    st.title(t(f"page.{page}.title"))
    st.markdown(t(f"page.{page}.question"))
    if with_scope:
        st.caption(t("page.scope", scope=filters.summary()))


def empty_state(values: dict[str, int | float | None], scope: Scope) -> bool:
    """Say so and return True when nothing is in scope (the page should then stop)."""
    if values["participants"] or values["projects"]:
        return False
    filtered = scope.academic_year or scope.region_code or scope.establishment_id
    st.info(t("empty.scope" if filtered else "empty.database"), icon=":material/info:")
    return True


def demo_banner() -> None:
    """On a demo database, say that its data are synthetic."""
    if data.is_demo():
        st.warning(t("app.demo_banner"), icon=":material/science:")


def show_table(table: tables.Table, file_name: str, key: str) -> None:
    """The table on screen (one tab per view if it has views), then buttons to download the
    whole table as CSV and XLSX."""
    if table.views:
        for tab, columns in zip(st.tabs([t(f"table.view.{name}") for name in table.views]),
                                table.views.values()):
            tab.dataframe(tables.styled(table.view(columns)), hide_index=True, placeholder=EMPTY)
    else:
        st.dataframe(tables.styled(table), hide_index=True, placeholder=EMPTY)
    downloads.download_buttons(table, file_name, key=key)


def sidebar_footer() -> None:
    with st.sidebar:
        st.divider()
        st.caption(SOURCE_CREDIT)
