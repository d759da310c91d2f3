"""The accounts store on both backends (issue 20, docs/SECURITY.md): the SQLite file beside a
DuckDB database, and the `pie_accounts` schema of the PostgreSQL catalog when the database of
record is a DuckLake (`ducklake:postgres:…`). The store's behaviour — logins, throttling,
sessions, the audit trail, trusted partners, single sign-on, the reporting calendar, e-mail
uniqueness, the contact access log — is tested on both; what only PostgreSQL has to promise
(every process sees a disabled account at once, concurrent first use, nothing outside its
schema, connections reused) on PostgreSQL. The throwaway PostgreSQL is the `postgres` fixture
(tests/postgres_support.py): these tests skip, saying why, where it cannot be installed."""
from __future__ import annotations

import json
import subprocess
import sys
import threading
import time

import pytest

from conftest import run_cli
from pie import auth
from pie.config import PROJECT_ROOT
from pie.privacy import access_log

PASSWORD = "correct horse battery"
STRONG = "another long one"


@pytest.fixture(params=["sqlite", "postgres"])
def location(request) -> str:
    """Where the database of record is (a `--db` value): a DuckDB file (its store a SQLite file
    beside it) or a DuckLake on a fresh PostgreSQL database (its store in that database)."""
    if request.param == "sqlite":
        return str(request.getfixturevalue("empty_db"))
    cluster = request.getfixturevalue("postgres")
    return "ducklake:postgres:" + cluster.libpq(cluster.create_database())


@pytest.fixture
def lake(postgres) -> str:
    """A DuckLake location on a fresh PostgreSQL database (PostgreSQL-only tests)."""
    return "ducklake:postgres:" + postgres.libpq(postgres.create_database())


@pytest.fixture
def accounts(location) -> str:
    auth.add_user(location, "amina", "manager", PASSWORD)
    auth.add_user(location, "boa.agadir", "bank", PASSWORD, "boa")
    return location


def events(location) -> list[tuple[str | None, str]]:
    return [(row["user_name"], row["event"]) for row in auth.audit_log(location)]


