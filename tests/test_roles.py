"""Login, sessions and role-based navigation, through Streamlit's AppTest."""
from __future__ import annotations

import pytest

from apptest_support import ACCOUNTS, copy_of, dashboard
from pie import auth
from pie.ui import login, navigation

pytestmark = pytest.mark.usefixtures("fresh_caches")

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def accounts_db(small_db, tmp_path_factory):
    """The small programme with a manager (amina) and a BOA account."""
    path = copy_of(small_db, tmp_path_factory.mktemp("roles"))
    auth.add_user(path, "amina", "manager", PASSWORD)
    auth.add_user(path, "boa.agadir", "bank", PASSWORD, "BOA")
    return path


def on_login_page(at) -> bool:
    return [title.value for title in at.title] == ["Connexion"] and not at.metric


def log_in(at, user_name: str, password: str):
    at.text_input(key="login_user_name").input(user_name)
    at.text_input(key="login_password").input(password)
    return at.button[0].click().run()


def test_nobody_logged_in_sees_only_the_login_page(monkeypatch, accounts_db):
    """Test that without login the dashboard shows the login form and no figure."""
    at = dashboard(monkeypatch, accounts_db, account=None)
    assert not at.exception and on_login_page(at)


def test_login_with_the_right_password_opens_the_role_landing_page(monkeypatch, accounts_db):
    """Test that a manager logging in lands on the Overview with figures."""
    at = log_in(dashboard(monkeypatch, accounts_db, account=None), "amina", PASSWORD)
    assert not at.exception
    assert at.title[0].value != "Connexion" and at.metric[0].value == "10"


def test_wrong_password_shows_an_error_and_stays_on_login(monkeypatch, accounts_db):
    """Test that a wrong password is refused with a message, without figures."""
    at = log_in(dashboard(monkeypatch, accounts_db, account=None), "amina", "guess")
    assert on_login_page(at)
    assert [e.value for e in at.error] == ["Nom d'utilisateur ou mot de passe incorrect."]


def test_forged_token_is_not_a_session(monkeypatch, accounts_db):
    """Test that a token the server never issued gives the login page."""
    at = dashboard(monkeypatch, accounts_db, account=None)
    at.session_state[login.TOKEN_KEY] = "forged-token"
    assert on_login_page(at.run())


def test_tampered_session_state_cannot_grant_a_role(monkeypatch, accounts_db):
    """Test that writing a user or role into session state does not log anyone in."""
    at = dashboard(monkeypatch, accounts_db, account=None)
    at.session_state["user"] = ACCOUNTS["admin"]
    at.session_state["role"] = "admin"
    at.session_state["scope"] = "BOA"
    assert on_login_page(at.run())


def test_session_expires_after_inactivity(monkeypatch, accounts_db):
    """Test that a session idle longer than the timeout goes back to login, saying why."""
    at = dashboard(monkeypatch, accounts_db)
    assert at.metric
    monkeypatch.setenv("PIE_SESSION_TIMEOUT_MINUTES", "0")
    at.run()
    assert on_login_page(at)
    assert any("expiré" in info.value for info in at.info)


def test_logout_ends_the_session(monkeypatch, accounts_db):
    """Test that the logout button returns to the login page and the token stops working."""
    at = dashboard(monkeypatch, accounts_db)
    token = at.session_state[login.TOKEN_KEY]
    at.sidebar.button(key="logout").click().run()
    assert on_login_page(at)
    at.session_state[login.TOKEN_KEY] = token
    assert on_login_page(at.run())


# Each role's pages, in menu order, written from DESIGN.md (Roles) and README.md ("Pages, by who
# uses them"): managers see every page but account management and the personal-data access log, which only
# admins have;
# leadership the aggregated pages (Companies and jobs without any company row); a bank its
# Financing, an incubator its Incubation.
EVERY_PAGE = ["pages/programme/overview.py", "pages/programme/funnel.py", "pages/programme/phases.py",
              "pages/programme/follow_up.py", "pages/leadership/regions.py", "pages/programme/companies.py",
              "pages/financing/financing.py", "pages/incubation/incubation.py", "pages/admin/import.py",
              "pages/admin/reporting.py", "pages/admin/data_quality.py", "pages/admin/users.py", "pages/admin/access_log.py",
              "pages/reference/glossary.py", "pages/reference/help.py"]
PAGES_OF_ROLE = {
    "admin": EVERY_PAGE,
    "manager": [p for p in EVERY_PAGE if p not in ("pages/admin/users.py", "pages/admin/access_log.py")],
    "leadership": ["pages/programme/overview.py", "pages/programme/funnel.py", "pages/leadership/regions.py",
                   "pages/programme/companies.py", "pages/reference/glossary.py", "pages/reference/help.py"],
    "bank": ["pages/financing/financing.py", "pages/admin/import.py", "pages/reference/glossary.py",
             "pages/reference/help.py"],
    "incubator": ["pages/incubation/incubation.py", "pages/admin/import.py", "pages/reference/glossary.py",
                  "pages/reference/help.py"],
    # the programme pages narrowed to its own cohorts, and the Import page for its own rows
    "establishment": ["pages/programme/overview.py", "pages/programme/funnel.py", "pages/programme/phases.py",
                      "pages/programme/follow_up.py", "pages/programme/companies.py", "pages/admin/import.py",
                      "pages/reference/glossary.py", "pages/reference/help.py"],
}


