"""A dashboard session bound to the browser that logged in (docs/SECURITY.md, "Browser sessions").

Streamlit 1.67 (Starlette/uvicorn server) lets any websocket resume an existing Streamlit
session by presenting its id (the third `Sec-WebSocket-Protocol` entry), and serves `/media/…`
files (downloads) to anyone who knows the URL. Two things close that:

1. **Which connection may use a secret.** The session secret kept in `st.session_state` counts
   only on the websocket connection that typed the password (identified by its
   `Sec-WebSocket-Key`, a random value of each handshake, read through `st.context.headers`).
   Any other connection — a replayed Streamlit session id, a reconnect, a reload, a new tab —
   is logged in only by the HttpOnly cookie `pie_session` it sent (`st.context.cookies`, read
   at connection time), and only while the accounts store says the cookie's secret is a live
   session (pie.auth.check_session at every run).
2. **Setting the cookie without putting the secret in a page.** After a login the page gets a
   single-use ticket (random, 30 s, kept hashed in this process's memory) and a tiny script
   POSTs it to `/_pie/session`; that route answers with `Set-Cookie: pie_session=<secret>;
   Path=/; HttpOnly; SameSite=Strict[; Secure]`. Logout DELETEs the same route (cookie
   expired); the store has already closed the session, so a cookie that stays is dead anyway.
   nginx's sticky `pie_node` cookie sends the POST to the process that issued the ticket.

`/media/<id>` is served only to a request whose cookie secret is live and is the secret of a
Streamlit session that holds that file (the files of deferred downloads are recorded when
Streamlit generates them); anything else gets 404.

Streamlit's own `/auth/logout` (st.logout, single sign-on) also expires `pie_session`. Its
identity cookie (`_streamlit_user`, set by `/oauth2callback`) is no PIE session: /media and
uploads look only at `pie_session` and the PIE user (pie/ui/login.py exchanges a fresh identity
once for a PIE session).

`install()` (called by pie/ui/serve.py before the server starts) adds the route and guards the
media route by wrapping `create_streamlit_routes` of Streamlit's Starlette app — the one place
Streamlit assembles its routes — and `MediaFileManager.execute_deferred`. Both are checked by
tests/test_browser_session.py, which fail if a Streamlit upgrade moves them.
"""
from __future__ import annotations

import hashlib
import json
import os
import secrets
import threading
import time
from urllib.parse import urlsplit

COOKIE = "pie_session"
ROUTE = "/_pie/session"
TICKET_SECONDS = 30.0
MAX_TICKETS = 10_000
SSO_LOGOUT_PATH = "/auth/logout"   # Streamlit's st.logout route (single sign-on)

_lock = threading.Lock()
_tickets: dict[str, tuple[str, float]] = {}   # sha256(ticket) -> (session secret, expiry)
_bound: dict[str, str] = {}                  # Streamlit session id -> sha256(session secret)
_deferred_owners: dict[str, set[str]] = {}   # generated media file id -> Streamlit session ids


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# ------------------------------------------------------------------------------ tickets
def issue_ticket(secret: str) -> str:
    """A single-use ticket, valid TICKET_SECONDS, that the browser exchanges for the cookie."""
    ticket = secrets.token_urlsafe(32)
    now = time.monotonic()
    with _lock:
        for key in [key for key, (_, expiry) in _tickets.items() if expiry < now]:
            del _tickets[key]
        if len(_tickets) >= MAX_TICKETS:
            _tickets.pop(next(iter(_tickets)))
        _tickets[_digest(ticket)] = (secret, now + TICKET_SECONDS)
    return ticket


def redeem_ticket(ticket: str | None) -> str | None:
    """The secret of an unexpired ticket, once; None for anything else."""
    if not ticket or len(ticket) > 200:
        return None
    with _lock:
        entry = _tickets.pop(_digest(ticket), None)
    if entry is None or entry[1] < time.monotonic():
        return None
    return entry[0]


# ------------------------------------------------------------------------------ in a script run
def connection_key() -> str | None:
    """The websocket handshake's Sec-WebSocket-Key of this run's connection (None without a
    websocket, e.g. under AppTest)."""
    import streamlit as st

    try:
        return st.context.headers.get("Sec-WebSocket-Key")
    except Exception:  # noqa: BLE001 - no client context
        return None


def cookie_secret() -> str | None:
    """The `pie_session` cookie this run's websocket connection sent, if any."""
    import streamlit as st

    try:
        value = st.context.cookies.get(COOKIE)
    except Exception:  # noqa: BLE001 - no client context
        return None
    return value if isinstance(value, str) and value else None


