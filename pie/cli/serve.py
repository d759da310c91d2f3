"""The production start on one machine: N dashboard processes behind nginx, in one command.

    bash scripts/serve.sh [--processes N] [--port PIE_PORT] [--first-port 8601] [--run-dir DIR]
                          [--certificate FULLCHAIN --key PRIVKEY]
    (= .venv/bin/python -m pie.cli.serve …; not a `python -m pie` command: shared/CLI.md is unchanged)

- N processes `python -m pie.ui.serve` (default: one per CPU core) on 127.0.0.1 ports
  first-port, first-port + 1, … — each warms its caches (pie.ui.warmup) and is restarted if it
  dies (after 3 s, like the systemd units of docs/DEPLOYMENT.md);
- nginx (unprivileged, its config, pid, logs and temporary files in the run directory) on
  PIE_PORT (default 8501) on PIE_LISTEN_ADDRESS (default 127.0.0.1), HTTPS when given a
  certificate, in front of them: the websocket upgrade, the size limits and per-address
  rate limits of docs/DEPLOYMENT.md, and **sticky sessions**: a browser keeps the process that
  first served it through the `pie_node` cookie (a random key set by nginx, `hash … consistent`
  over the processes). A Streamlit session lives in one process, and the one-time ticket the
  page exchanges for the session cookie (pie/ui/browser_session.py) is held by the process that
  issued it: both need the same process. If that process is down, nginx sends the key to the
  next one; the browser reconnects and its `pie_session` cookie logs it in again.
- Requests from the machine itself (127.0.0.1: health checks, benchmarks/load.py) are not
  rate-limited. If TLS is terminated by another proxy on this machine, every visitor comes from
  127.0.0.1: limit there, or use docs/DEPLOYMENT.md's site instead.

Environment passed to the dashboards as is (PIE_DB, PIE_READ_ONLY …). Ctrl-C or SIGTERM stops
nginx and every process. The access log (run dir, access.log) records each request's upstream.
"""
from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NGINX = "/usr/sbin/nginx"
STICKY_COOKIE = "pie_node"


def nginx_config(ports: list[int], listen_port: int, run_dir: Path, listen_address: str = "127.0.0.1",
                 certificate: str | None = None, key: str | None = None) -> str:
    """The nginx configuration (a whole nginx.conf, run unprivileged from `run_dir`)."""
    servers = "\n".join(f"        server 127.0.0.1:{port} max_fails=2 fail_timeout=10s;" for port in ports)
    tls = certificate is not None
    listen = f"{listen_address}:{listen_port}{' ssl' if tls else ''}"
    secure = "; Secure" if tls else ""
    tls_lines = (f"""
        ssl_certificate     {certificate};
        ssl_certificate_key {key};
        ssl_protocols       TLSv1.2 TLSv1.3;
        ssl_session_cache   shared:pie_tls:10m;
        add_header Strict-Transport-Security "max-age=31536000" always;""" if tls else "")
    temp = run_dir / "temp"
    return f"""# Written by pie/cli/serve.py — {len(ports)} dashboard processes behind nginx.
worker_processes 1;
daemon off;
pid {run_dir / 'nginx.pid'};
error_log {run_dir / 'error.log'} warn;

events {{
    worker_connections 4096;
}}

http {{
    client_body_temp_path {temp / 'body'};
    proxy_temp_path       {temp / 'proxy'};
    fastcgi_temp_path     {temp / 'fastcgi'};
    uwsgi_temp_path       {temp / 'uwsgi'};
    scgi_temp_path        {temp / 'scgi'};
    types {{ text/html html; application/javascript js; text/css css; }}
    default_type application/octet-stream;

    # Sticky sessions: a browser without the cookie gets a random key, then keeps it.
    map $cookie_{STICKY_COOKIE} $pie_node {{
        "~^[0-9a-f]{{32}}$" $cookie_{STICKY_COOKIE};
        default             $request_id;
    }}
    upstream pie {{
        hash $pie_node consistent;
{servers}
    }}

    map $http_upgrade $connection_upgrade {{
        default upgrade;
        ''      close;
    }}

    # Per client address, as docs/DEPLOYMENT.md; the machine itself (127.0.0.1) is not limited.
    geo $pie_limited {{
        default   1;
        127.0.0.1 0;
    }}
    map $pie_limited $pie_limit_key {{
        0 "";
        1 $binary_remote_addr;
    }}
    limit_req_zone $pie_limit_key zone=pie_sessions:10m rate=30r/m;
    limit_req_zone $pie_limit_key zone=pie_pages:10m rate=120r/m;
    limit_req_zone $pie_limit_key zone=pie_uploads:10m rate=10r/m;
    limit_req_status 429;

    map $uri $pie_logged_uri {{
        ~^/_stcore/upload_file/    /_stcore/upload_file/-;
        ~^/media/                  /media/-;
        default                    $uri;
    }}
    log_format pie '$remote_addr [$time_local] "$request_method $pie_logged_uri" $status $body_bytes_sent '
                   'rt=$request_time upstream=$upstream_addr';
    access_log {run_dir / 'access.log'} pie;

    server {{
        listen {listen};{tls_lines}
        add_header X-Content-Type-Options nosniff always;
        add_header X-Frame-Options SAMEORIGIN always;
        add_header Referrer-Policy same-origin always;
        add_header Set-Cookie "{STICKY_COOKIE}=$pie_node; Path=/; HttpOnly; SameSite=Lax{secure}" always;

        client_max_body_size 1m;
        proxy_http_version 1.1;
        proxy_set_header Host              $http_host;
        proxy_set_header X-Real-IP         $remote_addr;
        proxy_set_header X-Forwarded-For   $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;

        location /_stcore/stream {{
            limit_req zone=pie_sessions burst=20 nodelay;
            proxy_pass http://pie;
            proxy_set_header Upgrade    $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_read_timeout  1d;
            proxy_send_timeout  1d;
            proxy_buffering off;
        }}
        location /_stcore/upload_file/ {{
            client_max_body_size 50m;
            limit_req zone=pie_uploads burst=10 nodelay;
            proxy_pass http://pie;
            proxy_request_buffering off;
            proxy_read_timeout 300s;
        }}
        location = /_stcore/health {{
            access_log off;
            proxy_pass http://pie;
        }}
        location /static/ {{
            proxy_pass http://pie;
        }}
        location / {{
            limit_req zone=pie_pages burst=60 nodelay;
            proxy_pass http://pie;
            proxy_read_timeout 60s;
        }}
    }}
}}
"""


