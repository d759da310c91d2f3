"""Layout pieces every page shares: opening (header, empty state), demo banner, tables, charts, sidebar footer."""
from __future__ import annotations

import dataclasses

import streamlit as st

from pie import charts
from pie.scope import Scope
from pie.ui import data, downloads, filters, session, tables
from pie.ui.lang import language, number, t


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


def indicators(scope: Scope, needs: str | None = None, empty: str | None = None) -> dict[str, int | float | None]:
    """The indicators of `scope`. When nothing is in scope (empty_state), or the indicator
    `needs` is zero (the message `empty`), say so and stop the page."""
    values = data.indicators(scope)
    if empty_state(values, scope):
        st.stop()
    if needs is not None and not values[needs]:
        st.info(t(empty), icon=":material/info:")
        st.stop()
    return values


def open_page(page: str, needs: str | None = None, empty: str | None = None) -> Scope:
    """The start of a page: its header with the session's scope, then `indicators` (stopping the
    page when there is nothing to show). Returns the scope."""
    scope = session.current_scope()
    page_header(page)
    indicators(scope, needs, empty)
    return scope


def demo_banner() -> None:
    """On a demo database, say that its data are synthetic."""
    if data.is_demo():
        st.warning(t("app.demo_banner"), icon=":material/science:")


def show_table(table: tables.Table, file_name: str, key: str, max_rows: int | None = None,
               download: tables.Table | None = None, personal=None) -> None:
    """The table on screen (one tab per view if it has views), then buttons to download the
    whole table as CSV and XLSX. The screen shows at most `max_rows` rows (tables.SCREEN_ROWS
    unless told) and says so when there are more; the downloads still hold every row. The
    downloads hold `download` when given (the unmasked contacts, pie.ui.contacts), and
    `personal` is called with the file name when one is built (downloads.download_buttons)."""
    max_rows = max_rows or tables.SCREEN_ROWS
    shown = table
    if len(table.frame) > max_rows:
        shown = dataclasses.replace(table, frame=table.frame.head(max_rows))
        st.caption(t("table.first_rows", shown=number(max_rows), total=number(len(table.frame))))
    if shown.views:
        for tab, columns in zip(st.tabs([t(f"table.view.{name}") for name in shown.views]),
                                shown.views.values()):
            tables.dataframe(shown.view(columns), tab)
    else:
        tables.dataframe(shown)
    if personal is None:
        downloads.download_buttons(download or table, file_name, key=key)
    else:
        downloads.download_buttons(download or table, file_name, key=key, personal=personal)


@st.cache_resource(show_spinner=False, max_entries=512)
def _figure(name: str, _build, args: tuple, options: tuple, language: str):
    # `name` stands for `_build` in the key; the arguments (frames included) are hashed.
    return charts.rtl(_build(*args, **dict(options)), language)


def figure(build, *args, **options):
    """`build(*args, **options)` — a figure builder of pie/<domain>/charts.py — built once for the same arguments and shared by
    every rerun and session, already mirrored in Arabic. Building a plotly figure validates
    every property and costs tens of milliseconds a chart on every click otherwise. The
    figure is shared: draw it with `plotly_chart`, never change it."""
    return _figure(f"{build.__module__}.{build.__qualname__}", build, args, tuple(sorted(options.items())),
                   language())


def plotly_chart(figure, **options):
    """st.plotly_chart for every chart of the dashboard: its own colours (theme=None unless
    `options` say otherwise) and, in Arabic, the figure mirrored to read right to left
    (pie.charts.rtl). Returns what st.plotly_chart returns (the selection, with on_select)."""
    options.setdefault("theme", None)
    return st.plotly_chart(charts.rtl(figure, language()), **options)


def sidebar_footer() -> None:
    with st.sidebar:
        st.divider()
        st.caption(t("app.source_credit"))  # pie.reference.SOURCE_CREDIT, translated
