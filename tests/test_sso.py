"""Single sign-on for OFPPT staff (docs/SECURITY.md, docs/DEPLOYMENT.md): accounts carry an
e-mail address (lower-case, unique), `pie.auth.sso_login` exchanges a fresh OpenID Connect
identity once for the account with that e-mail (admin, manager, leadership only), the CLI sets
the address, and — end to end, against oidc-provider-mock on loopback — Streamlit's st.login
lands a manager logged in with the manager's role while unknown, partner and disabled accounts
are refused with one message, and Streamlit's identity cookie opens neither a page nor a
download nor an upload by itself."""
from __future__ import annotations

import json
import sqlite3
import threading
import time
import warnings
from pathlib import Path

import pytest

from conftest import run_cli
from pie import auth

# oidc-provider-mock 0.3.4 uses Authlib APIs that Authlib 1.9 marks deprecated (the mock's code,
# not ours).
pytestmark = pytest.mark.filterwarnings("ignore:get_jwt_config:DeprecationWarning")

PASSWORD = "correct horse battery"
ISSUER = "http://127.0.0.1:9999"


@pytest.fixture
def store(empty_db):
    auth.add_user(empty_db, "amina", "manager", PASSWORD, email="Amina.Idrissi@OFPPT.ma")
    auth.add_user(empty_db, "direction", "leadership", PASSWORD, email="direction@ofppt.ma")
    auth.add_user(empty_db, "boa", "bank", PASSWORD, "BOA", email="credit@boa.ma")
    auth.add_user(empty_db, "karim", "manager", PASSWORD, email="karim@ofppt.ma")
    auth.disable_user(empty_db, "karim")
    return empty_db


_nonces = iter(range(10**6))


def claims(email: str | None, **more) -> dict:
    """The claims of an identity token just issued (a new nonce each time), as st.user has them."""
    values = {"iss": ISSUER, "sub": email or "someone", "aud": "pie", "iat": int(time.time()),
              "exp": int(time.time()) + 3600, "nonce": f"n{next(_nonces)}", "is_logged_in": True,
              "provider": "default", **more}
    if email is not None:
        values["email"] = email
    return values


def last_event(path) -> dict:
    return auth.audit_log(path)[-1]


# ------------------------------------------------------------------------------ the store
def test_emails_are_kept_lower_case_and_unique(store):
    """Test that an e-mail is stored trimmed and lower-cased, listed, and refused for a second
    account whatever its case, or when it is no address."""
    listed = {u["user_name"]: u["email"] for u in auth.list_users(store)}
    assert listed["amina"] == "amina.idrissi@ofppt.ma"
    with pytest.raises(auth.AccountError) as taken:
        auth.add_user(store, "amina2", "manager", PASSWORD, email=" AMINA.IDRISSI@ofppt.ma")
    assert taken.value.key == "auth.error.email_taken"
    with pytest.raises(auth.AccountError) as taken:
        auth.set_email(store, "direction", "amina.idrissi@ofppt.ma")
    assert taken.value.key == "auth.error.email_taken"
    for bad in ("amina", "amina@ofppt", "a b@ofppt.ma", "x" * 300 + "@ofppt.ma", "@ofppt.ma"):
        with pytest.raises(auth.AccountError) as refused:
            auth.add_user(store, "other", "manager", PASSWORD, email=bad)
        assert refused.value.key == "auth.error.bad_email", bad
    assert "amina2" not in {u["user_name"] for u in auth.list_users(store)}


def test_changing_an_email_ends_the_accounts_sessions(store):
    """Test that a new (or removed) address ends the account's sessions: whoever signed in with
    the old one is not the new one."""
    secret = auth.open_session("amina", store)
    auth.set_email(store, "amina", "amina@ofppt.ma")
    assert auth.resolve_session(secret, store) is None
    assert {u["user_name"]: u["email"] for u in auth.list_users(store)}["amina"] == "amina@ofppt.ma"
    auth.set_email(store, "amina", None)
    assert {u["user_name"]: u["email"] for u in auth.list_users(store)}["amina"] is None
    assert [e["event"] for e in auth.audit_log(store)][-2:] == ["email_changed", "email_changed"]


