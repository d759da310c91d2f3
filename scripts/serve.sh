#!/usr/bin/env bash
# The production start on one machine: N dashboard processes (default one per core, each
# warming its caches) behind nginx on PIE_PORT (default 8501), sticky sessions, in one command.
# Usage: bash scripts/serve.sh [--processes N] [--port P] [--first-port 8601] [--run-dir DIR]
#                              [--certificate FULLCHAIN --key PRIVKEY]
# Needs nginx (apt-get install nginx; runs unprivileged, config in the run directory) and .venv
# (scripts/start.sh creates it). Details: pie/cli/serve.py, docs/DEPLOYMENT.md.
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/python -m pie.cli.serve "$@"
