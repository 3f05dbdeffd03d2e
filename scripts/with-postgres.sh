#!/usr/bin/env bash
# Run a command against a throw-away PostgreSQL cluster:
#   scripts/with-postgres.sh uv run pytest
# The cluster lives in a temporary directory on a free port, and is stopped and deleted when
# the command ends, whether it passed, failed or was interrupted. DATABASE_URL points at it.
set -euo pipefail

find_bin() {
  local name=$1
  if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return; fi
  ls -d /usr/lib/postgresql/*/bin/"$name" 2>/dev/null | sort -V | tail -n 1
}

INITDB=$(find_bin initdb || true)
if [ -z "$INITDB" ]; then
  echo "PostgreSQL server binaries not found: installing Debian's postgresql" >&2
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends postgresql >/dev/null \
    || { $SUDO apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends postgresql >/dev/null; }
  INITDB=$(find_bin initdb)
fi
PG_BIN=$(dirname "$(readlink -f "$INITDB")")

WORKDIR=$(mktemp -d /tmp/familyreach-postgres.XXXXXX)
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

# initdb and the server refuse to run as root; use the postgres account when we are root.
AS_OWNER=()
if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
  chown postgres "$WORKDIR"
  AS_OWNER=(runuser -u postgres --)
fi

cleanup() {
  "${AS_OWNER[@]}" "$PG_BIN/pg_ctl" -D "$WORKDIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$WORKDIR"
}
trap cleanup EXIT INT TERM

"${AS_OWNER[@]}" "$PG_BIN/initdb" -D "$WORKDIR/data" -U familyreach --auth=trust -E UTF8 \
  --locale=C.UTF-8 >"$WORKDIR/initdb.log" 2>&1 \
  || { cat "$WORKDIR/initdb.log" >&2; exit 1; }
# Durability is not needed for a throw-away test cluster; speed is.
"${AS_OWNER[@]}" "$PG_BIN/pg_ctl" -D "$WORKDIR/data" -l "$WORKDIR/server.log" -w \
  -o "-p $PORT -k $WORKDIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=250" \
  start >/dev/null || { cat "$WORKDIR/server.log" >&2; exit 1; }
"$PG_BIN/createdb" -h 127.0.0.1 -p "$PORT" -U familyreach familyreach

export DATABASE_URL="postgres://familyreach@127.0.0.1:$PORT/familyreach"
echo "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') running on port $PORT (data in $WORKDIR)" >&2
set +e
"$@"
status=$?
set -e
exit $status
