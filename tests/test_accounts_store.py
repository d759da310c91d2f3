"""The accounts store (docs/SECURITY.md): accounts, sessions, login attempts and the audit log
beside the database, never in it; sessions checked in every process; throttled logins that
never lock the owner out; bounded names; nothing typed logged; strong passwords."""
from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
import time

import duckdb
import pytest

from apptest_support import copy_of, dashboard
from conftest import run_cli
from pie import auth, db
from pie.config import PROJECT_ROOT
from pie.ui import login

PASSWORD = "correct horse battery"


pytestmark = pytest.mark.usefixtures("fresh_caches")


@pytest.fixture
def accounts_db(empty_db):
    auth.add_user(empty_db, "amina", "manager", PASSWORD)
    auth.add_user(empty_db, "admin", "admin", PASSWORD)
    return empty_db


def resolve_elsewhere(path, secret: str) -> str:
    """Resolve a session in a fresh Python process (its own module state and caches)."""
    code = ("import sys; from pie import auth; u = auth.resolve_session(sys.argv[2], sys.argv[1]); "
            "print(u.user_name if u else 'none')")
    result = subprocess.run([sys.executable, "-c", code, str(path), secret], capture_output=True, text=True,
                            cwd=PROJECT_ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def store_bytes(path) -> bytes:
    store = auth.store_path(path)
    return b"".join(p.read_bytes() for p in (store, store.with_name(store.name + "-wal")) if p.exists())


# ------------------------------------------------------------------------------ the store
def test_store_is_a_private_wal_sqlite_file_beside_the_database(accounts_db):
    """Test that accounts live in <db>.accounts.sqlite, mode 0600, in WAL mode, with its tables."""
    store = auth.store_path(accounts_db)
    assert store == accounts_db.with_name("pie.duckdb.accounts.sqlite")
    assert oct(store.stat().st_mode & 0o777) == "0o600"
    with sqlite3.connect(store) as con:
        assert con.execute("pragma journal_mode").fetchone()[0] == "wal"
        tables = {r[0] for r in con.execute("select name from sqlite_master where type = 'table'")}
    assert {"accounts", "sessions", "login_attempts", "audit_log"} <= tables


def test_store_path_can_be_set_for_the_configured_database(tmp_path, monkeypatch):
    """Test that PIE_ACCOUNTS_DB moves the store of PIE_DB, and of no other database."""
    monkeypatch.setenv("PIE_DB", str(tmp_path / "pie.duckdb"))
    monkeypatch.setenv("PIE_ACCOUNTS_DB", str(tmp_path / "secret" / "accounts.sqlite"))
    assert auth.store_path() == tmp_path / "secret" / "accounts.sqlite"
    assert auth.store_path(tmp_path / "other.duckdb") == tmp_path / "other.duckdb.accounts.sqlite"


def test_no_snapshot_holds_an_account_a_hash_or_an_audit_row(accounts_db):
    """Test that, after accounts, logins and a published write, the newest snapshot (opened
    read-only) has no account table and no argon2 hash anywhere in the file."""
    auth.authenticate(accounts_db, "amina", PASSWORD)
    with db.writing(accounts_db) as con:
        con.execute("insert into establishments values ('E1', 'CMC', 'cmc', '09', 'Agadir', null)")
    snapshot = db.reader(accounts_db).snapshot()
    con = duckdb.connect(str(snapshot), read_only=True)
    try:
        tables = {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}
    finally:
        con.close()
    assert not {"users", "audit_log", "accounts", "sessions"} & tables
    assert b"$argon2" not in snapshot.read_bytes() and b"$argon2" not in accounts_db.read_bytes()


def make_legacy_database(path, monkeypatch):
    """A database as an older version left it: users and audit_log inside, in its snapshots."""
    monkeypatch.setattr(db, "_account_tables_mover", None)  # an older version moved nothing
    db.init_database(path)
    with db.writing(path) as con:
        con.execute("create table users (user_name varchar primary key, role varchar not null, scope_code varchar, "
                    "password_hash varchar not null, disabled boolean not null default false, failed_logins integer "
                    "not null default 0, locked_until timestamp, created_at timestamp not null, "
                    "last_login_at timestamp)")
        con.execute("create table audit_log (occurred_at timestamp not null, user_name varchar, "
                    "event varchar not null, detail varchar)")
        con.execute("insert into users values ('amina', 'manager', null, $h, false, 0, null, now(), null), "
                    "('boa.agadir', 'bank', 'BOA', $h, true, 0, null, now(), null)",
                    {"h": auth._hasher.hash(PASSWORD)})
        con.execute("insert into audit_log values (now(), 'amina', 'login', null), (now(), 'cli', 'user_added', 'x')")
    monkeypatch.undo()
    assert any(b"$argon2" in p.read_bytes() for p in db.published_dir(path).glob("*.duckdb"))


def test_legacy_accounts_are_moved_once_and_dropped_from_every_snapshot(tmp_path, monkeypatch):
    """Test the migration: the old users/audit_log rows move to the store (once, said in the
    audit log), the tables leave the database of record, and no snapshot keeps a hash."""
    path = tmp_path / "pie.duckdb"
    make_legacy_database(path, monkeypatch)
    assert auth.authenticate(path, "amina", PASSWORD).role == "manager"  # first open migrates
    with pytest.raises(auth.LoginFailed):
        auth.authenticate(path, "boa.agadir", PASSWORD)  # still disabled
    with db.writing(path, publish=False) as con:
        assert db.account_tables(con) == []
    snapshots = list(db.published_dir(path).glob("*.duckdb"))
    assert snapshots and not any(b"$argon2" in p.read_bytes() for p in snapshots)
    events = [r["event"] for r in auth.audit_log(path)]
    assert events.count("accounts_migrated") == 1 and events[:2] == ["login", "user_added"]
    # Idempotent: the same legacy rows found again (a crash before the drop) add nothing.
    monkeypatch.setattr(db, "_account_tables_mover", None)
    with db.writing(path, publish=False) as con:
        con.execute("create table audit_log (occurred_at timestamp, user_name varchar, event varchar, detail varchar)")
        con.execute("insert into audit_log values (now(), 'amina', 'login', null)")
    monkeypatch.undo()
    with db.writing(path, publish=False):
        pass
    assert [r["event"] for r in auth.audit_log(path)].count("login") == 2  # the legacy one + ours
    assert len(auth.list_users(path)) == 2


def test_login_never_waits_for_the_database_write_lock(accounts_db, monkeypatch):
    """Test that a login (and its session) succeeds while another process holds the DuckDB
    write lock, even with a 1 s lock wait."""
    monkeypatch.setenv("PIE_LOCK_WAIT_SECONDS", "1")
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sys, time
        from pie import db
        with db.writing({str(accounts_db)!r}, publish=False):
            print("locked", flush=True)
            time.sleep(30)
        """)], stdout=subprocess.PIPE, text=True, cwd=PROJECT_ROOT)
    try:
        assert holder.stdout.readline().strip() == "locked"
        started = time.monotonic()
        user = auth.authenticate(accounts_db, "amina", PASSWORD)
        secret = auth.open_session(user, accounts_db)
        assert auth.resolve_session(secret, accounts_db) == user
        auth.record_event(accounts_db, "amina", "logout")
        assert time.monotonic() - started < 5
        assert holder.poll() is None  # the lock was held all along
    finally:
        holder.kill()
        holder.wait()


# ------------------------------------------------------------------------------ sessions
def test_disabled_account_loses_access_in_another_process(accounts_db):
    """Test that `users disable` (a third process) ends a session opened here, as seen by a
    second process that never heard of the disable."""
    secret = auth.open_session(auth.authenticate(accounts_db, "amina", PASSWORD), accounts_db)
    assert resolve_elsewhere(accounts_db, secret) == "amina"
    assert run_cli("users", "disable", "amina", "--db", str(accounts_db)).returncode == 0
    assert resolve_elsewhere(accounts_db, secret) == "none"
    time.sleep(auth.SESSION_CHECK_SECONDS)
    assert auth.resolve_session(secret, accounts_db) is None
    assert run_cli("users", "enable", "amina", "--db", str(accounts_db)).returncode == 0
    assert resolve_elsewhere(accounts_db, secret) == "none"  # re-enabling does not revive it


def test_disabled_account_sees_the_login_page_at_its_next_click(small_db, tmp_path, monkeypatch):
    """Test that an open dashboard session of an account disabled from the CLI shows the
    login page at its next run."""
    path = copy_of(small_db, tmp_path / "disable")
    at = dashboard(monkeypatch, path, account="manager")
    assert at.metric and not at.exception
    assert run_cli("users", "disable", "manager", "--db", str(path)).returncode == 0
    time.sleep(auth.SESSION_CHECK_SECONDS)
    at.run()
    assert [title.value for title in at.title] == ["Connexion"] and not at.metric


@pytest.mark.parametrize("change", ["passwd", "role", "enable"])
def test_account_changes_end_its_sessions(accounts_db, change):
    """Test that a new password, a new role or a re-enable (version bump) ends open sessions."""
    secret = auth.open_session("amina", accounts_db)
    if change == "passwd":
        auth.set_password(accounts_db, "amina", "another long one")
    elif change == "role":
        auth.set_role(accounts_db, "amina", "leadership")
    else:
        auth.enable_user(accounts_db, "amina")
    assert auth.resolve_session(secret, accounts_db) is None


# Sessions' idle timeout, maximum lifetime and last_seen writes: tests/test_accounts_postgres.py,
# on this SQLite store and on PostgreSQL alike.


def test_session_secrets_are_stored_hashed(accounts_db):
    """Test that the store keeps only a hash of a session's secret; close_session ends it."""
    secret = auth.open_session("amina", accounts_db)
    assert secret.encode() not in store_bytes(accounts_db)
    auth.close_session(secret, accounts_db)
    assert auth.resolve_session(secret, accounts_db) is None


# ------------------------------------------------------------------------------ logins
def test_a_stranger_cannot_lock_the_admin_out(accounts_db):
    """Test that 50 wrong passwords for admin from a stranger delay the owner's login by at
    most MAX_DELAY_SECONDS, and the owner gets in."""
    waits: list[float] = []
    for _ in range(50):
        with pytest.raises(auth.LoginFailed):
            auth.authenticate(accounts_db, "admin", "guess", clients=("ip:203.0.113.9",), sleep=waits.append)
    assert max(waits) == auth.MAX_DELAY_SECONDS
    owner: list[float] = []
    assert auth.authenticate(accounts_db, "admin", PASSWORD, clients=("ip:198.51.100.7",),
                             sleep=owner.append).role == "admin"
    assert owner == [auth.MAX_DELAY_SECONDS]


def test_one_client_is_slowed_down_whatever_names_it_tries(accounts_db):
    """Test that failures from one client (websocket session) delay it even across names."""
    waits: list[float] = []
    for n in range(6):
        with pytest.raises(auth.LoginFailed):
            auth.authenticate(accounts_db, f"user{n}", "guess", clients=("ws:abc",), sleep=waits.append)
    assert waits == [1, 2, 4]


def test_the_login_form_throttles_its_websocket_session(small_db, tmp_path, monkeypatch):
    """Test that repeated failures typed in one browser session wait before being checked."""
    path = copy_of(small_db, tmp_path / "throttle")
    auth.add_user(path, "amina", "manager", PASSWORD)
    waits: list[float] = []
    monkeypatch.setattr(auth, "_sleep", waits.append)
    at = dashboard(monkeypatch, path, account=None)
    for n in range(5):
        at.text_input(key="login_user_name").input(f"guess{n}")
        at.text_input(key="login_password").input("nope")
        at = at.button[0].click().run()
        assert at.error
    assert waits == [1, 2]


class CountingHasher:
    """argon2's PasswordHasher, counting the verifications and hashes each attempt does."""

    def __init__(self, hasher):
        self.hasher, self.verified, self.hashed = hasher, 0, 0

    def verify(self, *args):
        self.verified += 1
        return self.hasher.verify(*args)

    def hash(self, *args):
        self.hashed += 1
        return self.hasher.hash(*args)

    def __getattr__(self, name):
        return getattr(self.hasher, name)


def attempt(path, name: str, password: str, client: str) -> str:
    with pytest.raises(auth.LoginFailed) as refused:
        auth.authenticate(path, name, password, clients=(client,), sleep=lambda seconds: None)
    return refused.value.text("fr")


def test_every_refusal_has_the_same_reply_and_the_same_work(accounts_db, monkeypatch):
    """Test that an unknown name, a wrong password, a disabled account, an invalid name and a
    throttled attempt get the same message and do the same work: exactly one argon2
    verification and no hash each (argon2 is what takes time: the same work is the same time,
    which a wall-clock comparison on a shared machine could not show reliably)."""
    auth.add_user(accounts_db, "karim", "manager", PASSWORD)
    auth.disable_user(accounts_db, "karim")
    cases = {"unknown": ("nobody", "guess"), "wrong": ("amina", "guess"), "disabled": ("karim", PASSWORD),
             "invalid": ("Not A Name!" * 3, "guess"), "throttled": ("admin", "guess")}
    for n in range(6):  # admin throttled from here on (its waits are skipped, not its work)
        attempt(accounts_db, "admin", "guess", f"warm{n}")
    attempt(accounts_db, "nobody", "guess", "warm")  # the process's dummy hash is made once, at the first unknown name
    counting = CountingHasher(auth._hasher)
    monkeypatch.setattr(auth, "_hasher", counting)
    replies, work = set(), {}
    for case, (name, password) in cases.items():
        before = (counting.verified, counting.hashed)
        replies.add(attempt(accounts_db, name, password, f"{case}-client"))
        work[case] = (counting.verified - before[0], counting.hashed - before[1])
    assert len(replies) == 1
    assert work == {case: (1, 0) for case in cases}


def test_names_are_bounded_and_nothing_typed_is_logged(accounts_db):
    """Test that a 2,000,001-character name, a password typed as a name and an unknown name
    are refused like a wrong password and that no typed text reaches the audit log or the store."""
    typed = ["x" * 2_000_001, "Mon Mot De Passe Secret 2026!", "hunter2-secret-pw"]
    for name in typed:
        with pytest.raises(auth.LoginFailed):
            auth.authenticate(accounts_db, name, "tapé-par-erreur-ici")
    with pytest.raises(auth.LoginFailed):
        auth.authenticate(accounts_db, "amina", "wrong-secret-typed")
    rows = auth.audit_log(accounts_db)[-4:]
    assert [(r["user_name"], r["detail"]) for r in rows] == [
        (None, "invalid name"), (None, "invalid name"), (None, "unknown user"), ("amina", "wrong password")]
    content = store_bytes(accounts_db)
    for text in ("xxxxxxxxxxxxxxxxxxxx", "Mot De Passe", "mot de passe", "hunter2", "tapé", "wrong-secret"):
        assert text.encode() not in content


def test_demo_and_design_names_are_valid_names():
    """Test that the demo accounts and DESIGN.md's names fit the user name rule (≤ 64)."""
    for name in [n for n, _, _ in auth.DEMO_ACCOUNTS] + ["cmc09", "boa.agadir", "mcise.souss"]:
        assert auth.valid_name(name) == name
    assert auth.valid_name("a" * 64) and not auth.valid_name("a" * 65)


# ------------------------------------------------------------------------------ passwords
@pytest.mark.parametrize("password, key", [
    ("short", "auth.error.password_short"),
    ("password1234", "auth.error.password_weak.dictionary"),
    ("aaaaaaaaaaaaaaaa", "auth.error.password_weak.repeat"),
    ("abcdefghijklmnop", "auth.error.password_weak.sequence"),
])
def test_weak_passwords_are_refused_with_the_reason(accounts_db, password, key):
    """Test that a short or guessable password is refused, saying why in each language."""
    with pytest.raises(auth.AccountError) as refused:
        auth.add_user(accounts_db, "karim", "manager", password)
    assert refused.value.key == key
    assert len({refused.value.text(lang) for lang in ("fr", "ar", "en")}) == 3


def test_cli_refuses_weak_passwords_and_unlocks(accounts_db):
    """Test `users passwd` and `init` with a weak PIE_PASSWORD (exit 1, reason in French), and
    that `users list` shows a throttled account until `users unlock` clears it."""
    result = run_cli("users", "passwd", "amina", "--db", str(accounts_db), password="motdepasse12")
    assert result.returncode == 1 and "deviner" in result.stderr
    result = run_cli("init", "--db", str(accounts_db.parent / "new.duckdb"), password="azertyuiop12")
    assert result.returncode == 1 and "deviner" in result.stderr
    for _ in range(5):
        with pytest.raises(auth.LoginFailed):
            auth.authenticate(accounts_db, "amina", "guess", sleep=lambda seconds: None)
    listing = run_cli("users", "list", "--db", str(accounts_db))
    assert "5 essais manqués" in listing.stdout, listing.stdout
    assert run_cli("users", "unlock", "amina", "--db", str(accounts_db)).returncode == 0
    assert "essais" not in run_cli("users", "list", "--db", str(accounts_db)).stdout
    waits: list[float] = []
    auth.authenticate(accounts_db, "amina", PASSWORD, sleep=waits.append)
    assert waits == []


def test_login_page_session_survives_in_the_store(small_db, tmp_path, monkeypatch):
    """Test that a login through the form opens a session in the store (seen by a new process)."""
    path = copy_of(small_db, tmp_path / "form")
    auth.add_user(path, "amina", "manager", PASSWORD)
    at = dashboard(monkeypatch, path, account=None)
    at.text_input(key="login_user_name").input("amina")
    at.text_input(key="login_password").input(PASSWORD)
    at = at.button[0].click().run()
    assert at.metric
    assert resolve_elsewhere(path, at.session_state[login.TOKEN_KEY]) == "amina"
