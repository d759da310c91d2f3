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
    # Imports read and check files in a worker process with these bounds (docs/IMPORT.md):
    # address space (MB; virtual, so about 2x the resident use: 1M participants use ~1.1 GB resident under 3 GB), seconds before it is killed, cells a workbook sheet may declare.
    import_memory_mb: int = 3072
    import_seconds: float = 600.0
    import_max_cells: int = 20_000_000
    # Tests only: kill the import at this stage (pie.db.fault_point; docs/IMPORT.md).
    fault: str = ""

    @property
    def published_dir(self) -> Path:
        return self.db_path.parent / "published"

    @property
    def imports_dir(self) -> Path:
        return self.db_path.parent / "imports"


def settings() -> Settings:
    """Read the settings now (tests change the environment between calls)."""
    env = os.environ
    return Settings(
        db_path=Path(env.get("PIE_DB") or PROJECT_ROOT / "data" / "pie.duckdb"),
        lock_wait_seconds=float(env.get("PIE_LOCK_WAIT_SECONDS", "30")),
        demo_participants=int(env.get("PIE_DEMO_PARTICIPANTS", "3000")),
        session_timeout_minutes=int(env.get("PIE_SESSION_TIMEOUT_MINUTES", "30")),
        password=env.get("PIE_PASSWORD"),
        read_only=env.get("PIE_READ_ONLY", "").strip().lower() in ("1", "true", "yes", "on"),
        import_memory_mb=int(env.get("PIE_IMPORT_MEMORY_MB", "3072")),
        import_seconds=float(env.get("PIE_IMPORT_SECONDS", "600")),
        import_max_cells=int(env.get("PIE_IMPORT_MAX_CELLS", "20000000")),
        fault=env.get("PIE_FAULT", "").strip(),
    )
