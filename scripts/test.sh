#!/usr/bin/env bash
# Install what the tests need (a .venv with requirements-dev.txt, Debian's Chromium for the
# browser tests) and run the whole test suite. Extra arguments go to pytest.
# Usage: bash scripts/test.sh [pytest options, e.g. -k funnel]
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x /usr/bin/chromium ]; then
  echo "Installing Debian's chromium for the browser tests …"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
if [ ! -x .venv/bin/python ]; then
  echo "Creating .venv …"
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
exec .venv/bin/python -m pytest "$@"
