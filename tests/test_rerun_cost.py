"""What keeps a warm rerun cheap (issue 18, "less work per rerun"): formatted tables, figures and
the contact lists' tables are built once for the same content and shared; the map's boundaries
are fetched by the browser instead of sent on every run."""
from __future__ import annotations

import json

import pandas as pd
import plotly.graph_objects as go
import pyarrow as pa
import pytest
import streamlit as st
from streamlit.elements import arrow
from streamlit.proto.ArrowData_pb2 import ArrowData

from pie.config import PROJECT_ROOT
from pie.leadership import geo
from pie.ui import contacts, data, lang, layout, regions, tables

FRAME = pd.DataFrame({"Groupe": ["CMC Agadir", "ISTA Oujda", None], "Participants": [12500, 3, 40],
                      "Taux": [0.453, None, 0.25]})
KINDS = {"Groupe": tables.TEXT, "Participants": tables.COUNT, "Taux": tables.RATE}


def setup_function():
    st.cache_resource.clear()


@pytest.fixture(autouse=True)
def french(monkeypatch):
    """These tables are formatted outside any script run, in the language of the process's
    latest run (pie.ui.lang.language): French here, whatever test ran before."""
    monkeypatch.setattr(lang, "_last_run_language", "fr")


def test_same_table_is_formatted_once_and_shared():
    """Test that two tables with equal contents get the same formatted Styler, and a different
    value or format a different one."""
    first = tables._shared_styled(tables.Table(FRAME, KINDS))
    assert tables._shared_styled(tables.Table(FRAME.copy(), dict(KINDS))) is first
    changed = FRAME.copy()
    changed.loc[1, "Participants"] = 4
    assert tables._shared_styled(tables.Table(changed, KINDS)) is not first
    assert tables._shared_styled(tables.Table(FRAME, {**KINDS, "Participants": tables.DECIMAL})) is not first


def test_kept_table_sends_what_streamlit_would_have_formatted():
    """Test that st.dataframe's marshalling of a kept table gives exactly the cells' texts and
    styles Streamlit's own marshalling gives, French formats included (12 500, 45,3 %)."""
    table = tables.Table(FRAME, KINDS)
    kept = tables._shared_styled(table)
    assert arrow.marshall_styler is tables._marshall_kept
    replayed, fresh = ArrowData(), ArrowData()
    arrow.marshall_styler(replayed, kept, "ignored")
    tables._original_marshall_styler(fresh, tables.styled(table).set_uuid(kept.uuid), "ignored")
    assert replayed.styler == fresh.styler
    shown = pa.ipc.open_stream(replayed.styler.display_values).read_all().to_pandas()
    assert list(shown["Participants"]) == ["12\u202f500", "3", "40"]
    assert shown["Taux"][0] == "45,3\u00a0%"


def test_cache_clear_empties_what_is_kept():
    """Test that st.cache_resource.clear() (as tests and the warm-up rely on) forgets the kept
    tables and figures too."""
    first = tables._shared_styled(tables.Table(FRAME, KINDS))
    st.cache_resource.clear()
    assert tables._shared_styled(tables.Table(FRAME, KINDS)) is not first


def test_kept_store_drops_the_least_recently_used():
    """Test that a Kept store holds at most its size, dropping the least recently used."""
    kept = data.Kept(2)
    kept.put("a", 1)
    kept.put("b", 2)
    assert kept.get("a") == 1        # "a" is now the most recent
    kept.put("c", 3)
    assert kept.get("b") is None and kept.get("a") == 1 and kept.get("c") == 3 and len(kept) == 2


