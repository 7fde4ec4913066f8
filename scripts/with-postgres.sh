#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL cluster built from this machine's own
# binaries: initdb into a temporary folder, loopback only, a free port; the cluster is
# stopped and removed whatever the command's outcome.   Usage: with-postgres.sh CMD [ARGS...]
set -euo pipefail

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$bindir" ]; then
  echo "PostgreSQL server binaries not found (apt-get install postgresql)." >&2
  exit 1
fi
tmp=$(mktemp -d /tmp/qicai-pg.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
[ "$(id -u)" = 0 ] && chown postgres: "$tmp"

cleanup() {
  as_owner "$bindir/pg_ctl" -D "$tmp/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

as_owner "$bindir/initdb" -D "$tmp/data" -A trust -U postgres -E UTF8 --no-locale >"$tmp/initdb.log" 2>&1 \
  || { cat "$tmp/initdb.log" >&2; exit 1; }
as_owner "$bindir/pg_ctl" -D "$tmp/data" -l "$tmp/server.log" \
  -o "-k $tmp -h 127.0.0.1 -p $port -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100" \
  -w start >/dev/null || { cat "$tmp/server.log" >&2; exit 1; }
as_owner "$bindir/createdb" -h 127.0.0.1 -p "$port" -U postgres qicai

export DATABASE_URL="postgres://postgres@127.0.0.1:$port/qicai"
echo "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
set +e
"$@"
status=$?
set -e
exit $status
