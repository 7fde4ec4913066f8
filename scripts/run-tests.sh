#!/usr/bin/env bash
# The whole suite in two pytest sessions: everything else, then the browser tests.
# Playwright's sync API runs Django's main-thread code inside its own greenlet context,
# where the test database's serialized contents (needed by transactional tests with
# serialized_rollback) are no longer visible; a session of their own keeps both sides sound.
# Extra arguments go to both sessions; a session that selects no test (exit 5) is fine
# as long as the other ran some.
set -uo pipefail
cd "$(dirname "$0")/.."
PYTEST=(.venv/bin/python -m pytest)

"${PYTEST[@]}" -m "not browser" "$@"; first=$?
"${PYTEST[@]}" -m browser "$@"; second=$?

for status in $first $second; do
  if [ "$status" != 0 ] && [ "$status" != 5 ]; then exit "$status"; fi
done
if [ "$first" = 5 ] && [ "$second" = 5 ]; then echo "no test selected"; exit 5; fi
exit 0
