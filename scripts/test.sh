#!/usr/bin/env bash
# Install what the tests need (Debian's Chromium, Pango, fonts and poppler-utils; a .venv
# with requirements-dev.txt) and run the whole test suite. Extra arguments go to pytest.
# Usage: bash scripts/test.sh [pytest options, e.g. -k funnel]
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
bash scripts/system-packages.sh --tests
if [ ! -x .venv/bin/python ]; then
  echo "Creating .venv …"
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
exec .venv/bin/python -m pytest "$@"
