"""Download buttons for the tables pages show (CSV and XLSX, the same content).

Every text cell goes through pie.safety.neutralise_formula (text a spreadsheet would run as a
formula gets a leading apostrophe) and XLSX text cells are written as strings, never formulas.
"""
from __future__ import annotations

import io

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


def csv_button(table: Table, file_name: str, key: str) -> None:
    """A button that downloads `table` as `file_name` (.csv), without rerunning the page.
    The file is written only when the button is clicked (deferred data), not on every run."""
    st.download_button(t("download.csv"), data=lambda: csv_bytes(table), file_name=file_name,
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


def download_buttons(table: Table, file_name: str, key: str) -> None:
    """CSV and XLSX buttons side by side for `table`; `file_name` without extension."""
    stem = file_name.removesuffix(".csv").removesuffix(".xlsx")
    with st.container(horizontal=True):  # each button as wide as its label, even in a narrow column
        csv_button(table, f"{stem}.csv", key=f"{key}_csv")
        # the workbook is built only when the button is clicked (openpyxl takes tens of ms per table)
        st.download_button(t("download.xlsx"), data=lambda: xlsx_bytes(table), file_name=f"{stem}.xlsx",
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                           key=f"{key}_xlsx", on_click="ignore", icon=":material/table_view:")
