"""Every named query in queries/: it runs on an empty database for every scope, and
follows the house rules for SQL files."""
from __future__ import annotations

import re

import pytest

from pie import db, queries
from pie.config import QUERIES_DIR
from pie.errors import UnknownQuery
from pie.scope import Scope

TABLES = set(db.PROGRAMME_TABLES) | {"regions", "import_batches", "app_meta"}
SCOPES = [Scope(), Scope(academic_year="2022-2023", region_code="09", establishment_id="E1"),
          Scope.for_role("bank", "BOA"), Scope.for_role("incubator", "MCISE")]
# Values for the non-scope parameters some queries take.
EXTRA_PARAMETERS = {"breakdown": "region"}


@pytest.mark.parametrize("name", queries.names())
def test_query_runs_on_an_empty_database_for_every_scope(empty_db, name):
    """Test that each query binds and runs with each kind of scope."""
    reader = db.reader(empty_db)
    extra = {k: v for k, v in EXTRA_PARAMETERS.items() if k in queries.parameters(name)}
    unknown = queries.parameters(name) - set(Scope().parameters()) - set(extra)
    if unknown:
        pytest.skip(f"needs parameters {sorted(unknown)}: covered by its own tests")
    for scope in SCOPES:
        reader.query(name, scope, **extra)


@pytest.mark.parametrize("name", queries.names())
def test_query_file_says_what_it_returns(name):
    """Test that each query file starts with a comment saying what it returns."""
    assert queries.sql(name).lstrip().startswith("--"), f"{name}.sql needs a first-line comment"


@pytest.mark.parametrize("path", sorted(QUERIES_DIR.rglob("*.sql")), ids=lambda p: p.name)
def test_no_cte_is_named_after_a_table(path):
    """Test that no CTE shadows a table (it would change what the scope macros read)."""
    ctes = re.findall(r"(?:with|,)\s*\n?\s*([a-z_]+)\s+as\s*\(", path.read_text(), flags=re.I)
    assert not TABLES & {c.lower() for c in ctes}


def test_unknown_query_name_is_refused():
    """Test that a name outside queries/ cannot be loaded."""
    with pytest.raises(UnknownQuery, match="no query"):
        queries.sql("../pie/schema")
