#!/usr/bin/env bash
# Smoke test of the README's first command, `make demo`, on a clean clone of the commit under
# test: files left untracked in this checkout (a var/ folder, built assets, a .venv) cannot hide
# a missing step. The demo is served on a free port on 127.0.0.1; the script waits for /healthz
# (6 minutes at most), fetches the home page, a postcode search and an Open Referral API page,
# signs in as each demo account and opens its landing page, then stops the demo (web server and
# worker) and deletes the clone. Any failing step fails the script with a message naming it.
#   scripts/smoke-demo.sh            # the commit at HEAD
#   SMOKE_HEALTHZ_SECONDS=600 scripts/smoke-demo.sh
set -euo pipefail

ROOT=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
COMMIT=$(git -C "$ROOT" rev-parse HEAD)
HEALTHZ_SECONDS=${SMOKE_HEALTHZ_SECONDS:-360}
WORKDIR=$(mktemp -d /tmp/familyreach-smoke.XXXXXX)
CLONE="$WORKDIR/familyreach"
LOG="$WORKDIR/demo.log"
DEMO_PID=""
start=$(date +%s)
elapsed() { echo $(( $(date +%s) - start )); }
say() { echo "smoke-demo [$(elapsed)s]: $*" >&2; }
fail() {
  say "FAILED: $*"
  if [ -f "$LOG" ]; then
    echo "--- last 40 lines of the demo's output ($LOG) ---" >&2
    tail -n 40 "$LOG" >&2 || true
  fi
  exit 1
}

stop_demo() {
  # The demo is make -> serve-demo.sh -> runserver + db_worker: stop the whole process group
  # (it was started in its own session), politely first, then for good.
  [ -n "$DEMO_PID" ] || return 0
  kill -TERM -- "-$DEMO_PID" 2>/dev/null || true
  for _ in $(seq 1 20); do
    kill -0 -- "-$DEMO_PID" 2>/dev/null || break
    sleep 0.5
  done
  kill -KILL -- "-$DEMO_PID" 2>/dev/null || true
  wait "$DEMO_PID" 2>/dev/null || true
  DEMO_PID=""
}
cleanup() {
  status=$?
  stop_demo
  if [ "$status" -eq 0 ] || [ -z "${SMOKE_KEEP_FAILED:-}" ]; then rm -rf "$WORKDIR"; fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A clone of exactly the commit under test, even a detached HEAD that no branch names.
if [ -n "$(git -C "$ROOT" status --porcelain --untracked-files=no)" ]; then
  say "WARNING: this checkout has uncommitted changes; they are not in the commit tested"
fi
say "cloning $COMMIT into $CLONE"
git init --quiet "$CLONE"
git -C "$CLONE" fetch --quiet --depth 1 "file://$ROOT" "$COMMIT" 2>/dev/null \
  || git -C "$CLONE" fetch --quiet "$ROOT" HEAD \
  || fail "could not clone $ROOT at $COMMIT"
git -C "$CLONE" checkout --quiet --detach FETCH_HEAD
[ "$(git -C "$CLONE" rev-parse HEAD)" = "$COMMIT" ] || fail "the clone is not at $COMMIT"

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
say "make demo HOST=127.0.0.1 PORT=$PORT (output in $LOG)"
# No settings, database or environment from this checkout may leak into the clone's demo.
(
  cd "$CLONE"
  exec setsid env -u DATABASE_URL -u DJANGO_SETTINGS_MODULE -u CACHE_URL -u VIRTUAL_ENV \
    make demo HOST=127.0.0.1 PORT="$PORT" >"$LOG" 2>&1
) &
DEMO_PID=$!

demo_started=$(date +%s)
while :; do
  if curl --silent --fail --max-time 5 --output /dev/null "$BASE/healthz"; then break; fi
  kill -0 "$DEMO_PID" 2>/dev/null || fail "make demo exited before /healthz answered"
  if [ $(( $(date +%s) - demo_started )) -ge "$HEALTHZ_SECONDS" ]; then
    fail "/healthz did not answer within $HEALTHZ_SECONDS seconds"
  fi
  sleep 2
done
healthz_seconds=$(( $(date +%s) - demo_started ))
say "/healthz answered $healthz_seconds s after make demo started"

python3 "$CLONE/scripts/smoke_demo_pages.py" "$BASE" || fail "a page check failed (see above)"

stop_demo
say "passed: clone to /healthz in $healthz_seconds s; total $(elapsed) s"
