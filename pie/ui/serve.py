"""Start the dashboard: `streamlit run dashboard.py`, with every run on Streamlit's current
multipage navigation from the very first one.

usage: python -m pie.ui.serve [options of `streamlit run`, e.g. --server.port 8502]

Why not plain `streamlit run`: DESIGN.md keeps the pages in pages/<section>/ next to
dashboard.py, and Streamlit decides once per process, when the first browser session opens,
whether a `pages/` folder means the legacy multipage mode; it leaves that mode only after
dashboard.py has called st.navigation once. So the first request after a (re)start went through
the legacy wrapper, and a bookmarked page (e.g. /funnel) opened with a "Page not found" dialog.
This launcher settles the question before the server starts. (Streamlit 1.67, pinned in
requirements.txt; tests/test_browser.py opens a deep link first on a fresh server.)
"""
from __future__ import annotations

import sys
from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli

from pie.ui import browser_session

DASHBOARD = Path(__file__).resolve().parents[2] / "dashboard.py"


def main(argv: list[str] | None = None) -> None:
    """Run the dashboard's Streamlit server with `argv` as `streamlit run` options (exits)."""
    PagesManager.uses_pages_directory = False  # dashboard.py always calls st.navigation
    browser_session.install()  # /_pie/session (HttpOnly cookie), /media only to its session
    sys.argv = ["streamlit", "run", str(DASHBOARD), *(sys.argv[1:] if argv is None else argv)]
    cli.main(prog_name="streamlit")


if __name__ == "__main__":
    main()