def resolve_elsewhere(location: str, secret: str) -> str:
    """Resolve a session in a fresh Python process (its own module state, caches and pool)."""
    code = ("import sys; from pie import auth; u = auth.resolve_session(sys.argv[2], sys.argv[1]); "
            "print(u.user_name if u else 'none')")
    result = subprocess.run([sys.executable, "-c", code, location, secret], capture_output=True, text=True,
                            cwd=PROJECT_ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def last_seen(location) -> float:
    with auth._store(location) as con:
        return con.execute("select last_seen from sessions").fetchone()[0]


_nonces = iter(range(10**6))


def claims(email: str, **more) -> dict:
    """The claims of an identity token just issued (a new nonce each time)."""
    return {"iss": "http://127.0.0.1:9999", "sub": email, "aud": "pie", "iat": int(time.time()),
            "nonce": f"n{next(_nonces)}", "email": email, **more}


# ------------------------------------------------------------------------------ logins
def test_login_returns_the_account_and_refuses_alike(accounts):
    """Test that a right password gives the account with its scope (bank code upper-cased), a
    wrong password and an unknown name get the same error, and the audit trail says which."""
    user = auth.authenticate(accounts, "boa.agadir", PASSWORD)
    assert (user.role, user.scope_code) == ("bank", "BOA")
    with pytest.raises(auth.LoginFailed) as wrong:
        auth.authenticate(accounts, "amina", "nope")
    with pytest.raises(auth.LoginFailed) as unknown:
        auth.authenticate(accounts, "nobody", "nope")
    assert str(wrong.value) == str(unknown.value)
    rows = auth.audit_log(accounts)
    assert [(r["user_name"], r["event"], r["detail"]) for r in rows[-3:]] == [
        ("boa.agadir", "login", None), ("amina", "login_failed", "wrong password"),
        (None, "login_failed", "unknown user")]
    assert [r["event"] for r in auth.audit_log(accounts, limit=2)] == ["user_added", "user_added"]
    assert auth.list_users(accounts)[0]["last_login_at"] is None  # amina never logged in


def test_failures_slow_down_but_never_lock_the_owner_out(accounts):
    """Test that an account's failures delay its next attempts 1, 2, 4… s (≤ 30 s), the owner's
    right password still opens it, a success resets the count, and `list_users` shows it throttled."""
    waits: list[float] = []
    for _ in range(9):
        with pytest.raises(auth.LoginFailed):
            auth.authenticate(accounts, "amina", "nope", sleep=waits.append)
    assert waits == [1, 2, 4, 8, 16, 30]
    listed = {u["user_name"]: u for u in auth.list_users(accounts)}
    assert listed["amina"]["failed_logins"] == 9 and listed["amina"]["throttled_until"] is not None
    assert auth.authenticate(accounts, "amina", PASSWORD, sleep=waits.append).role == "manager"
    assert waits[-1] == auth.MAX_DELAY_SECONDS
    auth.authenticate(accounts, "amina", PASSWORD, sleep=waits.append)
    assert len(waits) == 7                     # the success reset the count: no wait
    assert {u["user_name"]: u for u in auth.list_users(accounts)}["amina"]["failed_logins"] == 0


def test_one_client_is_slowed_down_whatever_names_it_tries(accounts):
    """Test that one client's failures delay it across names, and `unlock_user` clears an account's."""
    waits: list[float] = []
    for n in range(6):
        with pytest.raises(auth.LoginFailed):
            auth.authenticate(accounts, f"user{n}", "guess", clients=("ws:abc",), sleep=waits.append)
    assert waits == [1, 2, 4]
    for _ in range(4):
        with pytest.raises(auth.LoginFailed):
            auth.authenticate(accounts, "amina", "guess", sleep=lambda seconds: None)
    auth.unlock_user(accounts, "amina")
    waits.clear()
    auth.authenticate(accounts, "amina", PASSWORD, sleep=waits.append)
    assert waits == []


def test_parallel_attempts_each_count(accounts):
    """Test that eight wrong passwords typed at the same moment in eight threads each see the
    failures counted before them (the store serialises its writers: SQLite's `begin immediate`,
    PostgreSQL's write lock), so the waits are 1, 2, 4, 8, 16 s and not five times 1 s."""
    waits: list[float] = []
    start = threading.Barrier(8)

    def attempt():
        start.wait()
        with pytest.raises(auth.LoginFailed):
            auth.authenticate(accounts, "amina", "nope", sleep=waits.append, now=1_000_000_000.0)

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(waits) == [1, 2, 4, 8, 16]


def test_disabled_account_cannot_log_in_and_its_sessions_end(accounts):
    """Test that a disabled account is refused like a wrong password and its session ends."""
    secret = auth.open_session(auth.authenticate(accounts, "amina", PASSWORD), accounts)
    auth.disable_user(accounts, "amina")
    with pytest.raises(auth.LoginFailed):
        auth.authenticate(accounts, "amina", PASSWORD)
    assert auth.check_session(secret, accounts) == (None, "ended")
    assert auth.find_user(accounts, "amina") is None and auth.find_user(accounts, "amina", enabled_only=False)
    with pytest.raises(auth.AccountError):
        auth.open_session("amina", accounts)


# ------------------------------------------------------------------------------ sessions
def test_disabled_account_loses_access_in_every_process(accounts):
    """Test that `users disable` run by a third process ends a session opened here, as seen at
    once by a second process that never heard of the disable (and, after the process's short
    cache, here); re-enabling does not revive it."""
    secret = auth.open_session(auth.authenticate(accounts, "amina", PASSWORD), accounts)
    assert auth.resolve_session(secret, accounts).user_name == "amina"
    assert resolve_elsewhere(accounts, secret) == "amina"
    result = run_cli("users", "disable", "amina", "--db", accounts)
    assert result.returncode == 0, result.stderr
    assert resolve_elsewhere(accounts, secret) == "none"
    time.sleep(auth.SESSION_CHECK_SECONDS)
    assert auth.resolve_session(secret, accounts) is None
    assert run_cli("users", "enable", "amina", "--db", accounts).returncode == 0
    assert resolve_elsewhere(accounts, secret) == "none"


@pytest.mark.parametrize("change", ["passwd", "role", "enable", "email"])
def test_account_changes_end_its_sessions(accounts, change):
    """Test that a new password, role, e-mail or a re-enable (version bump) ends open sessions."""
    secret = auth.open_session("amina", accounts)
    other = auth.open_session("boa.agadir", accounts)
    if change == "passwd":
        auth.set_password(accounts, "amina", STRONG)
    elif change == "role":
        auth.set_role(accounts, "amina", "leadership")
    elif change == "email":
        auth.set_email(accounts, "amina", "amina@ofppt.ma")
    else:
        auth.enable_user(accounts, "amina")
    assert auth.resolve_session(secret, accounts) is None
    assert auth.resolve_session(other, accounts).user_name == "boa.agadir"
    assert auth.sessions_of("amina", accounts) == 0 and auth.sessions_of("boa.agadir", accounts) == 1


def test_sessions_have_a_maximum_lifetime_and_an_idle_timeout(accounts, monkeypatch):
    """Test that a session ends after PIE_SESSION_MAX_HOURS even when active, and when idle;
    logging out ends one session, close_sessions_of every session of the account."""
    monkeypatch.setenv("PIE_SESSION_MAX_HOURS", str(0.5 / 3600))
    secret = auth.open_session("amina", accounts)
    assert auth.check_session(secret, accounts)[0] is not None
    time.sleep(0.6)
    assert auth.check_session(secret, accounts) == (None, "expired")
    monkeypatch.setenv("PIE_SESSION_MAX_HOURS", "12")
    monkeypatch.setenv("PIE_SESSION_TIMEOUT_MINUTES", "0")
    secret = auth.open_session("amina", accounts)
    time.sleep(0.05)
    assert auth.check_session(secret, accounts) == (None, "expired")
    monkeypatch.setenv("PIE_SESSION_TIMEOUT_MINUTES", "30")
    first, second = auth.open_session("amina", accounts), auth.open_session("amina", accounts)
    auth.close_session(first, accounts)
    assert auth.check_session(first, accounts) == (None, "ended")
    assert auth.check_session(second, accounts)[0] is not None
    auth.close_sessions_of("amina", accounts)
    assert auth.check_session(second, accounts) == (None, "ended")


def test_a_session_check_writes_last_seen_at_most_once_a_minute(accounts, monkeypatch):
    """Test that checking a live session does not write last_seen again within a minute, writes
    it once the minute has passed, and that the idle timeout counts from that write."""
    secret = auth.open_session("amina", accounts)
    opened = last_seen(accounts)
    clock = [time.time()]
    monkeypatch.setattr(auth.time, "time", lambda: clock[0])
    monkeypatch.setattr(auth, "SESSION_CHECK_SECONDS", 0)
    clock[0] += 30
    assert auth.check_session(secret, accounts)[0] is not None
    assert last_seen(accounts) == opened
    clock[0] += 31
    assert auth.check_session(secret, accounts)[0] is not None
    assert last_seen(accounts) == clock[0]      # a float kept exactly (double precision, not real)
    monkeypatch.setenv("PIE_SESSION_TIMEOUT_MINUTES", "1")
    clock[0] += 59
    assert auth.check_session(secret, accounts)[0] is not None
    clock[0] += 62
    assert auth.check_session(secret, accounts) == (None, "expired")


def test_session_secrets_and_passwords_are_stored_hashed(accounts):
    """Test that the store keeps a session's sha256 and an argon2id hash, never the secrets."""
    secret = auth.open_session("amina", accounts)
    with auth._store(accounts) as con:
        (id_hash,) = con.execute("select id_hash from sessions").fetchone()
        (stored,) = con.execute("select password_hash from accounts where user_name = ?", ("amina",)).fetchone()
    assert id_hash == auth._hash_secret(secret) and secret not in id_hash
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert all("$argon2" not in str(value) for user in auth.list_users(accounts) for value in user.values())


# ------------------------------------------------------------------------------ accounts
def test_emails_are_kept_lower_case_and_unique(accounts):
    """Test that an e-mail is stored lower-case and no two accounts share one, whatever the case."""
    auth.add_user(accounts, "karim", "manager", PASSWORD, email="Karim@OFPPT.ma")
    assert {u["user_name"]: u["email"] for u in auth.list_users(accounts)}["karim"] == "karim@ofppt.ma"
    with pytest.raises(auth.AccountError) as taken:
        auth.add_user(accounts, "karim2", "manager", PASSWORD, email="KARIM@ofppt.ma")
    assert taken.value.key == "auth.error.email_taken"
    with pytest.raises(auth.AccountError) as taken:
        auth.set_email(accounts, "amina", "karim@ofppt.ma")
    assert taken.value.key == "auth.error.email_taken"
    auth.set_email(accounts, "karim", None)
    auth.set_email(accounts, "amina", "karim@ofppt.ma")  # free again
    with pytest.raises(auth.AccountError) as exists:
        auth.add_user(accounts, "amina", "manager", PASSWORD)
    assert exists.value.key == "auth.error.exists"
    auth.set_language(accounts, "amina", "ar")
    assert {u["user_name"]: u["language"] for u in auth.list_users(accounts)} == {
        "amina": "ar", "boa.agadir": "fr", "karim": "fr"}


def test_trusted_partners(accounts):
    """Test that a partner account can be trusted and untrusted (audit-logged, once each even
    when trusted twice), and a manager cannot be."""
    assert not auth.is_trusted(accounts, "boa.agadir")
    auth.set_trusted(accounts, "boa.agadir", True, by="amina")
    auth.set_trusted(accounts, "boa.agadir", True, by="amina")   # insert or ignore
    assert auth.is_trusted(accounts, "boa.agadir")
    auth.set_trusted(accounts, "boa.agadir", False, by="amina")
    assert not auth.is_trusted(accounts, "boa.agadir")
    with pytest.raises(auth.AccountError) as refused:
        auth.set_trusted(accounts, "amina", True)
    assert refused.value.key == "auth.error.not_partner"
    assert events(accounts)[-3:] == [("amina", "partner_trusted"), ("amina", "partner_trusted"),
                                     ("amina", "partner_untrusted")]
    # only a manager or an admin may trust: a partner cannot trust itself, nor a disabled manager
    for refused_by in ("boa.agadir", "amina"):
        if refused_by == "amina":
            auth.disable_user(accounts, "amina")
        with pytest.raises(auth.AccountError) as refused:
            auth.set_trusted(accounts, "boa.agadir", True, by=refused_by)
        assert refused.value.key == "auth.error.not_reviewer"
    assert not auth.is_trusted(accounts, "boa.agadir")
    auth.set_trusted(accounts, "boa.agadir", True, by="cli")     # an operator at the command line
    assert auth.is_trusted(accounts, "boa.agadir")


def test_an_identity_token_counts_once(accounts):
    """Test that single sign-on exchanges one identity token once (a second exchange, or the
    first of a refused one, gives None), and a stale token nothing."""
    auth.set_email(accounts, "amina", "amina@ofppt.ma")
    fresh = claims("AMINA@ofppt.ma", email_verified=True)
    assert auth.sso_login(accounts, fresh) == auth.User("amina", "manager", None)
    assert auth.sso_login(accounts, fresh) is None
    assert auth.sso_login(accounts, {**claims("amina@ofppt.ma"), "iat": time.time() - 600}) is None
    refused = claims("nobody@ofppt.ma")
    with pytest.raises(auth.LoginFailed):
        auth.sso_login(accounts, refused)
    assert auth.sso_login(accounts, refused) is None
    assert events(accounts)[-2:] == [("amina", "login_sso"), (None, "login_sso_refused")]


def test_reporting_calendar(accounts):
    """Test that a partner's calendar is set, replaced (upsert) and read with its organisation."""
    auth.add_user(accounts, "boa.rabat", "bank", PASSWORD, "BOA", email="credit@boa.ma")
    auth.add_user(accounts, "mcise", "incubator", PASSWORD, "MCISE")
    auth.set_reporting_calendar(accounts, "bank", "BOA", 5, "2026-01", by="amina")
    auth.set_reporting_calendar(accounts, "bank", "BOA", 6, by="amina")
    with pytest.raises(auth.AccountError):
        auth.set_reporting_calendar(accounts, "bank", "CAM", 5)
    with pytest.raises(auth.AccountError):
        auth.set_reporting_calendar(accounts, "bank", "BOA", 29)
    found = {(p["role"], p["scope_code"]): (p["user_names"], p["contact"], p["due_day"], p["reporting_from"])
             for p in auth.partner_organisations(accounts)}
    assert found == {("bank", "BOA"): (["boa.agadir", "boa.rabat"], "boa.agadir, credit@boa.ma", 6, None),
                     ("incubator", "MCISE"): (["mcise"], "mcise", auth.DEFAULT_DUE_DAY, None)}


def test_contact_access_log_filters_by_person_and_account(accounts):
    """Test that the contact access log (pie.privacy.access_log) is written to the store and
    filtered by participant (inside its JSON list) and account, newest first."""
    access_log.record("amina", "manager", "view", "follow_up/participants", ["P01", "P02 / P05"],
                      db_path=accounts, wait=True)
    access_log.record("admin", "admin", "download", "x.csv", ["P05"], db_path=accounts, wait=True)
    assert [e["target"] for e in access_log.entries(accounts, participant_id="P05")] == [
        "x.csv", "follow_up/participants"]
    assert [e["people"] for e in access_log.entries(accounts, participant_id="P02")] == [3]
    assert access_log.entries(accounts, participant_id="P0") == []
    assert [e["user_name"] for e in access_log.entries(accounts, user_name="amina")] == ["amina"]
    assert len(access_log.entries(accounts, limit=1)) == 1


# ------------------------------------------------------------------------------ the CLI
def test_cli_users_commands_on_either_store(location):
    """Test `users add|list|language|trust|disable|enable|email|passwd|unlock` with `--db` the
    location: a DuckLake's accounts need no lake data (only `add --role establishment` reads the
    database of record, to check the establishment)."""
    def cli(*args, password=None):
        result = run_cli("users", *args, "--db", location, password=password)
        assert result.returncode == 0, result.stderr
        return result.stdout

    cli("add", "amina", "--role", "manager", "--email", "Amina@ofppt.ma", password=PASSWORD)
    cli("add", "boa.agadir", "--role", "bank", "--scope", "boa", password=PASSWORD)
    cli("language", "amina", "ar")
    cli("trust", "boa.agadir")
    cli("disable", "boa.agadir")
    listed = {u["user_name"]: u for u in json.loads(cli("list", "--json"))}
    assert (listed["amina"]["email"], listed["amina"]["language"], listed["boa.agadir"]["disabled"]) == (
        "amina@ofppt.ma", "ar", True)
    cli("enable", "boa.agadir")
    cli("email", "boa.agadir", "credit@boa.ma")
    cli("email", "amina", "--remove")
    cli("passwd", "amina", password=STRONG)
    for _ in range(4):
        with pytest.raises(auth.LoginFailed):
            auth.authenticate(location, "amina", "guess", sleep=lambda seconds: None)
    assert "4 essais manqués" in cli("list")
    cli("unlock", "amina")
    waits: list[float] = []
    assert auth.authenticate(location, "amina", STRONG, sleep=waits.append).role == "manager"
    assert waits == []
    assert {u["user_name"]: u["email"] for u in auth.list_users(location)} == {
        "amina": None, "boa.agadir": "credit@boa.ma"}
    assert auth.is_trusted(location, "boa.agadir")
    assert "boa.agadir" in cli("list")
    assert [e for _, e in events(location)].count("user_added") == 2


# ------------------------------------------------------------------------------ PostgreSQL only
def test_the_store_lives_in_its_own_schema_and_nowhere_else(lake, postgres, tmp_path, monkeypatch):
    """Test that on a DuckLake the store is the schema `pie_accounts` of the catalog's database —
    every table of the store there, no other table anywhere in that database (the lake's own
    catalog tables stay the lake's), no SQLite file written (not even in the working folder)."""
    import psycopg

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PIE_DB", lake)
    auth.add_user(None, "amina", "manager", PASSWORD)       # the configured location
    secret = auth.open_session(auth.authenticate(lake, "amina", PASSWORD), lake)
    auth.record_event(lake, "amina", "logout")
    auth.close_session(secret, lake)
    with psycopg.connect(lake.removeprefix("ducklake:postgres:")) as con:
        tables = con.execute("select table_schema, table_name from information_schema.tables "
                             "where table_schema not in ('pg_catalog', 'information_schema')").fetchall()
        hashes = con.execute("select count(*) from pie_accounts.accounts where password_hash like '$argon2id$%'"
                             ).fetchone()[0]
    assert {schema for schema, _ in tables} == {"pie_accounts"}
    assert {name for _, name in tables} == {"accounts", "sessions", "login_attempts", "audit_log", "contact_access",
                                            "trusted_partners", "sso_logins", "reporting_calendar", "store_meta"}
    assert hashes == 1
    assert list(tmp_path.iterdir()) == []
    assert [e for _, e in events(lake)] == ["user_added", "login", "logout"]


def test_concurrent_first_use_by_several_processes(lake):
    """Test that four processes opening a new store at the same moment all succeed (its schema
    is created once, under the write lock) and their four accounts are there."""
    code = ("import sys, time; from pie import auth; time.sleep(max(0, float(sys.argv[3]) - time.time())); "
            "auth.add_user(sys.argv[1], sys.argv[2], 'manager', 'x', _demo=True); "
            "print(len(auth.list_users(sys.argv[1])))")
    at = str(time.time() + 4)
    processes = [subprocess.Popen([sys.executable, "-c", code, lake, f"user{n}", at], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True, cwd=PROJECT_ROOT) for n in range(4)]
    outcomes = [process.communicate(timeout=120) for process in processes]
    assert [process.returncode for process in processes] == [0, 0, 0, 0], [err for _, err in outcomes]
    assert [u["user_name"] for u in auth.list_users(lake)] == ["user0", "user1", "user2", "user3"]
    with auth._store(lake) as con:
        assert con.execute("select count(*) from store_meta where key = 'hmac_key'").fetchone()[0] == 1


def test_session_checks_reuse_the_processs_connections(lake, monkeypatch):
    """Test that a hundred session checks (no process cache) open at most one connection, and a
    connection the server dropped while idle is replaced without the caller noticing."""
    import psycopg

    from pie import auth_postgres

    auth.add_user(lake, "amina", "manager", PASSWORD)
    secret = auth.open_session("amina", lake)
    store = auth._store_of(lake)
    store.close_all()
    opened = []
    connect = store._connect
    monkeypatch.setattr(store, "_connect", lambda: opened.append(1) or connect())
    monkeypatch.setattr(auth, "SESSION_CHECK_SECONDS", 0)
    for _ in range(100):
        assert auth.check_session(secret, lake)[0] is not None
    assert len(opened) == 1
    with psycopg.connect(store.conninfo, autocommit=True) as admin:  # the server drops the pool's connection
        ended = admin.execute("select count(pg_terminate_backend(pid)) from pg_stat_activity "
                              "where datname = current_database() and pid <> pg_backend_pid()").fetchone()[0]
    assert ended == 1
    monkeypatch.setattr(auth_postgres, "STALE_SECONDS", 0.0)
    assert auth.check_session(secret, lake)[0] is not None
    assert len(opened) == 2


def test_a_duckdb_file_needs_no_psycopg(empty_db):
    """Test that a process working on a DuckDB file's accounts never imports psycopg (the default
    install does not have it) nor pie.auth_postgres."""
    code = ("import sys; from pie import auth; auth.add_user(sys.argv[1], 'amina', 'manager', 'x', _demo=True); "
            "auth.open_session('amina', sys.argv[1]); auth.list_users(sys.argv[1]); "
            "print(sorted(m for m in sys.modules if m.startswith(('psycopg', 'pie.auth_postgres'))))")
    result = subprocess.run([sys.executable, "-c", code, str(empty_db)], capture_output=True, text=True,
                            cwd=PROJECT_ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
