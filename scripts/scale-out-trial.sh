#!/usr/bin/env bash
# The scale-out tried on one machine (docs/deploy.md): one PostgreSQL (a throwaway cluster unless
# DATABASE_URL is set), two gunicorn instances and two task workers sharing it and one media folder,
# nginx in front as the load balancer, all on loopback. Then scripts/scale_out_check.py signs in through
# the balancer, reads pages answered by both instances on one session, and has a round's certificates
# made by whichever worker takes the task. Everything is stopped at the end (or on Ctrl-C).
#   Usage: scripts/scale-out-trial.sh            (needs nginx: apt-get install nginx-light)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${DATABASE_URL:-}" ]; then
  exec scripts/with-postgres.sh "$0" "$@"
fi
PY=.venv/bin/python
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || { echo "nginx not found (apt-get install nginx-light)." >&2; exit 1; }

trial=$(mktemp -d /tmp/qicai-scale.XXXXXX)
chmod 755 "$trial"
export DEBUG=0 LOG_FORMAT=json SECURE_COOKIES=0 QICAI_REQUIRE_2FA=0  # demo accounts: password alone
export SECRET_KEY="${SECRET_KEY:-$($PY -c 'import secrets; print(secrets.token_urlsafe(50))')}"
export QICAI_VAR_DIR="$trial/var" MEDIA_ROOT="$trial/shared-media"  # one media folder for all: shared storage
export QICAI_DOCUMENT_INLINE_PAGES=0  # every printed round document goes to a worker
# The balancer forwards the client's Host (127.0.0.1:PORT), which ALLOWED_HOSTS accepts without a port.
LB_PORT="${LB_PORT:-8109}" APP1="${APP1:-8107}" APP2="${APP2:-8108}"

pids=()
stop() {
  trap - INT TERM EXIT
  [ -f "$trial/nginx.pid" ] && kill -QUIT "$(cat "$trial/nginx.pid")" 2>/dev/null || true
  [ "${#pids[@]}" -gt 0 ] && kill -TERM "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$trial"
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

"$PY" manage.py migrate --noinput -v 0
"$PY" manage.py seed_demo --if-empty >/dev/null
"$PY" manage.py collectstatic --noinput -v 0

for n in 1 2; do
  "$PY" manage.py db_worker --interval 1 >"$trial/worker$n.log" 2>&1 &
  pids+=($!)
done
for port in "$APP1" "$APP2"; do
  .venv/bin/gunicorn qicai.wsgi --bind "127.0.0.1:$port" --workers 2 --no-control-socket \
    --error-logfile "$trial/gunicorn-$port.err" >"$trial/app-$port.log" 2>&1 &
  pids+=($!)
done

sed -e "s/@LB_PORT@/$LB_PORT/; s/@APP1@/$APP1/; s/@APP2@/$APP2/; s#@TRIAL@#$trial#g" \
  docs/deploy/nginx-trial.conf >"$trial/nginx.conf"
"$NGINX" -e "$trial/nginx-error.log" -c "$trial/nginx.conf" -p "$trial"

for _ in $(seq 1 120); do
  "$PY" -c "import sys, urllib.request; [urllib.request.urlopen(u, timeout=2) for u in sys.argv[1:]]" \
    "http://127.0.0.1:$APP1/readyz" "http://127.0.0.1:$APP2/readyz" "http://127.0.0.1:$LB_PORT/readyz" \
    2>/dev/null && break
  sleep 0.5
done
"$PY" scripts/scale_out_check.py "http://127.0.0.1:$LB_PORT" "$trial"
echo "Stopping app server 1 (127.0.0.1:$APP1) …"
kill -TERM "${pids[2]}"
wait "${pids[2]}" || true
"$PY" scripts/scale_out_check.py "http://127.0.0.1:$LB_PORT" "$trial" --one-left
for port in "$APP1" "$APP2"; do
  echo "app server $port logged $(grep -c '"logger": "qicai.request"' "$trial/app-$port.log" || true) request lines"
done
