"""Running the dashboard in Streamlit's AppTest as a given account."""
from __future__ import annotations

import shutil
from pathlib import Path

from streamlit.testing.v1 import AppTest

from pie import auth
from pie.ui import login

ROOT = Path(__file__).resolve().parents[1]
DASHBOARD = str(ROOT / "dashboard.py")

# One account per role, as DESIGN.md's demo accounts.
ACCOUNTS = {
    "admin": auth.User("admin", "admin", None),
    "manager": auth.User("manager", "manager", None),
    "leadership": auth.User("leadership", "leadership", None),
    "boa": auth.User("boa", "bank", "BOA"),
    "cam": auth.User("cam", "bank", "CAM"),
    "mcise": auth.User("mcise", "incubator", "MCISE"),
}


def signed_in(at: AppTest, account: str | None) -> AppTest:
    """`at` with a server-side session for `account` (None: nobody logged in)."""
    if account is not None:
        at.session_state[login.TOKEN_KEY] = login.open_session(ACCOUNTS[account])
    return at


def dashboard(monkeypatch, database: Path, account: str | None = "manager", **query_params: str) -> AppTest:
    """The dashboard on `database` as `account`, run once (with `query_params` in its URL)."""
    monkeypatch.setenv("PIE_DB", str(database))
    at = AppTest.from_file(DASHBOARD, default_timeout=30)
    at.query_params.update(query_params)
    return signed_in(at, account).run()


def copy_of(database: Path, folder: Path) -> Path:
    """A copy of a database file of record in `folder` (readers publish their own snapshot)."""
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copyfile(database, folder / "pie.duckdb"))
