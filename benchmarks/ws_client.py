"""A minimal Streamlit client speaking the browser's websocket protocol (no browser).

What a browser tab does, reduced to what the load benchmark and the deployment test need:
open `/_stcore/stream`, send a `BackMsg.rerun_script` (the page's URL path, query string and
widget values), read `ForwardMsg`s until `script_finished`. A script that calls `st.rerun()`
finishes "early for rerun" and runs again on its own: the client keeps reading until a run
finishes for good. Logging in fills the login form's two text inputs and presses its submit
button in one rerun, as the browser does when the form is submitted.

    async with Session("http://127.0.0.1:8501") as tab:
        await tab.login("manager", "manager")
        run = await tab.open("funnel", query="year=2024-2025&region=09")
        run.seconds, run.metrics, run.exceptions

Only the standard library, `websockets` (a Streamlit dependency) and Streamlit's protobufs.
"""
from __future__ import annotations

import asyncio
import ssl
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

FINISHED = ForwardMsg.ScriptFinishedStatus
ALERT_ERROR = 1  # Alert.Format.ERROR


class ProtocolError(RuntimeError):
    """The server closed the connection, or a run did not finish in time."""


@dataclass
class Run:
    """What one script run sent back."""

    page: str
    seconds: float
    started_at: float                    # time.monotonic() when the rerun was sent
    status: str = "finished"
    exceptions: list[str] = field(default_factory=list)   # st.exception / uncaught errors
    errors: list[str] = field(default_factory=list)       # st.error boxes
    metrics: dict[str, str] = field(default_factory=dict)  # label -> shown value
    texts: list[str] = field(default_factory=list)        # markdown and captions
    tables: list[bytes] = field(default_factory=list)     # st.dataframe contents (Arrow IPC stream)
    page_hash: str = ""                  # page_script_hash of the page that actually ran
    elements: int = 0
    received_bytes: int = 0
    reruns: int = 0                      # runs that ended early with st.rerun()

    @property
    def ok(self) -> bool:
        return self.status == "finished" and not self.exceptions and not self.errors

    def table_values(self, column: str) -> set:
        """Every value of column `column` in the run's st.dataframe tables (needs pyarrow)."""
        import pyarrow as pa

        values: set = set()
        for data in self.tables:
            table = pa.ipc.open_stream(data).read_all()
            if column in table.column_names:
                values.update(table.column(column).to_pylist())
        return values


