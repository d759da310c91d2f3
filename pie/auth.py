"""Accounts, password hashing (argon2id), login with lockout, and the audit trail.

Accounts live in the `users` table of the database of record. Every call here opens the
file read-write for one short transaction (DESIGN.md, Concurrency) and does not publish a
snapshot: accounts are not something pages show. No function returns a password or a hash;
`User` carries only what the dashboard needs to know about who is logged in.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import duckdb
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from pie import db
from pie.errors import AccountError, AccountLocked, LoginFailed, PieError
from pie.scope import ROLES, Scope

MAX_FAILED_LOGINS = 5
LOCK_MINUTES = 15
MIN_PASSWORD_LENGTH = 8
USER_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,31}")
BANK_CODE = re.compile(r"[A-Z][A-Z0-9]{1,11}")

# One demo account per role, password = user name (DESIGN.md, Roles).
DEMO_ACCOUNTS = (
    ("admin", "admin", None),
    ("manager", "manager", None),
    ("leadership", "leadership", None),
    ("boa", "bank", "BOA"),
    ("cam", "bank", "CAM"),
    ("mcise", "incubator", "MCISE"),
)

_hasher = PasswordHasher()  # argon2id with the library's recommended parameters


@dataclass(frozen=True)
class User:
    """Who is logged in: never a password or a hash."""

    user_name: str
    role: str
    scope_code: str | None

    def scope(self) -> Scope:
        """The widest scope this account may see."""
        return Scope.for_role(self.role, self.scope_code)


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _audit(con: duckdb.DuckDBPyConnection, user_name: str | None, event: str, detail: str | None = None) -> None:
    con.execute("insert into audit_log values ($at, $user_name, $event, $detail)",
                {"at": _now(), "user_name": user_name, "event": event, "detail": detail})


def record_event(path: Path | str | None, user_name: str | None, event: str, detail: str | None = None) -> None:
    """Add one line to the audit trail (logout, page events…)."""
    with db.writing(path, publish=False) as con:
        _audit(con, user_name, event, detail)


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters",
                           key="auth.error.password_short", minimum=MIN_PASSWORD_LENGTH)


def check_account(user_name: str, role: str, scope_code: str | None) -> str | None:
    if not USER_NAME.fullmatch(user_name):
        raise AccountError(f"user name {user_name!r}: 2 to 32 lower-case letters, digits, '.', '_' or '-'",
                           key="auth.error.bad_name", name=user_name)
    if role not in ROLES:
        raise AccountError(f"role {role!r} is not one of {', '.join(ROLES)}", key="auth.error.bad_role",
                           role=role, roles=", ".join(ROLES))
    if role in ("bank", "incubator"):
        if not scope_code or not scope_code.strip():
            raise AccountError(f"role {role} needs --scope (bank code or incubator name)",
                               key=f"auth.error.scope_needed_{role}")
        scope_code = scope_code.strip()
        if role == "bank":
            scope_code = scope_code.upper()
            if not BANK_CODE.fullmatch(scope_code):
                raise AccountError(f"bank code {scope_code!r}: upper-case short name such as BOA",
                                   key="auth.error.bad_bank", code=scope_code)
        return scope_code
    if scope_code:
        raise AccountError(f"role {role} takes no --scope", key="auth.error.no_scope", role=role)
    return None


def add_user(path: Path | str | None, user_name: str, role: str, password: str,
             scope_code: str | None = None, *, by: str | None = None, _demo: bool = False) -> User:
    """Create an account; refuses an existing name, a bad role/scope or a short password."""
    scope_code = check_account(user_name, role, scope_code)
    if not _demo:
        check_password_strength(password)
    with db.writing(path, publish=False) as con:
        if con.execute("select 1 from users where user_name = $n", {"n": user_name}).fetchone():
            raise AccountError(f"user {user_name!r} already exists", key="auth.error.exists", name=user_name)
        con.execute(
            "insert into users (user_name, role, scope_code, password_hash, created_at) "
            "values ($n, $role, $scope, $hash, $at)",
            {"n": user_name, "role": role, "scope": scope_code, "hash": _hasher.hash(password), "at": _now()})
        _audit(con, by, "user_added", f"{user_name} ({role}{' ' + scope_code if scope_code else ''})")
    return User(user_name, role, scope_code)


def list_users(path: Path | str | None) -> list[dict]:
    """Every account without its hash: name, role, scope, disabled, locked_until, last login."""
    with db.writing(path, publish=False) as con:
        rows = con.execute(
            "select user_name, role, scope_code, disabled, failed_logins, locked_until, created_at, "
            "last_login_at from users order by user_name").fetchall()
    keys = ("user_name", "role", "scope_code", "disabled", "failed_logins", "locked_until", "created_at",
            "last_login_at")
    return [dict(zip(keys, row)) for row in rows]


def _require_user(con: duckdb.DuckDBPyConnection, user_name: str) -> None:
    if not con.execute("select 1 from users where user_name = $n", {"n": user_name}).fetchone():
        raise AccountError(f"no user named {user_name!r}", key="auth.error.unknown", name=user_name)


def disable_user(path: Path | str | None, user_name: str, *, by: str | None = None) -> None:
    """Disable an account: it can no longer log in (its history is kept)."""
    with db.writing(path, publish=False) as con:
        _require_user(con, user_name)
        con.execute("update users set disabled = true where user_name = $n", {"n": user_name})
        _audit(con, by, "user_disabled", user_name)


def enable_user(path: Path | str | None, user_name: str, *, by: str | None = None) -> None:
    """Enable a disabled account and clear its lock."""
    with db.writing(path, publish=False) as con:
        _require_user(con, user_name)
        con.execute("update users set disabled = false, failed_logins = 0, locked_until = null "
                    "where user_name = $n", {"n": user_name})
        _audit(con, by, "user_enabled", user_name)


def set_password(path: Path | str | None, user_name: str, password: str, *, by: str | None = None) -> None:
    """Set a new password (and clear a lock)."""
    check_password_strength(password)
    with db.writing(path, publish=False) as con:
        _require_user(con, user_name)
        con.execute("update users set password_hash = $hash, failed_logins = 0, locked_until = null "
                    "where user_name = $n", {"n": user_name, "hash": _hasher.hash(password)})
        _audit(con, by, "password_changed", user_name)


def authenticate(path: Path | str | None, user_name: str, password: str, now: datetime | None = None) -> User:
    """The account if the password is right; records the login or the failure.

    Raises LoginFailed (unknown name, wrong password or disabled: one message for all, so
    names cannot be probed) or AccountLocked after MAX_FAILED_LOGINS failures in a row, for
    LOCK_MINUTES.
    """
    now = now or _now()
    user_name = (user_name or "").strip().lower()
    # Failures are recorded (audit, counter, lock) and raised only after the commit.
    refusal: PieError | None = None
    with db.writing(path, publish=False) as con:
        row = con.execute(
            "select role, scope_code, password_hash, disabled, failed_logins, locked_until "
            "from users where user_name = $n", {"n": user_name}).fetchone()
        if row is None:
            _hasher.hash(password or "-")  # same time as a real check: names cannot be probed by timing
            _audit(con, user_name or None, "login_failed", "unknown user")
            refusal = LoginFailed("wrong user name or password", key="auth.error.login_failed")
        else:
            refusal = _check_login(con, user_name, password, row, now)
    if refusal is not None:
        raise refusal
    role, scope_code = row[0], row[1]
    return User(user_name, role, scope_code)


def _check_login(con: duckdb.DuckDBPyConnection, user_name: str, password: str, row: tuple,
                 now: datetime) -> PieError | None:
    """Record one login attempt of an existing account; the refusal to raise, if any."""
    _role, _scope, password_hash, disabled, failed, locked_until = row
    if locked_until is not None and locked_until > now:
        _audit(con, user_name, "login_failed", "locked")
        return AccountLocked(locked_until, LOCK_MINUTES)
    try:
        _hasher.verify(password_hash, password or "")
        ok = not disabled
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        ok = False
    if not ok:
        failed = 1 if locked_until is not None else (failed or 0) + 1  # a past lock starts a new count
        lock = now + timedelta(minutes=LOCK_MINUTES) if failed >= MAX_FAILED_LOGINS else None
        con.execute("update users set failed_logins = $f, locked_until = $lock where user_name = $n",
                    {"f": failed, "lock": lock, "n": user_name})
        _audit(con, user_name, "login_failed", "disabled" if disabled else "wrong password")
        if lock:
            _audit(con, user_name, "account_locked", f"{MAX_FAILED_LOGINS} failed logins")
            return AccountLocked(lock, LOCK_MINUTES)
        return LoginFailed("wrong user name or password", key="auth.error.login_failed")
    if _hasher.check_needs_rehash(password_hash):
        con.execute("update users set password_hash = $h where user_name = $n",
                    {"h": _hasher.hash(password), "n": user_name})
    con.execute("update users set failed_logins = 0, locked_until = null, last_login_at = $at "
                "where user_name = $n", {"at": now, "n": user_name})
    _audit(con, user_name, "login")
    return None


def create_demo_accounts(path: Path | str | None) -> None:
    """The demo accounts of DESIGN.md (password = user name), on a demo database only."""
    with db.writing(path, publish=False) as con:
        if db.meta(con).get("is_demo") != "true":
            raise AccountError("demo accounts are only created in a demo database", key="auth.error.not_demo")
    for user_name, role, scope_code in DEMO_ACCOUNTS:
        add_user(path, user_name, role, user_name, scope_code, _demo=True)
