"""Accounts: argon2 hashes, login, lockout, audit trail, and the `users` CLI."""
from __future__ import annotations

import sqlite3

import pytest

from conftest import run_cli
from pie import auth, db

PASSWORD = "correct horse battery"


@pytest.fixture
def accounts_db(empty_db):
    auth.add_user(empty_db, "amina", "manager", PASSWORD)
    auth.add_user(empty_db, "boa.agadir", "bank", PASSWORD, "boa")
    return empty_db


def audit_events(path) -> list[tuple[str, str]]:
    return [(row["user_name"], row["event"]) for row in auth.audit_log(path)]


def test_password_is_stored_as_an_argon2id_hash(accounts_db):
    """Test that the accounts store holds an argon2id hash, never the password."""
    with sqlite3.connect(auth.store_path(accounts_db)) as con:
        stored = con.execute("select password_hash from accounts where user_name = 'amina'").fetchone()[0]
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_the_product_hashes_at_owasps_recommended_cost(accounts_db, product_password_hasher):
    """Test that the product hashes with argon2id at OWASP's recommended minimum (19 MiB, 2
    passes, 1 lane; the test process hashes at the cheapest, tests/conftest.py), and that a
    login re-hashes a password stored at another cost (the tests' or argon2-cffi's default)."""
    import argon2

    def stored() -> str:
        with sqlite3.connect(auth.store_path(accounts_db)) as con:
            return con.execute("select password_hash from accounts where user_name = 'amina'").fetchone()[0]

    def set_stored(value: str) -> None:
        with sqlite3.connect(auth.store_path(accounts_db)) as con:
            con.execute("update accounts set password_hash = ? where user_name = 'amina'", (value,))

    owasp = argon2.Parameters(type=argon2.Type.ID, version=19, salt_len=16, hash_len=32, time_cost=2,
                              memory_cost=19456, parallelism=1)
    assert argon2.extract_parameters(stored()) != owasp  # added at the tests' cost
    auth.authenticate(accounts_db, "amina", PASSWORD)
    assert argon2.extract_parameters(stored()) == owasp
    # a hash made at argon2-cffi's default (the product's cost before issue 18) is re-hashed too
    set_stored(argon2.PasswordHasher().hash(PASSWORD))
    auth.authenticate(accounts_db, "amina", PASSWORD)
    assert argon2.extract_parameters(stored()) == owasp
    assert product_password_hasher.verify(stored(), PASSWORD)


def test_login_returns_the_account_and_its_scope(accounts_db):
    """Test that a right password gives the user with the role's scope (bank code upper-cased)."""
    user = auth.authenticate(accounts_db, "boa.agadir", PASSWORD)
    assert (user.role, user.scope_code, user.scope().bank) == ("bank", "BOA", "BOA")
    assert ("boa.agadir", "login") in audit_events(accounts_db)


def test_wrong_password_and_unknown_user_give_the_same_error(accounts_db):
    """Test that a wrong password and an unknown name are refused alike (names cannot be probed)."""
    with pytest.raises(auth.LoginFailed) as wrong:
        auth.authenticate(accounts_db, "amina", "nope")
    with pytest.raises(auth.LoginFailed) as unknown:
        auth.authenticate(accounts_db, "nobody", "nope")
    assert str(wrong.value) == str(unknown.value)
    assert ("amina", "login_failed") in audit_events(accounts_db)


def test_failures_slow_down_but_never_lock_the_owner_out(accounts_db):
    """Test that failures of an account delay its next attempts 1, 2, 4… s (capped at 30 s),
    and the owner's right password still opens the account (no lock anyone can trigger)."""
    waits: list[float] = []
    for _ in range(12):
        with pytest.raises(auth.LoginFailed):
            auth.authenticate(accounts_db, "amina", "nope", sleep=waits.append)
    assert waits == [1, 2, 4, 8, 16, 30, 30, 30, 30]
    assert auth.authenticate(accounts_db, "amina", PASSWORD, sleep=waits.append).role == "manager"
    assert waits[-1] == auth.MAX_DELAY_SECONDS
    auth.authenticate(accounts_db, "amina", PASSWORD, sleep=waits.append)  # a success resets the count
    assert len(waits) == 10


def test_success_resets_the_failure_count(accounts_db):
    """Test that failures before a successful login do not count towards a delay."""
    waits: list[float] = []
    for _ in range(auth.FREE_FAILURES):
        with pytest.raises(auth.LoginFailed):
            auth.authenticate(accounts_db, "amina", "nope", sleep=waits.append)
    auth.authenticate(accounts_db, "amina", PASSWORD, sleep=waits.append)
    assert waits == [1.0]
    with pytest.raises(auth.LoginFailed):  # a fresh count: no wait
        auth.authenticate(accounts_db, "amina", "nope", sleep=waits.append)
    assert waits == [1.0]


