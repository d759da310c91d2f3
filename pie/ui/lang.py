"""The session's language, and pie.i18n bound to it: pages and pie/ui write `t("key")`.

The language is chosen in the sidebar (`selector`, also on the login page), kept in
st.session_state["language"] for the session and mirrored in the URL (`?lang=ar`; French, the
default, leaves the URL clean), so a bookmark or a shared link opens in the same language.
In Arabic, `right_to_left` lays the whole app out right to left (shared/FIELD_NOTES.md).
"""
from __future__ import annotations

import pandas as pd
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from pie import i18n, kpis
from pie.errors import PieError
from pie.safety import escape_markdown
from pie.kpis import format_indicator
from pie.ui import choice

LANGUAGE_KEY = "language"
URL_KEY = "lang"
_WIDGET_KEY = "language_choice"  # the selector's own key: a widget's state is dropped on runs that do not draw it


# The language of the latest script run of this process, for calls made outside any run:
# Streamlit's AppTest calls widgets' format_func from the test's own thread, where there is no
# session state. In a served app every call happens inside a run and never reads it.
_last_run_language = i18n.DEFAULT_LANGUAGE


def language() -> str:
    """The language of this session: the one chosen, else the URL's `?lang=` on the session's
    first run, else French."""
    global _last_run_language
    if get_script_run_ctx() is None:
        return _last_run_language
    _last_run_language = choice.settle(LANGUAGE_KEY, i18n.LANGUAGES, i18n.DEFAULT_LANGUAGE, param=URL_KEY,
                                       read=i18n.normalise_language)
    return _last_run_language


def selector() -> None:
    """The language selector at the top of the sidebar (each language by its own name); a
    change re-renders the whole app in the new language. Keeps `?lang=` in the URL."""
    choice.draw("radio", t("language.label"), i18n.LANGUAGES, _WIDGET_KEY, value_key=LANGUAGE_KEY, param=URL_KEY,
                default=i18n.DEFAULT_LANGUAGE, format_func=i18n.LANGUAGE_NAMES.__getitem__, horizontal=True,
                container=st.sidebar)


# Right to left for Arabic (shared/FIELD_NOTES.md, each rule checked on screenshots). st.html
# drops a <style> whose text has anything tag-like: no angle brackets here, not even in comments.
# Plotly's charts keep a left-to-right frame: plotly sizes margins and places labels by
# measuring texts in a hidden test element of the page (#js-plotly-tester); measured under
# dir=rtl, a label's box ran the wrong way and right-side labels got no room (cut off), and
# left/right-aligned annotations were drawn one text width off. Each text still reads in its
# own direction (unicode-bidi: plaintext).
RTL_CSS = """
[data-testid="stAppViewContainer"], [data-testid="stSidebar"], [data-testid="stMain"],
[data-testid="stSelectboxVirtualDropdown"], [data-testid="stMultiSelectDropdown"] { direction: rtl; }
[data-testid="stMarkdownContainer"], [data-testid="stCaptionContainer"], [data-testid="stHeading"],
[data-testid="stHeadingWithActionElements"], [data-testid="stWidgetLabel"], [data-testid="stText"],
[data-testid="stExpander"] summary, [data-testid="stAlertContainer"] { text-align: right; }
[data-testid="stMetricDelta"] [data-testid="stMarkdownContainer"] { direction: ltr; unicode-bidi: isolate; }
[data-testid="stSidebar"][aria-expanded="false"], [data-testid="stSidebar"][data-collapsed="true"] { transform: none; }
[data-testid="stSidebarCollapseButton"] [data-testid="stIconMaterial"],
[data-testid="stExpandSidebarButton"] [data-testid="stIconMaterial"] { display: inline-block; transform: scaleX(-1); }
[data-testid="stSidebarResizeHandle"] { display: none; }
[data-testid="stDateInputField"] [role="group"] { direction: ltr; }
[data-testid="stPlotlyChart"] .modebar-container .modebar { left: 4px; right: auto; }
[data-testid="stPlotlyChart"] text { unicode-bidi: plaintext; }
[data-testid="stPlotlyChart"] .js-plotly-plot, #js-plotly-tester { direction: ltr; }
#js-plotly-tester text { unicode-bidi: plaintext; }
"""


