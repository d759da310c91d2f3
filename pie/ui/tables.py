"""Tables as users read them: translated headers, raw values, and how to format each column.

A `Table` keeps numbers as numbers (so st.dataframe sorts them as numbers and the CSV
download can be summed in Excel); `styled` gives the on-screen text of each cell through
pie.i18n, and pie.ui.downloads writes the CSV.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date

import pandas as pd
from pandas.io.formats.style import Styler

import streamlit as st

from pie import i18n
from pie.i18n import EMPTY
from pie.ui import data
from pie.ui.lang import language, t

TEXT, COUNT, RATE = "text", "count", "rate"
DECIMAL = "decimal"  # a number with `Table.decimals[column]` digits after the mark (1 if not given)
SIGNED = "signed"    # a change: +3, -1, 0
DATE = "date"        # a date: 02/10/2023 (fr)
AMOUNT = "amount"    # dirhams: 12 500 MAD
DAYS = "days"        # a count of days, a median included: always whole (85, never 85,0)

# Rows of a long table drawn on screen (pie.ui.layout.show_table, partner_views.show_table).
# Every run formats each cell drawn for the session's language and sends it to the browser:
# about 10 ms per 100 rows of 10 columns, so thousands of rows cost seconds on every click,
# and nobody scrolls them. Lists come most urgent (or largest) first; the downloads hold
# every row.
SCREEN_ROWS = 200


@dataclass(frozen=True)
class Table:
    """`frame` has translated headers and raw values (what the CSV download holds); `kinds`
    maps each header to TEXT, COUNT, RATE (a fraction 0..1), DECIMAL, SIGNED, DATE, AMOUNT or
    DAYS (the downloads round each kind to its meaning, pie.ui.downloads). When `views`
    is given, the screen shows one tab per view (view name -> its columns) instead of every
    column. `colours` gives TEXT columns a background per cell text (a status) on screen.
    `missing` gives a column the text its empty cells show on screen ("not launched" for a
    date never reached); downloads leave them empty."""

    frame: pd.DataFrame
    kinds: dict[str, str]
    views: dict[str, list[str]] = field(default_factory=dict)
    decimals: dict[str, int] = field(default_factory=dict)
    colours: dict[str, dict[str, str]] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)

    def view(self, columns: list[str]) -> "Table":
        return Table(self.frame[columns], {c: self.kinds[c] for c in columns},
                     decimals={c: d for c, d in self.decimals.items() if c in columns},
                     colours={c: v for c, v in self.colours.items() if c in columns},
                     missing={c: v for c, v in self.missing.items() if c in columns})


def _cell(kind: str, decimals: int = 1, missing: str = EMPTY):
    """The on-screen text of a cell of a `kind` column in the session's language (`missing`
    for an empty cell). The language is read once per column, and each distinct number or date
    is formatted once (a long list repeats the same dates and counts, and Babel takes tens of
    microseconds a call)."""
    lang = language()
    text = _text(kind, decimals, lang, missing)
    if i18n.is_rtl(lang):  # Babel's bidi marks misplace text on the dataframe's canvas
        marked = text
        text = lambda value: i18n.strip_marks(marked(value))  # noqa: E731
    return text if kind == TEXT else once_per_value(text)


def once_per_value(text):
    """`text` remembering its answer for each value: a long list repeats a handful of codes,
    dates and counts, and a translation or a Babel format costs tens of microseconds a call
    (the session's language is read from Streamlit's session state each time). For
    `series.map(once_per_value(...))`."""
    seen: dict[object, str] = {}

    def show(value: object) -> str:
        try:
            return seen[value]
        except KeyError:
            shown = seen[value] = text(value)
            return shown
        except TypeError:  # unhashable
            return text(value)
    return show


def _text(kind: str, decimals: int = 1, lang: str | None = None, missing: str = EMPTY):
    lang = lang or language()

    def show(value: object) -> str:
        if value is None or pd.isna(value):
            return missing
        if kind == DECIMAL:
            return i18n.fmt_number(value, lang, decimals)
        if kind == DAYS:
            return i18n.fmt_days(value, lang)
        if kind == DATE:
            return i18n.fmt_date(pd.Timestamp(value).date() if not isinstance(value, date) else value, lang)
        if kind == AMOUNT:
            return i18n.fmt_mad(value, lang)
        if kind == SIGNED:
            return i18n.fmt_signed(value, lang) if value else i18n.fmt_number(0, lang)
        if kind == RATE:
            return i18n.fmt_percent(value, lang)
        return i18n.fmt_number(value, lang) if kind == COUNT else str(value)
    return show


def _background(colours: dict[str, str]):
    def style(value: object) -> str:
        colour = colours.get(value) if isinstance(value, str) else None
        return f"background-color: {colour}" if colour else ""
    return style


def styled(table: Table) -> Styler:
    """The table with each cell's text formatted for the session's language (and coloured
    where `table.colours` says so). In Arabic, a table that fits on screen comes with its
    columns in reverse order: a dataframe is drawn on a canvas that does not mirror, so the
    first column must be put on the right (see `reads_right_to_left`)."""
    frame = table.frame[table.frame.columns[::-1]] if reads_right_to_left(table) else table.frame
    styler = frame.style.format({column: _cell(kind, table.decimals.get(column, 1), table.missing.get(column, EMPTY))
                                       for column, kind in table.kinds.items()})
    for column, colours in table.colours.items():
        styler = styler.map(_background(colours), subset=[column])
    return styler


# About the width of the main column (1400 px window, sidebar open), and what a character and
# a cell's padding take on the dataframe's canvas.
SCREEN_WIDTH_PX, CHAR_PX, CELL_PADDING_PX = 920, 6, 20


def fits_on_screen(table: Table, rows: int = 50) -> bool:
    """Whether the table is likely drawn without a horizontal scroll bar (estimated from the
    length of its headers and of the first `rows` cells as shown)."""
    frame = table.frame.head(rows)
    width = 0.0
    for column in frame.columns:
        show = _text(table.kinds.get(column, TEXT), table.decimals.get(column, 1),
                     missing=table.missing.get(column, EMPTY))
        longest = max([len(str(column)), *(len(show(value)) for value in frame[column])])
        width += min(longest, 40) * CHAR_PX + CELL_PADDING_PX
    return width <= SCREEN_WIDTH_PX


def reads_right_to_left(table: Table) -> bool:
    """In Arabic, a table that fits on screen is drawn with its first column on the right. A
    wider one keeps its order, first column pinned: the canvas always opens scrolled to the
    left, where reversed columns would hide the first one (the participant, the group)."""
    return i18n.is_rtl(language()) and fits_on_screen(table)


def dataframe(table: Table, container=None, **options):
    """st.dataframe (or `container.dataframe`) of `table` as `styled` formats it, with the
    index hidden and a dash for missing values; in Arabic every column aligned right (the
    canvas aligns text left whatever the page's direction), and a table too wide to reverse
    keeps its first column pinned."""
    options.setdefault("hide_index", True)
    options.setdefault("placeholder", EMPTY)
    if i18n.is_rtl(language()):
        pinned = not reads_right_to_left(table)
        options.setdefault("column_config", {
            column: st.column_config.Column(alignment="right", pinned=pinned and index == 0 or None)
            for index, column in enumerate(table.frame.columns)})
    return (container or st).dataframe(_shared_styled(table), **options)


# Styled tables already formatted, by content and language (shared by every rerun and session
# of the process). Formatting is most of what a warm rerun spends on a table: on each
# st.dataframe call Streamlit asks the Styler to compute, translate and write out every cell's
# text (~5 ms for a 200-row table), although the same table in the same language gives the same
# texts until the data change.
STYLED_KEPT = 256


def content_key(table: Table) -> tuple:
    """What the screen shows of `table`, as a key: its values (pandas' hash of every row, index
    included), headers, dtypes and how each column is formatted, in the session's language."""
    return (frame_digest(table.frame), repr(table.kinds), repr(table.decimals), repr(table.colours),
            repr(table.missing), language())


def frame_digest(frame: pd.DataFrame | pd.Series) -> str:
    """A digest of a frame's (or series') values, index, headers and dtypes: equal digests,
    equal contents. Raises TypeError for cells pandas cannot hash (lists…). About 1 ms per
    1,000 rows of 20 columns."""
    digest = hashlib.blake2b(digest_size=16)
    if len(frame):
        digest.update(pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes())
    if isinstance(frame, pd.Series):
        digest.update(repr((frame.name, repr(frame.dtype), frame.index.names)).encode())
    else:
        digest.update(repr((list(map(str, frame.columns)), list(map(repr, frame.dtypes)),  # categories too
                            frame.index.names)).encode())
    return digest.hexdigest()


def _shared_styled(table: Table) -> Styler:
    """`styled(table)`, formatted once for the same content and language: what Streamlit's
    marshalling makes of it (the cells' texts and styles) is kept with it and sent again as it
    is (`_marshall_kept`). Never changed once kept, so sessions may share it."""
    try:
        key = content_key(table)
    except (TypeError, ValueError):  # a cell pandas cannot hash (a list…): formatted on every run
        return styled(table)
    return data.kept("styled_tables", STYLED_KEPT).get_or_build(
        key, lambda: _marshalled(styled(table), "pie" + key[0][:10]))


def _marshalled(styler: Styler, uuid: str) -> Styler:
    """`styler` with its uuid set (as Streamlit would set it) and what Streamlit's
    marshall_styler writes for it (ArrowData.styler: uuid, styles, display values) kept as
    bytes in `_pie_marshalled`."""
    styler.set_uuid(uuid)
    if _original_marshall_styler is not None:
        from streamlit.proto.ArrowData_pb2 import ArrowData

        proto = ArrowData()
        _original_marshall_styler(proto, styler, uuid)
        styler._pie_marshalled = proto.styler.SerializeToString()  # type: ignore[attr-defined]
    return styler


def _marshall_kept(proto, styler: Styler, default_uuid: str) -> None:
    """Streamlit's marshall_styler, replaying the bytes `_marshalled` kept for a shared Styler."""
    kept = getattr(styler, "_pie_marshalled", None)
    if kept is None:
        _original_marshall_styler(proto, styler, default_uuid)
    else:
        proto.styler.ParseFromString(kept)


def _install_marshall_kept():
    """Put `_marshall_kept` where st.dataframe calls marshall_styler (Streamlit 1.67's
    streamlit.elements.arrow); returns the original, or None when Streamlit is laid out
    otherwise (then tables are formatted on every run, as before)."""
    try:
        from streamlit.elements import arrow
    except ImportError:
        return None
    original = getattr(arrow, "marshall_styler", None)
    if original is None:
        return None
    original = getattr(original, "__wrapped__", original)
    _marshall_kept.__wrapped__ = original  # type: ignore[attr-defined]
    arrow.marshall_styler = _marshall_kept
    return original


_original_marshall_styler = _install_marshall_kept()


def yearly(frame: pd.DataFrame, series: tuple[str, ...]) -> Table:
    """queries/programme/participants_by_year.sql as a table, one row per academic year."""
    year_header = t("breakdown.academic_year")
    columns: dict[str, pd.Series] = {year_header: frame["academic_year"]}
    kinds = {year_header: TEXT}
    for key in series:
        header = t(f"kpi.{key}")
        columns[header], kinds[header] = frame[key].astype("int64"), COUNT
    return Table(pd.DataFrame(columns).reset_index(drop=True), kinds)
