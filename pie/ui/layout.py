"""Layout pieces every page shares: opening (header, empty state), demo banner, tables, charts,
sidebar footer, and the error pages (no database, busy database, unexpected error)."""
from __future__ import annotations

import dataclasses
import functools
import html
import logging
import secrets
from datetime import date
from typing import Callable, TypeVar

import pandas as pd
import streamlit as st
from babel import dates as babel_dates
from streamlit import runtime

from pie import charts, i18n
from pie.errors import DatabaseBusy, DatabaseMissing
from pie.leadership import figures as leadership
from pie.programme import figures as programme
from pie.queries import Source
from pie.scope import Scope
from pie.ui import data, downloads, filters, session, tables
from pie.ui.lang import error_text, language, number, t

LOG = logging.getLogger("pie.dashboard")
Result = TypeVar("Result")


def data_dates(source: Source, scope: Scope) -> tuple[date | None, date | None]:
    """(the data date T of `scope` — the latest event date its role may see, filters aside,
    pie.programme.figures.latest_date —, the day of the newest accepted import or None)."""
    last_import = leadership.data_stamp(source).last_import_at
    return programme.latest_date(source, scope), last_import.date() if last_import is not None else None


def data_as_of_line() -> str:
    """"Données au 01/07/2024 · dernier import le 05/12/2026" for the session's user (their
    role's restriction; the filters do not change how recent the data are)."""
    data_date, last_import = data.ask(data_dates, session.base_scope())
    return i18n.data_as_of(data_date, last_import, language())


def page_header(page: str, with_scope: bool = True) -> None:
    """The page's title, under it how recent its data are (`data_as_of_line`), the question it
    answers, and (if `with_scope`) the scope it shows."""
    st.title(t(f"page.{page}.title"), anchor=False)
    st.caption(data_as_of_line())
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


FIGURES_KEPT = 512


@st.cache_resource(show_spinner=False, max_entries=FIGURES_KEPT)
def _figure(name: str, _build, args: tuple, options: tuple, language: str):
    # `name` stands for `_build` in the key; the arguments (frames included) are hashed.
    return _built(_build, args, options, language)


def _built(build, args: tuple, options: tuple, language: str):
    return charts.rtl(charts.localised(build(*args, **dict(options)), language), language)


def _argument_key(value: object) -> object:
    """A cheap key for a figure builder's argument: frames and series by their digest
    (tables.frame_digest), containers item by item, other values with their type (they must
    be hashable). Raises TypeError when a value cannot be keyed so."""
    if isinstance(value, (pd.DataFrame, pd.Series)):
        return (type(value).__name__, tables.frame_digest(value))
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, *map(_argument_key, value))
    if isinstance(value, dict):
        return ("dict", *((key, _argument_key(item)) for key, item in value.items()))
    hash(value)
    return (type(value).__name__, value)   # 1 and 1.0 are equal keys, not equal labels


def figure(build, *args, **options):
    """`build(*args, **options)` — a figure builder of pie/<domain>/charts.py — built once for the same arguments and shared by
    every rerun and session, already mirrored in Arabic. Building a plotly figure validates
    every property and costs tens of milliseconds a chart on every click otherwise. The
    figure is shared: draw it with `plotly_chart`, never change it. Frames are keyed by a
    digest of their contents (Streamlit's hashing of them took 0.01–0.02 s a run on pages with
    many charts); arguments that cannot be keyed so go through st.cache_resource."""
    name = f"{build.__module__}.{build.__qualname__}"
    ordered = tuple(sorted(options.items()))
    current = language()
    try:
        key = (name, _argument_key(args), _argument_key(ordered), current)
    except (TypeError, ValueError):  # e.g. a numpy array, or cells pandas cannot hash
        return _figure(name, build, args, ordered, current)
    return data.kept("figures", FIGURES_KEPT).get_or_build(key, lambda: _built(build, args, ordered, current))


# plotly.js speaks English. Its `locales` config carries a dictionary with the plot (no script
# to register): plotly's own English text -> our key. These are the texts the mode bar of our
# charts shows (titles of its buttons) and the messages it may flash; tests/test_accessibility.py
# checks that each is still in the plotly.js Streamlit ships. Streamlit's own "Fullscreen"
# button in that bar is not plotly's and stays English (docs/ACCESSIBILITY.md).
PLOTLY_TEXTS = {
    "Download plot as a PNG": "chart.toolbar.download_png",
    "Download plot": "chart.toolbar.download",
    "Zoom": "chart.toolbar.zoom",
    "Pan": "chart.toolbar.pan",
    "Box Select": "chart.toolbar.box_select",
    "Lasso Select": "chart.toolbar.lasso_select",
    "Zoom in": "chart.toolbar.zoom_in",
    "Zoom out": "chart.toolbar.zoom_out",
    "Autoscale": "chart.toolbar.autoscale",
    "Reset axes": "chart.toolbar.reset_axes",
    "Reset": "chart.toolbar.reset",
    "Reset view": "chart.toolbar.reset_view",
    "Toggle Spike Lines": "chart.toolbar.spikes",
    "Show closest data on hover": "chart.toolbar.hover_closest",
    "Compare data on hover": "chart.toolbar.hover_compare",
    "Toggle show closest data on hover": "chart.toolbar.hover_toggle",
    "Preparing image - this may take a few seconds": "chart.toolbar.preparing",
    "Image download succeeded": "chart.toolbar.downloaded",
    "Sorry, there was a problem downloading your image!": "chart.toolbar.download_failed",
    "Double-click to zoom back out": "chart.toolbar.double_click_zoom",
    "Double-click on legend to isolate one trace": "chart.toolbar.double_click_legend",
}


