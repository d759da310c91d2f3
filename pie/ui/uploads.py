"""Which browser sessions may upload files: the guard in front of Streamlit's upload endpoint.

Streamlit accepts `PUT /_stcore/upload_file/<session_id>/<file_id>` for any live session id,
logged in or not: an anonymous visitor (or a script that opened a websocket) could push files
of up to server.maxUploadSize into the server's memory. pie.ui.serve wraps that endpoint (and
DELETE on it) with `guard_upload_routes`, which answers 403 unless the session was allowed here.

dashboard.py tells the registry, on every run, whether the session's user may import
(`allow_uploads(session_id, allowed)`: a user whose role has the import page); a session is
refused until then, and again after logout. The registry lives in the server process, as the
sessions do.
"""
from __future__ import annotations

import threading

_lock = threading.Lock()
_allowed: set[str] = set()

UPLOAD_ROUTE_PREFIX = "/_stcore/upload_file/"


def allow_uploads(session_id: str, allowed: bool) -> None:
    """Record whether the browser session `session_id` may upload files (its user may import)."""
    with _lock:
        if allowed:
            _allowed.add(session_id)
        else:
            _allowed.discard(session_id)


def may_upload(session_id: str) -> bool:
    with _lock:
        return session_id in _allowed


def may_import(role: str) -> bool:
    """True when `role` has the import page in pie/ui/navigation.py (admin, manager and the
    partner roles: establishment, bank, incubator)."""
    from pie.ui import navigation

    return any(page.name == "import" for page in navigation.pages_for(role))


def current_session_id() -> str | None:
    """The id of the browser session running this script (None outside a script run)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return ctx.session_id if ctx is not None else None


def guard_upload_routes(routes: list) -> list:
    """`routes` (Streamlit's upload routes) with PUT and DELETE refused (403) for a session
    that may not upload; the body of a refused PUT is never read."""
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    def guarded(endpoint):
        async def endpoint_if_allowed(request):
            if not may_upload(request.path_params.get("session_id", "")):
                return PlainTextResponse("Uploads need a logged-in account that may import.", status_code=403)
            return await endpoint(request)
        return endpoint_if_allowed

    result = []
    for route in routes:
        methods = getattr(route, "methods", None) or set()
        if isinstance(route, Route) and methods & {"PUT", "DELETE"}:
            route = Route(route.path, guarded(route.endpoint), methods=sorted(methods - {"HEAD"}),
                          name=route.name)
        result.append(route)
    return result
