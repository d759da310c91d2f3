"""Running the dashboard in Streamlit's AppTest as a given account."""
from __future__ import annotations

import secrets
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
        user = ACCOUNTS[account]
        # Sessions live in the accounts store and need an enabled account there.
        if user.user_name not in {u["user_name"] for u in auth.list_users(None)}:
            auth.add_user(None, user.user_name, user.role, secrets.token_urlsafe(24), user.scope_code, _demo=True)
        at.session_state[login.TOKEN_KEY] = login.open_session(user)
    return at


def dashboard(monkeypatch, database: Path, account: str | None = "manager", **query_params: str) -> AppTest:
    """The dashboard on `database` as `account`, run once (with `query_params` in its URL)."""
    monkeypatch.setenv("PIE_DB", str(database))
    at = AppTest.from_file(DASHBOARD, default_timeout=30)
    at.query_params.update(query_params)
    return signed_in(at, account).run()


def opened_on(monkeypatch, database: Path, account: str, path: str, **query_params: str) -> AppTest:
    """The dashboard on `database` as `account`, run once straight on page `path` (as a
    bookmarked URL opens it: the role's landing page is not run first), with `query_params`
    in its URL. Before a first run AppTest finds the page by its file name, which is each
    page's URL path (pie.ui.navigation.url_path)."""
    monkeypatch.setenv("PIE_DB", str(database))
    at = AppTest.from_file(DASHBOARD, default_timeout=30)
    at.query_params.update(query_params)
    return signed_in(at, account).switch_page(path).run()


def copy_of(database: Path, folder: Path) -> Path:
    """A copy of a database file of record in `folder` (readers publish their own snapshot)."""
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copyfile(database, folder / "pie.duckdb"))
