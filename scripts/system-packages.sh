#!/usr/bin/env bash
# Install the Debian packages the dashboard needs, if any is missing:
#   chromium (kaleido draws the report's charts with it; the browser tests drive it),
#   Pango/HarfBuzz and Noto fonts (WeasyPrint's PDF report, Arabic included);
# with --tests also poppler-utils (pdftotext/pdftoppm read the PDFs back in tests), nginx +
# openssl (tests/test_deployment.py runs its own nginx in a temporary folder, not the service) and
# PostgreSQL (the DuckLake backend's tests start a throwaway cluster: tests/postgres_support.py).
set -euo pipefail
packages=(chromium libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-core)
[ "${1:-}" = "--tests" ] && packages+=(poppler-utils nginx openssl postgresql)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then SUDO="sudo"; else
    echo "Missing Debian packages: ${missing[*]} (run as root: apt-get install ${missing[*]})" >&2
    exit 1
  fi
fi
echo "Installing Debian packages: ${missing[*]} …"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
# Debian starts nginx's default site on port 80 when it can: the tests do not need it.
if [[ " ${missing[*]} " == *" nginx "* ]] && command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
  $SUDO systemctl disable --now nginx >/dev/null 2>&1 || true
fi
if [[ " ${missing[*]} " == *" postgresql "* ]] && command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
  $SUDO systemctl disable --now postgresql >/dev/null 2>&1 || true
fi
