"""Shared fixtures: small hand-made databases in temporary folders."""
from __future__ import annotations

from pathlib import Path

import pytest

from pie import db

FIXTURES = Path(__file__).parent / "fixtures"


def build_small_programme(path: Path) -> Path:
    """A database holding tests/fixtures/small_programme.sql, published for readers."""
    db.init_database(path)
    with db.writing(path) as con:
        con.execute((FIXTURES / "small_programme.sql").read_text(encoding="utf-8"))
    return path


@pytest.fixture(scope="session")
def small_db(tmp_path_factory) -> Path:
    """Path of the small hand-made programme (read it, don't write it: it is shared)."""
    return build_small_programme(tmp_path_factory.mktemp("small") / "pie.duckdb")


@pytest.fixture
def writable_small_db(tmp_path) -> Path:
    """A copy of the small hand-made programme of this test's own, to write."""
    return build_small_programme(tmp_path / "pie.duckdb")


@pytest.fixture
def empty_db(tmp_path) -> Path:
    """A fresh database with the schema and regions only."""
    return db.init_database(tmp_path / "pie.duckdb")