def test_an_older_store_gets_the_email_column_in_place(tmp_path):
    """Test that a store made before e-mails existed (no column) is migrated when next opened:
    its accounts and sessions stay, and the address is unique from then on."""
    database = tmp_path / "pie.duckdb"
    auth.add_user(database, "amina", "manager", PASSWORD)
    secret = auth.open_session("amina", database)
    file = auth.store_path(database)
    with sqlite3.connect(file) as con:  # back to the old layout
        con.execute("drop index accounts_email")
        con.execute("alter table accounts drop column email")
    auth._prepared.clear()  # a new process
    auth.set_email(database, "amina", "amina@ofppt.ma")
    assert auth.list_users(database)[0]["email"] == "amina@ofppt.ma"
    assert auth.resolve_session(secret, database) is None  # the change ended it, as designed
    with pytest.raises(auth.AccountError):
        auth.add_user(database, "other", "manager", PASSWORD, email="AMINA@ofppt.ma")
    with sqlite3.connect(file) as con:
        assert "email" in {row[1] for row in con.execute("pragma table_info(accounts)")}


# ------------------------------------------------------------------------------ sso_login
def test_a_manager_signs_in_by_email_whatever_its_case(store):
    """Test that the account whose e-mail the identity carries (any case) is the user, with its
    role and scope from the store, and that the audit trail says login_sso."""
    user = auth.sso_login(store, claims("AMINA.idrissi@ofppt.ma", email_verified=True))
    assert user == auth.User("amina", "manager", None)
    event = last_event(store)
    assert (event["user_name"], event["event"]) == ("amina", "login_sso")
    assert json.loads(event["detail"]) == {"email": "amina.idrissi@ofppt.ma", "issuer": ISSUER}
    assert auth.sso_login(store, claims("direction@ofppt.ma")) == auth.User("direction", "leadership", None)
    assert {u["user_name"]: u["last_login_at"] for u in auth.list_users(store)}["amina"] is not None


@pytest.mark.parametrize("email, more, reason", [
    ("nobody@ofppt.ma", {}, "unknown e-mail"),
    ("karim@ofppt.ma", {}, "disabled"),
    ("credit@boa.ma", {}, "role bank signs in with its local account"),
    ("amina.idrissi@ofppt.ma", {"email_verified": False}, "e-mail not verified by the provider"),
    ("amina.idrissi@ofppt.ma", {"email_verified": "false"}, "e-mail not verified by the provider"),
    (None, {}, "no e-mail claim"),
])
def test_refusals_have_one_message_and_say_why_in_the_audit_trail(store, email, more, reason):
    """Test that an unknown e-mail, a disabled account, a partner's account, an unverified e-mail
    and no e-mail are all refused with the same message, the reason in the audit trail only."""
    with pytest.raises(auth.LoginFailed) as refused:
        auth.sso_login(store, claims(email, **more))
    assert refused.value.key == "auth.error.sso_refused"
    event = last_event(store)
    assert event["event"] == "login_sso_refused"
    assert json.loads(event["detail"])["reason"] == reason
    owners = {"karim@ofppt.ma": "karim", "credit@boa.ma": "boa", "amina.idrissi@ofppt.ma": "amina"}
    assert event["user_name"] == owners.get(email)  # the account the address names, if any


