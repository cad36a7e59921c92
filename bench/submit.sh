#!/usr/bin/env bash
# Durable submissions per second and their latency: hailong's API (release
# build, group commit) under wrk at 16, 64 and 200 connections, against its
# anchor in the same run:
#   SQLite      Python sqlite3 inserting the same row into the same schema,
#               WAL and synchronous=FULL, one commit per row (one writer);
#   PostgreSQL  pgbench running one prepared INSERT of the same row at the
#               same concurrency (-M prepared, -c C, -j 2).
# Each figure is the median of RUNS runs (default 3) of SECONDS seconds
# (default 8), hailong and its anchor interleaved. Each hailong run also
# reports its slowest whole second and, on SQLite, how often its WAL
# started over (at 1 GB, after the checkpoint thread caught up) and the
# largest the file grew (from the start at least the 1 GB runway of
# zeros `serve` lays): an 8 s run may end before the first start over;
# runs of 45 s or more (`bench/submit.sh 1 45`) pass several. Needs wrk
# (Debian package), Python 3 and PostgreSQL's server binaries with
# pgbench; installs wrk when missing and fails if an anchor cannot run.
#
#   bench/submit.sh [RUNS] [SECONDS]      (BACKENDS="sqlite postgres" by default)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
RUNS=${1:-3}
SECONDS_PER_RUN=${2:-8}
need_wrk
release_build
SERVER=
cleanup() { [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; pg_stop; rm -rf "$WORK"; }
trap cleanup EXIT
PORT=$(free_port)

start_server() { # url
  DATABASE_URL=$1 RUST_LOG=warn,hailong::cli::serve=info $BIN serve --bind 127.0.0.1:$PORT >"$WORK/serve.log" 2>&1 &
  SERVER=$!
  wait_up "$PORT" || { cat "$WORK/serve.log"; exit 1; }
  # The runs measure a service at work, not one starting: its start-up
  # work (adding up the index sums, the first hourly upkeep) reads every
  # row and shares the two cores with the load. On a database of 420k
  # responses it took 3-5 s, and runs begun a second after the start had
  # p99 180 ms at 200 connections against 68 ms after it.
  for _ in $(seq 600); do
    grep -q "ready for index requests" "$WORK/serve.log" && grep -q "hourly upkeep done" "$WORK/serve.log" && return 0
    grep -q "index sums not prepared" "$WORK/serve.log" && { cat "$WORK/serve.log"; exit 1; }
    sleep 0.2
  done
  echo "the service's start-up work did not end within 2 minutes" >&2; cat "$WORK/serve.log"; exit 1
}
stop_server() { kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=; }

# Every second of a run, the responses recorded so far and the WAL's start
# overs (from /metrics) and the size of SQLite's WAL, one line each, into
# $WORK/seconds: the slowest second tells a run that held its rate from
# one that sagged, which the run's own rate and p99 do not.
sample_seconds() {
  local counts
  : >"$WORK/seconds"
  while :; do
    counts=$(curl -s -m 1 "http://127.0.0.1:$PORT/metrics" \
      | awk '/^hailong_submissions_total\{.*outcome="recorded"/ { n += $2 }
             /^hailong_wal_restart_seconds_count/ { r = $2 }
             END { printf "%d %d", n, r }')
    echo "$counts $(stat -c %s "${DB:-none}-wal" 2>/dev/null || echo 0)" >>"$WORK/seconds"
    sleep 1
  done
}

hailong_run() { # connections -> "rps p50 p99 failed slowest-second largest-wal-MB start-overs"
  local line sampler
  sample_seconds & sampler=$!
  line=$(wrk -t 2 -c "$1" -d "${SECONDS_PER_RUN}s" --timeout 10s -s bench/submit.lua "http://127.0.0.1:$PORT" | grep '^RESULT')
  kill "$sampler"; wait "$sampler" 2>/dev/null || true
  python3 - "$line" "$WORK/seconds" <<'PY'
import sys
fields = dict(kv.split("=") for kv in sys.argv[1].split()[1:])
samples = [tuple(map(int, l.split())) for l in open(sys.argv[2]) if l.strip()]
# Whole seconds inside the run: the first and last intervals are partial.
rates = [b[0] - a[0] for a, b in zip(samples, samples[1:])][1:-1]
slowest = min(rates) if rates else 0
largest_wal = max((s[2] for s in samples), default=0) // 2**20
start_overs = samples[-1][1] - samples[0][1] if samples else 0
print(fields["rps"], fields["p50"], fields["p99"], fields["failed"], slowest, largest_wal, start_overs)
PY
}

median() { printf '%s\n' "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p"; }

report() { # label connections anchor-values... -- hailong-lines...
  local label=$1 conns=$2; shift 2
  local anchors=() rps=() p99=() slowest=() wal=() overs=() failed=0
  while [ "$1" != -- ]; do anchors+=("$1"); shift; done; shift
  while [ $# -gt 0 ]; do
    read -r r _ p f s w o <<<"$1"; rps+=("$r"); p99+=("$p"); slowest+=("$s"); wal+=("$w"); overs+=("$o")
    failed=$((failed + f)); shift
  done
  local a h
  a=$(median "${anchors[@]}"); h=$(median "${rps[@]}")
  printf '%-10s c=%-3s hailong %6s/s (runs: %s), p99 %s ms (runs: %s), slowest second %s/s (runs: %s), failed %s | anchor %6s/s (runs: %s) | ratio %s\n' \
    "$label" "$conns" "$h" "${rps[*]}" "$(median "${p99[@]}")" "${p99[*]}" "$(median "${slowest[@]}")" "${slowest[*]}" \
    "$failed" "$a" "${anchors[*]}" "$(python3 -c "print(f'{$h / $a:.2f}x')")"
  [ "$label" = SQLite ] && echo "           WAL start-overs per run: ${overs[*]}; largest WAL per run: ${wal[*]} MB"
  return 0
}

BACKENDS=${BACKENDS:-sqlite postgres}
if [[ " $BACKENDS " == *" sqlite "* ]]; then
echo "SQLite (anchor: Python sqlite3, one commit per row, synchronous=FULL):"
DB="$WORK/bench.db"
DATABASE_URL="sqlite://$DB" $BIN migrate >/dev/null
for conns in 16 64 200; do
  anchors=(); lines=()
  for _ in $(seq "$RUNS"); do
    start_server "sqlite://$DB"; lines+=("$(hailong_run "$conns")"); stop_server
    anchors+=("$(python3 bench/submit_anchor.py "$DB" "$SECONDS_PER_RUN")")
  done
  report SQLite "$conns" "${anchors[@]}" -- "${lines[@]}"
done
fi
DB=
[[ " $BACKENDS " == *" postgres "* ]] || exit 0

echo "PostgreSQL (anchor: pgbench, one prepared INSERT of the same row):"
pg_start
URL=$(pg_createdb bench)
DATABASE_URL=$URL $BIN migrate >/dev/null
start_server "$URL"; hailong_run 4 >/dev/null; stop_server
PGBENCH="$PG_BIN/pgbench"
[ -x "$PGBENCH" ] || PGBENCH=$(command -v pgbench) || { echo "pgbench not found" >&2; exit 1; }
# The anchor's statement: the row hailong stored, with a fresh id, read
# from a one-row copy (pgbench would take the JSON's colons for variables).
psql_q() { "$PG_BIN/psql" -X -A -t -q -v ON_ERROR_STOP=1 "$URL" -c "$1"; }
psql_q "CREATE TABLE bench_template AS SELECT * FROM responses LIMIT 1"
[ "$(psql_q "SELECT count(*) FROM bench_template")" = 1 ] || { echo "no row to copy for pgbench" >&2; exit 1; }
echo "INSERT INTO responses (id, survey_version, unit, submitted_on, channel, answers, likert, comment, design) SELECT gen_random_uuid()::text, survey_version, unit, CURRENT_DATE, channel, answers, likert, comment, design FROM bench_template;" >"$WORK/insert.sql"
for conns in 16 64 200; do
  anchors=(); lines=()
  for _ in $(seq "$RUNS"); do
    start_server "$URL"; lines+=("$(hailong_run "$conns")"); stop_server
    tps=$("$PGBENCH" -n -M prepared -f "$WORK/insert.sql" -c "$conns" -j 2 -T "$SECONDS_PER_RUN" "$URL" 2>&1 \
      | sed -n 's/^tps = \([0-9.]*\).*/\1/p' | head -n 1 || true)
    [ -n "$tps" ] || { echo "pgbench failed" >&2; exit 1; }
    anchors+=("${tps%.*}")
  done
  report PostgreSQL "$conns" "${anchors[@]}" -- "${lines[@]}"
done
