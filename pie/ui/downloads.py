"""Download buttons for the tables pages show (CSV and XLSX, the same content).

Every text cell goes through pie.safety.neutralise_formula (text a spreadsheet would run as a
formula gets a leading apostrophe) and XLSX text cells are written as strings, never formulas.
"""
from __future__ import annotations

import io
from typing import Callable

import pandas as pd
import streamlit as st

from pie.safety import neutralise_formula
from pie.ui.lang import t
from pie.ui.tables import RATE, Table


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


def csv_bytes(table: Table) -> bytes:
    """The table as CSV for Excel in French: `;` between fields and `,` as decimal mark (what
    French Excel expects), UTF-8 with a BOM so Excel reads the accents right. Rates are
    written as percentages with one decimal (85,7), counts as plain integers; records end
    with CRLF."""
    frame = table.frame.copy()
    for column, kind in table.kinds.items():
        if kind == RATE:
            frame[column] = (frame[column] * 100).round(1)
    # CRLF between records (RFC 4180, as Excel writes): pandas then quotes a field holding a CR
    # or a LF; with LF alone a CR inside a text would start a new record in Excel, whose first
    # cell escapes the apostrophe rule (`'\r=1+1` read as `'` then a new line `=1+1`).
    return spreadsheet_frame(frame).to_csv(index=False, sep=";", decimal=",",
                                           lineterminator="\r\n").encode("utf-8-sig")


def csv_button(table: Table, file_name: str, key: str, personal: Callable[[str], None] | None = None) -> None:
    """A button that downloads `table` as `file_name` (.csv), without rerunning the page.
    The file is written only when the button is clicked (deferred data), not on every run."""
    st.download_button(t("download.csv"), data=_logged(lambda: csv_bytes(table), file_name, personal), file_name=file_name,
                       mime="text/csv", key=key, on_click="ignore", icon=":material/download:")


def xlsx_bytes(table: Table, sheet: str = "PIE") -> bytes:
    """The table as an Excel workbook (one sheet, frozen header, numbers as numbers; rates
    as Excel percentages so they sum and sort as numbers); text cells are strings, never formulas."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        spreadsheet_frame(table.frame).to_excel(writer, sheet_name=sheet[:31], index=False)
        worksheet = writer.sheets[sheet[:31]]
        for row in worksheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":  # openpyxl makes any text starting with = a formula
                    cell.data_type = "s"
        worksheet.freeze_panes = "A2"
        for index, (column, kind) in enumerate(table.kinds.items(), start=1):
            letter = worksheet.cell(row=1, column=index).column_letter
            worksheet.column_dimensions[letter].width = max(12, min(48, len(str(column)) + 4))
            if kind == RATE:
                for (cell,) in worksheet.iter_rows(min_row=2, min_col=index, max_col=index):
                    cell.number_format = "0.0%"
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
