#!/usr/bin/env bash
# The app on one machine for `make run`: the development server and a background worker
# (django-tasks' database backend: imports, reports). Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python

"$PY" manage.py db_worker --interval 1 &
worker=$!
stop() {
  kill "$worker" 2>/dev/null || true
  wait "$worker" 2>/dev/null || true
}
trap stop EXIT INT TERM
"$PY" manage.py runserver 127.0.0.1:8000
