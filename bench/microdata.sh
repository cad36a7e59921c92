#!/usr/bin/env bash
# Times the microdata export (GET /export/responses.csv) of 100,000 and then
# 1,000,000 simulated health responses on SQLite with the release build, and
# reports the server's peak resident memory (VmHWM) for each, measured in a
# fresh server process: memory must not grow with the number of rows.
#
#   bench/microdata.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
BIN=$PWD/target/release/hailong
WORK=$(mktemp -d)
SERVER=
trap '[ -n "$SERVER" ] && kill $SERVER 2>/dev/null; rm -rf "$WORK"' EXIT
export DATABASE_URL="sqlite://$WORK/bench.db" RUST_LOG=warn

measure() { # label
  local port token start end rows
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  token=$($BIN token create --role home-affairs --name "bench $1" | tail -n 1)
  $BIN serve --bind 127.0.0.1:$port >/dev/null 2>&1 &
  SERVER=$!
  for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
  local before
  before=$(awk '/VmHWM/ {print $2}' /proc/$SERVER/status)
  start=$(date +%s.%N)
  curl -sf -H "Authorization: Bearer $token" -o "$WORK/out.csv" \
    "http://127.0.0.1:$port/export/responses.csv?survey=health-outpatient&period=2025"
  end=$(date +%s.%N)
  rows=$(( $(wc -l < "$WORK/out.csv") - 1 ))
  printf '%s: %s rows, %s MB, %s s, server peak RSS %s KiB (%s KiB before the export)\n' "$1" "$rows" \
    "$(( $(stat -c %s "$WORK/out.csv") / 1000000 ))" "$(python3 -c "print(round($end - $start, 2))")" \
    "$(awk '/VmHWM/ {print $2}' /proc/$SERVER/status)" "$before"
  kill $SERVER; wait $SERVER 2>/dev/null || true; SERVER=
}

$BIN migrate >/dev/null
$BIN simulate --survey health-outpatient --responses 100000 --from 2025-01-01 --to 2026-09-30 --seed 1 >/dev/null
measure "100k"
$BIN simulate --survey health-outpatient --responses 900000 --from 2025-01-01 --to 2026-09-30 --seed 2 >/dev/null
measure "1M"