@pytest.mark.parametrize("role", list(PAGES_OF_ROLE))
def test_role_page_lists_follow_design(role):
    """Test that the page registry gives each role exactly its pages, in menu order."""
    assert [p.path for p in navigation.pages_for(role)] == PAGES_OF_ROLE[role]


@pytest.mark.parametrize("account", list(ACCOUNTS))
def test_each_role_gets_its_pages(monkeypatch, accounts_db, account):
    """Test that each account opens every page of its role without error, and no other page."""
    at = dashboard(monkeypatch, accounts_db, account=account)
    assert not at.exception
    expected = PAGES_OF_ROLE[ACCOUNTS[account].role]
    for path in expected:
        at.switch_page(path).run()
        assert not at.exception, (path, [e.value for e in at.exception])
    for path in set(EVERY_PAGE) - set(expected):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(path).run()


def test_page_outside_the_role_is_not_reachable(monkeypatch, accounts_db):
    """Test that a bank account cannot open the programme funnel by its path."""
    at = dashboard(monkeypatch, accounts_db, account="boa")
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/programme/funnel.py").run()


E1_PARTICIPANTS = "7"       # the small programme's E1 (CMC Souss-Massa): P01–P07


@pytest.fixture
def establishment_account(monkeypatch):
    """An establishment account for E1 among the AppTest accounts (as the demo's cmc09)."""
    from apptest_support import ACCOUNTS as accounts

    monkeypatch.setitem(accounts, "cmc09", auth.User("cmc09", "establishment", "E1"))
    return "cmc09"


def test_establishment_opens_its_pages_with_its_own_figures(monkeypatch, accounts_db, establishment_account):
    """Test that an establishment account lands on the Overview showing only its 7 participants,
    opens each of its pages, and reaches no other."""
    at = dashboard(monkeypatch, accounts_db, account=establishment_account)
    assert not at.exception
    assert at.metric[0].value == E1_PARTICIPANTS
    for path in PAGES_OF_ROLE["establishment"]:
        at.switch_page(path).run()
        assert not at.exception, (path, [e.value for e in at.exception])
    for path in set(EVERY_PAGE) - set(PAGES_OF_ROLE["establishment"]):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(path).run()


def test_establishment_url_filter_cannot_widen_it(monkeypatch, accounts_db, establishment_account):
    """Test that ?establishment=E2 and ?region=… in the URL are ignored for E1's account: it sees
    its own 7 participants (never E2's 3), only the year filter, and pages and account box name
    its establishment (not "the whole programme", not its identifier)."""
    at = dashboard(monkeypatch, accounts_db, account=establishment_account, establishment="E2", region="09")
    assert not at.exception
    assert at.metric[0].value == E1_PARTICIPANTS
    assert [box.key for box in at.sidebar.selectbox if box.key in ("year", "region", "establishment")] == ["year"]
    captions = " ".join(caption.value for caption in at.caption) + " ".join(c.value for c in at.sidebar.caption)
    assert "CMC Souss-Massa" in captions and "E1" not in captions.split()
    assert "tout le programme" not in captions.lower()
    assert "establishment" not in at.query_params and "region" not in at.query_params


# The landing page of each role (DESIGN.md: each role has its own default page).
LANDING = {"admin": "overview", "manager": "overview", "leadership": "overview", "bank": "financing",
           "incubator": "incubation", "establishment": "overview"}


@pytest.mark.parametrize("account", list(ACCOUNTS))
def test_every_page_answers_its_own_url_the_landing_page_too(monkeypatch, accounts_db, account):
    """Test that each page of the role, its landing page included, is registered under its own
    URL path (a bookmark of /financing opens Financing for a bank), and "/" opens the landing page.

    Streamlit resolves a URL by the registered url_pathname; a landing page registered only as
    the default (url_pathname "") answered its own URL with "Page not found"."""
    at = dashboard(monkeypatch, accounts_db, account=account)
    assert not at.exception
    role = ACCOUNTS[account].role
    registered = {info["url_pathname"]: info["script_path"] for info in at._registered_pages.values()}
    expected = {path.split("/")[-1].removesuffix(".py"): path for path in PAGES_OF_ROLE[role]}
    assert set(registered) == {"", *expected}
    for url_path, page in expected.items():
        assert registered[url_path].endswith(page), url_path
    assert registered[""].endswith(f"/{LANDING[role]}.py")
    assert navigation.default_page(role).name == LANDING[role]


def test_a_bank_bookmark_of_financing_opens_financing(monkeypatch, accounts_db):
    """Test that the URL /financing, resolved as Streamlit resolves a bookmark (by its path),
    runs the Financing page for a bank, with its figures and no page-not-found."""
    from streamlit.runtime.pages_manager import PagesManager

    at = dashboard(monkeypatch, accounts_db, account="boa")
    manager = PagesManager(at._script_path)
    manager.set_script_intent("", "financing")
    found = manager.set_pages_and_resolve(at._registered_pages, fallback_page_hash="")
    assert found is not None and found["script_path"].endswith("pages/financing/financing.py")
    at._page_hash = found["page_script_hash"]
    at.run()
    assert not at.exception
    assert at.title[0].value == "Financement des projets" and at.metric
