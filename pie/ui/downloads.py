"""Download buttons for the tables pages show."""
from __future__ import annotations

import streamlit as st

from pie.ui.lang import t
from pie.ui.tables import RATE, Table


def csv_bytes(table: Table) -> bytes:
    """The table as CSV for Excel in French: `;` between fields and `,` as decimal mark (what
    French Excel expects), UTF-8 with a BOM so Excel reads the accents right. Rates are
    written as percentages with one decimal (85,7), counts as plain integers."""
    frame = table.frame.copy()
    for column, kind in table.kinds.items():
        if kind == RATE:
            frame[column] = (frame[column] * 100).round(1)
    return frame.to_csv(index=False, sep=";", decimal=",").encode("utf-8-sig")


def csv_button(table: Table, file_name: str, key: str) -> None:
    """A button that downloads `table` as `file_name` (.csv), without rerunning the page."""
    st.download_button(t("download.csv"), data=csv_bytes(table), file_name=file_name,
                       mime="text/csv", key=key, on_click="ignore", icon=":material/download:")