def test_disabled_account_cannot_log_in(accounts_db):
    """Test that a disabled account is refused with the ordinary login error."""
    auth.disable_user(accounts_db, "amina")
    with pytest.raises(auth.LoginFailed):
        auth.authenticate(accounts_db, "amina", PASSWORD)


def test_new_password_replaces_the_old(accounts_db):
    """Test that passwd changes the password and the old one stops working."""
    auth.set_password(accounts_db, "amina", "another long one")
    with pytest.raises(auth.LoginFailed):
        auth.authenticate(accounts_db, "amina", PASSWORD)
    assert auth.authenticate(accounts_db, "amina", "another long one").user_name == "amina"


@pytest.mark.parametrize("name, role, scope, key", [
    ("Amina", "manager", None, "auth.error.bad_name"),
    ("x", "manager", None, "auth.error.bad_name"),
    ("amina2", "boss", None, "auth.error.bad_role"),
    ("boa2", "bank", None, "auth.error.scope_needed_bank"),
    ("mcise2", "incubator", " ", "auth.error.scope_needed_incubator"),
    ("boa3", "bank", "BOA'; drop table users; --", "auth.error.bad_bank"),
    ("amina3", "manager", "BOA", "auth.error.no_scope"),
    ("amina", "manager", None, "auth.error.exists"),
])
def test_bad_accounts_are_refused_with_a_reason(accounts_db, name, role, scope, key):
    """Test that each bad account is refused with its translated reason."""
    with pytest.raises(auth.AccountError) as refused:
        auth.add_user(accounts_db, name, role, PASSWORD, scope)
    assert refused.value.key == key and refused.value.text("fr") != key


def test_short_password_is_refused(accounts_db):
    """Test that a password under the minimum length is refused."""
    with pytest.raises(auth.AccountError, match="at least"):
        auth.add_user(accounts_db, "karim", "manager", "short")


def test_listing_never_shows_a_hash(accounts_db):
    """Test that list_users returns no password hash."""
    users = auth.list_users(accounts_db)
    assert [u["user_name"] for u in users] == ["amina", "boa.agadir"]
    assert all("$argon2" not in str(value) for user in users for value in user.values())


def test_demo_accounts_only_in_a_demo_database(empty_db):
    """Test that demo accounts (password = name) are refused in a real database."""
    with pytest.raises(auth.AccountError):
        auth.create_demo_accounts(empty_db)


def test_init_creates_the_first_admin_from_pie_password(tmp_path):
    """Test that init takes the first admin's password from PIE_PASSWORD, and it logs in."""
    path = tmp_path / "real.duckdb"
    result = run_cli("init", "--db", str(path), password=PASSWORD)
    assert result.returncode == 0, result.stderr
    assert auth.authenticate(path, "admin", PASSWORD).role == "admin"


def test_cli_adds_a_bank_account_that_sees_only_its_bank(tmp_path):
    """Test the README's journey: init with an admin, add a BOA account, log in as BOA."""
    path = tmp_path / "real.duckdb"
    run_cli("init", "--db", str(path), password=PASSWORD)
    result = run_cli("users", "add", "boa.agadir", "--role", "bank", "--scope", "BOA", "--db", str(path),
                     password="boa password 1")
    assert result.returncode == 0, result.stderr
    assert auth.authenticate(path, "boa.agadir", "boa password 1").scope().bank == "BOA"


def test_cli_without_password_source_is_refused(tmp_path):
    """Test that `users add` with no terminal and no PIE_PASSWORD exits 1 and says how."""
    path = tmp_path / "real.duckdb"
    run_cli("init", "--db", str(path))
    result = run_cli("users", "add", "karim", "--role", "manager", "--db", str(path))
    assert result.returncode == 1 and "PIE_PASSWORD" in result.stderr


def test_cli_has_no_password_argument():
    """Test that no command accepts a password as an argument."""
    assert "--password" not in run_cli("users", "--help").stdout
    assert run_cli("users", "add", "karim", "--role", "manager", "--password", "x").returncode == 2


def test_demo_database_has_one_account_per_role(tmp_path):
    """Test that a demo database holds the DESIGN.md demo accounts, each logging in with its name."""
    from pie import demo

    path = tmp_path / "demo.duckdb"
    demo.build_demo(path, participants=200, seed=3)
    (souss_massa_cmc,) = db.reader(path).connection().execute(
        "select establishment_id from establishments where kind = 'cmc' and region_code = '09'").fetchall()
    assert {u["user_name"]: (u["role"], u["scope_code"]) for u in auth.list_users(path)} == {
        "admin": ("admin", None), "manager": ("manager", None), "leadership": ("leadership", None),
        "boa": ("bank", "BOA"), "cam": ("bank", "CAM"), "mcise": ("incubator", "MCISE"),
        "cmc09": ("establishment", souss_massa_cmc[0])}
    assert auth.authenticate(path, "cam", "cam").scope().bank == "CAM"