def test_an_identity_counts_once_and_only_while_fresh(store):
    """Test that the same identity token opens one session only (a reload, a copied Streamlit
    cookie), and that a token issued more than SSO_MAX_AGE_SECONDS ago, or with no issue time,
    opens none — so Streamlit's 30-day identity never renews an ended PIE session."""
    fresh = claims("amina.idrissi@ofppt.ma")
    assert auth.sso_login(store, fresh) is not None
    assert auth.sso_login(store, fresh) is None
    old = claims("amina.idrissi@ofppt.ma", iat=int(time.time()) - auth.SSO_MAX_AGE_SECONDS - 5)
    assert auth.sso_login(store, old) is None
    early = claims("amina.idrissi@ofppt.ma", iat=int(time.time()) + auth.SSO_CLOCK_SKEW_SECONDS + 60)
    assert auth.sso_login(store, early) is None
    assert auth.sso_login(store, {k: v for k, v in claims("amina.idrissi@ofppt.ma").items() if k != "iat"}) is None
    refused = claims("nobody@ofppt.ma")
    with pytest.raises(auth.LoginFailed):
        auth.sso_login(store, refused)
    assert auth.sso_login(store, refused) is None  # a refusal is not logged again at every reload
    assert [e["event"] for e in auth.audit_log(store)].count("login_sso") == 1


def test_a_disabled_or_reassigned_account_loses_its_sso_session(store):
    """Test that a session opened by single sign-on ends like any other when the account is
    disabled (the account version machinery)."""
    user = auth.sso_login(store, claims("amina.idrissi@ofppt.ma"))
    secret = auth.open_session(user, store)
    assert auth.resolve_session(secret, store) == user
    auth.disable_user(store, "amina")
    assert auth.resolve_session(secret, store) is None
    with pytest.raises(auth.LoginFailed):
        auth.sso_login(store, claims("amina.idrissi@ofppt.ma"))


# ------------------------------------------------------------------------------ CLI
def test_cli_sets_shows_and_removes_an_email(empty_db):
    """Test `users add --email`, `users email NAME ADDRESS`, `users email NAME --remove` and the
    address in `users list` (text and JSON)."""
    db = str(empty_db)
    result = run_cli("users", "add", "amina", "--role", "manager", "--email", "Amina@OFPPT.ma", "--db", db,
                     password=PASSWORD)
    assert result.returncode == 0, result.stderr
    listing = run_cli("users", "list", "--db", db).stdout
    assert "amina@ofppt.ma" in listing, listing
    result = run_cli("users", "email", "amina", "amina.idrissi@ofppt.ma", "--db", db)
    assert result.returncode == 0 and "amina.idrissi@ofppt.ma" in result.stdout, result.stderr
    listed = json.loads(run_cli("users", "list", "--json", "--db", db).stdout)
    assert [(u["user_name"], u["email"]) for u in listed] == [("amina", "amina.idrissi@ofppt.ma")]
    assert run_cli("users", "email", "amina", "--remove", "--db", db).returncode == 0
    assert json.loads(run_cli("users", "list", "--json", "--db", db).stdout)[0]["email"] is None


def test_cli_refuses_bad_or_taken_emails_and_misplaced_arguments(empty_db):
    """Test exit 1 for a bad or already used address (nothing created) and exit 2 for --email
    outside `add`, an address outside `email`, or `email` without an address."""
    db = str(empty_db)
    assert run_cli("users", "add", "amina", "--role", "manager", "--email", "a@ofppt.ma", "--db", db,
                   password=PASSWORD).returncode == 0
    taken = run_cli("users", "add", "salma", "--role", "manager", "--email", "A@ofppt.ma", "--db", db,
                    password=PASSWORD)
    assert taken.returncode == 1 and "amina" in taken.stderr, taken.stderr
    bad = run_cli("users", "add", "salma", "--role", "manager", "--email", "salma", "--db", db, password=PASSWORD)
    assert bad.returncode == 1 and "adresse e-mail" in bad.stderr, bad.stderr
    assert [u["user_name"] for u in auth.list_users(empty_db)] == ["amina"]
    assert run_cli("users", "disable", "amina", "--email", "a@ofppt.ma", "--db", db).returncode == 2
    assert run_cli("users", "disable", "amina", "a@ofppt.ma", "--db", db).returncode == 2
    assert run_cli("users", "email", "amina", "--db", db).returncode == 2
    assert run_cli("users", "email", "amina", "x@ofppt.ma", "--remove", "--db", db).returncode == 2
    assert run_cli("users", "email", "ghost", "x@ofppt.ma", "--db", db).returncode == 1
    assert "users email" in run_cli("users", "--help").stdout


