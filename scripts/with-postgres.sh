#!/usr/bin/env bash
# Run a command against a throw-away PostgreSQL cluster:
#   scripts/with-postgres.sh uv run pytest
# The cluster lives in a temporary directory on a free port, and is stopped and deleted when
# the command ends, whether it passed, failed or was interrupted. DATABASE_URL points at it.
set -euo pipefail
. "$(dirname "$0")/throwaway-servers.sh"

WORKDIR=$(mktemp -d /tmp/familyreach-postgres.XXXXXX)
cleanup() {
  postgres_stop
  rm -rf "$WORKDIR"
}
trap cleanup EXIT INT TERM

postgres_start "$WORKDIR"
set +e
"$@"
status=$?
set -e
exit $status