def write_config(run_dir: Path, ports: list[int], listen_port: int, **options) -> Path:
    """nginx.conf and the folders nginx needs in `run_dir`; returns the config's path."""
    for folder in ("temp/body", "temp/proxy", "temp/fastcgi", "temp/uwsgi", "temp/scgi"):
        (run_dir / folder).mkdir(parents=True, exist_ok=True)
    path = run_dir / "nginx.conf"
    path.write_text(nginx_config(ports, listen_port, run_dir, **options))
    return path


def check_config(config: Path, nginx: str = NGINX) -> subprocess.CompletedProcess:
    """`nginx -t` on `config` (exit status 0 when valid)."""
    return subprocess.run([nginx, "-t", "-q", "-c", str(config), "-p", str(config.parent)],
                          capture_output=True, text=True)


def _own_group() -> None:
    """In a child, before exec: its own process group (stopped as one), and SIGTERM when the
    process that started it dies, even by SIGKILL (nothing outlives this command, or a
    benchmark or test that started it)."""
    os.setsid()
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def dashboard_command(port: int) -> list[str]:
    """One dashboard process as production runs it (`python -m pie.ui.serve`) on 127.0.0.1:`port`."""
    return [sys.executable, "-m", "pie.ui.serve", "--server.headless", "true", "--server.port", str(port),
            "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
            "--server.fileWatcherType", "none"]


def start_dashboard(port: int, log: Path, env: dict[str, str] | None = None, append: bool = True) -> subprocess.Popen:
    """`dashboard_command(port)` in its own process group, its output to `log` (appended, or
    the file started afresh), with `env` (default: this process's environment)."""
    return subprocess.Popen(dashboard_command(port), cwd=ROOT, env=env, stdout=log.open("ab" if append else "wb"),
                            stderr=subprocess.STDOUT, preexec_fn=_own_group)


READY = "PIE dashboard:"   # the line `main` prints once nginx and every dashboard are up


def start(processes: int, port: int, first_port: int, run_dir: Path, log: Path,
          env: dict[str, str] | None = None) -> subprocess.Popen:
    """The whole production start (what scripts/serve.sh runs) as a child process in its own
    group: `processes` dashboards from `first_port` on, nginx on `port`, its run directory
    `run_dir`, its output to `log`. Wait for it with `wait_started`, end it with `stop`."""
    command = [sys.executable, "-m", "pie.cli.serve", "--processes", str(processes), "--port", str(port),
               "--first-port", str(first_port), "--run-dir", str(run_dir)]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
                            preexec_fn=_own_group)


