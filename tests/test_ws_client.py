"""benchmarks/ws_client.py reads a run's messages right (no server: a fake websocket)."""
import asyncio
import io
import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from ws_client import Session  # noqa: E402


class FakeSocket:
    def __init__(self, messages):
        self.messages = [m.SerializeToString() for m in messages]
        self.sent = []

    async def send(self, data):
        self.sent.append(data)

    async def recv(self):
        if not self.messages:
            await asyncio.sleep(3600)
        return self.messages.pop(0)


def element(kind, **fields):
    msg = ForwardMsg()
    body = getattr(msg.delta.new_element, kind)
    for name, value in fields.items():
        setattr(body, name, value)
    return msg


def finished(status):
    msg = ForwardMsg()
    msg.script_finished = status
    return msg


def run_with(messages, page="", timeout=5.0):
    tab = Session("http://127.0.0.1:1", timeout=timeout)
    tab._ws = FakeSocket(messages)
    tab.pages = {"": "h0", "funnel": "h1"}
    return tab, asyncio.run(tab.open(page, "region=09"))


def test_run_collects_errors_metrics_tables_and_page():
    new = ForwardMsg()
    new.new_session.page_script_hash = "h1"
    frame = pd.DataFrame({"Banque": ["Bank Of Africa", "Bank Of Africa"]})
    sink = io.BytesIO()
    with pa.ipc.new_stream(sink, pa.Schema.from_pandas(frame)) as writer:
        writer.write_table(pa.Table.from_pandas(frame))
    table = ForwardMsg()
    table.delta.new_element.dataframe.arrow_data.data = sink.getvalue()
    stale = element("metric", label="Participants", body="1")
    messages = [new, stale, finished(ForwardMsg.FINISHED_EARLY_FOR_RERUN), new,
                element("metric", label="Participants", body="12 500"),
                element("alert", body="boom", format=1), element("alert", body="fine", format=3),
                element("exception", type="ValueError", message="bad"), table,
                finished(ForwardMsg.FINISHED_SUCCESSFULLY)]
    tab, run = run_with(messages, "funnel")
    sent = BackMsg()
    sent.ParseFromString(tab._ws.sent[0])
    assert sent.rerun_script.page_name == "funnel" and sent.rerun_script.query_string == "region=09"
    assert run.status == "finished" and run.reruns == 1 and not run.ok
    assert run.metrics == {"Participants": "12 500"}          # the rerun's figures, not the first run's
    assert run.errors == ["boom"] and run.exceptions == ["ValueError: bad"]
    assert run.page_hash == tab.expected_hash("funnel")
    assert run.table_values("Banque") == {"Bank Of Africa"}


def test_timeout_breaks_the_session():
    tab, run = run_with([], timeout=0.05)
    assert run.status == "timeout" and tab.broken and not run.ok
