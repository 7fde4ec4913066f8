#!/usr/bin/env bash
# Prepare a fresh Debian/Ubuntu checkout: system packages (when root), .venv, translations.
# Idempotent and quick when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

SYSTEM_PACKAGES=(gettext fonts-noto-cjk libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 poppler-utils chromium postgresql)
PYTHON=${PYTHON:-python3}

missing=()
for pkg in "${SYSTEM_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ! "$PYTHON" -c "import ensurepip, venv" 2>/dev/null; then
  missing+=(python3-venv)
fi
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "Installing system packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "Missing system packages. Run as root:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
if [ ! -f .venv/.installed ] || [ requirements.txt -nt .venv/.installed ]; then
  .venv/bin/pip install -q --upgrade pip
  .venv/bin/pip install -q -r requirements.txt
  touch .venv/.installed
fi

# Compile translations when a catalogue changed since the last compile.
for po in locale/*/LC_MESSAGES/*.po qicai/locale/*/LC_MESSAGES/*.po; do
  [ -f "$po" ] || continue
  mo="${po%.po}.mo"
  if [ ! -f "$mo" ] || [ "$po" -nt "$mo" ]; then
    DEBUG=1 .venv/bin/python manage.py compilemessages -v0 --ignore=.venv
    break
  fi
done
