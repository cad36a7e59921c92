#!/usr/bin/env bash
# Times one full index request (GET /api/v1/indices, every estimate and
# interval of the health survey, compared with the year before) at each of
# SIZES stored responses (default 100,000 then 1,000,000), on SQLite and
# PostgreSQL, with the release build, measured by curl's time_total on
# loopback:
#   - how long the service takes at start to read the rows and keep the
#     sums of closed half-months (the cold path, from its log);
#   - the first request after that, then the median of RUNS more (warm);
#   - the exports of index results for the same year (/export/indices.xlsx,
#     .csv, /export/appendix.csv, /report.docx): the median of RUNS after a
#     first;
#   - the service's resident memory after them;
#   - how long the service takes at a second start, when it loads the sums
#     the first start stored instead of reading the rows.
# The anchor, in the same run: DuckDB's point estimates of every item for
# the same two years from a Parquet file of the same responses, read from
# the backend measured (bench/indices_anchor.py, DuckDB from PyPI), median
# of RUNS; the ratio printed is hailong's warm median over DuckDB's.
#
# The first start after loading also files every comment as a feedback
# item and, on PostgreSQL, rewrites every earlier day's rows in id order
# (`settle_order`, which hides arrival order); the requests are timed once
# that upkeep has finished (and, on PostgreSQL, the table is vacuumed), as
# on any later day, when only the day before is rewritten.
#
#   bench/indices.sh [RUNS] [SIZES...]     e.g. bench/indices.sh 5 1000000 10000000
#   (BACKENDS="sqlite postgres" by default)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
RUNS=${1:-5}
BACKENDS=${BACKENDS:-sqlite postgres}
shift || true
SIZES=("${@:-100000 1000000}")
read -r -a SIZES <<<"${SIZES[*]}"
need_duckdb
release_build
SERVER=
cleanup() { [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; pg_stop; rm -rf "$WORK"; }
trap cleanup EXIT
declare -A ANCHOR

fill() { # url responses seed
  local start=$(date +%s)
  DATABASE_URL=$1 RUST_LOG=warn $BIN simulate --survey health-outpatient --responses "$2" \
    --from 2025-01-01 --to 2026-09-30 --seed "$3" >/dev/null
  echo "  stored $2 more simulated responses in $(( $(date +%s) - start )) s"
  # As pgbench does after loading: vacuumed and analysed now, not by
  # autovacuum while the requests are timed.
  case $1 in postgres*) "$PG_BIN/psql" -q "$1" -c "VACUUM ANALYZE" ;; esac
}

median() { printf '%s\n' "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p"; }

# Waits up to TRIES half-seconds for the service's log to hold PATTERN;
# prints the first line matched (nothing when none was).
await_log() { # pattern tries
  local found=
  for _ in $(seq "$2"); do
    found=$(grep -o "$1" "$WORK/serve.log" | head -n 1 || true)
    [ -n "$found" ] && break
    sleep 0.5
  done
  echo "$found"
}

start_serving() { # url port -> the service's line on its index sums
  DATABASE_URL=$1 RUST_LOG=info $BIN serve --bind 127.0.0.1:$2 >/dev/null 2>"$WORK/serve.log" &
  SERVER=$!
  wait_up "$2" >&2
  # At start the service loads the stored sums of closed stretches of
  # days, or adds up their rows, in a thread of its own, and says how long.
  local prepared
  prepared=$(await_log 'sums of .*\|index sums not prepared.*' 2400)
  [ -n "$prepared" ] || { echo "the service never said its index sums were ready" >&2; exit 1; }
  echo "$prepared"
}

