"""Download buttons for the tables pages show (CSV and XLSX, the same content).

Every text cell goes through pie.safety.neutralise_formula (text a spreadsheet would run as a
formula gets a leading apostrophe) and XLSX text cells are written as strings, never formulas.

Numbers are rounded to what they mean, by column kind (pie.ui.tables): amounts to the
centime (2 decimals), rates to 4 decimals of the fraction (85,71 % — the CSV writes them as
percentages, 85,71; the XLSX as fractions shown as percentages), day counts and counts whole,
other decimals to the table's own decimals. Dates are ISO (2024-07-01) in both files. XLSX
cells are numbers or dates with a number format, never text holding a number.
"""
from __future__ import annotations

import io
from typing import Callable

import numpy as np
import pandas as pd
import streamlit as st

from pie.safety import neutralise_formula
from pie.ui.lang import t
from pie.ui.tables import AMOUNT, COUNT, DATE, DAYS, DECIMAL, RATE, SIGNED, Table

AMOUNT_DECIMALS = 2   # dirhams to the centime
RATE_DECIMALS = 4     # of the fraction: 0.8571 = 85.71 %
FREE_DECIMALS = 4     # a float column of no numeric kind (never 268.96711393857646)
ISO_DATE, ISO_TIME = "%Y-%m-%d", "%Y-%m-%d %H:%M:%S"
# XLSX number formats by column kind (Excel shows them in the reader's own language).
XLSX_FORMATS = {COUNT: "#,##0", DAYS: "#,##0", AMOUNT: "#,##0.00", RATE: "0.00%",
                SIGNED: "+#,##0;-#,##0;0", DATE: "yyyy-mm-dd"}


def _decimal_format(decimals: int) -> str:
    return "#,##0" + ("." + "0" * decimals if decimals else "")


def _whole(series: pd.Series) -> pd.Series:
    """Whole numbers (nullable), rounded half away from zero as people round."""
    numbers = pd.to_numeric(series, errors="coerce").astype("float64")
    return (np.floor(numbers.abs() + 0.5) * np.sign(numbers)).astype("Int64")


def _as_dates(series: pd.Series) -> pd.Series:
    """Dates (datetime.date, or None): what a DATE column holds, whatever it came as."""
    parsed = pd.to_datetime(series, errors="coerce")
    return parsed.dt.date.astype("object").where(parsed.notna(), None)


def rounded_frame(table: Table) -> pd.DataFrame:
    """`table.frame` with each number rounded to its meaning (module docstring): counts and day
    counts whole, amounts 2 decimals, rates 4 (as fractions), decimals as the table shows
    them; DATE columns as dates; any other float column 4 decimals."""
    frame = table.frame.copy()
    for column in frame.columns:
        kind = table.kinds.get(column)
        values = frame[column]
        if kind in (COUNT, DAYS, SIGNED):
            frame[column] = _whole(values)
        elif kind == AMOUNT:
            frame[column] = pd.to_numeric(values, errors="coerce").astype("float64").round(AMOUNT_DECIMALS)
        elif kind == RATE:
            frame[column] = pd.to_numeric(values, errors="coerce").astype("float64").round(RATE_DECIMALS)
        elif kind == DECIMAL:
            frame[column] = pd.to_numeric(values, errors="coerce").astype("float64").round(
                table.decimals.get(column, 1))
        elif kind == DATE:
            frame[column] = _as_dates(values)
        elif pd.api.types.is_float_dtype(values):
            frame[column] = values.round(FREE_DECIMALS)
    return frame


def _iso_text(frame: pd.DataFrame, table: Table) -> pd.DataFrame:
    """Dates and times as ISO text (2024-07-01, 2026-12-05 14:30:00), for the CSV."""
    for column in frame.columns:
        values = frame[column]
        if table.kinds.get(column) == DATE:
            frame[column] = values.map(lambda day: day.strftime(ISO_DATE), na_action="ignore")
        elif pd.api.types.is_datetime64_any_dtype(values):
            frame[column] = values.dt.strftime(ISO_TIME).where(values.notna(), None)
    return frame