def bind(secret: str | None) -> None:
    """Record that this run's Streamlit session uses `secret` (None: no one), for /media."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    if ctx is None:
        return
    with _lock:
        if secret is None:
            _bound.pop(ctx.session_id, None)
        else:
            _bound[ctx.session_id] = _digest(secret)


def set_cookie_script(ticket: str, base_path: str = "") -> str:
    """HTML whose script exchanges `ticket` for the HttpOnly cookie (st.html with JavaScript)."""
    url = json.dumps(base_path.rstrip("/") + ROUTE)
    return (f"<script>fetch({url}, {{method: 'POST', credentials: 'same-origin', "
            f"headers: {{'Content-Type': 'text/plain'}}, body: {json.dumps(ticket)}}});</script>")


def clear_cookie_script(base_path: str = "") -> str:
    url = json.dumps(base_path.rstrip("/") + ROUTE)
    return f"<script>fetch({url}, {{method: 'DELETE', credentials: 'same-origin'}});</script>"


def render(html: str) -> None:
    """Run a tiny script in the page (no visible element)."""
    import streamlit as st

    st.html(html, unsafe_allow_javascript=True, width="content")


def base_path() -> str:
    from streamlit import config

    base = (config.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}" if base else ""


# ------------------------------------------------------------------------------ server side
def cookie_header(secret: str, secure: bool, max_age: int) -> str:
    parts = [f"{COOKIE}={secret}", f"Path={base_path() or '/'}", f"Max-Age={max_age}",
             "HttpOnly", "SameSite=Strict"]
    if secure:
        parts.append("Secure")
    return "; ".join(parts)


def _secure(request) -> bool:
    from pie.config import settings

    choice = settings().cookie_secure
    if choice is not None:
        return choice
    return (request.url.scheme == "https"
            or request.headers.get("x-forwarded-proto", "").split(",")[0].strip() == "https")


def _same_origin(request) -> bool:
    """A request sent by a page of this site: browsers send Sec-Fetch-Site and Origin."""
    site = request.headers.get("sec-fetch-site")
    if site is not None and site != "same-origin":
        return False
    origin = request.headers.get("origin")
    if origin is not None and urlsplit(origin).netloc != request.headers.get("host"):
        return False
    return True


def _live(secret: str | None) -> bool:
    from pie import auth
    from pie.config import settings

    if not secret or len(secret) > 200:
        return False
    user, _ = auth.check_session(secret, settings().db_path)
    return user is not None


async def _session_endpoint(request):
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import Response

    from pie.config import settings

    if not _same_origin(request):
        return Response(status_code=403)
    if request.method == "DELETE":
        response = Response(status_code=204)
        response.headers["Set-Cookie"] = cookie_header("", _secure(request), 0)
        response.headers["Cache-Control"] = "no-store"
        return response
    body = await request.body()
    secret = redeem_ticket(body[:256].decode("utf-8", "replace").strip())
    if secret is None or not await run_in_threadpool(_live, secret):
        return Response(status_code=403)
    max_age = int(settings().session_max_hours * 3600)
    response = Response(status_code=204)
    response.headers["Set-Cookie"] = cookie_header(secret, _secure(request), max_age)
    response.headers["Cache-Control"] = "no-store"
    return response


def media_allowed(manager, file_id: str, secret: str | None) -> bool:
    """Whether the browser holding `secret` may read media file `file_id` (storage id, without
    extension): a live session whose Streamlit session holds the file."""
    if not _live(secret):
        return False
    digest = _digest(secret)
    with manager._lock:
        owners = {session for session, files in manager._files_by_session_and_coord.items()
                  if file_id in files.values()}
    with _lock:
        owners |= _deferred_owners.get(file_id, set())
        return any(_bound.get(session) == digest for session in owners)


def _guard_media(endpoint, runtime):
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import Response

    async def guarded(request):
        file_id = os.path.splitext(request.path_params.get("file_id", ""))[0]
        secret = request.cookies.get(COOKIE)
        if not await run_in_threadpool(media_allowed, runtime.media_file_mgr, file_id, secret):
            return Response("File not found", status_code=404)
        return await endpoint(request)

    return guarded


def _record_deferred_owner(original):
    def execute_deferred(self, file_id: str) -> str:
        with self._lock:
            entry = self._deferred_callables.get(file_id)
        owner = entry.get("session_id") if isinstance(entry, dict) else None
        url = original(self, file_id)
        generated = os.path.splitext(os.path.basename(urlsplit(url).path))[0]
        if owner:
            with _lock:
                _deferred_owners.setdefault(generated, set()).add(owner)
                if len(_deferred_owners) > 1000:  # forget files Streamlit has dropped
                    for stale in [key for key in _deferred_owners if key not in self._file_metadata]:
                        del _deferred_owners[stale]
        return url

    execute_deferred.pie_records_owner = True
    return execute_deferred


def _expiring_session_cookie(endpoint):
    """Streamlit's /auth/logout (st.logout) that also expires the PIE cookie: the page that
    called st.logout has left before its own script could (the session is already closed)."""
    async def logout(request):
        response = await endpoint(request)
        response.headers.append("Set-Cookie", cookie_header("", _secure(request), 0))
        return response

    return logout


def routes_with_session(create_routes):
    """`create_streamlit_routes` plus our route, with the media route guarded."""
    def create(runtime):
        from starlette.routing import Route

        routes = []
        for route in create_routes(runtime):
            if (isinstance(route, Route) and "/media/" in route.path
                    and "GET" in (route.methods or ())):
                route = Route(route.path, _guard_media(route.endpoint, runtime),
                              methods=sorted(route.methods - {"HEAD"}), name=route.name)
            elif isinstance(route, Route) and route.path.endswith(SSO_LOGOUT_PATH):
                route = Route(route.path, _expiring_session_cookie(route.endpoint),
                              methods=sorted((route.methods or {"GET"}) - {"HEAD"}), name=route.name)
            routes.append(route)
        return [Route(base_path() + ROUTE, _session_endpoint, methods=["POST", "DELETE"]), *routes]

    create.pie_session_routes = True
    return create


def install() -> None:
    """Patch Streamlit's route factory and deferred downloads (before the server starts)."""
    from streamlit.runtime.media_file_manager import MediaFileManager
    from streamlit.web.server.starlette import starlette_app

    if not getattr(starlette_app.create_streamlit_routes, "pie_session_routes", False):
        starlette_app.create_streamlit_routes = routes_with_session(starlette_app.create_streamlit_routes)
    if not getattr(MediaFileManager.execute_deferred, "pie_records_owner", False):
        MediaFileManager.execute_deferred = _record_deferred_owner(MediaFileManager.execute_deferred)
