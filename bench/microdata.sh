#!/usr/bin/env bash
# Microdata export (GET /export/responses.csv, year 2025 of the simulated
# health responses) with the release build, on SQLite and PostgreSQL, after
# 100,000 and after 1,000,000 stored responses, against its anchor in the
# same run:
#   SQLite      Python's sqlite3 reading the same columns of the same rows
#               (a plain scan, nothing written);
#   PostgreSQL  psql's \copy of the same rows, in the same (id) order, to CSV.
# The exports are timed once the service's start-up work is done (on
# PostgreSQL, then the table vacuumed, as after loading).
# Prints rows per second (median of RUNS exports, default 3, each timed by
# curl and interleaved with the anchor), the ratio, and the server's peak
# resident memory (VmHWM) after the exports, to compare between the sizes.
#
#   bench/microdata.sh [RUNS]      (BACKENDS="sqlite postgres" by default)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
RUNS=${1:-3}
BACKENDS=${BACKENDS:-sqlite postgres}
release_build
SERVER=
cleanup() { [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; pg_stop; rm -rf "$WORK"; }
trap cleanup EXIT
FROM=2025-01-01 TO=2025-12-31
COLUMNS="survey_version, unit, submitted_on, channel, answers"
median() { printf '%s\n' "$@" | sort -g | sed -n "$(( ($# + 1) / 2 ))p"; }

anchor() { # backend url -> "rows seconds"
  case $1 in
    sqlite)
      python3 - "${2#sqlite://}" <<PY
import sqlite3, sys, time
con = sqlite3.connect(sys.argv[1])
start = time.perf_counter()
rows = sum(1 for _ in con.execute(
    "SELECT $COLUMNS FROM responses WHERE submitted_on BETWEEN '$FROM' AND '$TO'"))
print(rows, time.perf_counter() - start)
PY
      ;;
    postgres)
      local start end out
      start=$(date +%s.%N)
      out=$(psql -q -X -v ON_ERROR_STOP=1 "$2" -c "\\copy (SELECT $COLUMNS FROM responses WHERE submitted_on BETWEEN '$FROM' AND '$TO' ORDER BY id) TO '/dev/null' WITH CSV HEADER" 2>&1) \
        || { echo "the anchor failed: $out" >&2; exit 1; }
      end=$(date +%s.%N)
      echo "$(psql -X -At "$2" -c "SELECT count(*) FROM responses WHERE submitted_on BETWEEN '$FROM' AND '$TO'")" \
        "$(python3 -c "print($end - $start)")"
      ;;
  esac
}

measure() { # backend url label
  local port token rows=0
  port=$(free_port)
  token=$(DATABASE_URL=$2 RUST_LOG=warn $BIN token create --role home-affairs --name "bench $3" | tail -n 1)
  DATABASE_URL=$2 RUST_LOG=info $BIN serve --bind 127.0.0.1:$port >/dev/null 2>"$WORK/serve.log" &
  SERVER=$!
  wait_up "$port"
  # Timed once the start-up work is over (adding up the index sums; the
  # first hourly upkeep, which files the simulated comments), as on any
  # later day, not while it runs beside the exports.
  local ready=0
  for _ in $(seq 2400); do
    ready=$(grep -c 'sums of .*ready\|hourly upkeep done' "$WORK/serve.log" || true)
    [ "$ready" -ge 2 ] && break
    sleep 0.5
  done
  [ "$ready" -ge 2 ] || { echo "the service's start-up work never ended" >&2; cat "$WORK/serve.log" >&2; exit 1; }
  # As pgbench does after loading, and as bench/indices.sh does: the rows
  # loaded, and those the first start rewrote in id order, vacuumed now,
  # not by autovacuum (or by the first reads' hint bits) while timed.
  case $2 in postgres*) psql -q -X "$2" -c "VACUUM ANALYZE" ;; esac
  local before ours=() theirs=() anchor_rows
  before=$(awk '/VmHWM/ {print $2}' /proc/$SERVER/status)
  for _ in $(seq "$RUNS"); do
    local seconds
    seconds=$(curl -sS -f -w '%{time_total}' -H "Authorization: Bearer $token" -o "$WORK/out.csv" \
      "http://127.0.0.1:$port/export/responses.csv?survey=health-outpatient&period=2025") \
      || { echo "the export failed" >&2; tail -5 "$WORK/serve.log" >&2; exit 1; }
    rows=$(( $(wc -l < "$WORK/out.csv") - 1 ))
    ours+=("$(python3 -c "print(round($rows / $seconds))")")
    read -r anchor_rows seconds <<<"$(anchor "$1" "$2")"
    [ "$anchor_rows" = "$rows" ] || { echo "the anchor read $anchor_rows rows, the export wrote $rows" >&2; exit 1; }
    theirs+=("$(python3 -c "print(round($anchor_rows / $seconds))")")
  done
  local after anon
  after=$(awk '/VmHWM/ {print $2}' /proc/$SERVER/status)
  # The peak counts the pages of files mapped in (the binary, SQLite's
  # shared WAL index); the heap alone is RssAnon.
  anon=$(awk '/RssAnon/ {print $2}' /proc/$SERVER/status)
  kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=
  local a b
  a=$(median "${ours[@]}") b=$(median "${theirs[@]}")
  printf '%s: %s rows (%s MB); hailong %s rows/s (%s), anchor %s rows/s (%s), ratio %s; server peak RSS %s KiB (%s KiB before the exports), heap after %s KiB\n' \
    "$3" "$rows" "$(( $(stat -c %s "$WORK/out.csv") / 1000000 ))" "$a" "${ours[*]}" "$b" "${theirs[*]}" \
    "$(python3 -c "print(round($a / $b, 2))")" "$after" "$before" "$anon"
}

bench_backend() { # backend url
  DATABASE_URL=$2 RUST_LOG=warn $BIN migrate >/dev/null
  DATABASE_URL=$2 RUST_LOG=warn $BIN simulate --survey health-outpatient --responses 100000 \
    --from 2025-01-01 --to 2026-09-30 --seed 1 >/dev/null
  measure "$1" "$2" "$1 100k"
  DATABASE_URL=$2 RUST_LOG=warn $BIN simulate --survey health-outpatient --responses 900000 \
    --from 2025-01-01 --to 2026-09-30 --seed 2 >/dev/null
  measure "$1" "$2" "$1 1M"
}

for backend in $BACKENDS; do
  case $backend in
    sqlite) bench_backend sqlite "sqlite://$WORK/bench.db" ;;
    postgres)
      pg_start
      command -v psql >/dev/null || PATH=$PG_BIN:$PATH
      command -v psql >/dev/null || { echo "psql is needed (PostgreSQL client package)" >&2; exit 1; }
      bench_backend postgres "$(pg_createdb bench)"
      ;;
    *) echo "unknown backend $backend" >&2; exit 1 ;;
  esac
done
