"""pie/ui/browser_session.py without a browser: tickets, the cookie route, the media check, and
the Streamlit internals it relies on (tests/test_browser_session.py drives it in Chromium)."""
from __future__ import annotations

import asyncio

import pytest
from starlette.requests import Request
from starlette.routing import Route
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

from pie import auth
from pie.ui import browser_session

PASSWORD = "correct horse battery"


@pytest.fixture
def live_secret(empty_db, monkeypatch) -> str:
    monkeypatch.setenv("PIE_DB", str(empty_db))
    auth.add_user(empty_db, "amina", "manager", PASSWORD)
    return auth.open_session("amina", empty_db)


def call(method: str, body: bytes = b"", headers: dict[str, str] | None = None):
    headers = {"host": "pie.example.ma", **(headers or {})}
    scope = {"type": "http", "method": method, "path": browser_session.ROUTE, "scheme": "http",
             "query_string": b"", "server": ("pie.example.ma", 80),
             "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()]}

    async def receive():
        return {"type": "http.request", "body": body, "more_body": False}

    return asyncio.run(browser_session._session_endpoint(Request(scope, receive)))


def test_tickets_are_single_use_and_expire(monkeypatch):
    ticket = browser_session.issue_ticket("s1")
    assert browser_session.redeem_ticket(ticket) == "s1"
    assert browser_session.redeem_ticket(ticket) is None
    assert browser_session.redeem_ticket("guess") is None and browser_session.redeem_ticket(None) is None
    monkeypatch.setattr(browser_session, "TICKET_SECONDS", -1.0)
    assert browser_session.redeem_ticket(browser_session.issue_ticket("s2")) is None


def test_the_route_sets_an_httponly_strict_cookie_once_per_ticket(live_secret, monkeypatch):
    monkeypatch.delenv("PIE_COOKIE_SECURE", raising=False)
    ticket = browser_session.issue_ticket(live_secret)
    answer = call("POST", ticket.encode(), {"origin": "http://pie.example.ma", "sec-fetch-site": "same-origin"})
    assert answer.status_code == 204
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith(f"pie_session={live_secret};")
    assert {"Path=/", "HttpOnly", "SameSite=Strict"} <= set(cookie.split("; ")) and "Secure" not in cookie
    assert call("POST", ticket.encode()).status_code == 403          # single use
    behind_https = call("POST", browser_session.issue_ticket(live_secret).encode(),
                        {"x-forwarded-proto": "https"})
    assert behind_https.headers["set-cookie"].endswith("; Secure")
    monkeypatch.setenv("PIE_COOKIE_SECURE", "1")
    assert "Secure" in call("POST", browser_session.issue_ticket(live_secret).encode()).headers["set-cookie"]


def test_the_route_refuses_other_sites_and_dead_sessions(live_secret, empty_db):
    ticket = browser_session.issue_ticket(live_secret)
    assert call("POST", ticket.encode(), {"sec-fetch-site": "cross-site"}).status_code == 403
    assert call("POST", ticket.encode(), {"origin": "https://evil.example"}).status_code == 403
    auth.close_session(live_secret, empty_db)
    assert call("POST", browser_session.issue_ticket(live_secret).encode()).status_code == 403
    cleared = call("DELETE")
    assert cleared.status_code == 204 and "Max-Age=0" in cleared.headers["set-cookie"]


def test_media_only_for_a_live_secret_bound_to_a_session_holding_the_file(live_secret, empty_db, monkeypatch):
    manager = MediaFileManager(MemoryMediaFileStorage("/media"))
    monkeypatch.setattr("streamlit.runtime.media_file_manager._get_session_id", lambda: "st-1")
    url = manager.add(b"a;b\n", "text/csv", "1.2", file_name="x.csv", is_for_static_download=True)
    file_id = url.rsplit("/", 1)[1].split(".")[0]
    assert not browser_session.media_allowed(manager, file_id, live_secret)   # not bound yet
    monkeypatch.setitem(browser_session._bound, "st-1", browser_session._digest(live_secret))
    assert browser_session.media_allowed(manager, file_id, live_secret)
    assert not browser_session.media_allowed(manager, file_id, None)
    assert not browser_session.media_allowed(manager, "other", live_secret)
    other = auth.open_session("amina", empty_db)
    assert not browser_session.media_allowed(manager, file_id, other)          # another browser
    auth.close_session(live_secret, empty_db)
    assert not browser_session.media_allowed(manager, file_id, live_secret)


def test_install_patches_what_streamlit_still_has():
    """A Streamlit upgrade that moves these fails here rather than silently unguarding /media."""
    from streamlit.web.server.starlette import starlette_app

    assert callable(starlette_app.create_streamlit_routes)
    manager = MediaFileManager(MemoryMediaFileStorage("/media"))
    for name in ("_lock", "_files_by_session_and_coord", "_deferred_callables", "_file_metadata"):
        assert hasattr(manager, name), name

    async def media(request):
        return None

    routes = browser_session.routes_with_session(
        lambda runtime: [Route("/media/{file_id:path}", media, methods=["GET", "HEAD"])])(object())
    assert routes[0].path == browser_session.ROUTE and routes[0].methods >= {"POST", "DELETE"}
    assert routes[1].endpoint is not media and "GET" in routes[1].methods