# ------------------------------------------------------------------------------ the login page (AppTest)
SECRETS = {"auth": {"redirect_uri": "http://127.0.0.1:8501/oauth2callback", "cookie_secret": "x" * 32,
                    "client_id": "pie-dashboard", "client_secret": "secret",
                    "server_metadata_url": "http://127.0.0.1:9999/.well-known/openid-configuration"}}


def login_page(monkeypatch, database, secrets: dict | None = None, identity: dict | None = None):
    from streamlit.testing.v1 import AppTest

    from apptest_support import DASHBOARD

    monkeypatch.setenv("PIE_DB", str(database))
    at = AppTest.from_file(DASHBOARD, default_timeout=30)
    if secrets:
        at.secrets.update(secrets)
    at.user = identity or {}
    return at.run()


def button_labels(at) -> list[str]:
    return [button.label for button in at.button]


@pytest.mark.usefixtures("fresh_caches")
def test_without_auth_secrets_the_login_page_is_unchanged(monkeypatch, store):
    """Test that no [auth] section (or an incomplete one) means no OFPPT button, and that a
    Streamlit identity then counts for nothing."""
    at = login_page(monkeypatch, store, identity=claims("amina.idrissi@ofppt.ma"))
    assert "Se connecter avec le compte OFPPT" not in button_labels(at)
    assert at.text_input(key="login_user_name") is not None and not at.error
    incomplete = {"auth": {k: v for k, v in SECRETS["auth"].items() if k != "client_secret"}}
    at = login_page(monkeypatch, store, incomplete, identity=claims("amina.idrissi@ofppt.ma"))
    assert "Se connecter avec le compte OFPPT" not in button_labels(at)
    assert "login_sso" not in [e["event"] for e in auth.audit_log(store)]


@pytest.mark.usefixtures("fresh_caches")
def test_the_login_page_offers_the_ofppt_account_above_the_local_form(monkeypatch, store):
    """Test that with [auth] secrets the page shows the OFPPT button, then the local form."""
    at = login_page(monkeypatch, store, SECRETS, identity={"is_logged_in": False})
    assert button_labels(at)[-2:] == ["Se connecter avec le compte OFPPT", "Se connecter"]
    assert at.text_input(key="login_password") is not None


@pytest.mark.usefixtures("fresh_caches")
def test_a_fresh_identity_becomes_a_pie_session_of_its_account(monkeypatch, store):
    """Test that a fresh identity whose e-mail is a manager's logs the browser session in as that
    manager (a PIE session in the store, the one-time cookie ticket issued)."""
    from pie.ui import login

    at = login_page(monkeypatch, store, SECRETS, identity=claims("Amina.Idrissi@ofppt.ma"))
    assert not at.error
    assert auth.resolve_session(at.session_state[login.TOKEN_KEY], store) == auth.User("amina", "manager", None)
    assert any("amina" in caption.value and "Gestionnaire" in caption.value for caption in at.sidebar.caption)
    assert auth.sessions_of("amina", store) == 1


@pytest.mark.usefixtures("fresh_caches")
def test_a_refused_identity_gets_one_message_and_a_way_out(monkeypatch, store):
    """Test that an unknown e-mail, a partner's and a disabled account's get the same refusal,
    no session, and the button that signs out of the OFPPT account."""
    from pie.i18n import t

    texts = []
    for email in ("nobody@ofppt.ma", "credit@boa.ma", "karim@ofppt.ma"):
        at = login_page(monkeypatch, store, SECRETS, identity=claims(email))
        texts.append([error.value for error in at.error])
        assert "Se déconnecter du compte OFPPT" in button_labels(at)
        assert not at.metric
    assert texts == [[t("auth.error.sso_refused", "fr")]] * 3
    assert auth.sessions_of("boa", store) == auth.sessions_of("karim", store) == 0


