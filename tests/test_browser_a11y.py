"""Accessibility in a real browser: axe-core (WCAG 2.0/2.1 A and AA, plus best practices) over
the pages of every role in each language; the page's language and direction on <html>; a text
alternative and a data table for every chart, and its mode bar in the page's language; logging
in with the keyboard alone, the focus visible.

Which pages axe visits (`visits`), one logged-in browser page per role and language, reused
across that role's pages:
- French: every page of every role (admin: the pages a manager does not have);
- Arabic: the same, but the glossary once (the manager's; it is the same page for every
  role) — Arabic changes every text and mirrors every layout;
- English: every page of the manager and one page per other role — English changes only the
  texts, and French and Arabic already cover every component and role.

axe-core is installed by scripts/test.sh with npm into tests/.node/ (ignored by git, version
pinned there); without it the axe test skips and says how to install it.

The window is made as tall as the page before axe runs (Streamlit scrolls inside its main
container, and axe does not check contrast of what lies outside the window).

What axe still reports is Streamlit's own markup, listed with the reason in
docs/ACCESSIBILITY.md; STREAMLIT_OWN below is that list. Anything else — a new rule, or an
allowed rule on an element that is not Streamlit's — fails the test.
"""
from __future__ import annotations

import json
import tomllib

import pytest

from browser_support import settle, ROOT, VIEWPORT, expect, served_copy, wait_until_idle
from pie import charts, i18n
from pie.ui import layout, navigation

pytestmark = pytest.mark.browser

AXE = ROOT / "tests" / ".node" / "node_modules" / "axe-core" / "axe.min.js"
PASSWORD = "correct horse battery"
ACCOUNTS = [("amina", "manager", None), ("admin.a", "admin", None), ("lead", "leadership", None),
            ("boa.agadir", "bank", "BOA"), ("mcise.souss", "incubator", "MCISE")]
USER_OF = {role: user for user, role, _ in ACCOUNTS}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
THEME = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))["theme"]

# Streamlit's own violations that remain (docs/ACCESSIBILITY.md): rule -> CSS selectors of the
# Streamlit elements it may be reported on. Every node axe reports must match one.
STREAMLIT_OWN: dict[str, tuple[str, ...]] = {
    # st.file_uploader's drop zone: <section role="presentation" tabindex="-1" aria-label=…>
    # (import page); Streamlit's markup, no option changes it.
    "presentation-role-conflict": ('[data-testid="stFileUploaderDropzone"]',),
}


ROLES = ("manager", "admin", "leadership", "bank", "incubator")
SAME_FOR_EVERY_ROLE = {"glossary"}
# English: besides the manager's pages, one page of each other role
ENGLISH_PAGE_OF = {"admin": "users", "leadership": "regions", "bank": "financing", "incubator": "incubation"}


def role_pages(role: str) -> list[str]:
    """The pages of `role`; for admin only those a manager does not have (users, access log)."""
    names = [page.name for page in navigation.pages_for(role)]
    if role == "admin":
        names = [name for name in names if name not in {p.name for p in navigation.pages_for("manager")}]
    return names


def visits() -> list[tuple[str, str, str]]:
    """(role, language, page) that axe checks, grouped by role and language (see the module's
    docstring for why these)."""
    cases = []
    for role in ROLES:
        cases += [(role, "fr", name) for name in role_pages(role)]
    for role in ROLES:
        cases += [(role, "ar", name) for name in role_pages(role)
                  if role == "manager" or name not in SAME_FOR_EVERY_ROLE]
    cases += [("manager", "en", name) for name in role_pages("manager")]
    cases += [(role, "en", ENGLISH_PAGE_OF[role]) for role in ROLES if role != "manager"]
    return cases


@pytest.fixture(scope="module")
def server(small_db, tmp_path_factory):
    with served_copy(small_db, tmp_path_factory.mktemp("browser_a11y"), ACCOUNTS, PASSWORD) as url:
        yield url


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.exists():
        pytest.skip(f"axe-core is missing ({AXE}): scripts/test.sh installs it with npm "
                    "(npm install --prefix tests/.node axe-core@4.14.1)")
    return AXE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def sessions(browser, server):
    """One logged-in browser page per (role, language), reused across that role's pages; the
    visits come grouped by role and language, so the previous one is closed when the next opens
    (one dashboard session at a time in the browser and the server)."""
    opened: dict[tuple[str, str], object] = {}

    def get(role: str, language: str):
        if (role, language) not in opened:
            for previous in opened.values():
                if not previous.is_closed():
                    previous.close()
            page = browser.new_page(viewport=VIEWPORT)
            page.set_default_timeout(20_000)
            page.goto(f"{server}/?lang={language}")
            page.locator('input[autocomplete="username"]').fill(USER_OF[role])
            page.locator('input[type="password"]').fill(PASSWORD)
            page.get_by_role("button", name=i18n.t("login.submit", language)).click()
            page.locator("h1").first.wait_for()
            page.get_by_test_id("stSidebarNav").wait_for()
            wait_until_idle(page)
            opened[(role, language)] = page
        return opened[(role, language)]

    yield get
    for page in opened.values():
        if not page.is_closed():
            page.close()


