"""docs/DEPLOYMENT.md section 3 (issue 20), tried: two dashboard processes (PIE_READ_ONLY=1)
behind nginx read the same DuckLake (catalog in a throwaway PostgreSQL, files in a temporary
folder); an import made by a third process (the CLI) is seen by sessions open on both at their
next click, and by new sessions. The nginx site and the session helpers are
tests/test_deployment.py's; only the database differs.
"""
from __future__ import annotations


import pytest

from pie import auth, lake
from test_deployment import PASSWORD, an_import_reaches_every_session, two_dashboards_behind_nginx  # noqa: F401
from test_lake import REASON, lake_env, new_lake  # noqa: F401
from conftest import build_small_programme

pytestmark = [pytest.mark.lake, pytest.mark.slow,
              pytest.mark.skipif(lake.unavailable_reason() is not None, reason=REASON)]


@pytest.fixture
def database(postgres, lake_env) -> str:
    """The small programme on a new lake, with a manager account (overrides test_deployment's
    DuckDB file: the two dashboards behind nginx read this lake)."""
    location = build_small_programme(new_lake(postgres, lake_env))
    auth.add_user(location, "amina", "manager", PASSWORD)
    return location


def test_two_dashboards_behind_nginx_both_see_an_import_made_on_the_lake(two_dashboards_behind_nginx, database,
                                                                         tmp_path):
    site = two_dashboards_behind_nginx

    an_import_reaches_every_session(site["url"], database, tmp_path, timeout=180)
