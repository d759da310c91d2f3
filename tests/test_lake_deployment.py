"""docs/DEPLOYMENT.md section 3 (issue 20), tried: two dashboard processes (PIE_READ_ONLY=1)
behind nginx read the same DuckLake (catalog in a throwaway PostgreSQL, files in a temporary
folder); an import made by a third process (the CLI) is seen by sessions open on both at their
next click, and by new sessions. The nginx site and the session helpers are
tests/test_deployment.py's; only the database differs.
"""
from __future__ import annotations

import asyncio
import subprocess
import sys

import pytest

from pie import auth, lake
from pie.config import PROJECT_ROOT
from test_deployment import PARTICIPANTS, PASSWORD, open_sessions, two_dashboards_behind_nginx, write_import  # noqa: F401
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

    async def scenario() -> None:
        sessions = await open_sessions(site["url"])
        try:
            assert {figure for _, _, figure in sessions} == {"10"}
            done = await asyncio.to_thread(
                subprocess.run, [sys.executable, "-m", "pie", "ingest", str(write_import(tmp_path / "import")),
                                 "--db", database, "--user", "amina", "--json"],
                cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=180)
            assert done.returncode == 0 and '"accepted"' in done.stdout, done.stdout + done.stderr
            for tab, node, _ in sessions:      # sessions opened before the import, next click
                run = await tab.open("")
                assert run.ok, (node, run.status, run.exceptions, run.errors)
                assert run.metrics[PARTICIPANTS] == "15", node
            for tab, node, figure in await open_sessions(site["url"]):   # and new sessions on both
                assert figure == "15", node
                await tab.close()
        finally:
            for tab, _, _ in sessions:
                await tab.close()

    asyncio.run(scenario())