# ------------------------------------------------------------------------------ end to end (Chromium)
SSO_BUTTON = "Se connecter avec le compte OFPPT"
BROWSER_ACCOUNTS = [  # user, role, scope, e-mail, disabled
    ("amina", "manager", None, "amina.idrissi@ofppt.ma", False),
    ("salma", "manager", None, "salma@ofppt.ma", False),
    ("boa", "bank", "BOA", "credit@boa.ma", False),
    ("karim", "manager", None, "karim@ofppt.ma", True),
]


@pytest.fixture(scope="module")
def provider():
    """oidc-provider-mock on a loopback port: its authorize form lets the test type the subject,
    whose e-mail claim is the subject itself."""
    import authlib.deprecate  # its import puts an "always" filter first: ours must come after

    with warnings.catch_warnings():  # the mock imports Authlib's deprecated authlib.jose
        warnings.simplefilter("ignore", authlib.deprecate.AuthlibDeprecationWarning)
        oidc_provider_mock = pytest.importorskip("oidc_provider_mock")
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, oidc_provider_mock.app(require_nonce=True), threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(10)


@pytest.fixture(scope="module")
def sso_site(small_db, provider, tmp_path_factory, browser):
    """The dashboard started as in production (`python -m pie.ui.serve`) on a copy of the small
    programme, with a secrets.toml whose [auth] section points at the mock provider."""
    from browser_support import streamlit_server

    folder = tmp_path_factory.mktemp("sso")
    database = Path(__import__("shutil").copyfile(small_db, folder / "pie.duckdb"))
    for user_name, role, scope, email, disabled in BROWSER_ACCOUNTS:
        auth.add_user(database, user_name, role, PASSWORD, scope, email=email)
        if disabled:
            auth.disable_user(database, user_name)
    secrets = folder / "secrets.toml"
    secrets.write_text(
        "[auth]\n"
        'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'   # Streamlit fills in its port
        'cookie_secret = "only-for-the-tests-0123456789abcdef"\n'
        'client_id = "pie-dashboard"\n'
        'client_secret = "the-mock-does-not-check-it"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n', encoding="utf-8")
    with streamlit_server(database, env={"STREAMLIT_SECRETS_FILES": str(secrets)}) as url:
        yield url, database


def sign_in_with_ofppt(page, url: str, email: str) -> None:
    """Open the dashboard, choose the OFPPT account, and sign in at the provider as `email`."""
    page.goto(url)
    page.get_by_role("button", name=SSO_BUTTON).click()
    page.locator("input[name=sub]").fill(email)
    page.get_by_role("button", name="Authorize").click()


def events(database, user_name=None) -> list[str]:
    return [e["event"] for e in auth.audit_log(database) if user_name is None or e["user_name"] == user_name]


@pytest.mark.browser
def test_a_manager_signs_in_with_the_ofppt_account(sso_site, context):
    """Test that a manager whose e-mail the provider asserts (typed in another case) lands
    logged in with the manager's role and pages, with the same HttpOnly PIE cookie as a password
    login, and stays logged in after a reload."""
    from browser_support import assert_no_exception, expect, wait_for_cookie

    url, database = sso_site
    page = context.new_page()
    sign_in_with_ofppt(page, url, "Amina.Idrissi@OFPPT.ma")
    expect(page.get_by_test_id("stSidebar").get_by_text("Connecté : amina (Gestionnaire du programme)")).to_be_visible()
    expect(page.get_by_test_id("stMetricValue").first).to_be_visible()
    expect(page.get_by_test_id("stSidebar").get_by_role("link", name="Import")).to_be_visible()  # a manager's page
    assert_no_exception(page)
    session = wait_for_cookie(page, "pie_session")
    assert session["httpOnly"] and session["sameSite"] == "Strict"
    page.reload()
    expect(page.get_by_test_id("stMetricValue").first).to_be_visible()
    assert events(database, "amina").count("login_sso") == 1