class Session:
    """One browser session (one websocket) on a Streamlit server."""

    def __init__(self, base_url: str, timeout: float = 120.0, headers: dict[str, str] | None = None,
                 verify_tls: bool = True, resume_session_id: str | None = None):
        parts = urlsplit(base_url.rstrip("/"))
        scheme = "wss" if parts.scheme == "https" else "ws"
        self.url = f"{scheme}://{parts.netloc}{parts.path}/_stcore/stream"
        self.timeout = timeout
        self.headers = headers or {}          # e.g. a cookie a reverse proxy routes on
        # The Streamlit session id to reconnect to (what a browser sends after a network blip;
        # tests/test_browser_session.py replays another client's id with it).
        self.resume_session_id = resume_session_id
        self.tls = None
        if scheme == "wss":
            self.tls = ssl.create_default_context()
            if not verify_tls:                # a test's self-signed certificate
                self.tls.check_hostname = False
                self.tls.verify_mode = ssl.CERT_NONE
        self.pages: dict[str, str] = {}          # url path -> page_script_hash
        self.widgets: dict[str, object] = {}     # widget id -> its element proto (last run)
        # Values the server set on widgets (e.g. the sidebar filters read from the URL): the
        # browser keeps them and sends them back with every rerun, so this client does too.
        self.values: dict[str, WidgetState] = {}
        self._ws = None
        self._page_hash = ""
        # After a timeout the rest of that run's messages may still arrive: the connection can
        # no longer tell which run a message belongs to, so it must not be used again.
        self.broken = False

    async def __aenter__(self) -> "Session":
        await self.connect()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    async def connect(self) -> None:
        # The subprotocol header carries "streamlit" (and optionally an XSRF token and a
        # session id to resume); the browser sends it the same way.
        protocols = ["streamlit"]
        if self.resume_session_id:
            protocols += ["no-xsrf-token", self.resume_session_id]
        self._ws = await websockets.connect(self.url, subprotocols=protocols, max_size=None,
                                            open_timeout=self.timeout, ping_interval=None,
                                            additional_headers=self.headers, ssl=self.tls)

    @property
    def response_headers(self):
        """The headers of the websocket handshake's answer (a proxy may add its own)."""
        return self._ws.response.headers

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()
            self._ws = None

    async def open(self, page: str = "", query: str = "", widget_states: list | None = None) -> Run:
        """Run page `page` (its URL path; "" = the default page) and wait until it finishes.

        `Run.seconds` is the time from sending the request to the `script_finished` message of
        the last run it caused (a run ending "early for rerun" — `st.rerun()` — is followed by
        another one, as in the browser). A run that does not finish within the session's
        timeout has status "timeout" and breaks the session (`broken`); a closed connection has
        status "disconnected (<code>)"."""
        if self._ws is None or self.broken:
            raise ProtocolError("session closed or broken by an earlier timeout")
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = query
        state.page_name = page
        state.page_script_hash = self.pages.get(page, "") if page else ""
        given = {widget.id for widget in widget_states or ()}
        for widget_id, value in self.values.items():
            if widget_id in self.widgets and widget_id not in given:
                state.widget_states.widgets.append(value)
        for widget in widget_states or ():
            state.widget_states.widgets.append(widget)
        started = time.monotonic()
        await self._ws.send(msg.SerializeToString())
        run = Run(page=page, seconds=0.0, started_at=started)
        deadline = started + self.timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                run.status = "timeout"
                break
            try:
                data = await asyncio.wait_for(self._ws.recv(), remaining)
            except asyncio.TimeoutError:
                run.status = "timeout"
                self.broken = True
                break
            except websockets.ConnectionClosed as error:
                code = error.rcvd.code if error.rcvd else "no close frame"
                run.status = f"disconnected ({code})"
                self.broken = True
                break
            run.received_bytes += len(data)
            fwd = ForwardMsg()
            fwd.ParseFromString(data)
            kind = fwd.WhichOneof("type")
            if kind == "new_session":
                # A (re)run starts: what the previous run drew is replaced.
                run.metrics.clear()
                run.errors.clear()
                run.exceptions.clear()
                run.texts.clear()
                run.tables.clear()
                run.elements = 0
                self.widgets.clear()
                self._page_hash = fwd.new_session.page_script_hash
            elif kind == "navigation":
                self.pages = {p.url_pathname: p.page_script_hash for p in fwd.navigation.app_pages}
                self._page_hash = fwd.navigation.page_script_hash
            elif kind == "page_not_found":
                run.errors.append(f"page not found: {fwd.page_not_found.page_name}")
            elif kind == "session_event" and fwd.session_event.WhichOneof("type") == "script_compilation_exception":
                exception = fwd.session_event.script_compilation_exception
                run.exceptions.append(f"{exception.type}: {exception.message}")
            elif kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                self._element(fwd.delta.new_element, run)
            elif kind == "script_finished":
                if fwd.script_finished == FINISHED.FINISHED_EARLY_FOR_RERUN:
                    run.reruns += 1
                    continue
                if fwd.script_finished == FINISHED.FINISHED_WITH_COMPILE_ERROR:
                    run.status = "compile error"
                break
        run.seconds = time.monotonic() - started
        run.page_hash = self._page_hash
        return run

    @property
    def page_paths(self) -> set[str]:
        """The URL paths of the pages the server registered for this session (its menu)."""
        return set(self.pages)

    def expected_hash(self, page: str) -> str:
        """The page_script_hash that a run of `page` should report ("" if unknown)."""
        return self.pages.get(page, "")

    def _element(self, element, run: Run) -> None:
        run.elements += 1
        kind = element.WhichOneof("type")
        if kind is None:
            return
        body = getattr(element, kind)
        if kind == "exception":
            run.exceptions.append(f"{body.type}: {body.message}")
        elif kind == "alert" and body.format == ALERT_ERROR:
            run.errors.append(body.body)
        elif kind == "metric":
            run.metrics[body.label] = body.body
        elif kind == "markdown":
            run.texts.append(body.body)
        elif kind == "dataframe":
            run.tables.append(body.arrow_data.data)
        widget_id = getattr(body, "id", None) if body.DESCRIPTOR.fields_by_name.get("id") else None
        if widget_id:
            self.widgets[widget_id] = (kind, body)
            if kind in ("selectbox", "text_input", "radio") and body.set_value:
                if kind == "text_input":
                    self.values[widget_id] = WidgetState(id=widget_id, string_value=body.value)
                elif body.HasField("raw_value"):
                    self.values[widget_id] = WidgetState(id=widget_id, string_value=body.raw_value)
                else:
                    self.values.pop(widget_id, None)

    async def login(self, user_name: str, password: str, query: str = "") -> Run:
        """Fill and submit the login form; returns the run of the page landed on."""
        first = await self.open("", query)
        if not first.ok:
            raise ProtocolError(f"login page failed: {first.status} {first.exceptions or first.errors}")
        user_field = password_field = submit = None
        for widget_id, (kind, body) in self.widgets.items():
            if kind == "text_input" and body.autocomplete == "username":
                user_field = widget_id
            elif kind == "text_input" and body.autocomplete == "current-password":
                password_field = widget_id
            elif kind == "button" and body.is_form_submitter:
                submit = widget_id
        if not (user_field and password_field and submit):
            raise ProtocolError("no login form on the first page")
        states = [WidgetState(id=user_field, string_value=user_name),
                  WidgetState(id=password_field, string_value=password),
                  WidgetState(id=submit, trigger_value=True)]
        landed = await self.open("", query, states)
        if landed.status != "finished":
            raise ProtocolError(f"login as {user_name}: the landing page {landed.status}")
        if not self.pages or any(kind == "text_input" and body.autocomplete == "current-password"
                                 for kind, body in self.widgets.values()):
            raise ProtocolError(f"login as {user_name} refused: "
                                f"{landed.exceptions or landed.errors or landed.status}")
        return landed
