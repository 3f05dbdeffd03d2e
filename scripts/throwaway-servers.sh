# Throw-away servers on 127.0.0.1 for tests, shared by scripts/with-postgres.sh,
# scripts/with-postgres-replica.sh and scripts/test-stack.sh (source it from bash:
# `. scripts/throwaway-servers.sh`).
#   postgres_binaries DIR   PG_BIN and PG_AS_OWNER for clusters kept in DIR
#   postgres_start DIR   a PostgreSQL cluster in DIR on a free port; sets DATABASE_URL
#   postgres_stop        stops it (the caller deletes DIR)
#   redis_start DIR      a Redis server in DIR on a free port, nothing kept on disk; sets REDIS_URL
#   redis_stop           stops it
# Debian's packages are installed with apt-get when their programs are missing, so a fresh
# machine needs nothing beforehand.

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# apt_install PACKAGE: Debian's package, quietly (an apt-get update only when the first try fails).
apt_install() {
  local package=$1 sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "$package" >/dev/null \
    || { $sudo apt-get update >/dev/null \
         && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "$package" >/dev/null; }
}

_postgres_find_bin() {
  local name=$1
  if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return; fi
  ls -d /usr/lib/postgresql/*/bin/"$name" 2>/dev/null | sort -V | tail -n 1
}

PG_BIN=""
PG_DIR=""
PG_AS_OWNER=()

# postgres_binaries DIR: sets PG_BIN (Debian's postgresql, installed when missing) and
# PG_AS_OWNER, the prefix that runs its programs as the owner of DIR. initdb and the server
# refuse to run as root, so when we are root DIR is given to the postgres account.
postgres_binaries() {
  local dir=$1 initdb
  initdb=$(_postgres_find_bin initdb || true)
  if [ -z "$initdb" ]; then
    echo "PostgreSQL server binaries not found: installing Debian's postgresql" >&2
    apt_install postgresql
    initdb=$(_postgres_find_bin initdb)
  fi
  PG_BIN=$(dirname "$(readlink -f "$initdb")")
  PG_AS_OWNER=()
  if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    chown postgres "$dir"
    PG_AS_OWNER=(runuser -u postgres --)
  fi
}

postgres_start() {
  PG_DIR=$1
  local port
  postgres_binaries "$PG_DIR"
  port=$(free_port)

  "${PG_AS_OWNER[@]}" "$PG_BIN/initdb" -D "$PG_DIR/data" -U familyreach --auth=trust -E UTF8 \
    --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1 \
    || { cat "$PG_DIR/initdb.log" >&2; return 1; }
  # Durability is not needed for a throw-away test cluster; speed is.
  "${PG_AS_OWNER[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w \
    -o "-p $port -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=250" \
    start >/dev/null || { cat "$PG_DIR/server.log" >&2; return 1; }
  "$PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U familyreach familyreach

  export DATABASE_URL="postgres://familyreach@127.0.0.1:$port/familyreach"
  echo "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') running on port $port (data in $PG_DIR)" >&2
}

postgres_stop() {
  [ -n "$PG_DIR" ] && [ -n "$PG_BIN" ] || return 0
  "${PG_AS_OWNER[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
}

REDIS_PID=""

redis_start() {
  local dir=$1 port
  if ! command -v redis-server >/dev/null 2>&1; then
    echo "redis-server not found: installing Debian's redis-server" >&2
    apt_install redis-server
    # Debian's package starts a system-wide server; ours is separate and private.
  fi
  port=$(free_port)
  # No snapshots, no append-only file: a cache that forgets everything when stopped.
  redis-server --bind 127.0.0.1 --port "$port" --save "" --appendonly no --dir "$dir" \
    --daemonize no --logfile "$dir/redis.log" &
  REDIS_PID=$!
  for _ in $(seq 1 50); do
    if redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null | grep -q PONG; then
      export REDIS_URL="redis://127.0.0.1:$port/0"
      echo "Redis $(redis-server --version | awk '{print $3}' | sed 's/v=//') running on port $port" >&2
      return 0
    fi
    kill -0 "$REDIS_PID" 2>/dev/null || break
    sleep 0.2
  done
  echo "Redis did not start on port $port:" >&2
  cat "$dir/redis.log" >&2 || true
  return 1
}

redis_stop() {
  [ -n "$REDIS_PID" ] || return 0
  kill "$REDIS_PID" 2>/dev/null || true
  wait "$REDIS_PID" 2>/dev/null || true
  REDIS_PID=""
}
