"""Named SQL queries: one file per question under queries/, parameters as `$name`."""
from __future__ import annotations

import functools
import re

from pie.config import QUERIES_DIR
from pie.errors import UnknownQuery

_PARAMETER = re.compile(r"\$([a-z_][a-z0-9_]*)")


@functools.cache
def sql(name: str) -> str:
    """The text of queries/<name>.sql (e.g. `kpis/indicators`)."""
    path = (QUERIES_DIR / f"{name}.sql").resolve()
    if QUERIES_DIR.resolve() not in path.parents or not path.is_file():
        raise UnknownQuery(f"no query named {name!r} in {QUERIES_DIR}")
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
