"""Accounts, sessions, login throttling and the audit trail, in their own store.

The store is a SQLite file in WAL mode beside the database of record (default
`<PIE_DB>.accounts.sqlite`, PIE_ACCOUNTS_DB overrides it; created 0600), never inside it
(DESIGN.md, Concurrency): a login never waits for an import's DuckDB write lock, and no
published snapshot holds an account, a hash or an audit row. Many processes may read and
write it at once (each write is one short `begin immediate` transaction, with a busy timeout).
When the database of record is a DuckLake (`ducklake:postgres:…`, issue 20) the store is the
schema `pie_accounts` of the catalog's PostgreSQL database instead, shared by every machine
(pie.auth_postgres: same tables, the same SQL translated there, writers serialised alike).

Tables: `accounts` (argon2id hash, role, scope, optional e-mail — lower-case, unique when set,
the key of a single sign-on —, disabled, `version` bumped by every change that must end sessions), `sessions` (a random secret stored as its sha256, the account's
version at login), `login_attempts` (failures counted per account and per client over a
sliding window, keyed by an HMAC so nothing typed is stored), `audit_log`, `contact_access`
(who saw which participants' contacts: pie.privacy.access_log), `trusted_partners`
(partner accounts a manager trusts: their batches publish without waiting for approval,
pie.ingest.submissions), `sso_logins` (identity tokens already exchanged for a session: each
single sign-on counts once), `reporting_calendar` (each partner's due day and first month
expected, docs/REPORTING.md), `store_meta`.

Logins are never locked: after FREE_FAILURES failures in FAILURE_WINDOW_SECONDS, each attempt
of that account or from that client first waits 1 s, 2 s, 4 s… at most MAX_DELAY_SECONDS, then
checks the password as usual, so the real owner is never kept out longer than the cap.
Unknown names, wrong passwords, disabled accounts, invalid names and throttled attempts get
the same reply after the same work (one argon2 verification). No function returns a password
or a hash; `User` carries only what the dashboard needs to know about who is logged in.

Single sign-on (docs/SECURITY.md): `sso_login` turns the claims of a fresh OpenID Connect
identity token into the account whose e-mail they carry — admin, manager and leadership only;
partners keep their local accounts.
"""
from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import re
import secrets
import sqlite3
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator, Mapping, Sequence

import duckdb
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from pie import db, i18n
from pie.codes import PARTNER_ROLES, REVIEWER_ROLES
from pie.config import lake_catalog, settings
from pie.errors import AccountError, LoginFailed
from pie.scope import ROLES, Scope

MIN_PASSWORD_LENGTH = 12
MIN_PASSWORD_SCORE = 3          # zxcvbn: 3 = "safely unguessable", ~10^8 guesses and more
NAME_MAX_LENGTH = 64
USER_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")
BANK_CODE = re.compile(r"[A-Z][A-Z0-9]{1,11}")
EMAIL_MAX_LENGTH = 254
# One '@', no spaces, a dot in the domain: enough to catch a typo; the provider owns the rest.
EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s.]+(\.[^@\s.]+)+")

# Single sign-on (docs/SECURITY.md): who may use it, and how an identity token is accepted.
SSO_ROLES = ("admin", "manager", "leadership")   # partners (bank, incubator) stay local
SSO_MAX_AGE_SECONDS = 300      # an identity token is exchanged within 5 minutes of being issued…
SSO_CLOCK_SKEW_SECONDS = 60    # …allowing the provider's clock to be this much ahead of ours
SSO_KEEP_SECONDS = 24 * 3600   # exchanged tokens are remembered this long (far past SSO_MAX_AGE)

# Throttling (docs/SECURITY.md): failures counted per account and per client over the window.
FREE_FAILURES = 3
FIRST_DELAY_SECONDS = 1.0
MAX_DELAY_SECONDS = 30.0
FAILURE_WINDOW_SECONDS = 15 * 60
# A process trusts its last check of a session for this long (then asks the store again).
SESSION_CHECK_SECONDS = 2.0
# A session's last_seen is written at most once a minute: the idle timeout (30 min by default)
# loses at most that much precision, and a hundred open sessions no longer queue a write each
# every few seconds on the store's single writer lock (issue 18: "database is locked").
LAST_SEEN_WRITE_SECONDS = 60.0
BUSY_TIMEOUT_SECONDS = 30.0

# One demo account per role, password = user name (DESIGN.md, Roles).
DEMO_ACCOUNTS = (
    ("admin", "admin", None),
    ("manager", "manager", None),
    ("leadership", "leadership", None),
    ("boa", "bank", "BOA"),
    ("cam", "bank", "CAM"),
    ("mcise", "incubator", "MCISE"),
    ("cmc09", "establishment", None),     # the Souss-Massa CMC: its id is looked up in the demo data
)
# Demo establishment accounts: (kind, region_code) of the establishment each one is scoped to.
DEMO_ESTABLISHMENTS = {"cmc09": ("cmc", "09")}

# argon2id at OWASP's recommended minimum (19 MiB, 2 passes, 1 lane; Password Storage Cheat
# Sheet) rather than argon2-cffi's default (RFC 9106 low memory: 64 MiB, 3 passes, 4 lanes):
# the default took 0.6-0.8 s of both cores per login, and a Monday-morning burst of 100 logins on
# a 2-core machine queued every page behind it (issue 18, docs/PERFORMANCE.md). This costs about
# 0.05 s of one core; stored hashes of the older cost are re-hashed at the next login.
PASSWORD_PARAMETERS = {"time_cost": 2, "memory_cost": 19456, "parallelism": 1}
_hasher = PasswordHasher(**PASSWORD_PARAMETERS)

