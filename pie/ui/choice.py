"""Choice widgets whose value is a code mirrored into the URL, so a view can be bookmarked.

`draw` draws a select box, a radio or a number input. Its value is a code (`?region=09&by=sector`,
never a translated label): on the session's first run, or when the widget's state is gone, it
is read from the URL parameter and kept only if it is one of the options; a value that is no
longer an option (e.g. an establishment of another region) falls back to the default; after
drawing, the value is written back to the URL, the default leaving no parameter. (Streamlit's own
`bind="query-params"` writes the label, not the code: not used.)

The value lives in the widget's own state (`key`), or, with `value_key`, in a state entry of its
own that outlives the widget (the language, read before the selector is drawn; a partner page's
values, some of which have no widget on a run): the widget is then set from it before drawing and
copies a change back into it.

None of these choices is a scope: the options come from the user's own scope, so no URL can
widen what a role sees (pie.scope.Scope.for_role).
"""
from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, MutableMapping
from typing import Literal

import streamlit as st

ALL = ""  # the option meaning "no narrowing" (not None: a None value empties a select box)


def settle(key: str, options: Iterable[object], default: object = ALL, *, param: str | None = None,
           read: Callable[[str | None], str | None] | None = None) -> object:
    """Make st.session_state[`key`] one of `options` (or `default`) and return it.

    When `key` is not in the session state, the URL parameter `param` (default `key`) gives it,
    if valid (after `read`, e.g. a normaliser); a value that is no longer an option becomes
    `default`. Options are compared by their text, as in the URL; the state keeps the option."""
    state = st.session_state
    codes = {str(option): option for option in options}
    if key not in state:
        text = st.query_params.get(param or key)
        if read is not None:
            text = read(text)
        state[key] = codes.get(text, default) if text is not None else default
    elif str(state[key]) not in codes and state[key] != default:
        state[key] = default
    return state[key]


def to_url(params: MutableMapping[str, str], param: str, value: object, default: object = ALL) -> None:
    """Write `value` into the URL parameters `params` under `param`; `default` removes it."""
    text = str(value)
    if text != str(default):
        if params.get(param) != text:
            params[param] = text
    elif param in params:
        del params[param]


def keep_label(key: str, label: str) -> None:
    """Call before drawing the select box `key` whose current value reads `label`. When that
    label changed since the box was last drawn (the user switched language), the widget is
    given its value again, so the browser shows the new label: Streamlit's browser side keeps
    showing a select box's old text (a French "Participants" on an Arabic page) otherwise."""
    marker = f"_choice_label.{key}"
    state = st.session_state
    if key in state and state.get(marker) not in (None, label):  # a box never drawn shows its default
        state[key] = state[key]
    state[marker] = label


def _copy(widget_key: str, value_key: str, on_change: Callable[..., None] | None, args: tuple) -> None:
    st.session_state[value_key] = st.session_state[widget_key]
    if on_change is not None:
        on_change(*args)


def draw(kind: Literal["select", "radio", "number"], label: str, options: Iterable[object], key: str, *,
         default: object = None, param: str | None = None, format_func: Callable[[object], str] = str,
         all_text: str | None = None, value_key: str | None = None, url_default: object = None,
         on_change: Callable[..., None] | None = None, args: tuple = (), container=None,
         **widget_args) -> object:
    """Draw a choice widget (`kind`) of `options` under `key`, kept in the URL parameter `param`
    (default `key`), and return its value.

    With `all_text`, ALL is offered first, shown as `all_text`, and is the default; else the
    default is the first option. A number input offers `options` through `widget_args`
    (min_value, max_value, step); its state is the option itself (an int). With `value_key`,
    the value lives there (see the module's docstring). `url_default` is the value leaving no
    URL parameter (default: `default`). `container` is where to draw (default: the page)."""
    options = list(options)
    if default is None:
        default = ALL if all_text is not None else options[0]
    value_key = value_key or key
    settle(value_key, options, default, param=param or key)
    if value_key != key:
        st.session_state[key] = st.session_state[value_key]
        on_change, args = functools.partial(_copy, key, value_key, on_change, args), ()
    where = container or st
    if kind == "number":
        where.number_input(label, key=key, on_change=on_change, args=args, **widget_args)
    else:
        if all_text is not None:
            options = [ALL, *options]
            format_func = functools.partial(_with_all, format_func, all_text)
        if kind == "select" and key in st.session_state:
            keep_label(key, format_func(st.session_state[key]))
        widget = where.selectbox if kind == "select" else where.radio
        widget(label, options, key=key, format_func=format_func, on_change=on_change, args=args, **widget_args)
    value = st.session_state[value_key]
    to_url(st.query_params, param or key, value, default if url_default is None else url_default)
    return value


def _with_all(format_func: Callable[[object], str], all_text: str, code: object) -> str:
    return format_func(code) if code != ALL else all_text