# Every language (docs/ACCESSIBILITY.md): a visually hidden class for text meant for screen
# readers only (the summary of each chart, pie.ui.layout.plotly_chart), card labels wrapped
# rather than cut (a card's threshold, "> 30 j", ends its label and must show), card figures at
# a size where "859,500 MAD" fits a card of a row of four (it was cut in English), and the page's h2
# (st.header) drawn at the size of Streamlit's h3 the pages used before their headings were
# put in order (h1 then h2). The element holding the <html> language script takes no room.
ACCESSIBLE_CSS = """
.pie-visually-hidden { position: absolute !important; width: 1px; height: 1px; padding: 0; margin: -1px;
  overflow: hidden; clip: rect(0, 0, 0, 0); white-space: nowrap; border: 0; }
[data-testid="stMain"] h2 { font-size: 1.5rem; padding-top: 1.25rem; }
[data-testid="stMetricValue"] { font-size: 1.75rem; }
[data-testid="stElementContainer"]:has(.pie-document-language) { display: none; }
[data-testid="stMetricLabel"] [data-testid="stMarkdownContainer"], [data-testid="stMetricLabel"] p {
  white-space: normal; overflow: visible; text-overflow: clip; }
[data-testid="stElementContainer"]:has(.pie-chart-summary) { position: absolute !important; width: 1px;
  height: 1px; margin: -1px; overflow: hidden; clip: rect(0, 0, 0, 0); }
"""

# Streamlit serves one index.html with lang="en" and no dir for every page: this script sets
# the session's language and direction on <html> at each run (st.html runs it once the
# element is drawn; a new language changes the text, so the script runs again).
_DOCUMENT_SCRIPT = """<span class="pie-document-language"></span><script>
document.documentElement.lang = "{lang}";
document.documentElement.dir = "{dir}";
</script>"""


def document_language() -> None:
    """Set the page's language (`lang`) and direction (`dir`) on <html>, and the styles every
    page needs (ACCESSIBLE_CSS). Call at the top of every run, before any other element."""
    current = language()
    st.html(f"<style>{ACCESSIBLE_CSS}</style>")
    st.html(_DOCUMENT_SCRIPT.format(lang=current,
                                    dir="rtl" if i18n.is_rtl(current) else "ltr"),
            unsafe_allow_javascript=True)


def right_to_left() -> None:
    """In Arabic, lay the app out right to left (call before st.navigation(...).run())."""
    if i18n.is_rtl(language()):
        st.html(f"<style>{RTL_CSS}</style>")


def t(key: str, /, **values: object) -> str:
    return i18n.t(key, language(), **values)


def md(key: str, /, **values: object) -> str:
    """`t(key, **values)` for markdown (st.markdown, st.caption, st.info…, help texts, labels)
    when the values come from data — names, codes, free text: each text value is escaped
    (pie.safety.escape_markdown), so `![t](http://x/p.png)` or `:red[x]` in a name shows as
    typed instead of fetching an image or styling text. Never pass translated markdown here."""
    return t(key, **{name: escape_markdown(value) if isinstance(value, str) else value
                     for name, value in values.items()})


def error_text(error: PieError) -> str:
    """`error.text()` in the session's language for markdown: its values (file names, column
    names, values from an import) escaped as `md` does."""
    if error.key is None:
        return escape_markdown(str(error))
    return md(error.key, **error.values)


def label(kind: str, code: str | None) -> str:
    return i18n.label(kind, code, language())


def number(value: object, decimals: int = 0) -> str:
    return i18n.fmt_number(value, language(), decimals)


def percent(value: object, decimals: int = 1) -> str:
    return i18n.fmt_percent(value, language(), decimals)


def signed(value: object, decimals: int = 0) -> str:
    return i18n.fmt_signed(value, language(), decimals)


def day(value: object) -> str:
    """A date as people read it: 02/10/2023 (fr)."""
    if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
        return i18n.EMPTY
    return i18n.fmt_date(value, language())


def amount(value: object, decimals: int = 0) -> str:
    """An amount in dirhams: 12 500 MAD (fr)."""
    return i18n.fmt_mad(value, language(), decimals)


def indicator(key: str, value: object) -> str:
    """A METRICS.md indicator as people read it: 12 500, 45,3 %, 170 000 MAD."""
    return format_indicator(key, value, language())


def short_amount(value: float, sign: bool = False) -> str:
    """An amount in dirhams that fits a card: 170 000 MAD, 12,3 M MAD, 5,0 M MAD (+ sign if
    `sign`): pie.i18n.fmt_mad_short, one abbreviation rule for the whole dashboard."""
    return i18n.fmt_mad_short(value, language(), sign=sign)


def short_indicator(key: str, value: object) -> str:
    """`indicator`, with large amounts shortened (short_amount)."""
    if key in kpis.AMOUNT_KEYS and value is not None:
        return short_amount(float(value))
    return indicator(key, value)
