"""Project layout rules of DESIGN.md that code review alone would let slip."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = ROOT / "pages"
UI = ROOT / "pie" / "ui"

# Streamlit calls whose positional arguments or label/help are text shown to users.
DISPLAY_CALLS = frozenset({
    "title", "header", "subheader", "caption", "markdown", "write", "text", "info", "warning",
    "error", "success", "exception", "toast", "metric", "button", "download_button", "selectbox",
    "multiselect", "radio", "checkbox", "toggle", "text_input", "number_input", "date_input",
    "slider", "select_slider", "tabs", "expander", "popover", "spinner", "Page", "page_link",
    "file_uploader", "segmented_control", "pills", "form_submit_button",
})
TEXT_KEYWORDS = frozenset({"label", "help", "placeholder", "title", "body", "caption"})


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def _literal_texts(path: Path) -> list[str]:
    """`file:line text` for each non-empty string literal passed as text to a display call."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in DISPLAY_CALLS):
            continue
        receiver = node.func.value
        if isinstance(receiver, ast.Name) and receiver.id in ("log", "logger", "logging"):
            continue  # log.info / log.warning write the server's log, not the page
        texts = [*node.args, *(k.value for k in node.keywords if k.arg in TEXT_KEYWORDS)]
        for value in texts:
            if isinstance(value, ast.Constant) and isinstance(value.value, str) and value.value.strip():
                if node.func.attr == "Page" and value is node.args[0]:
                    continue  # st.Page's first argument is the page's file, not text
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} {value.value!r}")
    return found


def test_no_python_file_directly_under_pages():
    """Test that pages/ holds only sub-folders, so Streamlit never runs a page without dashboard.py."""
    assert PAGES.is_dir()
    assert sorted(p.name for p in PAGES.glob("*.py")) == []


def test_library_and_cli_never_import_streamlit():
    """Test that pie/ (except pie/ui/) and the CLI run without Streamlit."""
    offenders = [
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / "pie").rglob("*.py"))
        if UI not in path.parents
        and any(name == "streamlit" or name.startswith("streamlit.") for name in _imports(path))
    ]
    assert offenders == []


def test_pages_and_ui_show_no_literal_text():
    """Test that pages/ and pie/ui/ pass every user-facing text through the translations."""
    files = [ROOT / "dashboard.py", *sorted(PAGES.rglob("*.py")), *sorted(UI.rglob("*.py"))]
    assert [text for path in files for text in _literal_texts(path)] == []


def test_pages_never_build_their_own_scope():
    """Test that pages take their Scope from pie.ui (so no page can widen a role's scope)."""
    offenders = [str(p.relative_to(ROOT)) for p in sorted(PAGES.rglob("*.py")) if "pie.scope" in _imports(p)]
    assert offenders == []


def test_every_page_opens_with_the_shared_header():
    """Test that every page starts with pie.ui.layout's header (page_header or open_page), the one
    place that writes the title and, under it, how recent the data are ("Données au … · dernier
    import le …"), and draws no title of its own."""
    openers = {"page_header", "open_page"}
    missing = []
    for path in sorted(PAGES.rglob("*.py")):
        calls = [node.func.attr for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                 if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)]
        if not openers & set(calls) or "title" in calls:
            missing.append(str(path.relative_to(ROOT)))
    assert missing == []


def test_no_heading_has_an_anchor_link():
    """Test that every st.title / st.header / st.subheader of the pages and pie/ui/ is drawn with
    anchor=False: Streamlit's anchor link reads "Link to heading" in English whatever the page's
    language, and adds a Tab stop on every heading (docs/ACCESSIBILITY.md)."""
    files = [ROOT / "dashboard.py", *sorted(PAGES.rglob("*.py")), *sorted(UI.rglob("*.py"))]
    offenders = []
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and node.func.attr in ("title", "header", "subheader"):
                anchor = next((k.value for k in node.keywords if k.arg == "anchor"), None)
                if not (isinstance(anchor, ast.Constant) and anchor.value is False):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []
