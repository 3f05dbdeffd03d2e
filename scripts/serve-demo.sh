#!/bin/sh
# Serve the demo: a background-task worker (optimiser runs, imports) beside the web server.
# Both stop together on Ctrl+C.
set -eu
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"
familyreach db_worker --queue-name default >var/worker.log 2>&1 &
WORKER=$!
trap 'kill $WORKER 2>/dev/null || true' EXIT INT TERM
echo "familyreach demo: http://$HOST:$PORT/  (staff sign-in: http://$HOST:$PORT/staff/sign-in)"
familyreach runserver "$HOST:$PORT" --noreload
