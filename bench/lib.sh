# Shared helpers for the benchmark scripts: a free port, wrk, and a
# throwaway PostgreSQL cluster. Source it; call pg_start (sets PG_URL_BASE)
# and pg_stop.

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Builds the release binary when out of date and sets BIN to it, and WORK
# to a fresh scratch folder.
release_build() {
  cargo build --release --quiet
  BIN=${CARGO_TARGET_DIR:-$PWD/target}/release/hailong
  WORK=$(mktemp -d)
}

# Waits up to 10 s for the service on port $1 to answer /healthz; fails
# (status 1, with a message) if it does not.
wait_up() {
  for _ in $(seq 100); do
    curl -sf "http://127.0.0.1:$1/healthz" >/dev/null && return 0
    sleep 0.1
  done
  echo "nothing answers on port $1" >&2
  return 1
}

# wrk from Debian's package, installed when missing; exits when it cannot be.
need_wrk() {
  command -v wrk >/dev/null || { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
  command -v wrk >/dev/null || { echo "wrk is needed (apt-get install wrk)" >&2; exit 1; }
}

pg_bin() {
  local initdb
  initdb=$(command -v initdb || ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort | tail -n 1)
  [ -n "$initdb" ] || { echo "no PostgreSQL server binaries" >&2; return 1; }
  dirname "$(readlink -f "$initdb")"
}

as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_start() {
  PG_BIN=$(pg_bin) || return 1
  PG_DIR=$(mktemp -d /tmp/hailong-bench-pg.XXXXXX)
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$PG_DIR"
  PG_PORT=$(free_port)
  as_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth=trust --encoding=UTF8 --no-locale >/dev/null
  # Durable settings (fsync on), as in production.
  as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -c unix_socket_directories=$PG_DIR -c max_connections=300" start >/dev/null
  PG_URL_BASE="postgres://postgres@127.0.0.1:$PG_PORT"
  pg_recycled_wal
}

# A cluster that has run a while writes its WAL into segments recycled at
# its checkpoints; a fresh one creates each next 16 MB segment, zero-filled,
# while the commits wait. At 8-9k submissions/s that is a new segment every
# 2 s, and each switch was a burst of requests over 50 ms (the service's
# own histogram read every 0.3 s: every burst in step with a switch, none
# with wal_init_zero off, nor after 25 s of load and a CHECKPOINT). So each
# cluster starts as one that has run: 64 segments (1 GB) written, a switch
# after a row each, then a checkpoint, which renames 63 of them as the next
# ones (with the default max_wal_size, 64 files are the most it keeps; half
# that still covers several runs between checkpoints). The anchor runs on
# the same cluster.
pg_recycled_wal() {
  as_pg "$PG_BIN/psql" -X -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres \
    -c "CREATE TABLE bench_wal_warmup (n int)" \
    -c "DO \$\$ BEGIN FOR i IN 1..64 LOOP INSERT INTO bench_wal_warmup VALUES (i); PERFORM pg_switch_wal(); END LOOP; END \$\$" \
    -c "DROP TABLE bench_wal_warmup" -c "CHECKPOINT" >/dev/null
  local ready
  ready=$(find "$PG_DIR/data/pg_wal" -maxdepth 1 -name '0*' | wc -l)
  [ "$ready" -ge 32 ] || { echo "the bench cluster kept $ready WAL segments, fewer than 32" >&2; exit 1; }
}

pg_createdb() {
  as_pg "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres "$1"
  echo "$PG_URL_BASE/$1"
}

pg_stop() {
  [ -n "${PG_DIR:-}" ] || return 0
  as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast stop >/dev/null || true
  rm -rf "$PG_DIR"
}

# DuckDB from PyPI, pinned, in a virtual environment kept between runs;
# sets DUCKDB_PYTHON to its interpreter, or exits when it cannot be had.
DUCKDB_VERSION=1.4.4
need_duckdb() {
  local venv=${XDG_CACHE_HOME:-$HOME/.cache}/hailong-bench/duckdb-$DUCKDB_VERSION
  if ! "$venv/bin/python" -c 'import duckdb' 2>/dev/null; then
    python3 -m venv "$venv" && "$venv/bin/pip" install --quiet "duckdb==$DUCKDB_VERSION" \
      || { echo "DuckDB $DUCKDB_VERSION could not be installed from PyPI" >&2; exit 1; }
  fi
  DUCKDB_PYTHON=$venv/bin/python
}