SCHEMA = """
create table if not exists accounts (
    user_name       text primary key,
    role            text not null,
    scope_code      text,
    email           text,                   -- lower-case, unique when set (single sign-on, digest)
    language        text,                   -- fr, ar or en: the weekly digest's (null = fr)
    password_hash   text not null,          -- argon2id, never shown
    disabled        integer not null default 0,
    version         integer not null default 1,   -- bumped by disable/enable/passwd/role change
    created_at      text not null,
    last_login_at   text
);
create table if not exists sessions (
    id_hash         text primary key,       -- sha256 of the secret the browser session keeps
    user_name       text not null,
    created_at      real not null,          -- epoch seconds (shared by every process)
    last_seen       real not null,
    account_version integer not null
);
create index if not exists sessions_user on sessions (user_name);
create table if not exists login_attempts (
    key             text not null,          -- 'account:' or 'client:' + HMAC of the name/client
    at              real not null
);
create index if not exists login_attempts_key on login_attempts (key, at);
create table if not exists audit_log (
    id              integer primary key autoincrement,
    occurred_at     text not null,
    user_name       text,
    event           text not null,          -- login, login_failed, logout, import, user_added…
    detail          text
);
-- every view, download, reveal or export of contact data (pie.privacy.access_log, docs/PRIVACY.md)
create table if not exists contact_access (
    id              integer primary key autoincrement,
    occurred_at     text not null,
    user_name       text,
    role            text,
    action          text not null,          -- view, download, reveal, export
    target          text not null,          -- the page (and list) or the file name
    people          integer not null,       -- how many participants' contacts it carried
    participant_ids text not null           -- JSON array of their participant_id
);
create index if not exists contact_access_when on contact_access (occurred_at);
-- partner accounts whose batches publish without a manager's approval (DESIGN.md, Roles)
create table if not exists trusted_partners (
    user_name       text primary key,
    trusted_at      text not null,
    trusted_by      text
);
-- identity tokens already exchanged for a session (pie.auth.sso_login): each counts once
create table if not exists sso_logins (
    token_hash      text primary key,       -- sha256 of issuer, subject, audience, iat and nonce
    used_at         real not null
);
-- each partner organisation's reporting calendar (docs/REPORTING.md): set by a manager
create table if not exists reporting_calendar (
    role            text not null,          -- establishment, bank, incubator
    scope_code      text not null,          -- its establishment_id, bank code or incubator name
    due_day         integer not null check (due_day between 1 and 28),
    reporting_from  text,                   -- 'YYYY-MM': first month expected (null: first account's month)
    updated_by      text,
    updated_at      text not null,
    primary key (role, scope_code)
);
create table if not exists store_meta (
    key             text primary key,
    value           text not null
);
"""


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


def _iso(moment: datetime) -> str:
    return moment.isoformat(sep=" ", timespec="seconds")


