"""How the generated arrays become table rows: Arrow columns that DuckDB reads without a copy
(dates, codes as dictionaries, amounts) and the SQL that formats identifiers and names.

A step returns a `Table`: (table name, Arrow frame, the SELECT over `demo_frame` whose rows
are inserted into that table).
"""
from __future__ import annotations

import unicodedata

import numpy as np
import pyarrow as pa

Table = tuple[str, pa.Table, str]


def date_col(days: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """Day numbers as an Arrow date column (NULL where not `valid`)."""
    return pa.array(np.asarray(days, dtype=np.int32), mask=None if valid is None else ~valid).view(pa.date32())


def code_col(codes: np.ndarray, labels, valid: np.ndarray | None = None) -> pa.Array:
    """Codes as an Arrow dictionary of their labels (DuckDB reads it as text)."""
    indices = pa.array(np.asarray(codes, dtype=np.int32), mask=None if valid is None else ~valid)
    return pa.DictionaryArray.from_arrays(indices, pa.array(list(labels), pa.string()))


def money_col(values: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """Amounts rounded to the centime (NULL where not `valid`)."""
    return pa.array(np.round(values, 2), mask=None if valid is None else ~valid)


def ascii_slug(text: str) -> str:
    """Lower-case letters and digits of a name without its accents (for e-mail addresses)."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "".join(ch for ch in plain.lower() if ch.isalnum())


def sql_id(prefix: str, column: str, width: int) -> str:
    """SQL expression of a formatted identifier (`P-0000001`) from an integer column."""
    return f"'{prefix}' || lpad(cast({column} as varchar), {width}, '0')"
