#!/usr/bin/env bash
# make test-stack: a production stack on loopback, and the tests in tests/stack/ against it.
#
# Starts, all on 127.0.0.1 free ports and in one temporary folder:
#   - a throw-away PostgreSQL cluster (scripts/throwaway-servers.sh, as `make test-postgres`);
#   - Redis, the shared cache (CACHE_URL): rate-limit counts and the public pages' generation;
#   - two gunicorn app instances, A and B, with production settings over http
#     (familyreach.config.settings.stack);
#   - two task workers.
# then migrates, loads the Norfolk geography, and runs `pytest -m stack tests/stack` with
# FAMILYREACH_STACK_FILE naming a JSON description of the stack (URLs, commands, pid files), so
# tests can restart an instance or kill a worker. Every process is stopped on exit, however the
# script ends; the whole run is bounded by STACK_TIMEOUT_SECONDS.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
. scripts/throwaway-servers.sh

# The task worker, started twice. Its worker id is added as the last argument: the tests read
# which worker claimed a task from the task's result row. Each runs tasks and the scheduler;
# with FAMILYREACH_SCHEDULER_REDIS_URL set only one schedules, the other stands by.
WORKER_COMMAND=(familyreach worker --queue-name default --interval 0.5 --worker-id)
# The app server, started twice; its bind address and pid file are added by start_app.
APP_COMMAND=(gunicorn familyreach.config.wsgi:application --workers 2 --graceful-timeout 20
  --access-logfile - --error-logfile -)
STACK_TIMEOUT_SECONDS=${STACK_TIMEOUT_SECONDS:-900}
# The configured limit the rate-limit test must meet (requests to /request-support an hour).
RATE_LIMIT=6

start=$(date +%s)
say() { echo "test-stack [$(( $(date +%s) - start ))s]: $*" >&2; }

WORKDIR=$(mktemp -d /tmp/familyreach-stack.XXXXXX)
chmod 755 "$WORKDIR"
mkdir -p "$WORKDIR/run" "$WORKDIR/var"

