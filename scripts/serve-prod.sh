#!/usr/bin/env bash
# `make serve`: the production stack on loopback for a trial (scripts/serve-prod-stack.sh does the work).
# With DATABASE_URL set it serves that database (no demo data unless QICAI_SERVE_DEMO=1). Without it,
# it builds a throwaway PostgreSQL cluster (scripts/with-postgres.sh, as `make test-postgres` does) loaded
# with the demo district: everything entered during the trial is lost when the stack stops.
# Ctrl-C stops all of it.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -n "${DATABASE_URL:-}" ]; then
  exec scripts/serve-prod-stack.sh
fi
export QICAI_SERVE_DEMO="${QICAI_SERVE_DEMO:-1}"
# The demo accounts sign in with the password alone in the trial; QICAI_REQUIRE_2FA=1 tries the
# two-factor sign-in that production requires of superusers and holders of the reveal permission.
export QICAI_REQUIRE_2FA="${QICAI_REQUIRE_2FA:-0}"
echo "No DATABASE_URL: a throwaway PostgreSQL cluster for this trial; its data are gone when the stack stops."
exec scripts/with-postgres.sh scripts/serve-prod-stack.sh
