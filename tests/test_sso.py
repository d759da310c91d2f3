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
from pathlib import Path

import pytest

from conftest import run_cli
from pie import auth

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