def spreadsheet_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with every text cell (and header) as a spreadsheet must hold it
    (pie.safety.neutralise_formula); number columns are left as they are."""
    frame = frame.copy()
    for column in frame.columns:
        if not (pd.api.types.is_numeric_dtype(frame[column]) or pd.api.types.is_datetime64_any_dtype(frame[column])):
            frame[column] = frame[column].map(neutralise_formula, na_action="ignore")
    frame.columns = [neutralise_formula(str(c)) for c in frame.columns]
    return frame


PERSONAL_SUFFIX = "_donnees_personnelles"  # the file names of downloads that carry contacts


def _logged(build: Callable[[], bytes], file_name: str, personal: Callable[[str], None] | None) -> Callable[[], bytes]:
    """`build`, calling `personal(file_name)` first (the access log) when the file carries contacts."""
    if personal is None:
        return build
    return lambda: (personal(file_name), build())[1]


def _fixed(decimals: int):
    """A number as CSV text with exactly `decimals` decimals and a decimal comma (350000,00)."""
    return lambda value: f"{value:.{decimals}f}".replace(".", ",")


def csv_bytes(table: Table) -> bytes:
    """The table as CSV for Excel in French: `;` between fields and `,` as decimal mark (what
    French Excel expects), UTF-8 with a BOM so Excel reads the accents right. Numbers rounded
    to their meaning (`rounded_frame`) and written with their decimals: amounts 350000,00,
    rates as percentages with 2 decimals (85,71: the fraction's 4), other decimals with the
    table's, counts as plain integers; dates ISO (2024-07-01); records end with CRLF."""
    rounded = rounded_frame(table)
    frame = spreadsheet_frame(_iso_text(rounded.copy(), table))
    for original, column in zip(rounded.columns, frame.columns):
        kind = table.kinds.get(original)
        if kind == AMOUNT:
            frame[column] = rounded[original].map(_fixed(AMOUNT_DECIMALS), na_action="ignore")
        elif kind == RATE:
            frame[column] = (rounded[original] * 100).map(_fixed(RATE_DECIMALS - 2), na_action="ignore")
        elif kind == DECIMAL:
            frame[column] = rounded[original].map(_fixed(table.decimals.get(original, 1)), na_action="ignore")
    # CRLF between records (RFC 4180, as Excel writes): pandas then quotes a field holding a CR
    # or a LF; with LF alone a CR inside a text would start a new record in Excel, whose first
    # cell escapes the apostrophe rule (`'\r=1+1` read as `'` then a new line `=1+1`).
    return frame.to_csv(index=False, sep=";", decimal=",", lineterminator="\r\n").encode("utf-8-sig")


def csv_button(table: Table, file_name: str, key: str, personal: Callable[[str], None] | None = None) -> None:
    """A button that downloads `table` as `file_name` (.csv), without rerunning the page.
    The file is written only when the button is clicked (deferred data), not on every run."""
    st.download_button(t("download.csv"), data=_logged(lambda: csv_bytes(table), file_name, personal), file_name=file_name,
                       mime="text/csv", key=key, on_click="ignore", icon=":material/download:")


def xlsx_bytes(table: Table, sheet: str = "PIE") -> bytes:
    """The table as an Excel workbook (one sheet, frozen header): numbers as numbers rounded to
    their meaning (`rounded_frame`) with a number format per kind (XLSX_FORMATS: rates as Excel
    percentages so they sum and sort as numbers, amounts with 2 decimals), dates as dates
    (yyyy-mm-dd); text cells are strings, never formulas."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl", date_format="yyyy-mm-dd",
                        datetime_format="yyyy-mm-dd hh:mm:ss") as writer:
        spreadsheet_frame(rounded_frame(table)).to_excel(writer, sheet_name=sheet[:31], index=False)
        worksheet = writer.sheets[sheet[:31]]
        for row in worksheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":  # openpyxl makes any text starting with = a formula
                    cell.data_type = "s"
        worksheet.freeze_panes = "A2"
        for index, (column, kind) in enumerate(table.kinds.items(), start=1):
            letter = worksheet.cell(row=1, column=index).column_letter
            worksheet.column_dimensions[letter].width = max(12, min(48, len(str(column)) + 4))
            number_format = (_decimal_format(table.decimals.get(column, 1)) if kind == DECIMAL
                             else XLSX_FORMATS.get(kind))
            if number_format:
                for (cell,) in worksheet.iter_rows(min_row=2, min_col=index, max_col=index):
                    if cell.value is not None:
                        cell.number_format = number_format
    return buffer.getvalue()


def download_buttons(table: Table, file_name: str, key: str, personal: Callable[[str], None] | None = None) -> None:
    """CSV and XLSX buttons side by side for `table`; `file_name` without extension. With
    `personal` (the table carries contact data): the names end with PERSONAL_SUFFIX and each
    download calls `personal(file name)` when it is built (pie.ui.contacts logs it)."""
    stem = file_name.removesuffix(".csv").removesuffix(".xlsx") + (PERSONAL_SUFFIX if personal else "")
    with st.container(horizontal=True):  # each button as wide as its label, even in a narrow column
        csv_button(table, f"{stem}.csv", key=f"{key}_csv", personal=personal)
        # the workbook is built only when the button is clicked (openpyxl takes tens of ms per table)
        st.download_button(t("download.xlsx"), data=_logged(lambda: xlsx_bytes(table), f"{stem}.xlsx", personal),
                           file_name=f"{stem}.xlsx",
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                           key=f"{key}_xlsx", on_click="ignore", icon=":material/table_view:")
