#!/bin/sh
# Serve the demo: `familyreach worker` (background tasks such as optimiser runs, and the
# schedule of jobs: dates rolled forward, reminders, retention, reach refresh) beside the web
# server. Both stop together on Ctrl+C. The worker's log is var/worker.log.
set -eu
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"
familyreach worker --queue-name default >var/worker.log 2>&1 &
WORKER=$!
trap 'kill $WORKER 2>/dev/null || true' EXIT INT TERM
echo "familyreach demo: http://$HOST:$PORT/  (staff sign-in: http://$HOST:$PORT/staff/sign-in)"
echo "Scheduled jobs: http://$HOST:$PORT/staff/operations/ (sign in as the demo manager)"
familyreach runserver "$HOST:$PORT" --noreload
