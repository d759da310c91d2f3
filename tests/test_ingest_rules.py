"""The import spec (pie/ingest/rules.py) says exactly what pie/schema.sql and
shared/DATA_MODEL.md say: tables, columns in order, keys, NOT NULL, types, code lists."""
from __future__ import annotations

import re

import pytest

from pie import db
from pie.config import PROJECT_ROOT
from pie.ingest import rules
from pie.ingest.report import PROBLEM_TYPES
from pie.ingest.parse import REASONS

DATA_MODEL = PROJECT_ROOT.parent / "shared" / "DATA_MODEL.md"
# Tables of our own design, documented in the same form as DATA_MODEL.md.
OWN_TABLES = PROJECT_ROOT / "docs" / "FOLLOW_UP_ACTIONS.md"
SQL_FAMILY = {"varchar": "VARCHAR", "date": "DATE", "integer": "INTEGER"}


def test_tables_in_load_order():
    """Test that the spec has the programme tables of pie.db, then the tables of our own design
    (docs/FOLLOW_UP_ACTIONS.md), in its load order."""
    assert rules.TABLE_NAMES == db.IMPORTED_TABLES == (*db.PROGRAMME_TABLES, "follow_up_actions")


def test_columns_keys_and_not_null_match_the_schema(empty_db):
    """Test columns (names, order, types), primary keys and NOT NULL against the schema."""
    with db.reader(empty_db).connection().cursor() as cur:
        for spec in rules.TABLES.values():
            columns = cur.execute(
                "select column_name, data_type, is_nullable from information_schema.columns "
                "where table_name = $t order by ordinal_position", {"t": spec.name}).fetchall()
            assert [c[0] for c in columns] == list(spec.names), spec.name
            for (name, data_type, nullable), column in zip(columns, spec.columns):
                assert data_type.lower().replace(" ", "") == column.sql_type.replace(" ", ""), (spec.name, name)
                assert (nullable == "NO") == column.not_null, (spec.name, name)
            [key] = cur.execute("select constraint_column_names from duckdb_constraints() "
                                "where table_name = $t and constraint_type = 'PRIMARY KEY'", {"t": spec.name}).fetchone()
            assert tuple(key) == spec.key, spec.name


def data_model() -> dict[str, dict[str, str]]:
    """{table: {column: rule text}} and the sector list, from DATA_MODEL.md."""
    tables: dict[str, dict[str, str]] = {}
    current = None
    lines = DATA_MODEL.read_text(encoding="utf-8").splitlines() + OWN_TABLES.read_text(encoding="utf-8").splitlines()
    for line in lines:
        heading = re.match(r"^### ([a-z_]+)\b", line)
        if heading:
            current = heading.group(1)
            tables[current] = {}
            continue
        row = re.match(r"^\| ([a-z_0-9]+) \| [^|]+ \|(.*)\|\s*$", line)
        if current and row and row.group(1) != "column":
            tables[current][row.group(1)] = row.group(2)
    return tables


@pytest.mark.skipif(not DATA_MODEL.exists(), reason="shared/DATA_MODEL.md is not beside the repository")
def test_spec_matches_data_model_md():
    """Test every imported table's columns and every code list against DATA_MODEL.md."""
    model = data_model()
    text = DATA_MODEL.read_text(encoding="utf-8")
    sectors = re.findall(r"`([a-z_]+)`", text.split("## Sectors", 1)[1].split("##", 1)[0])
    assert tuple(sectors) == rules.SECTORS
    for spec in rules.TABLES.values():
        assert list(model[spec.name]) == list(spec.names), spec.name
        for column in spec.columns:
            rule = model[spec.name][column.name]
            assert ("key" in rule) == column.key, (spec.name, column.name)
            if column.kind == rules.CODE:
                listed = sectors if "Sectors" in rule else re.findall(r"`([a-z_]+)`", rule)
                assert tuple(listed) == column.codes, (spec.name, column.name)


def test_every_reason_and_type_is_translated():
    """Test that every problem type has a title and every reason key a French text."""
    from pie import i18n

    catalog = i18n.catalog("fr")
    for type_ in PROBLEM_TYPES:
        assert f"ingest.type.{type_}" in catalog
    assert set(REASONS.values()) <= set(PROBLEM_TYPES)
    for key in REASONS:
        assert f"ingest.reason.{key}" in catalog
    keys = {f"ingest.rule.{r.reason}" for t in rules.TABLES.values() for r in t.row_rules}
    from pie.ingest.validate import PAIR_RULES, UNIQUE_RULES

    keys |= {f"ingest.rule.{c.child_reason}" for r in PAIR_RULES for c in r.checks}
    keys |= {f"ingest.rule.{c.parent_reason}" for r in PAIR_RULES for c in r.checks if c.parent_reason}
    keys |= {f"ingest.rule.{u[-1]}" for u in UNIQUE_RULES}
    assert keys - catalog.keys() == set()
    source = "\n".join(p.read_text(encoding="utf-8") for p in (PROJECT_ROOT / "pie" / "ingest").glob("*.py"))
    for key in re.findall(r'"(ingest\.(?:reason|rule|warning|refused|cli)\.[a-z_.]+)"', source):
        assert key in catalog, key
