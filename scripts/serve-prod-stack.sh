#!/usr/bin/env bash
# The production stack on one machine, against $DATABASE_URL: production settings (DEBUG off), the schema
# migrated, the demo district seeded if the database is empty, static files collected for whitenoise
# (compressed, hashed), the task workers (`manage.py db_worker`: imports and printed documents) and
# gunicorn. Ctrl-C (SIGINT to the whole process group: gunicorn stops at once) or SIGTERM to this script
# (gunicorn lets running requests finish) stops gunicorn and the workers; it returns when they are gone.
#
# Environment (all optional):
#   PORT=8000  BIND=127.0.0.1     where gunicorn listens (loopback: this is a trial, not an exposed server)
#   WEB_CONCURRENCY               gunicorn worker processes (default 2 x CPU cores + 1)
#   QICAI_TASK_WORKERS=1          task worker processes
#   GUNICORN_TIMEOUT=120          seconds a request may take (a long printed document is made by a worker)
#   QICAI_SERVE_DEMO=0            1: seed the demo district into an empty database (serve-prod.sh's trial)
#   SECRET_KEY                    default: generated once into $QICAI_VAR_DIR/secret_key (mode 600, not in git)
#   SECURE_COOKIES=0 and the silenced deployment checks below: plain HTTP on loopback. Behind an HTTPS
#   proxy set SECURE_COOKIES=1 BEHIND_HTTPS_PROXY=1 SECURE_HSTS_SECONDS=… and no silenced checks
#   (docs/deploy.md).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python

if [ -z "${DATABASE_URL:-}" ]; then
  echo "DATABASE_URL is not set (scripts/serve-prod.sh makes a throwaway cluster)." >&2
  exit 1
fi

export DEBUG=0
export LOG_FORMAT="${LOG_FORMAT:-json}"
var_dir="${QICAI_VAR_DIR:-var}"
mkdir -p "$var_dir"
if [ -z "${SECRET_KEY:-}" ]; then
  key_file="$var_dir/secret_key"
  if [ ! -s "$key_file" ]; then
    (umask 077 && "$PY" -c 'import secrets; print(secrets.token_urlsafe(50))' >"$key_file")
    echo "Generated a SECRET_KEY into $key_file (kept there; never commit it)."
  fi
  SECRET_KEY=$(cat "$key_file")
  export SECRET_KEY
fi
# Plain HTTP on 127.0.0.1: cookies without the Secure flag, no HTTPS redirect, no HSTS, and the
# deployment checks about exactly these silenced (only when the caller has not decided otherwise).
export SECURE_COOKIES="${SECURE_COOKIES:-0}"
export SECURE_SSL_REDIRECT="${SECURE_SSL_REDIRECT:-0}"
export SECURE_HSTS_SECONDS="${SECURE_HSTS_SECONDS:-0}"
export SILENCED_SYSTEM_CHECKS="${SILENCED_SYSTEM_CHECKS-security.W004,security.W008,security.W012,security.W016}"

bind="${BIND:-127.0.0.1}"
port="${PORT:-8000}"
cores=$(nproc 2>/dev/null || echo 1)
web_workers="${WEB_CONCURRENCY:-$((2 * cores + 1))}"
task_workers="${QICAI_TASK_WORKERS:-1}"

"$PY" manage.py migrate --noinput -v 0
# The demo district (accounts with the published demo password) only where asked for: serve-prod.sh asks
# for it on its throwaway cluster; a real database named by DATABASE_URL never gets it unasked.
if [ "${QICAI_SERVE_DEMO:-0}" = 1 ]; then
  "$PY" manage.py seed_demo --if-empty
fi
"$PY" manage.py collectstatic --noinput -v 0
"$PY" manage.py check --deploy

pids=()
stop() {
  trap - INT TERM EXIT
  if [ "${#pids[@]}" -gt 0 ]; then
    kill -TERM "${pids[@]}" 2>/dev/null || true
    # gunicorn lets running requests finish (its graceful timeout); workers finish their current task.
    for _ in $(seq 1 60); do
      alive=0
      for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
      [ "$alive" = 0 ] && break
      sleep 0.5
    done
    kill -KILL "${pids[@]}" 2>/dev/null || true
    wait 2>/dev/null || true
  fi
}
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM
trap stop EXIT

for _ in $(seq 1 "$task_workers"); do
  "$PY" manage.py db_worker --interval 1 &
  pids+=($!)
done
# No access log: qicai.request_log writes one JSON line per request (with the request id) instead.
.venv/bin/gunicorn qicai.wsgi \
  --bind "$bind:$port" \
  --workers "$web_workers" \
  --timeout "${GUNICORN_TIMEOUT:-120}" \
  --graceful-timeout 20 \
  --max-requests 2000 --max-requests-jitter 200 \
  --error-logfile - \
  --no-control-socket \
  --log-level "${GUNICORN_LOG_LEVEL:-info}" &
pids+=($!)

url="http://$bind:$port/"
for _ in $(seq 1 120); do
  if "$PY" -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)" "${url}readyz" 2>/dev/null; then
    echo "Ready: $url  (gunicorn: $web_workers workers; task workers: $task_workers; Ctrl-C stops all)"
    break
  fi
  sleep 0.5
done
# Until Ctrl-C, or until one of them dies (then the rest are stopped too).
set +e
wait -n "${pids[@]}"
status=$?
echo "Stopping the stack." >&2
exit "$status"