@functools.lru_cache(maxsize=len(i18n.LANGUAGES))
def _plotly_locale(language_code: str) -> dict:
    # the dictionary, and month and day names for date axes and hovers (Babel's, as the
    # language writes them; plotly's weeks start on Sunday)
    locale = i18n.BABEL_LOCALE[language_code]
    days = babel_dates.get_day_names("wide", locale=locale)
    short_days = babel_dates.get_day_names("abbreviated", locale=locale)
    return {
        "dictionary": {english: i18n.t(key, language_code) for english, key in PLOTLY_TEXTS.items()},
        "format": {
            "months": [babel_dates.get_month_names("wide", locale=locale)[m] for m in range(1, 13)],
            "shortMonths": [babel_dates.get_month_names("abbreviated", locale=locale)[m] for m in range(1, 13)],
            "days": [days[(d + 6) % 7] for d in range(7)],
            "shortDays": [short_days[(d + 6) % 7] for d in range(7)],
        },
    }


def plotly_config(language_code: str, config: dict | None = None) -> dict:
    """plotly's `config` for a chart shown in `language_code`: `config` (e.g. the map's
    topojsonURL) plus plotly's own texts — the mode bar's button titles and messages, month
    and day names — in that language, and no plotly logo (an English link)."""
    return {"displaylogo": False, **(config or {}), "locale": language_code,
            "locales": {language_code: _plotly_locale(language_code)}}


def plotly_chart(figure, summary: str | None = None, **options):
    """st.plotly_chart for every chart of the dashboard: its own colours (theme=None unless
    `options` say otherwise), its numbers as the session's language writes them
    (pie.charts.localised: separators, grouped thousands, French percentages) and, in Arabic,
    the figure mirrored to read right to left (pie.charts.rtl). Returns what st.plotly_chart
    returns (the selection, with on_select).

    Accessibility (docs/ACCESSIBILITY.md): before the chart, a visually hidden sentence saying
    what it shows for screen readers — `summary`, else one built from the figure's title and
    series (pie.charts.summary, numbers in the session's language); under it, an expander
    with its data as a plain table (every point, one click away). plotly's mode bar speaks
    the session's language (plotly_config)."""
    options.setdefault("theme", None)
    current = language()
    options["config"] = plotly_config(current, options.get("config"))
    figure = charts.rtl(charts.localised(figure, current), current)
    text = summary or charts.summary(figure, current)
    st.html(f'<p class="pie-visually-hidden pie-chart-summary">{html.escape(text)}</p>')
    selection = st.plotly_chart(figure, **options)
    rows = charts.data_rows(figure, current)
    if rows:
        with st.expander(t("chart.data"), icon=":material/table:"):
            frame = pd.DataFrame(rows[:charts.TABLE_ROWS],
                                 columns=[t("chart.series"), t("chart.category"), t("chart.value")])
            if not frame.iloc[:, 0].astype(bool).any():  # one unnamed series: no series column
                frame = frame.iloc[:, 1:]
            st.table(frame.set_index(frame.columns[0]))
    return selection


def no_database(error: DatabaseMissing | None = None) -> None:
    """The page of a dashboard without a database: how to create one (no path, no demo
    unless PIE_DEMO asks for it)."""
    st.title(t("app.title"), anchor=False)
    st.info(t("app.no_database"), icon=":material/database:")
    if error is not None and error.key != "db.error.missing":  # e.g. no published snapshot
        st.caption(error_text(error))


def error_reference() -> str:
    """A short random reference for an error, e.g. 7K3QXZ (the user quotes it, the log has it)."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(6))


def run_safely(step: Callable[[], Result]) -> Result:
    """`step()`, with the errors a user must not see turned into plain sentences: a busy
    database says to try again in a moment; any other unexpected error is logged with its
    traceback and a short reference, and the page says only that something went wrong, with
    that reference. Streamlit's own st.stop/st.rerun pass through (they are not Exceptions).
    Outside a served app (AppTest) the error is re-raised after the message, so tests still
    see it."""
    try:
        return step()
    except DatabaseBusy as error:
        LOG.log(logging.WARNING, "database busy: %s", error)
        st.warning(t("app.busy"), icon=":material/hourglass_top:")
        st.stop()
    except DatabaseMissing as error:
        no_database(error)
        st.stop()
    except Exception:
        reference = error_reference()
        LOG.log(logging.ERROR, "page error, reference %s", reference, exc_info=True)
        st.error(t("app.unexpected_error", reference=reference), icon=":material/error:")
        if not runtime.exists():
            raise
        st.stop()


def sidebar_footer() -> None:
    with st.sidebar:
        from pie.ui import login, submissions   # managers: how many partners' batches await approval

        submissions.sidebar_count(login.current_user())
        st.divider()
        st.caption(t("app.source_credit"))  # pie.reference.SOURCE_CREDIT, translated
