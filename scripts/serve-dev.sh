#!/usr/bin/env bash
# The app on one machine for `make run`: the database migrated and the demo district seeded when empty
# (a second run changes nothing), then the development server and a background worker (django-tasks'
# database backend: imports, printed documents). Ctrl-C stops both.   PORT=8001 for another port.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PORT=${PORT:-8000}
export DEBUG=${DEBUG:-1}

if ! "$PY" - "$PORT" <<'EOF'; then
import socket, sys
with socket.socket() as s:
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server binds: a closed connection's
    try:                                                      # TIME_WAIT is no server on the port
        s.bind(("127.0.0.1", int(sys.argv[1])))
    except OSError:
        sys.exit(1)
EOF
  echo "端口 $PORT 已被占用，请换一个端口 / port $PORT is in use; try: make run PORT=$((PORT + 1))" >&2
  exit 1
fi

"$PY" manage.py migrate --noinput -v 0
"$PY" manage.py seed_demo --if-empty

"$PY" manage.py db_worker --interval 1 &
worker=$!
stop() {
  # The worker finishes the task in hand (a printed document can take a while); after 15 s it is stopped.
  kill "$worker" 2>/dev/null || true
  for _ in $(seq 1 30); do
    kill -0 "$worker" 2>/dev/null || break
    sleep 0.5
  done
  kill -KILL "$worker" 2>/dev/null || true
  wait "$worker" 2>/dev/null || true
}
trap stop EXIT INT TERM
echo "七彩工程: http://127.0.0.1:$PORT/  (后台任务进程 / background worker: pid $worker; Ctrl-C 停止 / stops both)"
"$PY" manage.py runserver --skip-checks "127.0.0.1:$PORT"  # the system checks ran with migrate
