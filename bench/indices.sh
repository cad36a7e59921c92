#!/usr/bin/env bash
# Times one full index request (GET /api/v1/indices, every estimate of the
# health survey, compared with the year before) over 100,000 and then
# 1,000,000 stored responses, on SQLite and PostgreSQL, with the release
# build, measured by curl's time_total on loopback: how long the service
# takes at start to read the rows and keep the sums of closed half-months
# (the cold path, from its log), the first request after that, then the
# median of RUNS more.
#
#   bench/indices.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
RUNS=${1:-5}
release_build
SERVER=
cleanup() { [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; pg_stop; rm -rf "$WORK"; }
trap cleanup EXIT

fill() { # url responses seed
  local start=$(date +%s)
  DATABASE_URL=$1 RUST_LOG=warn $BIN simulate --survey health-outpatient --responses "$2" \
    --from 2025-01-01 --to 2026-09-30 --seed "$3" >/dev/null
  echo "  stored $2 more simulated responses in $(( $(date +%s) - start )) s"
}

time_requests() { # url label
  local port
  port=$(free_port)
  local token
  token=$(DATABASE_URL=$1 RUST_LOG=warn $BIN token create --role home-affairs --name "bench $2" | tail -n 1)
  DATABASE_URL=$1 RUST_LOG=info $BIN serve --bind 127.0.0.1:$port >/dev/null 2>"$WORK/serve.log" &
  SERVER=$!
  wait_up "$port"
  # The cold path: at start the service reads every closed half-month's
  # rows and keeps their sums, in a thread of its own, and says how long.
  local prepared=
  for _ in $(seq 1200); do
    prepared=$(grep -o 'sums of .*\|index sums not prepared.*' "$WORK/serve.log" || true)
    [ -n "$prepared" ] && break
    sleep 0.5
  done
  [ -n "$prepared" ] || { echo "the service never said its index sums were ready" >&2; exit 1; }
  echo "  $prepared"
  local url="http://127.0.0.1:$port/api/v1/indices?survey=health-outpatient&period=2025&compare=2024"
  # The first request also reads the open half-months' rows and loads the
  # volumes, sessions and definitions it needs; the next ones are warm.
  local cold respondents
  cold=$(curl -sf -o "$WORK/first.json" -w '%{time_total}' -H "Authorization: Bearer $token" "$url")
  respondents=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["respondents"])' "$WORK/first.json")
  local times=()
  for _ in $(seq "$RUNS"); do
    times+=("$(curl -sf -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $token" "$url")")
  done
  kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=
  printf '%s: %s respondents, first request %s s, then median %s s over %s requests (%s)\n' \
    "$2" "$respondents" "$cold" \
    "$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p")" "$RUNS" "${times[*]}"
}

bench_backend() { # label url
  echo "$1:"
  DATABASE_URL=$2 $BIN migrate >/dev/null
  fill "$2" 100000 1
  time_requests "$2" "$1 100k"
  fill "$2" 900000 2
  time_requests "$2" "$1 1M"
}

bench_backend SQLite "sqlite://$WORK/bench.db"
pg_start
bench_backend PostgreSQL "$(pg_createdb bench)"
