"""Start the dashboard: `streamlit run dashboard.py`, with every run on Streamlit's current
multipage navigation from the very first one, safe defaults, and uploads for importers only.

usage: python -m pie.ui.serve [options of `streamlit run`, e.g. --server.port 8502]

Why not plain `streamlit run`:
- DESIGN.md keeps the pages in pages/<section>/ next to dashboard.py, and Streamlit decides
  once per process, when the first browser session opens, whether a `pages/` folder means the
  legacy multipage mode; it leaves that mode only after dashboard.py has called st.navigation
  once. So the first request after a (re)start went through the legacy wrapper, and a
  bookmarked page (e.g. /funnel) opened with a "Page not found" dialog. This launcher settles
  the question before the server starts. (Streamlit 1.67, pinned in requirements.txt;
  tests/test_browser.py opens a deep link first on a fresh server.)
- Streamlit's upload endpoint (`PUT /_stcore/upload_file/<session_id>/<file_id>`) takes a file
  for any live session, logged in or not. The launcher wraps it before the server starts
  (pie.ui.uploads): a session whose user may not import gets 403.
- Warm caches (pie.ui.warmup): once the server runs, a background thread computes the answers
  of every role's landing page (and what this process's visitors asked before) for the current
  snapshot, and again for each snapshot an import publishes. PIE_WARMUP=0 switches it off.
- Safe defaults whatever the working directory (.streamlit/config.toml is read from it):
  listen on PIE_LISTEN_ADDRESS (127.0.0.1 unless told), uploads up to 50 MB, no error details
  in the browser. Options given on the command line win.
- No full garbage collection after every page run (`runner.postScriptGC`, on by default in
  Streamlit): with the process's cached answers, figures and sessions in memory, that
  `gc.collect(2)` took two thirds of the server's CPU under 100 sessions (py-spy --gil,
  docs/PERFORMANCE.md). Python's own generational collector still frees reference cycles.
"""
from __future__ import annotations

import logging
import os
import sys
import threading
import time
from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli

from pie.config import settings
from pie.ui import browser_session, uploads

DASHBOARD = Path(__file__).resolve().parents[2] / "dashboard.py"
MAX_UPLOAD_MB = 50


def defaults() -> dict[str, str]:
    """The options the launcher passes unless the command line gives them."""
    return {"--server.address": settings().listen_address, "--server.maxUploadSize": str(MAX_UPLOAD_MB),
            "--client.showErrorDetails": "none", "--runner.postScriptGC": "false"}


def with_defaults(args: list[str]) -> list[str]:
    given = {arg.split("=", 1)[0] for arg in args if arg.startswith("--")}
    extra = [part for option, value in defaults().items() if option not in given for part in (option, value)]
    return [*extra, *args]


def guard_uploads() -> None:
    """Make Streamlit's app factory build its upload routes through pie.ui.uploads' guard."""
    from streamlit.web.server.starlette import starlette_app

    build = starlette_app.create_upload_routes
    if getattr(build, "pie_guarded", False):
        return

    def guarded_upload_routes(*args, **kwargs):
        return uploads.guard_upload_routes(build(*args, **kwargs))

    guarded_upload_routes.pie_guarded = True
    starlette_app.create_upload_routes = guarded_upload_routes


def start_warmup_when_running() -> None:
    """Start pie.ui.warmup once Streamlit's runtime exists (its caches are the runtime's), in a
    daemon thread: the server does not wait for it."""
    if os.environ.get("PIE_WARMUP", "1") == "0":
        return

    def wait_then_start() -> None:
        from streamlit.runtime import Runtime

        while not Runtime.exists():
            time.sleep(0.2)
        from pie.ui import warmup

        warmup.start()

    threading.Thread(target=wait_then_start, name="pie-warmup-start", daemon=True).start()


def main(argv: list[str] | None = None) -> None:
    """Run the dashboard's Streamlit server with `argv` as `streamlit run` options (exits)."""
    PagesManager.uses_pages_directory = False  # dashboard.py always calls st.navigation
    # pie's own log lines (page errors with their reference) on stderr, with a time stamp
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("pie").setLevel(logging.INFO)
    guard_uploads()
    browser_session.install()  # /_pie/session (HttpOnly cookie), /media only to its session
    start_warmup_when_running()
    args = with_defaults(list(sys.argv[1:] if argv is None else argv))
    sys.argv = ["streamlit", "run", str(DASHBOARD), *args]
    cli.main(prog_name="streamlit")


if __name__ == "__main__":
    main()
