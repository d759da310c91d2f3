"""Named SQL queries: one file per question under queries/, parameters as `$name`.

`run(source, name, scope, **params)` is the one way to run a named query for a scope: the scope
gives the five parameters of the scope macros (queries/scope/macros.sql), `params` the query's
own. `source` is a `pie.db.Reader` (the published snapshot) or a DuckDB connection.
"""
from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING, Union

import duckdb
import pandas as pd

from pie.config import QUERIES_DIR
from pie.errors import PieError, UnknownQuery
from pie.scope import Scope

if TYPE_CHECKING:
    from pie.db import Reader

# Where a figure reads from: the Reader of a database, or an open connection (writers, tests).
Source = Union["Reader", duckdb.DuckDBPyConnection]

_PARAMETER = re.compile(r"\$([a-z_][a-z0-9_]*)")


@functools.cache
def sql(name: str) -> str:
    """The text of queries/<name>.sql (e.g. `kpis/indicators`)."""
    path = (QUERIES_DIR / f"{name}.sql").resolve()
    if QUERIES_DIR.resolve() not in path.parents or not path.is_file():
        raise UnknownQuery(key="queries.error.unknown", name=name, folder=QUERIES_DIR)
    return path.read_text(encoding="utf-8")


@functools.cache
def parameters(name: str) -> frozenset[str]:
    """The `$name` parameters query `name` uses (DuckDB refuses extra or missing ones)."""
    return frozenset(_PARAMETER.findall(sql(name)))


def names() -> list[str]:
    """Every query name, sorted (the scope macros are not a query)."""
    return sorted(
        str(p.relative_to(QUERIES_DIR).with_suffix(""))
        for p in QUERIES_DIR.rglob("*.sql")
        if p.parent.name != "scope"
    )


def run(source: Source, name: str, scope: Scope | None = None, **params: object) -> pd.DataFrame:
    """Run queries/<name>.sql on `source` with the scope's parameters and `params`."""
    con = source if isinstance(source, duckdb.DuckDBPyConnection) else source.connection()
    values = {**(scope or Scope()).parameters(), **params}
    wanted = parameters(name)
    missing = wanted - values.keys()
    if missing:
        raise PieError(key="queries.error.missing_parameters", name=name, parameters=", ".join(sorted(missing)))
    with con.cursor() as cur:
        return cur.execute(sql(name), {k: values[k] for k in wanted}).df()