# Every process we start leads its own process group and records its pid in run/*.pid (gunicorn
# writes its own; tests that restart an instance write the new one): cleanup stops each group.
stop_group() {
  local pid=$1
  kill -TERM -- "-$pid" 2>/dev/null || return 0
  for _ in $(seq 1 40); do
    kill -0 -- "-$pid" 2>/dev/null || return 0
    sleep 0.25
  done
  kill -KILL -- "-$pid" 2>/dev/null || true
}
cleanup() {
  status=$?
  trap - EXIT INT TERM
  # The tests first: they may be starting an instance again while we stop the others.
  [ -f "$WORKDIR/run/pytest.pid" ] && stop_group "$(cat "$WORKDIR/run/pytest.pid")"
  for pidfile in "$WORKDIR"/run/*.pid; do
    [ -f "$pidfile" ] && stop_group "$(cat "$pidfile")"
  done
  redis_stop
  postgres_stop
  if [ "$status" -ne 0 ] && [ -n "${STACK_KEEP_FAILED:-}" ]; then
    say "failed; logs kept in $WORKDIR"
  else
    rm -rf "$WORKDIR"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

postgres_start "$WORKDIR"
redis_start "$WORKDIR"

# Production settings; only TLS is missing (see settings/stack.py).
export DJANGO_SETTINGS_MODULE=familyreach.config.settings.stack
SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_urlsafe(64))')
export SECRET_KEY
export ALLOWED_HOSTS=127.0.0.1
# STACK_CACHE_URL=locmemcache:// shows what goes wrong with a cache per process (tests fail).
export CACHE_URL=${STACK_CACHE_URL:-$REDIS_URL}
export FAMILYREACH_SCHEDULER_REDIS_URL=$REDIS_URL
export FAMILYREACH_PUBLIC_CACHE_SECONDS=60
export FAMILYREACH_REQUIRE_TWO_FACTOR=false
export FAMILYREACH_RATE_LIMIT_REQUEST_SUPPORT=$RATE_LIMIT
export FAMILYREACH_VAR_DIR=$WORKDIR/var
# A killed worker's planning run is taken back after its heartbeat has been silent this long
# (the heartbeat beats every 2 s here).
export FAMILYREACH_HEARTBEAT_SECONDS=2
export FAMILYREACH_WORKER_GONE_SECONDS=10
# Production refuses to start without GOV.UK Notify's key and templates: a key of Notify's
# shape, and a Notify address on loopback where nothing listens, so nothing leaves the machine
# (messages wait and retry in the outbox).
read -r NOTIFY_SERVICE_ID NOTIFY_SECRET NOTIFY_EMAIL_TEMPLATE_ID NOTIFY_SMS_TEMPLATE_ID \
  < <(python3 -c 'import uuid; print(*(uuid.uuid4() for _ in range(4)))')
export NOTIFY_API_KEY="stack-$NOTIFY_SERVICE_ID-$NOTIFY_SECRET"
export NOTIFY_EMAIL_TEMPLATE_ID NOTIFY_SMS_TEMPLATE_ID
export NOTIFY_BASE_URL="http://127.0.0.1:$(free_port)"
# Where production sends safeguarding concerns and expiry warnings: nothing is sent here.
export FAMILYREACH_DUTY_SAFEGUARDING_EMAIL=duty-safeguarding@stack.invalid
export FAMILYREACH_VOLUNTEER_COORDINATOR_EMAIL=volunteer-coordinators@stack.invalid
export LOG_LEVEL=WARNING
export PATH="$ROOT/.venv/bin:$PATH"

say "migrating and loading the Norfolk geography"
timeout 600 familyreach migrate --noinput >"$WORKDIR/migrate.log" 2>&1 \
  || { cat "$WORKDIR/migrate.log" >&2; say "migrate failed or took over 10 minutes"; exit 1; }
timeout 300 familyreach geo load-norfolk >"$WORKDIR/load.log" 2>&1 \
  || { cat "$WORKDIR/load.log" >&2; say "geo load-norfolk failed or took over 5 minutes"; exit 1; }
say "database ready"

APP_PORTS=("$(free_port)" "$(free_port)")
while [ "${APP_PORTS[0]}" = "${APP_PORTS[1]}" ]; do APP_PORTS[1]=$(free_port); done
APP_NAMES=(a b)
# start_app NAME PORT: one gunicorn instance in its own session, logging to app-NAME.log.
start_app() {
  setsid "${APP_COMMAND[@]}" --bind "127.0.0.1:$2" --pid "$WORKDIR/run/app-$1.pid" \
    >>"$WORKDIR/app-$1.log" 2>&1 &
  # gunicorn writes the same pid once it runs; until then cleanup still knows it.
  echo $! >"$WORKDIR/run/app-$1.pid"
}
APPS_STARTED=$(date +%s)
for i in 0 1; do start_app "${APP_NAMES[$i]}" "${APP_PORTS[$i]}"; done

WORKER_IDS=(stack-worker-1 stack-worker-2)
for id in "${WORKER_IDS[@]}"; do
  setsid "${WORKER_COMMAND[@]}" "$id" >>"$WORKDIR/$id.log" 2>&1 &
  echo $! >"$WORKDIR/run/$id.pid"
done

# Two app servers and two workers importing Django at once on a busy 2-core machine can take
# most of a minute.
for i in 0 1; do
  url="http://127.0.0.1:${APP_PORTS[$i]}"
  until curl --silent --fail --max-time 5 --output /dev/null "$url/healthz"; do
    if [ $(( $(date +%s) - APPS_STARTED )) -ge 180 ]; then
      cat "$WORKDIR/app-${APP_NAMES[$i]}.log" >&2
      say "app ${APP_NAMES[$i]} did not answer /healthz within 3 minutes"
      exit 1
    fi
    sleep 0.5
  done
done
say "apps A and B answer on ports ${APP_PORTS[*]} ($(( $(date +%s) - APPS_STARTED )) s after starting); workers ${WORKER_IDS[*]} started"

# What the tests need to know, and how to start an instance again exactly as it was started.
export FAMILYREACH_STACK_FILE="$WORKDIR/stack.json"
python3 - "$FAMILYREACH_STACK_FILE" "$WORKDIR" "$RATE_LIMIT" "${WORKER_IDS[*]}" \
  "a:${APP_PORTS[0]}" "b:${APP_PORTS[1]}" -- "${APP_COMMAND[@]}" -- "${WORKER_COMMAND[@]}" <<'PY'
import json
import sys

stack_file, workdir, rate_limit, worker_ids, *rest = sys.argv[1:]
first, second = rest.index("--"), len(rest) - 1 - rest[::-1].index("--")
apps_given, app_command, worker_command = rest[:first], rest[first + 1 : second], rest[second + 1 :]
apps = {}
for given in apps_given:
    name, port = given.split(":")
    pidfile = f"{workdir}/run/app-{name}.pid"
    apps[name] = {
        "url": f"http://127.0.0.1:{port}",
        "pidfile": pidfile,
        "log": f"{workdir}/app-{name}.log",
        "command": [*app_command, "--bind", f"127.0.0.1:{port}", "--pid", pidfile],
    }
workers = {
    worker_id: {
        "pidfile": f"{workdir}/run/{worker_id}.pid",
        "log": f"{workdir}/{worker_id}.log",
        "command": [*worker_command, worker_id],
    }
    for worker_id in worker_ids.split()
}
with open(stack_file, "w") as stack:
    json.dump({"apps": apps, "workers": workers, "rate_limit": int(rate_limit)}, stack, indent=2)
PY

say "running tests/stack (at most $STACK_TIMEOUT_SECONDS s)"
# In the background and waited for, so Ctrl+C or a TERM from CI reaches the trap at once (bash
# runs traps only between commands); timeout leads its own process group, which cleanup stops.
timeout --kill-after=30 "$STACK_TIMEOUT_SECONDS" \
  pytest tests/stack -m stack -p no:xdist -p no:cacheprovider -v "$@" &
echo $! >"$WORKDIR/run/pytest.pid"
set +e
wait $!
status=$?
set -e
if [ "$status" -eq 124 ]; then say "tests/stack did not finish within $STACK_TIMEOUT_SECONDS s"; fi
if [ "$status" -ne 0 ]; then
  for log in "$WORKDIR"/*.log; do
    echo "--- last 30 lines of $log ---" >&2
    tail -n 30 "$log" >&2
  done
fi
say "done (pytest exit status $status)"
exit "$status"