def open_from_menu(page, name: str, language: str) -> None:
    """Open page `name` from the sidebar menu, unless the session has just landed on it (a
    role's first page is usually its landing page: one run of the page saved per session)."""
    title = i18n.t(f"page.{name}.title", language)
    page.set_viewport_size(VIEWPORT)
    if title not in (page.locator("h1").first.text_content() or ""):
        page.get_by_test_id("stSidebarNav").get_by_role(
            "link", name=i18n.t(f"page.{name}.nav", language), exact=True).click()
    expect(page.locator("h1").first).to_contain_text(title)
    settle(page)


def run_axe(page, source: str) -> list[dict]:
    """axe's violations on the whole page (the window grown to the page's height first)."""
    height = page.evaluate("() => Math.max(document.querySelector('[data-testid=\"stMain\"]').scrollHeight,"
                           " document.documentElement.scrollHeight)")
    page.set_viewport_size({"width": VIEWPORT["width"], "height": max(VIEWPORT["height"], height)})
    page.wait_for_timeout(300)
    if not page.evaluate("() => !!window.axe"):
        page.evaluate(source)
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})"
                           ".then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
                           " nodes: v.nodes.map(n => ({target: n.target, html: n.html.slice(0, 200),"
                           " summary: (n.failureSummary || '').slice(0, 300)}))})))", AXE_TAGS)
    return result


def not_streamlit_own(page, violations: list[dict]) -> list[dict]:
    """The violations (and their nodes) that STREAMLIT_OWN does not allow."""
    left = []
    for violation in violations:
        selectors = STREAMLIT_OWN.get(violation["id"], ())
        nodes = [node for node in violation["nodes"]
                 if not selectors or not page.evaluate(
                     "([target, selectors]) => { const el = document.querySelector(target);"
                     " return !!el && selectors.some(s => el.matches(s) || !!el.closest(s)); }",
                     [node["target"][-1] if isinstance(node["target"][-1], str) else "", list(selectors)])]
        if nodes:
            left.append({**violation, "nodes": nodes})
    return left


@pytest.mark.parametrize("role,language,name", visits(), ids=lambda v: v)
def test_axe_finds_nothing_but_streamlit_own(sessions, axe_source, role, language, name):
    page = sessions(role, language)
    open_from_menu(page, name, language)
    violations = run_axe(page, axe_source)
    page.set_viewport_size(VIEWPORT)
    left = not_streamlit_own(page, violations)
    assert not left, json.dumps(left, ensure_ascii=False, indent=1)
    assert_charts_have_text_alternatives(page, language)
    assert_chart_toolbars_speak(page, language)
    if name == "regions":
        assert_rollout_names_beside_the_plot(page, language)


def assert_charts_have_text_alternatives(page, language: str) -> None:
    """Every chart: a visually hidden summary just before it (in the page's language) and its
    data table in an expander just after it."""
    charts = page.evaluate("""() => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')].map(chart => {
        const box = chart.closest('[data-testid="stElementContainer"]');
        const before = box && box.previousElementSibling, after = box && box.nextElementSibling;
        const summary = before && before.querySelector('.pie-chart-summary');
        return {summary: summary ? summary.textContent : null,
                table: !!(after && after.querySelector('[data-testid="stExpander"]'))};
    })""")
    prefix = i18n.t("chart.summary", language, text="").strip()
    for chart in charts:
        assert chart["summary"] and chart["summary"].startswith(prefix) and len(chart["summary"]) > len(prefix) + 3, chart
        assert chart["table"], chart


def assert_chart_toolbars_speak(page, language: str) -> None:
    """The mode bar of every chart has its buttons titled in the page's language (plotly's
    own texts through layout.plotly_config): no English plotly title left in French or Arabic.
    Streamlit's own "Fullscreen" button there stays English (docs/ACCESSIBILITY.md)."""
    titles = set(page.evaluate("() => [...document.querySelectorAll('[data-testid=\"stPlotlyChart\"] .modebar-btn')]"
                               ".map(button => button.getAttribute('data-title'))"))
    if not titles:
        return
    assert i18n.t("chart.toolbar.download_png", language) in titles, titles
    if language != "en":
        assert not titles & set(layout.PLOTLY_TEXTS), titles


