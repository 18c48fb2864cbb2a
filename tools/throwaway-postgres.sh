# Sourced by test.sh and bench/run.sh: installs PostgreSQL when missing, starts a throwaway cluster as an unprivileged
# user on a free loopback port, and stops it when the calling shell exits.
# After `start_throwaway_postgres`: PG_PORT, PG_DIR and PG_CONNECTION (an Npgsql connection string) are set.

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo -n "$@"
  else return 1; fi
}

_apt_updated=0
apt_install() {
  if [ $_apt_updated = 0 ]; then as_root apt-get update -qq >/dev/null || return 1; _apt_updated=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})" 2>/dev/null \
    || python3 -c "import socket;s=socket.socket();s.bind(('127.0.0.1',0));print(s.getsockname()[1])"
}

# start_throwaway_postgres: returns non-zero with a message on stderr when it cannot.
start_throwaway_postgres() {
  local pg_bin
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$pg_bin" ]; then
    echo "installing postgresql" >&2
    apt_install postgresql || { echo "PostgreSQL is missing and could not be installed (needs root or sudo)" >&2; return 1; }
    pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  fi
  PG_BIN=$pg_bin
  PG_DIR=$(mktemp -d /tmp/aractors-pg.XXXXXX)
  PG_PORT=$(free_port)
  _pg_run=()
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    chown postgres "$PG_DIR"
    _pg_run=(runuser -u postgres --)
  fi
  trap stop_throwaway_postgres EXIT
  "${_pg_run[@]}" "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth=trust -E UTF8 --no-sync >"$PG_DIR/initdb.log" 2>&1 \
    || { cat "$PG_DIR/initdb.log" >&2; echo "initdb failed" >&2; return 1; }
  "${_pg_run[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
    -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c max_connections=300" start >/dev/null \
    || { cat "$PG_DIR/server.log" >&2; echo "PostgreSQL did not start" >&2; return 1; }
  PG_CONNECTION="Host=127.0.0.1;Port=$PG_PORT;Username=postgres"
  PG_VERSION=$("$PG_BIN/postgres" --version | awk '{print $3}')
}

stop_throwaway_postgres() {
  [ -n "${PG_DIR:-}" ] || return 0
  "${_pg_run[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1
  rm -rf "$PG_DIR"
  PG_DIR=
}
