#!/usr/bin/env bash
# Install the dashboard in .venv and start it. On first run (no database at $PIE_DB, default
# data/pie.duckdb) a demo database of synthetic data is built first: this script asks for the
# demo (PIE_DEMO=1, also for the dashboard itself); a production service never sets it.
# Usage: bash scripts/start.sh [extra `streamlit run` options, e.g. --server.port 8502]
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
# Chromium, Pango and fonts for the PDF report; the dashboard itself runs without them.
bash scripts/system-packages.sh || echo "The PDF report will not work until those packages are installed." >&2
if [ ! -x .venv/bin/python ]; then
  echo "Creating .venv …"
  "$PYTHON" -m venv .venv
fi
echo "Installing the Python packages of requirements.txt (about a minute the first time) …"
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
DB=${PIE_DB:-data/pie.duckdb}
export PIE_DEMO=${PIE_DEMO:-1}
if [ "$PIE_DEMO" = 1 ] && [ ! -f "$DB" ]; then
  echo "No database at $DB: building the demo programme (synthetic data) …"
  .venv/bin/python -m pie demo --db "$DB" --progress
fi
echo "Dashboard: http://localhost:${PIE_PORT:-8501}"
# pie.ui.serve = `streamlit run dashboard.py` without the legacy first run (see its docstring)
exec .venv/bin/python -m pie.ui.serve \
  --server.port "${PIE_PORT:-8501}" --browser.gatherUsageStats false "$@"