time_requests() { # url label size
  local port
  port=$(free_port)
  local token
  token=$(DATABASE_URL=$1 RUST_LOG=warn $BIN token create --role home-affairs --name "bench $2" | tail -n 1)
  # The cold path: the first start adds up the rows.
  local prepared
  start_serving "$1" "$port" >"$WORK/prepared"
  prepared=$(cat "$WORK/prepared")
  echo "  $prepared"
  # Timed once the first start's upkeep is over, as on any later day: on
  # PostgreSQL the rewrite of every earlier day's rows in id order
  # (`settle_order`), on both the filing of every comment as a feedback
  # item; at 10,000,000 responses these take many minutes of heavy writing
  # beside the requests.
  local upkeep
  upkeep=$(await_log 'hourly upkeep done.*' 14400)
  [ -n "$upkeep" ] || { echo "the service's first upkeep never ended" >&2; exit 1; }
  # The line is written even when a step failed, which would leave the
  # requests timed beside work still to do.
  ! grep 'not rewritten this hour\|not filed as feedback items' "$WORK/serve.log" >&2 \
    || { echo "the service's first upkeep failed" >&2; exit 1; }
  echo "  $upkeep: $(grep -o '[0-9]* responses of earlier days rewritten\|[0-9]* comments filed' "$WORK/serve.log" | paste -sd ';' || true)"
  case $1 in postgres*)
    # The rewrite leaves every old row version dead: vacuumed now, not by
    # autovacuum while the requests are timed.
    "$PG_BIN/psql" -q "$1" -c "VACUUM ANALYZE"
    ;;
  esac
  local url="http://127.0.0.1:$port/api/v1/indices?survey=health-outpatient&period=2025&compare=2024"
  # The first request also loads what a request needs besides the sums
  # (volumes, token, definitions); the next ones are warm.
  local first respondents
  first=$(curl -sf -o "$WORK/first.json" -w '%{time_total}' -H "Authorization: Bearer $token" "$url")
  respondents=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["respondents"])' "$WORK/first.json")
  local times=()
  for _ in $(seq "$RUNS"); do
    times+=("$(curl -sf -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $token" "$url")")
  done
  # The exports Home Affairs downloads for its reports, every department,
  # over the same year: each asked once cold (its first request) and then
  # RUNS times, median.
  local exports=()
  for export in indices.xlsx indices.csv appendix.csv report.docx; do
    local path=/export/$export
    [ "$export" = report.docx ] && path=/report.docx
    local export_url="http://127.0.0.1:$port$path?period=2025" export_times=()
    curl -sf -o /dev/null -H "Authorization: Bearer $token" "$export_url"
    for _ in $(seq "$RUNS"); do
      export_times+=("$(curl -sf -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $token" "$export_url")")
    done
    exports+=("$export $(median "${export_times[@]}") s")
  done
  local rss
  rss=$(ps -o rss= -p "$SERVER" | tr -d ' ')
  kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=
  # Started again: the sums built at the first start were stored, and are
  # loaded instead of read from the rows.
  port=$(free_port)
  start_serving "$1" "$port" >"$WORK/prepared"
  echo "  restarted: $(cat "$WORK/prepared")"
  kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=
  local warm
  warm=$(median "${times[@]}")
  printf '%s: %s respondents in 2025, first request %s s, then median %s s over %s requests (%s), RSS %s MB\n' \
    "$2" "$respondents" "$first" "$warm" "$RUNS" "${times[*]}" "$(( rss / 1024 ))"
  printf '  exports, median of %s after one: %s\n' "$RUNS" "$(IFS=';'; echo "${exports[*]}")"
  local anchor=${ANCHOR[$3]:-}
  [ -n "$anchor" ] || { echo "no DuckDB figure for $3 responses" >&2; exit 1; }
  python3 -c 'import sys; w, a = map(float, sys.argv[1:3]); print(f"  RESULT {sys.argv[3]}: hailong {w*1000:.1f} ms, DuckDB {a*1000:.1f} ms, ratio {w/a:.2f}")' \
    "$warm" "$anchor" "$2"
}

bench_backend() { # label url
  echo "$1:"
  DATABASE_URL=$2 $BIN migrate >/dev/null
  local stored=0 seed=1
  for size in "${SIZES[@]}"; do
    fill "$2" $(( size - stored )) "$seed"
    stored=$size; seed=$(( seed + 1 ))
    # The anchor reads the same responses from the same database.
    local line source=$2
    [ "$1" = SQLite ] && source=$WORK/bench.db
    line=$(PATH="${PG_BIN:-/usr/bin}:$PATH" "$DUCKDB_PYTHON" bench/indices_anchor.py "$source" health-outpatient 2025 2024 "$RUNS" "$WORK" | grep '^RESULT')
    echo "  DuckDB: $line"
    ANCHOR[$size]=$(sed 's/.*duckdb_median_s=\([0-9.]*\).*/\1/' <<<"$line")
    time_requests "$2" "$1 $size" "$size"
  done
}

for backend in $BACKENDS; do
  case $backend in sqlite|postgres) ;; *) echo "BACKENDS: no backend \"$backend\" (sqlite, postgres)" >&2; exit 1 ;; esac
done
case " $BACKENDS " in *" sqlite "*) bench_backend SQLite "sqlite://$WORK/bench.db" ;; esac
case " $BACKENDS " in *" postgres "*)
  pg_start
  bench_backend PostgreSQL "$(pg_createdb bench)"
  ;;
esac