def test_kept_store_builds_once_for_callers_asking_at_once():
    """Test that sessions asking the same object at the same moment (every session opening its
    landing page right after a publication) wait for one build instead of each building it,
    and that a failed build reaches every waiter and is not kept."""
    import threading
    import time

    kept = data.Kept(4)
    builds, results = [], []

    def slow_build():
        builds.append(1)
        time.sleep(0.3)
        return object()

    threads = [threading.Thread(target=lambda: results.append(kept.get_or_build("chart", slow_build)))
               for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(builds) == 1 and len(results) == 5 and len({id(r) for r in results}) == 1
    assert kept.get("chart") is results[0]

    def failing():
        time.sleep(0.2)
        raise ValueError("no figure")

    errors = []

    def ask():
        try:
            kept.get_or_build("broken", failing)
        except ValueError as error:
            errors.append(error)

    threads = [threading.Thread(target=ask) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(errors) == 3 and kept.get("broken") is None


def test_figures_are_keyed_by_content_and_type():
    """Test that a figure is built once for equal frames, and again for another frame or an
    argument equal in value but not in type (1 and 1.0 label an axis differently)."""
    built = []

    def chart(frame: pd.DataFrame, top: object, language: str) -> go.Figure:
        built.append(top)
        return go.Figure(go.Bar(x=list(frame["Groupe"].fillna("")), y=list(frame["Participants"])))

    first = layout.figure(chart, FRAME, 1, "fr")
    assert layout.figure(chart, FRAME.copy(), 1, "fr") is first
    layout.figure(chart, FRAME, 1.0, "fr")
    layout.figure(chart, FRAME.head(2), 1, "fr")
    assert built == [1, 1.0, 1]


def test_contact_tables_are_built_once_per_list():
    """Test that the masked and whole tables of a contact list are built once for the same
    list, and that the screen's copy has its phones masked while the download's has not."""
    calls = []
    people = pd.DataFrame({"participant_id": ["P1", "P2"], "full_name": ["Amina Idrissi", "Youssef Alami"],
                           "phone": ["0612345678", "0698765432"]})

    def build(frame: pd.DataFrame) -> tables.Table:
        calls.append(len(frame))
        return tables.Table(frame.copy(), {column: tables.TEXT for column in frame.columns})

    masked, whole = contacts._tables(build, people)
    assert contacts._tables(build, people.copy()) == (masked, whole) and len(calls) == 2
    assert list(whole.frame["phone"]) == ["0612345678", "0698765432"]
    assert not set(masked.frame["phone"]) & {"0612345678", "0698765432"}


def test_map_fetches_its_boundaries_from_the_static_copy():
    """Test that the dashboard's map names its boundaries by URL (static/regions.geojson, the
    same file as the library's) instead of embedding them in each trace."""
    served = PROJECT_ROOT / "static" / regions.GEOJSON_URL.rpartition("/")[2]
    assert json.loads(served.read_text(encoding="utf-8")) == geo.regions_geojson()
    figure = go.Figure([go.Choropleth(geojson=geo.regions_geojson(), locations=["09"], z=[1], featureidkey="id"),
                        go.Scattergeo(lat=[30.4], lon=[-9.6])])
    regions.boundaries_by_url(figure)
    assert figure.data[0].geojson == regions.GEOJSON_URL
    assert len(figure.to_json()) < 5_000


def test_days_to_decision_sends_one_count_per_bin():
    """Test that the time-to-decision histogram carries a count per week-bin (summed by plotly
    into the same bins) instead of every decision: 2 approvals in the first week, 1 in the
    third, 1 rejection in the second; the median line stays."""
    from pie.financing import charts as financing_charts

    frame = pd.DataFrame({"decision": ["approved", "approved", "rejected", "approved"],
                          "days_to_decision": [1, 6, 9, 15]})
    fig = financing_charts.days_to_decision(frame, 7.5, "fr")
    approved, rejected = fig.data
    assert approved.histfunc == "sum" and approved.xbins.size == 7 and approved.xbins.start == 0
    assert list(approved.x) == [0.0, 14.0] and list(approved.y) == [2, 1]
    assert list(rejected.x) == [7.0] and list(rejected.y) == [1]
    assert len(fig.layout.shapes) == 1
