"""Settings from the environment. Nothing else in the project reads os.environ."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
QUERIES_DIR = PROJECT_ROOT / "queries"


@dataclass(frozen=True)
class Settings:
    """What the environment says; every field has a default that works on a fresh clone."""

    db_path: Path
    lock_wait_seconds: float
    demo_participants: int
    session_timeout_minutes: int
    password: str | None
    # PIE_READ_ONLY=1: this process never changes programme data — no import, no demo build,
    # no snapshot published — and reads only published snapshots (docs/DEPLOYMENT.md). Account
    # records (logins, lockouts, user changes) still go through the short writer transaction.
    read_only: bool = False
    # Accounts, sessions, login attempts and the audit log (docs/SECURITY.md): their SQLite
    # store, default `<PIE_DB>.accounts.sqlite` beside the database of record.
    accounts_store: Path | None = None
    session_max_hours: float = 12.0
    # PIE_DEMO=1: a dashboard without a database builds the demo (synthetic data) on first run;
    # scripts/start.sh sets it, a production configuration never does: a missing database
    # then gets a page saying how to create one.
    demo: bool = False
    # PIE_LISTEN_ADDRESS: where pie.ui.serve listens (127.0.0.1: only nginx on this machine
    # reaches it; docs/DEPLOYMENT.md). `--server.address` on the command line wins.
    listen_address: str = "127.0.0.1"

    # Imports read and check files in a worker process with these bounds (docs/IMPORT.md):
    # address space (MB; virtual, so about 2x the resident use: 1M participants use ~1.1 GB resident under 3 GB), seconds before it is killed, cells a workbook sheet may declare.
    import_memory_mb: int = 3072
    import_seconds: float = 600.0
    import_max_cells: int = 20_000_000
    # Tests only: kill the import at this stage (pie.db.fault_point; docs/IMPORT.md).
    fault: str = ""
    # Law 09-08 retention: contacts of participants without activity for this many years are
    # erased by `python -m pie privacy purge` (docs/PRIVACY.md, the systemd timer of DEPLOYMENT.md)
    retention_years: int = 5
    # PIE_LOST_CONTACT_DAYS: the Follow-up page's default cut-off: participants with a phase in
    # progress but no activity for more than this many days are counted apart as "lost contact",
    # out of the call list (the page can change it; docs of pie.programme.figures.lost_contact).
    lost_contact_days: int = 365
    # PIE_COOKIE_SECURE: the session cookie's Secure flag — 1 always, 0 never, unset: when the
    # request came over https (directly or X-Forwarded-Proto from the proxy).
    cookie_secure: bool | None = None
    # The weekly digest (`python -m pie digest --send`, docs/DIGEST.md): the SMTP server it is
    # sent through (no host: nothing can be sent), STARTTLS before login unless PIE_SMTP_STARTTLS=0
    # (a server on loopback), the From address, and PIE_PUBLIC_URL, the dashboard's address the
    # mail links to (none: the mail says there is no link).
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_from: str = ""
    smtp_starttls: bool = True
    public_url: str = ""
    # The DuckLake backend (PIE_DB=ducklake:postgres:…, pie/lake.py): PIE_DATA_PATH, where its
    # Parquet files go (a folder shared by every machine: NFS, or s3://…); PIE_STATE_DIR, the
    # folder of what a DuckDB file keeps beside itself (imports/ archives; the accounts are in
    # the catalog's PostgreSQL, pie.auth): shared by every machine too (docs/DEPLOYMENT.md).
    data_path: str | None = None
    state_dir: Path | None = None

    def state_dir_of(self, db_path: Path | str | None = None) -> Path:
        """The folder beside the database of record: a DuckDB file's own folder, or for a lake
        PIE_STATE_DIR (default `data/lake-state/` of the project)."""
        db_path = db_path if db_path is not None else self.db_path
        if lake_catalog(db_path) is not None:
            return self.state_dir or PROJECT_ROOT / "data" / "lake-state"
        return Path(db_path).parent

    def accounts_path(self, db_path: Path | None = None) -> Path:
        """The SQLite accounts store of `db_path` (default: the configured database). PIE_ACCOUNTS_DB
        overrides it for the configured database only, so `--db other.duckdb` never shares it.
        A lake's accounts live in its PostgreSQL (pie.auth._store_of): the path given for a lake
        only names it (a cache key), no file is made there."""
        db_path = Path(db_path) if db_path is not None else self.db_path
        if lake_catalog(db_path) is not None:  # a lake: no file to stand beside, no resolve()
            if self.accounts_store is not None and str(db_path) == str(self.db_path):
                return self.accounts_store
            return self.state_dir_of(db_path) / "accounts.sqlite"
        if self.accounts_store is not None and db_path.resolve() == self.db_path.resolve():
            return self.accounts_store
        return db_path.with_name(db_path.name + ".accounts.sqlite")

    @property
    def published_dir(self) -> Path:
        return published_dir_of(self.db_path)

    @property
    def imports_dir(self) -> Path:
        return self.state_dir_of() / "imports"


LAKE_PREFIX = "ducklake:postgres:"


def lake_catalog(location: Path | str | None) -> str | None:
    """The libpq connection string of the PostgreSQL catalog when `location` (PIE_DB or a `--db`
    value) names a DuckLake (`ducklake:postgres:dbname=… host=… port=… user=…`), else None (a
    DuckDB file). Issue 20: the second backend, docs/DEPLOYMENT.md."""
    text = str(location) if location is not None else ""
    return text[len(LAKE_PREFIX):].strip() if text.startswith(LAKE_PREFIX) else None


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


def _tristate(text: str | None) -> bool | None:
    """"1/true/yes/on" -> True, "0/false/no/off" -> False, unset or anything else -> None."""
    value = (text or "").strip().lower()
    return True if value in ("1", "true", "yes", "on") else False if value in ("0", "false", "no", "off") else None


def published_dir_of(db_path: Path | str) -> Path:
    """The folder of a database file's published snapshots (pie.db) and their answers (pie.answers)."""
    return Path(db_path).parent / "published"


