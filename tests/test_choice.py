"""pie.ui.choice: a choice's value read from the URL, kept valid, and written back."""
from types import SimpleNamespace

import pytest

from pie.ui import choice


@pytest.fixture
def fake(monkeypatch):
    """A stand-in for streamlit: a session state and URL parameters as plain dicts."""
    fake = SimpleNamespace(session_state={}, query_params={})
    monkeypatch.setattr(choice, "st", fake)
    return fake


def test_settle_takes_a_valid_url_value_once(fake):
    """Test that a first run takes the URL's value when it is an option, and later runs keep the state."""
    fake.query_params["region"] = "09"
    assert choice.settle("region", ["01", "09"]) == "09"
    fake.query_params["region"] = "01"
    assert choice.settle("region", ["01", "09"]) == "09"


def test_settle_ignores_an_invalid_url_value_and_resets_a_stale_one(fake):
    """Test that a URL value outside the options gives the default, and a stale state value is reset."""
    fake.query_params["by"] = "'; drop table x"
    assert choice.settle("by", ["product", "branch"], "product") == "product"
    assert choice.settle("focus", ["a"], param="f") == choice.ALL
    fake.session_state["focus"] = "b"
    assert choice.settle("focus", ["a"]) == choice.ALL


def test_settle_keeps_the_option_itself(fake):
    """Test that a number's URL text becomes the option (an int), and `read` normalises the text."""
    fake.query_params.update(idle="30", lang=" AR ")
    assert choice.settle("idle", range(1, 61), 14) == 30
    assert choice.settle("language", ["fr", "ar"], "fr", param="lang", read=lambda text: text.strip().lower()) == "ar"


def test_to_url_leaves_no_parameter_for_the_default():
    """Test that a chosen value is written as text and the default removes the parameter."""
    params = {"by": "branch"}
    choice.to_url(params, "idle", 30, 14)
    choice.to_url(params, "by", "product", "product")
    assert params == {"idle": "30"}
