#!/usr/bin/env bash
# Requests per second for a citizen form (GET /s/health-outpatient, a fresh
# response id each time) at 64 connections with gzip asked for, against the
# same page without compression in the same run (the anchor: what
# compression costs). Median of RUNS runs (default 3) of SECONDS seconds
# (default 8), interleaved. Needs wrk (Debian package; installed when
# missing).
#
#   bench/pages.sh [RUNS] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
RUNS=${1:-3}
SECONDS_PER_RUN=${2:-8}
need_wrk
release_build
PORT=$(free_port)
DATABASE_URL="sqlite://$WORK/bench.db" RUST_LOG=warn $BIN serve --bind 127.0.0.1:$PORT >"$WORK/serve.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$WORK"' EXIT
wait_up "$PORT"
URL="http://127.0.0.1:$PORT/s/health-outpatient"
plain=$(curl -s "$URL" | wc -c)
packed=$(curl -s -H 'Accept-Encoding: gzip' "$URL" | wc -c)
[ "$packed" -lt "$plain" ] || { echo "the page was not compressed ($packed >= $plain bytes)" >&2; exit 1; }
rate() { wrk -t 2 -c 64 -d "${SECONDS_PER_RUN}s" "$@" "$URL" | sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p'; }
gz=(); raw=()
for _ in $(seq "$RUNS"); do
  gz+=("$(rate -H 'Accept-Encoding: gzip')")
  raw+=("$(rate)")
done
median() { printf '%s\n' "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p"; }
g=$(median "${gz[@]}"); r=$(median "${raw[@]}")
printf 'page %s bytes, %s gzipped\n' "$plain" "$packed"
printf 'gzip %.0f req/s (runs: %s) | without compression %.0f req/s (runs: %s) | ratio %s\n' \
  "$g" "${gz[*]}" "$r" "${raw[*]}" "$(python3 -c "print(f'{$g / $r:.2f}x')")"
