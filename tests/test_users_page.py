"""The admin's accounts page (AppTest): list, add, disable, new password — never a hash."""
from __future__ import annotations

import pytest

from apptest_support import copy_of, dashboard
from pie import auth
from pie.ui import navigation

pytestmark = pytest.mark.usefixtures("fresh_caches")

USERS_PAGE = "pages/admin/users.py"
PASSWORD = "correct horse battery"


@pytest.fixture
def accounts_db(small_db, tmp_path):
    path = copy_of(small_db, tmp_path / "users")
    auth.add_user(path, "amina", "manager", PASSWORD)
    return path


def users_page(monkeypatch, database):
    return dashboard(monkeypatch, database, account="admin").switch_page(USERS_PAGE).run()


def submit(at, form_button: str):
    return next(b for b in at.button if b.label == form_button).click().run()


def test_only_admins_have_the_accounts_page():
    """Test that the accounts page is registered for the admin role only."""
    assert [role for role in navigation.ALL_ROLES
            if "users" in [p.name for p in navigation.pages_for(role)]] == ["admin"]


def test_list_shows_accounts_without_hashes(monkeypatch, accounts_db):
    """Test that the list shows name, role and state, and no password hash anywhere."""
    at = users_page(monkeypatch, accounts_db)
    assert not at.exception
    table = at.dataframe[0].value
    assert list(table.iloc[:, 0]) == ["admin", "amina"]
    assert "Gestionnaire du programme" in set(table.iloc[:, 1])
    assert "$argon2" not in table.to_csv()


def test_admin_adds_a_bank_account_that_can_log_in(monkeypatch, accounts_db):
    """Test that the add form creates a BOA account (code upper-cased) that logs in."""
    at = users_page(monkeypatch, accounts_db)
    at.text_input(key="new_user_name").input("boa.agadir")
    at.selectbox(key="new_user_role").set_value("bank")
    at.text_input(key="new_user_scope").input("boa")
    at.text_input(key="new_user_password").input("boa password 1")
    at.text_input(key="new_user_again").input("boa password 1")
    at = submit(at, "Créer le compte")
    assert not at.error, [e.value for e in at.error]
    assert auth.authenticate(accounts_db, "boa.agadir", "boa password 1").scope().bank == "BOA"


def test_mismatched_passwords_create_nothing(monkeypatch, accounts_db):
    """Test that two different passwords are refused and no account is created."""
    at = users_page(monkeypatch, accounts_db)
    at.text_input(key="new_user_name").input("karim")
    at.text_input(key="new_user_password").input("first password")
    at.text_input(key="new_user_again").input("second password")
    at = submit(at, "Créer le compte")
    assert at.error
    assert [u["user_name"] for u in auth.list_users(accounts_db)] == ["admin", "amina"]


def test_disabling_an_account_ends_its_open_sessions(monkeypatch, accounts_db):
    """Test that a disabled account cannot log in and its open session stops at once."""
    token = auth.open_session("amina", accounts_db)
    at = users_page(monkeypatch, accounts_db)
    at.selectbox(key="change_user_name").set_value("amina")
    at.radio(key="change_user_action").set_value("disable")
    at = submit(at, "Appliquer")
    assert not at.error
    assert auth.resolve_session(token, accounts_db) is None
    with pytest.raises(auth.LoginFailed):
        auth.authenticate(accounts_db, "amina", PASSWORD)


def test_new_account_is_listed_at_once(monkeypatch, accounts_db):
    """Test that an account added with the form shows in the list above it on the same run,
    without leaving the page."""
    at = users_page(monkeypatch, accounts_db)
    at.text_input(key="new_user_name").input("cam.oujda")
    at.selectbox(key="new_user_role").set_value("bank")
    at.text_input(key="new_user_scope").input("cam")
    at.text_input(key="new_user_password").input("cam password 12")
    at.text_input(key="new_user_again").input("cam password 12")
    at = submit(at, "Créer le compte")
    assert not at.error, [e.value for e in at.error]
    assert list(at.dataframe[0].value.iloc[:, 0]) == ["admin", "amina", "cam.oujda"]
