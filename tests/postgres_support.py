"""A throwaway PostgreSQL cluster on loopback for the tests of the DuckLake backend.

Debian's PostgreSQL (installed by `scripts/system-packages.sh --tests`) is started in a
temporary folder on a free port, trusted on 127.0.0.1 only, and stopped at the end of the
test session. Where PostgreSQL is not installed (or cannot be started, e.g. no `postgres`
system user), `postgres_cluster()` skips with the reason.
"""
from __future__ import annotations

import contextlib
import dataclasses
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path
from typing import Iterator

import pytest


@dataclasses.dataclass(frozen=True)
class Cluster:
    """A running PostgreSQL cluster: where it listens and how to reach one of its databases."""

    host: str
    port: int
    user: str
    folder: Path

    def create_database(self, name: str | None = None) -> str:
        """Create an empty database and return its name (a fresh one by default)."""
        name = name or f"pie_{uuid.uuid4().hex[:12]}"
        subprocess.run([_binary("createdb"), "-h", self.host, "-p", str(self.port), "-U", self.user, name],
                       check=True, capture_output=True, timeout=60)
        return name

    def libpq(self, database: str) -> str:
        """The libpq key=value connection string of `database` (as PIE_DB's `ducklake:postgres:` part)."""
        return f"dbname={database} host={self.host} port={self.port} user={self.user}"


def _binary(name: str) -> str:
    """The path of a PostgreSQL program: on PATH, else Debian's /usr/lib/postgresql/<version>/bin."""
    found = shutil.which(name)
    if found:
        return found
    for folder in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (folder / name).exists():
            return str(folder / name)
    raise FileNotFoundError(name)


def _free_port() -> int:
    with contextlib.closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def postgres_cluster() -> Iterator[Cluster]:
    """Start a PostgreSQL cluster in a temporary folder; stop it and remove the folder afterwards.

    As root the cluster runs as the `postgres` system user (PostgreSQL refuses root); as anyone
    else it runs as that user.
    """
    try:
        initdb, pg_ctl = _binary("initdb"), _binary("pg_ctl")
        _binary("createdb")
    except FileNotFoundError as missing:
        pytest.skip(f"PostgreSQL is not installed ({missing} not found; scripts/system-packages.sh --tests)")
    as_user: list[str] = []
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no `postgres` system user to run PostgreSQL")
        as_user = ["runuser", "-u", "postgres", "--"]
    folder = Path(tempfile.mkdtemp(prefix="pie-postgres-"))
    data = folder / "data"
    if as_user:
        os.chown(folder, owner.pw_uid, owner.pw_gid)
    port = _free_port()
    user = "postgres" if as_user else pwd.getpwuid(os.geteuid()).pw_name
    started = False
    try:
        subprocess.run(as_user + [initdb, "-D", str(data), "-A", "trust", "-U", user, "-E", "UTF8",
                                  "--no-sync"], check=True, capture_output=True, timeout=120)
        options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        result = subprocess.run(as_user + [pg_ctl, "-D", str(data), "-o", options, "-l", str(folder / "log"),
                                           "-w", "-t", "60", "start"], capture_output=True, timeout=90)
        if result.returncode != 0:
            log = (folder / "log").read_text(errors="replace") if (folder / "log").exists() else ""
            pytest.fail(f"PostgreSQL did not start: {result.stderr.decode(errors='replace')}\n{log}")
        started = True
        deadline = time.monotonic() + 30
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                break
            if time.monotonic() > deadline:
                pytest.fail("PostgreSQL does not accept connections on 127.0.0.1")
            time.sleep(0.1)
        yield Cluster(host="127.0.0.1", port=port, user=user, folder=folder)
    finally:
        if started:
            subprocess.run(as_user + [pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"],
                           capture_output=True, timeout=60)
        shutil.rmtree(folder, ignore_errors=True)