def settings() -> Settings:
    """Read the settings now (tests change the environment between calls)."""
    env = os.environ
    return Settings(
        db_path=Path(env.get("PIE_DB") or PROJECT_ROOT / "data" / "pie.duckdb"),
        lock_wait_seconds=float(env.get("PIE_LOCK_WAIT_SECONDS", "30")),
        demo_participants=int(env.get("PIE_DEMO_PARTICIPANTS", "3000")),
        session_timeout_minutes=int(env.get("PIE_SESSION_TIMEOUT_MINUTES", "30")),
        password=env.get("PIE_PASSWORD"),
        read_only=_flag(env.get("PIE_READ_ONLY")),
        demo=_flag(env.get("PIE_DEMO")),
        listen_address=(env.get("PIE_LISTEN_ADDRESS") or "127.0.0.1").strip(),
        accounts_store=Path(env["PIE_ACCOUNTS_DB"]) if env.get("PIE_ACCOUNTS_DB") else None,
        session_max_hours=float(env.get("PIE_SESSION_MAX_HOURS", "12")),
        import_memory_mb=int(env.get("PIE_IMPORT_MEMORY_MB", "3072")),
        import_seconds=float(env.get("PIE_IMPORT_SECONDS", "600")),
        import_max_cells=int(env.get("PIE_IMPORT_MAX_CELLS", "20000000")),
        fault=env.get("PIE_FAULT", "").strip(),
        retention_years=int(env.get("PIE_RETENTION_YEARS", "5")),
        lost_contact_days=int(env.get("PIE_LOST_CONTACT_DAYS", "365")),
        cookie_secure=_tristate(env.get("PIE_COOKIE_SECURE")),
        smtp_host=(env.get("PIE_SMTP_HOST") or "").strip(),
        smtp_port=int(env.get("PIE_SMTP_PORT") or "587"),
        smtp_user=(env.get("PIE_SMTP_USER") or "").strip(),
        smtp_password=env.get("PIE_SMTP_PASSWORD") or "",
        smtp_from=(env.get("PIE_SMTP_FROM") or "").strip(),
        smtp_starttls=_tristate(env.get("PIE_SMTP_STARTTLS")) is not False,
        public_url=(env.get("PIE_PUBLIC_URL") or "").strip().rstrip("/"),
        data_path=(env.get("PIE_DATA_PATH") or "").strip() or None,
        state_dir=Path(env["PIE_STATE_DIR"]) if env.get("PIE_STATE_DIR") else None,
    )