def _parse(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


# ------------------------------------------------------------------------------ the store
def store_path(path: Path | str | None = None) -> Path:
    """The accounts store file of the DuckDB database at `path` (default: the configured one);
    a DuckLake has no such file (its store is the `pie_accounts` schema of its catalog)."""
    return settings().accounts_path(Path(path) if path is not None else None)


_prepared: set[str] = set()
_migrated: set[str] = set()
_prepare_lock = threading.Lock()
_migration = threading.local()


def _prepare(file: Path) -> None:
    """Create the store (0600, WAL) and its tables once per process."""
    key = os.path.abspath(file)
    if key in _prepared and file.exists():
        return
    with _prepare_lock:
        file.parent.mkdir(parents=True, exist_ok=True)
        if not file.exists():
            os.close(os.open(file, os.O_CREAT | os.O_WRONLY, 0o600))
        with contextlib.closing(sqlite3.connect(file, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)) as con:
            con.execute(f"pragma busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
            con.execute("pragma journal_mode = wal")
            con.executescript(SCHEMA)
            _add_missing_columns(con)
            con.execute("insert or ignore into store_meta values ('hmac_key', ?)", (secrets.token_hex(32),))
        _prepared.add(key)
        _migrated.discard(key)


def _add_missing_columns(con: sqlite3.Connection) -> None:
    """Bring a store made by an older version up to the current columns, in place."""
    columns = {row[1] for row in con.execute("pragma table_info(accounts)")}
    if "email" not in columns:
        con.execute("alter table accounts add column email text")
    if "language" not in columns:
        con.execute("alter table accounts add column language text")
    # Unique only where set: most partner accounts have no e-mail.
    con.execute("create unique index if not exists accounts_email on accounts (email) where email is not null")


@contextlib.contextmanager
def _connect(file: Path, write: bool = False) -> Iterator[sqlite3.Connection]:
    con = sqlite3.connect(file, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
    try:
        con.execute(f"pragma busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
        if not write:
            yield con
            return
        con.execute("begin immediate")
        try:
            yield con
            con.execute("commit")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                con.execute("rollback")
            raise
    finally:
        con.close()


class _SQLiteStore:
    """The store of a DuckDB file: a SQLite file beside it (`store_path`). `read()` yields a
    connection in autocommit, `write()` one inside a single `begin immediate` transaction (one
    writer at a time, readers never wait: WAL)."""

    def __init__(self, db_path: Path):
        self.db_path = db_path
        self.file = settings().accounts_path(db_path)
        self.key = os.path.abspath(self.file)

    def migrate(self) -> None:
        """Create the store if needed, and move the legacy account tables of the DuckDB file."""
        _prepare(self.file)
        _migrate_legacy(self.file, self.db_path)

    @contextlib.contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        _prepare(self.file)
        with _connect(self.file) as con:
            yield con

    @contextlib.contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        _prepare(self.file)
        with _connect(self.file, write=True) as con:
            yield con


def _store_of(path: Path | str | None):
    """The accounts store of the database at `path` (default: the configured one): the SQLite
    file beside a DuckDB file, or the `pie_accounts` schema of a DuckLake's PostgreSQL catalog
    (pie.auth_postgres, where every SQL difference between the two is handled)."""
    location = path if path is not None else settings().db_path
    catalog = lake_catalog(location)
    if catalog is None:
        return _SQLiteStore(Path(location))
    from pie import auth_postgres   # psycopg only where a lake is configured

    return auth_postgres.store(catalog, SCHEMA, secrets.token_hex(32), BUSY_TIMEOUT_SECONDS)


@contextlib.contextmanager
def _store(path: Path | str | None, write: bool = False) -> Iterator[sqlite3.Connection]:
    """A connection to the accounts store of the database at `path` (one transaction if `write`),
    whose execute() and executemany() take the house's SQLite SQL on either store."""
    store = _store_of(path)
    if isinstance(store, _SQLiteStore):
        store.migrate()
    with (store.write() if write else store.read()) as con:
        yield con


def _audit(con: sqlite3.Connection, user_name: str | None, event: str, detail: str | None = None) -> None:
    con.execute("insert into audit_log (occurred_at, user_name, event, detail) values (?, ?, ?, ?)",
                (_iso(_now()), user_name, event, None if detail is None else detail[:2000]))


def record_event(path: Path | str | None, user_name: str | None, event: str, detail: str | None = None) -> None:
    """Add one line to the audit trail (logout, imports, page events…). Never waits for DuckDB."""
    with _store(path, write=True) as con:
        _audit(con, user_name, event, detail)


def audit_log(path: Path | str | None = None, limit: int | None = None) -> list[dict]:
    """The audit trail, oldest first: occurred_at, user_name, event, detail."""
    # No `limit -1` for "all": PostgreSQL refuses a negative limit.
    with _store(path) as con:
        rows = con.execute("select occurred_at, user_name, event, detail from audit_log order by id"
                           + ("" if limit is None else " limit ?"), () if limit is None else (limit,)).fetchall()
    return [dict(zip(("occurred_at", "user_name", "event", "detail"), row)) for row in rows]


# ------------------------------------------------------------------------------ migration
def _migrate_legacy(file: Path, db_path: Path) -> None:
    """Once per store: move the `users`/`audit_log` rows an older version left in the database
    of record into the store (db.writing calls `_move_legacy_tables` and drops them), then
    publish a snapshot without them (older snapshots are removed)."""
    key = os.path.abspath(file)
    if key in _migrated or getattr(_migration, "active", False):
        return
    with _connect(file) as con:
        done = con.execute("select 1 from store_meta where key = 'legacy_checked'").fetchone()
    if done is None:
        if not db_path.exists():
            return  # nothing to move yet; checked again when the database exists
        _migration.active, _migration.moved = True, False
        try:
            with db.writing(db_path, publish=False):
                pass
            if _migration.moved and not settings().read_only:
                with db.writing(db_path, programme_changes=False):  # publishes, drops old snapshots
                    pass
        finally:
            _migration.active = False
        with _connect(file, write=True) as con:
            con.execute("insert or ignore into store_meta values ('legacy_checked', ?)", (_iso(_now()),))
    _migrated.add(key)


def _move_legacy_tables(con: duckdb.DuckDBPyConnection, db_path: Path) -> None:
    """Copy the legacy tables' rows into the store (idempotent: accounts by name, the audit
    rows only once), inside the DuckDB writer transaction that then drops them."""
    tables = db.account_tables(con)
    accounts = audit = []
    if "users" in tables:
        accounts = con.execute("select user_name, role, scope_code, password_hash, disabled, created_at, "
                               "last_login_at from users").fetchall()
    if "audit_log" in tables:
        audit = con.execute("select occurred_at, user_name, event, detail from audit_log "
                            "order by occurred_at").fetchall()
    with _store_of(db_path).write() as store:
        for name, role, scope, password_hash, disabled, created, last in accounts:
            store.execute("insert or ignore into accounts (user_name, role, scope_code, password_hash, disabled, "
                          "created_at, last_login_at) values (?, ?, ?, ?, ?, ?, ?)",
                          (name, role, scope, password_hash, int(bool(disabled)), _iso(created),
                           None if last is None else _iso(last)))
        if store.execute("select 1 from store_meta where key = 'legacy_audit_moved'").fetchone() is None:
            store.executemany("insert into audit_log (occurred_at, user_name, event, detail) values (?, ?, ?, ?)",
                              [(_iso(at), user, event, detail) for at, user, event, detail in audit])
            store.execute("insert into store_meta values ('legacy_audit_moved', ?)", (_iso(_now()),))
            _audit(store, None, "accounts_migrated",
                   f"{len(accounts)} accounts and {len(audit)} audit rows moved from {db_path.name}; "
                   f"tables {', '.join(tables)} dropped from the database of record")
    _migration.moved = True


db.set_account_tables_mover(_move_legacy_tables)


# ------------------------------------------------------------------------------ rules
def check_password_strength(password: str, user_name: str | None = None) -> None:
    """At least MIN_PASSWORD_LENGTH characters and a zxcvbn score of MIN_PASSWORD_SCORE; the
    refusal says why (a common word, a keyboard pattern, a repetition…), translated."""
    from zxcvbn import zxcvbn

    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters",
                           key="auth.error.password_short", minimum=MIN_PASSWORD_LENGTH)
    hints = [h for h in (user_name, "ofppt", "pie", "dashboard", "maroc", "morocco") if h]
    result = zxcvbn(password[:200], user_inputs=hints)
    if result["score"] >= MIN_PASSWORD_SCORE:
        return
    patterns = [m.get("pattern") for m in sorted(result["sequence"], key=lambda m: -len(m.get("token", "")))]
    reason = next((p for p in patterns if p in WEAKNESSES), "guessable")
    raise AccountError(f"the password is too easy to guess ({reason})", key=f"auth.error.password_weak.{reason}")


# zxcvbn match patterns that explain a weak password (auth.error.password_weak.<pattern>).
WEAKNESSES = ("dictionary", "spatial", "repeat", "sequence", "regex", "date")


def valid_name(typed: str | None) -> str | None:
    """The user name typed, normalised (trimmed, lower case), or None when it cannot be one
    (checked on the length first: a 2,000,000-character text is not even lower-cased)."""
    if not isinstance(typed, str) or len(typed) > NAME_MAX_LENGTH + 16:
        return None
    name = typed.strip().lower()
    return name if USER_NAME.fullmatch(name) else None


def check_account(user_name: str, role: str, scope_code: str | None) -> str | None:
    if valid_name(user_name) != user_name:
        shown = user_name if len(user_name or "") <= NAME_MAX_LENGTH else user_name[:NAME_MAX_LENGTH] + "…"
        raise AccountError(f"user name {shown!r}: 2 to 64 lower-case letters, digits, '.', '_' or '-'",
                           key="auth.error.bad_name", name=shown)
    if role not in ROLES:
        raise AccountError(f"role {role!r} is not one of {', '.join(ROLES)}", key="auth.error.bad_role",
                           role=role, roles=", ".join(ROLES))
    if role in PARTNER_ROLES:
        if not scope_code or not scope_code.strip():
            raise AccountError(f"role {role} needs --scope (establishment_id, bank code or incubator name)",
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


def normal_email(typed: str | None) -> str | None:
    """The e-mail address typed, trimmed and lower-cased (how the store keeps and matches it),
    or None when it cannot be one (checked on the length first)."""
    if not isinstance(typed, str) or len(typed) > EMAIL_MAX_LENGTH + 16:
        return None
    email = typed.strip().lower()
    return email if len(email) <= EMAIL_MAX_LENGTH and EMAIL.fullmatch(email) else None


def check_email(typed: str) -> str:
    """The e-mail address normalised (normal_email), or AccountError saying it is not one."""
    email = normal_email(typed)
    if email is None:
        shown = typed if len(typed or "") <= EMAIL_MAX_LENGTH else typed[:EMAIL_MAX_LENGTH] + "…"
        raise AccountError(f"{shown!r} is not an e-mail address", key="auth.error.bad_email", email=shown)
    return email


def _email_taken(con: sqlite3.Connection, email: str | None, user_name: str) -> None:
    if email is None:
        return
    owner = con.execute("select user_name from accounts where email = ? and user_name != ?",
                        (email, user_name)).fetchone()
    if owner is not None:
        raise AccountError(f"the e-mail {email} is already the account {owner[0]}'s",
                           key="auth.error.email_taken", email=email, name=owner[0])


# ------------------------------------------------------------------------------ accounts
def add_user(path: Path | str | None, user_name: str, role: str, password: str,
             scope_code: str | None = None, *, email: str | None = None, by: str | None = None,
             _demo: bool = False) -> User:
    """Create an account; refuses an existing name, a bad role/scope, a bad or already used
    e-mail (kept lower-case) or a weak password."""
    scope_code = check_account(user_name, role, scope_code)
    email = None if email is None else check_email(email)
    if not _demo:
        check_password_strength(password, user_name)
    password_hash = _hasher.hash(password)
    with _store(path, write=True) as con:
        if con.execute("select 1 from accounts where user_name = ?", (user_name,)).fetchone():
            raise AccountError(f"user {user_name!r} already exists", key="auth.error.exists", name=user_name)
        _email_taken(con, email, user_name)
        con.execute("insert into accounts (user_name, role, scope_code, email, password_hash, created_at) "
                    "values (?, ?, ?, ?, ?, ?)", (user_name, role, scope_code, email, password_hash, _iso(_now())))
        _audit(con, by, "user_added", f"{user_name} ({role}{' ' + scope_code if scope_code else ''})"
                                      + (f" <{email}>" if email else ""))
    return User(user_name, role, scope_code)


def set_email(path: Path | str | None, user_name: str, email: str | None, *, by: str | None = None) -> None:
    """Give an account its e-mail address (None or "" removes it); refuses a bad address or one
    another account has. Every session of the account ends: whoever signed in through the old
    address is not the new one."""
    email = check_email(email) if email else None
    with _store(path, write=True) as con:
        _require_user(con, user_name)
        _email_taken(con, email, user_name)
        con.execute("update accounts set email = ?, version = version + 1 where user_name = ?", (email, user_name))
        con.execute("delete from sessions where user_name = ?", (user_name,))
        _audit(con, by, "email_changed", f"{user_name} <{email or ''}>")
    _forget_cached(user_name)


def set_language(path: Path | str | None, user_name: str, language: str, *, by: str | None = None) -> None:
    """Set the language (fr, ar, en) the account's weekly digest is written in; audit-logged.
    Raises AccountError for an unknown account or language. Sessions are kept: no right changes."""
    if language not in i18n.LANGUAGES:
        raise AccountError(f"unknown language {language!r}", key="auth.error.bad_language", language=str(language)[:20],
                           languages=", ".join(i18n.LANGUAGES))
    with _store(path, write=True) as con:
        _require_user(con, user_name)
        con.execute("update accounts set language = ? where user_name = ?", (language, user_name))
        _audit(con, by, "language_changed", f"{user_name} {language}")


def list_users(path: Path | str | None) -> list[dict]:
    """Every account without its hash: name, role, scope, e-mail, language (fr when never set), disabled, recent failed logins,
    throttled_until (UTC, while its next attempt would be delayed), created, last login."""
    now = time.time()
    with _store(path) as con:
        secret = _hmac_key(con)
        rows = con.execute("select user_name, role, scope_code, email, disabled, created_at, last_login_at, "
                           "language from accounts order by user_name").fetchall()
        users = []
        for name, role, scope, email, disabled, created, last, language in rows:
            failures, latest = _failures(con, _key("account", name, secret), now)
            delay = _delay(failures)
            until = datetime.fromtimestamp(latest + delay, timezone.utc).replace(tzinfo=None) \
                if delay and latest + delay > now else None
            users.append({"user_name": name, "role": role, "scope_code": scope, "email": email,
                          "language": language or i18n.DEFAULT_LANGUAGE, "disabled": bool(disabled),
                          "failed_logins": failures, "throttled_until": until,
                          "created_at": _parse(created), "last_login_at": _parse(last)})
    return users


def _require_user(con: sqlite3.Connection, user_name: str) -> None:
    if not con.execute("select 1 from accounts where user_name = ?", (user_name,)).fetchone():
        shown = user_name if len(user_name or "") <= NAME_MAX_LENGTH else user_name[:NAME_MAX_LENGTH] + "…"
        raise AccountError(f"no user named {shown!r}", key="auth.error.unknown", name=shown)


def _change(path: Path | str | None, user_name: str, sql: str, params: tuple, event: str,
            by: str | None) -> None:
    """One account change that ends its sessions everywhere (its version is bumped)."""
    with _store(path, write=True) as con:
        _require_user(con, user_name)
        con.execute(f"update accounts set {sql}, version = version + 1 where user_name = ?", (*params, user_name))
        con.execute("delete from sessions where user_name = ?", (user_name,))
        _audit(con, by, event, user_name)
    _forget_cached(user_name)


def disable_user(path: Path | str | None, user_name: str, *, by: str | None = None) -> None:
    """Disable an account: it can no longer log in and its sessions end at their next click."""
    _change(path, user_name, "disabled = 1", (), "user_disabled", by)


def enable_user(path: Path | str | None, user_name: str, *, by: str | None = None) -> None:
    """Enable a disabled account again (and clear its failed logins)."""
    _change(path, user_name, "disabled = 0", (), "user_enabled", by)
    unlock_user(path, user_name, by=None)


def set_password(path: Path | str | None, user_name: str, password: str, *, by: str | None = None) -> None:
    """Set a new password (checked for strength); every session of the account ends."""
    check_password_strength(password, user_name)
    _change(path, user_name, "password_hash = ?", (_hasher.hash(password),), "password_changed", by)


def set_role(path: Path | str | None, user_name: str, role: str, scope_code: str | None = None, *,
             by: str | None = None) -> None:
    """Change an account's role and scope; every session of the account ends."""
    scope_code = check_account(user_name, role, scope_code)
    _change(path, user_name, "role = ?, scope_code = ?", (role, scope_code), "role_changed", by)


def find_user(path: Path | str | None, user_name: str | None, *, enabled_only: bool = True) -> User | None:
    """The account named `user_name` (None when there is none, or it is disabled and
    `enabled_only`): what the importer and the approval decide a batch's rights from."""
    name = valid_name(user_name)
    if name is None or name != user_name:
        return None
    with _store(path) as con:
        row = con.execute("select role, scope_code, disabled from accounts where user_name = ?", (name,)).fetchone()
    if row is None or (enabled_only and row[2]):
        return None
    return User(name, row[0], row[1])


def is_trusted(path: Path | str | None, user_name: str) -> bool:
    """True when a manager marked this partner account as trusted (`set_trusted`)."""
    with _store(path) as con:
        return con.execute("select 1 from trusted_partners where user_name = ?", (user_name,)).fetchone() is not None


def set_trusted(path: Path | str | None, user_name: str, trusted: bool, *, by: str | None = None) -> None:
    """Mark a partner account (establishment, bank, incubator) as trusted — its accepted
    batches publish at once — or not any more; audit-logged (partner_trusted / partner_untrusted).
    Raises AccountError for an unknown account or one that is not a partner, and when `by` names
    an account that is not an enabled admin or manager (as approving a batch: `by` naming no
    account is an operator at the command line, recorded as given)."""
    with _store(path, write=True) as con:
        _require_user(con, user_name)
        if by is not None:
            reviewer = con.execute("select role, disabled from accounts where user_name = ?", (by,)).fetchone()
            if reviewer is not None and (reviewer[0] not in REVIEWER_ROLES or reviewer[1]):
                raise AccountError(f"{by} ({reviewer[0]}) may not trust a partner", key="auth.error.not_reviewer",
                                   name=by, role=reviewer[0])
        role = con.execute("select role from accounts where user_name = ?", (user_name,)).fetchone()[0]
        if role not in PARTNER_ROLES:
            raise AccountError(f"{user_name} ({role}) is not a partner account", key="auth.error.not_partner",
                               name=user_name, role=role)
        if trusted:
            con.execute("insert or ignore into trusted_partners values (?, ?, ?)", (user_name, _iso(_now()), by))
        else:
            con.execute("delete from trusted_partners where user_name = ?", (user_name,))
        _audit(con, by, "partner_trusted" if trusted else "partner_untrusted", user_name)


# ------------------------------------------------------------------------------ reporting
DEFAULT_DUE_DAY = 10            # METRICS.md "Reporting": due on the 10th of the following month
_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


def partner_organisations(path: Path | str | None = None) -> list[dict]:
    """Every partner organisation — one per (role, scope_code) of the partner accounts, disabled
    ones included (several accounts of one bank are one partner), sorted by role and scope:
    role, scope_code, user_names (sorted), contact (the accounts' e-mails when the store keeps
    them, else their user names, joined by ", "), first_account_at (the oldest account's
    creation), due_day and reporting_from (its calendar, or DEFAULT_DUE_DAY and None)."""
    with _store(path) as con:   # every store has the email column (_prepare adds it to an older one)
        rows = con.execute("select role, scope_code, user_name, coalesce(nullif(email, ''), user_name), created_at "
                           f"from accounts where role in ({', '.join('?' * len(PARTNER_ROLES))}) "
                           "and scope_code is not null order by role, scope_code, user_name",
                           tuple(PARTNER_ROLES)).fetchall()
        calendar = {(role, scope): (day, start) for role, scope, day, start in con.execute(
            "select role, scope_code, due_day, reporting_from from reporting_calendar")}
    found: dict[tuple[str, str], dict] = {}
    for role, scope, name, contact_of, created in rows:
        partner = found.setdefault((role, scope), {
            "role": role, "scope_code": scope, "user_names": [], "contacts": [], "first_account_at": None})
        partner["user_names"].append(name)
        if contact_of not in partner["contacts"]:
            partner["contacts"].append(contact_of)
        created_at = _parse(created)
        if partner["first_account_at"] is None or created_at < partner["first_account_at"]:
            partner["first_account_at"] = created_at
    result = []
    for key, partner in sorted(found.items()):
        day, start = calendar.get(key, (DEFAULT_DUE_DAY, None))
        contacts = partner.pop("contacts")
        result.append({**partner, "contact": ", ".join(contacts), "due_day": day, "reporting_from": start})
    return result


def set_reporting_calendar(path: Path | str | None, role: str, scope_code: str, due_day: int,
                           reporting_from: str | None = None, *, by: str | None = None) -> None:
    """Set a partner's reporting calendar: its reports are due on `due_day` (1..28) of the
    following month, and months are expected from `reporting_from` ('YYYY-MM'; None: from its
    first account's month). Audit-logged (reporting_calendar_set). Raises AccountError for a
    day outside 1..28, a malformed month, or a (role, scope_code) without a partner account."""
    if isinstance(due_day, bool) or not isinstance(due_day, int) or not 1 <= due_day <= 28:
        raise AccountError(f"due day {due_day!r}: a day from 1 to 28", key="reporting.error.due_day", day=due_day)
    if reporting_from is not None and not _MONTH.fullmatch(str(reporting_from)):
        raise AccountError(f"month {reporting_from!r}: YYYY-MM", key="reporting.error.month", month=reporting_from)
    with _store(path, write=True) as con:
        if con.execute("select 1 from accounts where role = ? and scope_code = ?", (role, scope_code)).fetchone() is None \
                or role not in PARTNER_ROLES:
            raise AccountError(f"no partner account {role} {scope_code!r}", key="reporting.error.no_partner",
                               role=role, scope=scope_code)
        con.execute("insert into reporting_calendar values (?, ?, ?, ?, ?, ?) on conflict (role, scope_code) do "
                    "update set due_day = excluded.due_day, reporting_from = excluded.reporting_from, "
                    "updated_by = excluded.updated_by, updated_at = excluded.updated_at",
                    (role, scope_code, due_day, reporting_from, by, _iso(_now())))
        _audit(con, by, "reporting_calendar_set", audit_detail(
            {"role": role, "scope": scope_code, "due_day": due_day, "reporting_from": reporting_from}))


def unlock_user(path: Path | str | None, user_name: str, *, by: str | None = "cli") -> None:
    """Forget the account's recent failed logins (its next attempt is not delayed)."""
    with _store(path, write=True) as con:
        _require_user(con, user_name)
        con.execute("delete from login_attempts where key = ?", (_key("account", user_name, _hmac_key(con)),))
        if by is not None:
            _audit(con, by, "user_unlocked", user_name)


def create_demo_accounts(path: Path | str | None) -> None:
    """The demo accounts of DESIGN.md (password = user name), on a demo database only."""
    with db.writing(path, publish=False) as con:
        if db.meta(con).get("is_demo") != "true":
            raise AccountError("demo accounts are only created in a demo database", key="auth.error.not_demo")
        homes = {name: con.execute(
            "select min(establishment_id) from establishments where kind = $kind and region_code = $region",
            {"kind": kind, "region": region}).fetchone()[0] for name, (kind, region) in DEMO_ESTABLISHMENTS.items()}
    for user_name, role, scope_code in DEMO_ACCOUNTS:
        scope_code = homes.get(user_name, scope_code)
        if role in PARTNER_ROLES and scope_code is None:
            continue                    # a demo too small to hold that establishment
        with contextlib.suppress(AccountError):  # a rebuilt demo keeps its accounts
            add_user(path, user_name, role, user_name, scope_code, _demo=True)


# ------------------------------------------------------------------------------ logins
def _hmac_key(con: sqlite3.Connection) -> bytes:
    return bytes.fromhex(con.execute("select value from store_meta where key = 'hmac_key'").fetchone()[0])


def _key(kind: str, value: str, secret: bytes) -> str:
    return f"{kind}:" + hmac.new(secret, value.encode("utf-8", "replace"), hashlib.sha256).hexdigest()[:32]


def _failures(con: sqlite3.Connection, key: str, now: float) -> tuple[int, float]:
    count, latest = con.execute("select count(*), max(at) from login_attempts where key = ? and at > ?",
                                (key, now - FAILURE_WINDOW_SECONDS)).fetchone()
    return count, latest or 0.0


def _delay(failures: int) -> float:
    """Seconds an attempt waits after `failures` recent failures: 0, 0, 0, 1, 2, 4… ≤ 30."""
    if failures < FREE_FAILURES:
        return 0.0
    return min(MAX_DELAY_SECONDS, FIRST_DELAY_SECONDS * 2 ** min(failures - FREE_FAILURES, 16))


_dummy_hash: str | None = None
_sleep = time.sleep  # the throttle's wait (tests replace it)


def _verify(password_hash: str | None, password: str) -> bool:
    """One argon2 verification, also for no account (against a dummy hash): same work either way."""
    global _dummy_hash
    if password_hash is None:
        if _dummy_hash is None:
            _dummy_hash = _hasher.hash(secrets.token_urlsafe(16))
        password_hash = _dummy_hash
    try:
        return _hasher.verify(password_hash, (password or "")[:1024])
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def authenticate(path: Path | str | None, user_name: str, password: str, *, clients: Sequence[str] = (),
                 sleep: Callable[[float], None] | None = None, now: float | None = None) -> User:
    """The account if the password is right; records the attempt.

    Raises LoginFailed — one message, after the same work — for an invalid or unknown name, a
    wrong password or a disabled account. An attempt of an account or from one of `clients`
    (the browser session, its address) with recent failures first waits (`sleep`) 1, 2, 4… ≤ 30 s.
    Only a valid, existing name is written to the audit trail; nothing typed as a password is.
    """
    now = time.time() if now is None else now
    name = valid_name(user_name)
    with _store(path, write=True) as con:
        secret = _hmac_key(con)
        keys = [_key("client", c, secret) for c in clients if c] + \
               ([_key("account", name, secret)] if name else [])
        con.execute("delete from login_attempts where at <= ?", (now - FAILURE_WINDOW_SECONDS,))
        delay = max([_delay(_failures(con, k, now)[0]) for k in keys] or [0.0])
        # Counted as a failure now (a success removes it), so parallel attempts wait too.
        con.executemany("insert into login_attempts values (?, ?)", [(k, now) for k in keys])
        row = None if name is None else con.execute(
            "select role, scope_code, password_hash, disabled from accounts where user_name = ?", (name,)).fetchone()
    if delay:
        (sleep or _sleep)(delay)
    ok = _verify(row[2] if row else None, password) and row is not None and not row[3]
    with _store(path, write=True) as con:
        if ok:
            con.execute("delete from login_attempts where key in (%s)" % ",".join("?" * len(keys)), keys)
            if _hasher.check_needs_rehash(row[2]):
                con.execute("update accounts set password_hash = ? where user_name = ?", (_hasher.hash(password), name))
            con.execute("update accounts set last_login_at = ? where user_name = ?", (_iso(_now()), name))
            _audit(con, name, "login")
        else:
            reason = ("invalid name" if name is None else "unknown user" if row is None
                      else "disabled" if row[3] else "wrong password")
            if delay:
                reason += f", throttled {delay:.0f} s"
            _audit(con, name if row is not None else None, "login_failed", reason)
    if not ok:
        raise LoginFailed("wrong user name or password", key="auth.error.login_failed")
    return User(name, row[0], row[1])


# ------------------------------------------------------------------------------ single sign-on
def _claim_true(value: object) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def sso_token_hash(claims: Mapping[str, object]) -> str | None:
    """What identifies one identity token (issuer, subject, audience, issue time, nonce), hashed;
    None without an issue time (`iat`, which OpenID Connect requires)."""
    if not isinstance(claims.get("iat"), (int, float)) or isinstance(claims.get("iat"), bool):
        return None
    parts = [claims.get(name) for name in ("iss", "sub", "aud", "iat", "nonce")]
    return hashlib.sha256(json.dumps(parts, default=str).encode("utf-8")).hexdigest()


def sso_login(path: Path | str | None, claims: Mapping[str, object], *, now: float | None = None) -> User | None:
    """The account that the OpenID Connect identity `claims` (Streamlit's st.user: the claims of
    the provider's verified identity token) signs in, matched by its e-mail address.

    None when the claims are no identity to exchange now: not issued within SSO_MAX_AGE_SECONDS
    (or in the future beyond SSO_CLOCK_SKEW_SECONDS), or already exchanged once — so Streamlit's
    30-day identity cookie never renews a PIE session that ended or expired, and a copy of it
    opens nothing. Each token is exchanged once, whatever the outcome.

    Raises LoginFailed (one message, `auth.error.sso_refused`) for no e-mail claim, an
    `email_verified` claim that is not true, an e-mail no account has, a disabled account, or
    a role outside SSO_ROLES (partners log in with their local account); the audit trail says
    which (`login_sso_refused`). On success: `login_sso` in the audit trail, last_login_at set.
    """
    now = time.time() if now is None else now
    token = sso_token_hash(claims)
    issued = claims.get("iat")
    if token is None or not (now - SSO_MAX_AGE_SECONDS <= issued <= now + SSO_CLOCK_SKEW_SECONDS):
        return None
    typed = claims.get("email")
    email = normal_email(typed) if isinstance(typed, str) else None
    with _store(path, write=True) as con:
        con.execute("delete from sso_logins where used_at < ?", (now - SSO_KEEP_SECONDS,))
        if con.execute("insert or ignore into sso_logins values (?, ?)", (token, now)).rowcount == 0:
            return None  # already exchanged (another tab, a reload, a copied cookie)
        row = None if email is None else con.execute(
            "select user_name, role, scope_code, disabled from accounts where email = ?", (email,)).fetchone()
        issuer = str(claims.get("iss") or "")[:200]
        if email is None:
            reason = "no e-mail claim"
        elif "email_verified" in claims and not _claim_true(claims["email_verified"]):
            reason = "e-mail not verified by the provider"
        elif row is None:
            reason = "unknown e-mail"
        elif row[3]:
            reason = "disabled"
        elif row[1] not in SSO_ROLES:
            reason = f"role {row[1]} signs in with its local account"
        else:
            reason = None
        user_name = row[0] if row is not None else None
        if reason is None:
            con.execute("update accounts set last_login_at = ? where user_name = ?", (_iso(_now()), user_name))
            _audit(con, user_name, "login_sso", audit_detail({"email": email, "issuer": issuer}))
        else:
            _audit(con, user_name, "login_sso_refused",
                   audit_detail({"email": (email or str(typed or ""))[:EMAIL_MAX_LENGTH], "issuer": issuer,
                                 "reason": reason}))
    if reason is not None:
        raise LoginFailed(f"single sign-on refused: {reason}", key="auth.error.sso_refused")
    return User(user_name, row[1], row[2])


# ------------------------------------------------------------------------------ sessions
# (store, sha256 of the secret) -> (user, monotonic time of the check, epoch seconds of the
# session's start): a process answers from here for SESSION_CHECK_SECONDS at most.
_session_cache: dict[tuple[str, str], tuple[User, float, float]] = {}
_cache_lock = threading.Lock()


def _hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "replace")).hexdigest()


def _forget_cached(user_name: str | None = None, id_hash: str | None = None) -> None:
    with _cache_lock:
        for cached in [k for k, (u, _, _) in _session_cache.items()
                       if (user_name is not None and u.user_name == user_name) or k[1] == id_hash]:
            del _session_cache[cached]


def open_session(user: User | str, path: Path | str | None = None) -> str:
    """Start a session of an enabled account; returns the secret the browser session keeps
    (only its sha256 is stored). Raises AccountError for an unknown or disabled account."""
    user_name = user.user_name if isinstance(user, User) else user
    secret = secrets.token_urlsafe(32)
    now = time.time()
    limits = settings()
    with _store(path, write=True) as con:
        row = con.execute("select version from accounts where user_name = ? and disabled = 0",
                          (user_name,)).fetchone()
        if row is None:
            raise AccountError(f"no user named {user_name!r}", key="auth.error.unknown", name=user_name)
        con.execute("delete from sessions where last_seen < ? or created_at < ?",
                    (now - limits.session_timeout_minutes * 60, now - limits.session_max_hours * 3600))
        con.execute("insert into sessions values (?, ?, ?, ?, ?)", (_hash_secret(secret), user_name, now, now, row[0]))
    return secret


def check_session(secret: str | None, path: Path | str | None = None) -> tuple[User | None, str | None]:
    """(the session's user, None), or (None, why): "expired" (idle timeout or maximum lifetime)
    or "ended" (no such session, logged out, account disabled or changed)."""
    if not isinstance(secret, str) or not secret or len(secret) > 256:
        return None, "ended"
    id_hash = _hash_secret(secret)
    file = _store_of(path).key
    clock, now, limits = time.monotonic(), time.time(), settings()
    with _cache_lock:
        cached = _session_cache.get((file, id_hash))
    if cached is not None:
        age = clock - cached[1]
        if age < SESSION_CHECK_SECONDS and age <= limits.session_timeout_minutes * 60 \
                and now - cached[2] <= limits.session_max_hours * 3600:
            return cached[0], None
    # A read first (no lock): most checks find a live session seen less than a minute ago.
    with _store(path) as con:
        row = con.execute(
            "select s.created_at, s.last_seen, s.account_version, a.version, a.disabled, a.user_name, a.role, "
            "a.scope_code from sessions s left join accounts a on a.user_name = s.user_name where s.id_hash = ?",
            (id_hash,)).fetchone()
    why = None
    if row is None:
        why = "ended"
    elif now - row[1] > limits.session_timeout_minutes * 60 or now - row[0] > limits.session_max_hours * 3600:
        why = "expired"
    elif row[3] is None or row[4] or row[2] != row[3]:
        why = "ended"
    if why is not None:
        with _store(path, write=True) as con:
            con.execute("delete from sessions where id_hash = ?", (id_hash,))
    elif now - row[1] >= LAST_SEEN_WRITE_SECONDS:
        with _store(path, write=True) as con:
            con.execute("update sessions set last_seen = ? where id_hash = ? and last_seen < ?",
                        (now, id_hash, now))
    if why is not None:
        _forget_cached(id_hash=id_hash)
        return None, why
    user = User(row[5], row[6], row[7])
    with _cache_lock:
        _session_cache[(file, id_hash)] = (user, clock, row[0])
    return user, None


def resolve_session(secret: str | None, path: Path | str | None = None) -> User | None:
    """The user of a live session, or None (unknown, ended, expired, account disabled or changed)."""
    return check_session(secret, path)[0]


def close_session(secret: str | None, path: Path | str | None = None) -> None:
    """End one session (logout)."""
    if not isinstance(secret, str) or not secret:
        return
    id_hash = _hash_secret(secret)
    with _store(path, write=True) as con:
        con.execute("delete from sessions where id_hash = ?", (id_hash,))
    _forget_cached(id_hash=id_hash)


def close_sessions_of(user_name: str, path: Path | str | None = None) -> None:
    """End every session of an account, in every process (at their next click)."""
    with _store(path, write=True) as con:
        con.execute("delete from sessions where user_name = ?", (user_name,))
    _forget_cached(user_name)


def sessions_of(user_name: str, path: Path | str | None = None) -> int:
    """How many sessions of the account are open (for the admin's view and tests)."""
    with _store(path) as con:
        return con.execute("select count(*) from sessions where user_name = ?", (user_name,)).fetchone()[0]


def audit_detail(values: dict) -> str:
    """A JSON detail for an audit line."""
    return json.dumps(values, ensure_ascii=False, default=str)