@pytest.mark.browser
@pytest.mark.parametrize("email, reason", [
    ("nobody@ofppt.ma", "unknown e-mail"),
    ("credit@boa.ma", "role bank signs in with its local account"),
    ("karim@ofppt.ma", "disabled"),
])
def test_unknown_partner_and_disabled_accounts_are_refused(sso_site, context, email, reason):
    """Test that an e-mail no account has, a bank's and a disabled manager's are refused with the
    one message, no page and no PIE cookie, the reason in the audit trail, and that the refusal's
    button signs out of the OFPPT account (Streamlit's identity cookie gone)."""
    from browser_support import cookie, expect
    from pie.i18n import t

    url, database = sso_site
    page = context.new_page()
    sign_in_with_ofppt(page, url, email)
    expect(page.get_by_text(t("auth.error.sso_refused", "fr"))).to_be_visible()
    expect(page.get_by_test_id("stMetricValue")).to_have_count(0)
    assert cookie(context, "pie_session") is None
    assert cookie(context, "_streamlit_user") is not None
    refusal = [e for e in auth.audit_log(database) if e["event"] == "login_sso_refused"][-1]
    assert json.loads(refusal["detail"])["reason"] == reason
    page.get_by_role("button", name="Se déconnecter du compte OFPPT").click()
    page.get_by_role("button", name="End session").click()  # the provider's own logout page
    expect(page.get_by_role("button", name=SSO_BUTTON)).to_be_visible()
    assert cookie(context, "_streamlit_user") is None
    expect(page.get_by_text(t("auth.error.sso_refused", "fr"))).to_have_count(0)


@pytest.mark.browser
def test_logging_out_of_pie_ends_the_ofppt_sign_in_too(sso_site, context):
    """Test that PIE's logout also runs st.logout: Streamlit's identity cookie and the PIE cookie
    are gone, the provider's logout page is shown, and a reload asks again."""
    from browser_support import cookie, expect, wait_for_cookie

    url, database = sso_site
    page = context.new_page()
    sign_in_with_ofppt(page, url, "salma@ofppt.ma")
    expect(page.get_by_test_id("stMetricValue").first).to_be_visible()
    wait_for_cookie(page, "pie_session")
    page.get_by_test_id("stSidebar").get_by_role("button", name="Se déconnecter").click()
    page.get_by_role("button", name="End session").click()
    expect(page.get_by_role("button", name=SSO_BUTTON)).to_be_visible()
    assert cookie(context, "_streamlit_user") is None and cookie(context, "pie_session") is None
    assert auth.sessions_of("salma", database) == 0 and "logout" in events(database, "salma")
    page.reload()
    expect(page.get_by_role("button", name=SSO_BUTTON)).to_be_visible()
    expect(page.get_by_test_id("stMetricValue")).to_have_count(0)


UPLOAD_FROM_PAGE = """async (sessionId) => {
    const xsrf = (document.cookie.split('; ').find(c => c.startsWith('_streamlit_xsrf=')) || '').split('=')[1] || '';
    const form = new FormData();
    form.append('file', new Blob(['participant_id\\nP1\\n'], {type: 'text/csv'}), 'participants.csv');
    const response = await fetch('/_stcore/upload_file/' + sessionId + '/file-1',
        {method: 'PUT', body: form, credentials: 'same-origin', headers: {'X-Xsrftoken': xsrf}});
    return response.status;
}"""