def assert_rollout_names_beside_the_plot(page, language: str) -> None:
    """The region names of the rollout chart (its direct labels) are drawn whole inside the
    figure, beside the plot — on its right, on its left in Arabic — not over the bars."""
    boxes = page.evaluate("""() => {
        const chart = document.querySelector('.st-key-regions_rollout [data-testid="stPlotlyChart"]');
        if (!chart) return null;
        const box = e => { const r = e.getBoundingClientRect(); return {left: r.left, right: r.right}; };
        return {figure: box(chart.querySelector('.main-svg')), plot: box(chart.querySelector('.nsewdrag')),
                names: [...chart.querySelectorAll('.annotation-text')].map(box)};
    }""")
    assert boxes and boxes["names"], boxes
    figure, plot = boxes["figure"], boxes["plot"]
    for name in boxes["names"]:
        assert figure["left"] - 1 <= name["left"] and name["right"] <= figure["right"] + 1, boxes
        if i18n.is_rtl(language):
            assert name["right"] <= plot["left"] + 1, boxes
        else:
            assert name["left"] >= plot["right"] - 1, boxes


@pytest.mark.parametrize("language,direction", [("fr", "ltr"), ("ar", "rtl"), ("en", "ltr")])
def test_html_carries_the_language_and_direction(browser, server, language, direction):
    """<html lang dir> follow the session's language, on the login page and once logged in."""
    page = browser.new_page(viewport=VIEWPORT)
    try:
        page.goto(f"{server}/?lang={language}")
        expect(page.locator("html")).to_have_attribute("lang", language)
        expect(page.locator("html")).to_have_attribute("dir", direction)
        page.locator('input[autocomplete="username"]').fill("amina")
        page.locator('input[type="password"]').fill(PASSWORD)
        page.get_by_role("button", name=i18n.t("login.submit", language)).click()
        page.get_by_test_id("stMetricValue").first.wait_for()
        expect(page.locator("html")).to_have_attribute("lang", language)
        expect(page.locator("html")).to_have_attribute("dir", direction)
    finally:
        page.close()


# Tab stops before the user field on the login page: Streamlit's "skip to main content" link,
# the language choice (one stop for the radio group) and the main region.
TABS_TO_USER_FIELD = 3


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_keyboard_alone_logs_in_with_the_focus_visible(browser, server, language):
    """Test that with the keyboard only — no mouse — Tab reaches the user field, typing fills it,
    Tab moves to the password, Enter logs in; and that each focused field shows its focus (its
    border turns the theme's primary colour, 3:1 or more against the page, from a light grey)."""
    page = browser.new_page(viewport=VIEWPORT)
    page.set_default_timeout(20_000)
    try:
        page.goto(f"{server}/?lang={language}")
        user_field = page.locator('input[autocomplete="username"]')
        password_field = page.locator('input[type="password"]')
        user_field.wait_for()
        wait_until_idle(page)
        for _ in range(TABS_TO_USER_FIELD + 1):
            page.keyboard.press("Tab")
        expect(user_field).to_be_focused()
        assert_focus_shows(page, password_field)
        page.keyboard.type(USER_OF["manager"])
        page.keyboard.press("Tab")
        expect(password_field).to_be_focused()
        assert_focus_shows(page, user_field)
        page.keyboard.type(PASSWORD)
        page.keyboard.press("Enter")
        expect(page.get_by_test_id("stSidebarNav")).to_be_visible()
        expect(page.get_by_role("button", name=i18n.t("login.logout", language))).to_be_visible()
        expect(page.locator("h1").first).to_contain_text(
            i18n.t(f"page.{navigation.default_page('manager').name}.title", language))
    finally:
        page.close()


def assert_focus_shows(page, unfocused) -> None:
    """The focused text field's border is the theme's primary colour (once Streamlit's
    transition ends), at 3:1 or more against white, while `unfocused`'s is not."""
    primary = THEME["primaryColor"]
    rgb = "rgb({}, {}, {})".format(*(int(primary.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4)))
    assert charts.contrast(primary, "#FFFFFF") >= 3
    page.wait_for_function("colour => { const root = document.activeElement"
                           ".closest('[data-testid=\"stTextInputRootElement\"]');"
                           " return !!root && getComputedStyle(root).borderTopColor === colour; }", arg=rgb)
    other = unfocused.evaluate("field => getComputedStyle(field.closest('[data-testid=\"stTextInputRootElement\"]'))"
                               ".borderTopColor")
    assert other != rgb, other

