#!/usr/bin/env bash
# Run a command against a throw-away PostgreSQL primary and a streaming replica of it:
#   scripts/with-postgres-replica.sh uv run pytest -m replica
# Like scripts/with-postgres.sh: both clusters live in a temporary directory on free ports
# (127.0.0.1 only), and are stopped and deleted when the command ends, whether it passed,
# failed or was interrupted. DATABASE_URL points at the primary, DATABASE_REPLICA_URL at the
# standby (a hot standby made by pg_basebackup -R, streaming from the primary).
set -euo pipefail

. "$(dirname "$0")/throwaway-servers.sh"

WORKDIR=$(mktemp -d /tmp/familyreach-postgres-replica.XXXXXX)
postgres_binaries "$WORKDIR"
PRIMARY_PORT=$(free_port)
REPLICA_PORT=$(free_port)
while [ "$REPLICA_PORT" = "$PRIMARY_PORT" ]; do REPLICA_PORT=$(free_port); done

cleanup() {
  # The standby first, so it does not spend its last moments retrying a vanished primary.
  "${PG_AS_OWNER[@]}" "$PG_BIN/pg_ctl" -D "$WORKDIR/replica" -m immediate stop >/dev/null 2>&1 || true
  "${PG_AS_OWNER[@]}" "$PG_BIN/pg_ctl" -D "$WORKDIR/primary" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$WORKDIR"
}
trap cleanup EXIT INT TERM

# initdb's pg_hba.conf trusts local and loopback connections, replication ones included.
"${PG_AS_OWNER[@]}" "$PG_BIN/initdb" -D "$WORKDIR/primary" -U familyreach --auth=trust -E UTF8 \
  --locale=C.UTF-8 >"$WORKDIR/initdb.log" 2>&1 \
  || { cat "$WORKDIR/initdb.log" >&2; exit 1; }
# Durability is not needed for throw-away test clusters; speed is. wal_level=replica and WAL
# senders are what streaming replication needs.
COMMON="-k $WORKDIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=on -c max_connections=250"
"${PG_AS_OWNER[@]}" "$PG_BIN/pg_ctl" -D "$WORKDIR/primary" -l "$WORKDIR/primary.log" -w \
  -o "-p $PRIMARY_PORT $COMMON -c wal_level=replica -c max_wal_senders=5 -c wal_keep_size=256MB" \
  start >/dev/null || { cat "$WORKDIR/primary.log" >&2; exit 1; }

# A copy of the primary that follows it: -R writes standby.signal and primary_conninfo.
"${PG_AS_OWNER[@]}" "$PG_BIN/pg_basebackup" -h 127.0.0.1 -p "$PRIMARY_PORT" -U familyreach \
  -D "$WORKDIR/replica" -R -X stream -c fast >"$WORKDIR/basebackup.log" 2>&1 \
  || { cat "$WORKDIR/basebackup.log" >&2; exit 1; }
# hot_standby: the replica answers read-only queries while it replays.
"${PG_AS_OWNER[@]}" "$PG_BIN/pg_ctl" -D "$WORKDIR/replica" -l "$WORKDIR/replica.log" -w \
  -o "-p $REPLICA_PORT $COMMON -c hot_standby=on -c hot_standby_feedback=on" \
  start >/dev/null || { cat "$WORKDIR/replica.log" >&2; exit 1; }

# Created on the primary, the database reaches the standby by replication.
"$PG_BIN/createdb" -h 127.0.0.1 -p "$PRIMARY_PORT" -U familyreach familyreach
for _ in $(seq 1 100); do
  if "$PG_BIN/psql" -h 127.0.0.1 -p "$REPLICA_PORT" -U familyreach -d familyreach -Atc \
    "SELECT pg_is_in_recovery()" 2>/dev/null | grep -q '^t$'; then
    break
  fi
  sleep 0.1
done
"$PG_BIN/psql" -h 127.0.0.1 -p "$REPLICA_PORT" -U familyreach -d familyreach -Atc \
  "SELECT pg_is_in_recovery()" | grep -q '^t$' \
  || { echo "the standby did not come up as a replica" >&2; cat "$WORKDIR/replica.log" >&2; exit 1; }

export DATABASE_URL="postgres://familyreach@127.0.0.1:$PRIMARY_PORT/familyreach"
export DATABASE_REPLICA_URL="postgres://familyreach@127.0.0.1:$REPLICA_PORT/familyreach"
echo "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') primary on port $PRIMARY_PORT, streaming replica on port $REPLICA_PORT (data in $WORKDIR)" >&2
set +e
"$@"
status=$?
set -e
exit $status