@pytest.mark.browser
def test_streamlit_identity_cookie_opens_no_page_download_or_upload(sso_site, context, browser):
    """Test that another browser given the manager's Streamlit identity cookies (not the PIE
    cookie) gets the login page — the identity was exchanged once — cannot read the manager's
    download, and cannot upload from its own session, while the manager can (so the refusals are
    the guards', not a broken request)."""
    from browser_support import TIMEOUT_MS, VIEWPORT, cookie, expect, session_ids, wait_for_cookie, wait_until_idle

    url, database = sso_site
    page = context.new_page()
    manager_ids = session_ids(page)
    sign_in_with_ofppt(page, url, "amina.idrissi@ofppt.ma")
    expect(page.get_by_test_id("stMetricValue").first).to_be_visible()
    wait_for_cookie(page, "pie_session")
    page.goto(f"{url}/financing")
    expect(page.get_by_test_id("stMetricValue").first).to_be_visible()
    wait_until_idle(page)
    button = page.get_by_text("Décisions listées").locator(
        "xpath=following::*[@data-testid='stDownloadButton'][1]").get_by_role("button")
    with page.expect_download() as info:
        button.click()
    media = info.value.url
    assert context.request.get(media).status == 200
    assert page.evaluate(UPLOAD_FROM_PAGE, manager_ids[-1]) in (200, 204)

    logins = events(database, "amina").count("login_sso")
    identity = [c for c in context.cookies() if c["name"].startswith("_streamlit_user")]
    assert identity, "no Streamlit identity cookie after the sign-in"
    other = browser.new_context(viewport=VIEWPORT)
    other.set_default_timeout(TIMEOUT_MS)
    try:
        other.add_cookies(identity)
        intruder = other.new_page()
        intruder_ids = session_ids(intruder)
        intruder.goto(url)
        expect(intruder.get_by_role("button", name=SSO_BUTTON)).to_be_visible()
        wait_until_idle(intruder)
        expect(intruder.get_by_test_id("stMetricValue")).to_have_count(0)
        assert cookie(other, "pie_session") is None
        assert other.request.get(media).status == 404
        assert intruder.evaluate(UPLOAD_FROM_PAGE, intruder_ids[-1]) == 403
    finally:
        other.close()
    assert events(database, "amina").count("login_sso") == logins


def test_streamlits_logout_route_also_expires_the_pie_cookie():
    """Test that /auth/logout (what st.logout opens) keeps Streamlit's answer and adds an expired
    `pie_session` cookie, while other routes are untouched."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from starlette.requests import Request
    from starlette.responses import RedirectResponse, Response
    from starlette.routing import Route

    from pie.ui import browser_session

    async def streamlit_logout(request):
        response = RedirectResponse("/", status_code=302)
        response.set_cookie("_streamlit_user", "", max_age=0)
        return response

    async def health(request):
        return Response("ok")

    routes = browser_session.routes_with_session(
        lambda runtime: [Route("/auth/logout", streamlit_logout, methods=["GET"]),
                         Route("/_stcore/health", health, methods=["GET"])])(None)
    by_path = {route.path: route for route in routes}

    def call(path: str):
        scope = {"type": "http", "method": "GET", "path": path, "headers": [], "scheme": "https",
                 "query_string": b"", "server": ("pie.example.ma", 443), "root_path": ""}
        with ThreadPoolExecutor(1) as pool:  # Playwright's sync API may hold this thread's loop
            return pool.submit(asyncio.run, by_path[path].endpoint(Request(scope))).result()

    cookies = call("/auth/logout").headers.getlist("set-cookie")
    assert any(c.startswith("_streamlit_user=") for c in cookies)
    pie = [c for c in cookies if c.startswith("pie_session=")]
    assert len(pie) == 1 and "Max-Age=0" in pie[0] and "HttpOnly" in pie[0] and "Secure" in pie[0]
    assert call("/_stcore/health").headers.getlist("set-cookie") == []
