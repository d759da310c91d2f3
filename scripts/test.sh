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
# axe-core for tests/test_browser_a11y.py, pinned, in tests/.node/ (ignored by git); the test
# skips, saying why, when npm is absent.
AXE_VERSION=4.14.1
if command -v npm >/dev/null 2>&1; then
  if [ ! -f tests/.node/node_modules/axe-core/axe.min.js ] \
     || ! grep -q "\"version\": \"$AXE_VERSION\"" tests/.node/node_modules/axe-core/package.json; then
    echo "Installing axe-core $AXE_VERSION …"
    mkdir -p tests/.node
    npm install --prefix tests/.node --no-audit --no-fund --silent "axe-core@$AXE_VERSION" \
      || echo "axe-core could not be installed: the accessibility test will be skipped" >&2
  fi
else
  echo "npm not found: the axe-core accessibility test will be skipped" >&2
fi
# The DuckLake backend runs on DuckDB 1.5.5 (the only version with its extension wheels): a
# second venv, .venv-lake, with requirements-lake.txt and the test tools runs the `lake` tests
# (tests/test_lake.py) after the main run; the script fails if either run fails.
if [ ! -x .venv-lake/bin/python ]; then
  echo "Creating .venv-lake …"
  "$PYTHON" -m venv .venv-lake
fi
.venv-lake/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-lake.txt \
  "$(grep -E '^pytest==' requirements-dev.txt)" "$(grep -E '^pytest-timeout==' requirements-dev.txt)" \
  "$(grep -E '^hypothesis==' requirements-dev.txt)"
status=0
.venv/bin/python -m pytest "$@" || status=$?
lake_status=0
case " $* " in
  *" -m "*) echo "a marker was chosen (-m): the lake run (.venv-lake, pytest -m lake) is skipped" >&2 ;;
  *) .venv-lake/bin/python -m pytest -m lake "$@" || lake_status=$?
     # 5: no lake test among those chosen (e.g. `-k funnel`): nothing failed
     if [ "$lake_status" -eq 5 ]; then lake_status=0; fi ;;
esac
if [ "$status" -ne 0 ] || [ "$lake_status" -ne 0 ]; then
  echo "tests failed: main run exit $status, lake run (.venv-lake, DuckDB 1.5.5) exit $lake_status" >&2
  exit 1
fi