def wait_started(process: subprocess.Popen, log: Path, timeout: float = 180) -> None:
    """Return once the production start `process` (from `start`) says it serves; raise
    RuntimeError with the end of its log if it exits or takes longer than `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while READY not in log.read_text(errors="replace"):
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"scripts/serve.sh did not start: {log.read_text(errors='replace')[-2000:]}")
        time.sleep(0.3)


def free_ports(count: int) -> int:
    """The first of `count` consecutive free loopback ports."""
    while True:
        first = _free_port()
        if all(_port_free(first + i) for i in range(1, count)):
            return first


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def wait_healthy(port: int, timeout: float = 90, process: subprocess.Popen | None = None) -> bool:
    """Whether the dashboard on `port` answers /_stcore/health within `timeout` seconds (False
    at once if `process`, the dashboard, exits)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    return True
        except OSError:
            pass
        time.sleep(0.3)
    return False


def stop(process: subprocess.Popen | None, grace: float = 10) -> None:
    """SIGTERM to the process's group, SIGKILL after `grace` seconds."""
    if process is None or process.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def _interrupted(signum, frame):
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    first, _, rest = __doc__.partition("\n")
    parser = argparse.ArgumentParser(prog="scripts/serve.sh", description=first, epilog=rest,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1,
                        help="dashboard processes (default: one per CPU core)")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PIE_PORT", "8501")),
                        help="nginx's port (default PIE_PORT, else 8501)")
    parser.add_argument("--first-port", type=int, default=8601, help="the first dashboard's port (default 8601)")
    parser.add_argument("--run-dir", type=Path, help="nginx's config, logs and the dashboards' logs (default: a new temporary folder)")
    parser.add_argument("--nginx", default=shutil.which("nginx") or NGINX)
    parser.add_argument("--certificate", help="HTTPS: the certificate chain (with --key)")
    parser.add_argument("--key", help="HTTPS: the private key")
    args = parser.parse_args(argv)
    if args.processes < 1 or (args.certificate is None) != (args.key is None):
        parser.error("--processes must be at least 1; --certificate and --key go together")
    run_dir = (args.run_dir or Path(tempfile.mkdtemp(prefix="pie-serve-"))).resolve()
    run_dir.mkdir(parents=True, exist_ok=True)
    ports = [args.first_port + i for i in range(args.processes)]
    listen_address = os.environ.get("PIE_LISTEN_ADDRESS", "127.0.0.1").strip() or "127.0.0.1"
    config = write_config(run_dir, ports, args.port, listen_address=listen_address,
                          certificate=args.certificate, key=args.key)
    checked = check_config(config, args.nginx)
    if checked.returncode != 0:
        print(checked.stderr, file=sys.stderr)
        return 1
    signal.signal(signal.SIGTERM, _interrupted)
    dashboards: dict[int, subprocess.Popen] = {}
    proxy = None
    try:
        for port in ports:
            dashboards[port] = start_dashboard(port, run_dir / f"dashboard-{port}.log")
        for port in ports:
            if not wait_healthy(port):
                print(f"the dashboard on port {port} did not start: see {run_dir / f'dashboard-{port}.log'}",
                      file=sys.stderr)
                return 1
        proxy = subprocess.Popen([args.nginx, "-c", str(config), "-p", str(run_dir)], preexec_fn=_own_group)
        scheme = "https" if args.certificate else "http"
        print(f"{READY} {scheme}://{listen_address}:{args.port} — {len(ports)} processes "
              f"(ports {', '.join(map(str, ports))}); logs and nginx.conf in {run_dir}", flush=True)
        while True:
            time.sleep(1)
            if proxy.poll() is not None:
                print(f"nginx exited ({proxy.returncode}): see {run_dir / 'error.log'}", file=sys.stderr)
                return 1
            for port, process in list(dashboards.items()):
                if process.poll() is not None:
                    print(f"the dashboard on port {port} exited ({process.returncode}); restarting in 3 s",
                          file=sys.stderr, flush=True)
                    time.sleep(3)
                    dashboards[port] = start_dashboard(port, run_dir / f"dashboard-{port}.log")
    except KeyboardInterrupt:
        return 0
    finally:
        stop(proxy, grace=5)
        for process in dashboards.values():
            stop(process)


if __name__ == "__main__":
    sys.exit(main())
