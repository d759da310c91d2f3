"""scripts/serve.sh (pie/cli/serve.py): its nginx configuration is valid, and the production start
— two dashboard processes behind nginx — serves a logged-in session on each process, each
browser kept on its process by the pie_node cookie."""
from __future__ import annotations

import asyncio
import os
import re
import shutil
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import build_small_programme
from pie import auth
from pie.cli import serve
from pie.config import PROJECT_ROOT

sys.path.insert(0, str(PROJECT_ROOT / "benchmarks"))
from ws_client import Session  # noqa: E402

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
needs_nginx = pytest.mark.skipif(NGINX is None, reason="nginx not installed (scripts/system-packages.sh --tests)")
PASSWORD = "correct horse battery"


@needs_nginx
@pytest.mark.parametrize("processes", [1, 2, 4])
def test_nginx_config_is_valid(tmp_path, processes):
    ports = [8601 + i for i in range(processes)]
    config = serve.write_config(tmp_path, ports, 8599)
    checked = serve.check_config(config, NGINX)
    assert checked.returncode == 0, checked.stderr
    text = config.read_text()
    assert text.count("server 127.0.0.1:86") == processes
    assert "hash $pie_node consistent" in text


def test_config_names_every_process_and_https_only_when_asked(tmp_path):
    plain = serve.nginx_config([9001, 9002], 8501, tmp_path)
    assert "listen 127.0.0.1:8501;" in plain and "ssl_certificate" not in plain and "Secure" not in plain
    tls = serve.nginx_config([9001], 443, tmp_path, listen_address="0.0.0.0", certificate="/c.pem", key="/k.pem")
    assert "listen 0.0.0.0:443 ssl;" in tls and "ssl_certificate     /c.pem;" in tls and "; Secure" in tls


def _upstream_of(run_dir: Path, url: str, key: str) -> str:
    """The dashboard port nginx sends a browser with cookie pie_node=`key` to (its access log)."""
    request = urllib.request.Request(url + "/", headers={"Cookie": f"pie_node={key}"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert f"pie_node={key}" in answer.headers.get("Set-Cookie", "")
    time.sleep(0.2)
    last = (run_dir / "access.log").read_text().strip().splitlines()[-1]
    return re.search(r"upstream=127\.0\.0\.1:(\d+)", last).group(1)


@needs_nginx
@pytest.mark.slow
def test_two_processes_behind_nginx_each_serve_a_logged_in_session(tmp_path):
    database = build_small_programme(tmp_path / "data" / "pie.duckdb")
    auth.add_user(database, "amina", "manager", PASSWORD)
    first = serve.free_ports(3)
    port = first + 2
    run_dir = tmp_path / "run"
    log = tmp_path / "serve.log"
    env = {**os.environ, "PIE_DB": str(database), "PIE_READ_ONLY": "1"}
    process = serve.start(2, port, first, run_dir, log, env)   # what scripts/serve.sh runs
    url = f"http://127.0.0.1:{port}"
    try:
        serve.wait_started(process, log, timeout=120)
        keys: dict[str, str] = {}   # dashboard port -> a sticky key that reaches it
        for i in range(64):
            key = f"{i:032x}"
            keys.setdefault(_upstream_of(run_dir, url, key), key)
            if len(keys) == 2:
                break
        assert set(keys) == {str(first), str(first + 1)}

        async def log_in(key: str):
            async with Session(url, timeout=60, headers={"Cookie": f"pie_node={key}"}) as tab:
                landed = await tab.login("amina", PASSWORD)
                return landed.ok and bool(landed.metrics)

        assert asyncio.run(log_in(keys[str(first)])) and asyncio.run(log_in(keys[str(first + 1)]))
        # the websockets went to their key's process (Streamlit sessions live in one process)
        streams = [line for line in (run_dir / "access.log").read_text().splitlines() if "/_stcore/stream" in line]
        assert {re.search(r"upstream=127\.0\.0\.1:(\d+)", line).group(1) for line in streams} == set(keys)
    finally:
        serve.stop(process, grace=30)
