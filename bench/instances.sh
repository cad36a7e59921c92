#!/usr/bin/env bash
# Two hailong instances sharing one PostgreSQL database and nothing else
# (release build, the same HAILONG_SESSION_KEY): durable submissions/s at
# CONNS connections (default 64) against one instance alone, then split
# evenly between the two at once (two wrk processes), RUNS times (default
# 3) for SECONDS seconds (default 8). Then checks what must hold across
# them, and fails loudly if it does not:
#   - every submission is answered 201 by the instance it was sent to, and
#     at least as many responses are stored as were answered 201, at most
#     those in flight when wrk stopped more (a count: wrk reports no ids);
#   - both instances' index for the year counts exactly the stored responses;
#   - a response sent to one instance and sent again to the other is a
#     replay (200), not a conflict.
# Both instances, wrk and PostgreSQL share the machine's cores: the run
# shows that a second instance serves consistently, not that it adds CPU.
#
#   bench/instances.sh [RUNS] [SECONDS] [CONNS]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
RUNS=${1:-3}
SECONDS_PER_RUN=${2:-8}
CONNS=${3:-64}
need_wrk
release_build
SERVERS=()
cleanup() { for s in "${SERVERS[@]}"; do kill "$s" 2>/dev/null || true; done; pg_stop; rm -rf "$WORK"; }
trap cleanup EXIT
median() { printf '%s\n' "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p"; }

pg_start
command -v psql >/dev/null || PATH=$PG_BIN:$PATH
URL=$(pg_createdb bench)
DATABASE_URL=$URL $BIN migrate >/dev/null
export HAILONG_SESSION_KEY
HAILONG_SESSION_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
PORTS=("$(free_port)" "$(free_port)")
for i in 0 1; do
  DATABASE_URL=$URL RUST_LOG=warn $BIN serve --bind "127.0.0.1:${PORTS[$i]}" >"$WORK/serve$i.log" 2>&1 &
  SERVERS+=($!)
done
for port in "${PORTS[@]}"; do
  wait_up "$port" || { cat "$WORK"/serve*.log; exit 1; }
done
sleep 1

field() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p" <<<"$2"; }
run() { # port connections threads -> RESULT line
  wrk -t "$3" -c "$2" -d "${SECONDS_PER_RUN}s" --timeout 10s -s bench/submit.lua "http://127.0.0.1:$1" | grep '^RESULT'
}

stored=0 one=() two=() p99_one=() p99_two=() failed=0
for _ in $(seq "$RUNS"); do
  line=$(run "${PORTS[0]}" "$CONNS" 2)
  one+=("$(field rps "$line")"); p99_one+=("$(field p99 "$line")")
  stored=$((stored + $(field stored "$line"))); failed=$((failed + $(field failed "$line")))
  run "${PORTS[0]}" $((CONNS / 2)) 1 >"$WORK/a" &
  first=$!
  run "${PORTS[1]}" $((CONNS / 2)) 1 >"$WORK/b"
  wait "$first"
  a=$(cat "$WORK/a") b=$(cat "$WORK/b")
  two+=("$(python3 -c "print($(field rps "$a") + $(field rps "$b"))")")
  p99_two+=("$(python3 -c "print(max($(field p99 "$a"), $(field p99 "$b")))")")
  stored=$((stored + $(field stored "$a") + $(field stored "$b")))
  failed=$((failed + $(field failed "$a") + $(field failed "$b")))
done
printf 'one instance,  c=%s: %s submissions/s (runs: %s), p99 %s ms (runs: %s)\n' \
  "$CONNS" "$(median "${one[@]}")" "${one[*]}" "$(median "${p99_one[@]}")" "${p99_one[*]}"
printf 'two instances, c=%s+%s: %s submissions/s (runs: %s), p99 %s ms (runs: %s), failed %s\n' \
  $((CONNS / 2)) $((CONNS / 2)) "$(median "${two[@]}")" "${two[*]}" "$(median "${p99_two[@]}")" "${p99_two[*]}" "$failed"

# A request still in flight when wrk stops is stored without being counted:
# at most one per connection and run.
in_db=$(psql -X -At "$URL" -c "SELECT count(*) FROM responses")
in_flight=$(( in_db - stored ))
[ "$in_flight" -ge 0 ] && [ "$in_flight" -le $(( 2 * RUNS * CONNS )) ] \
  || { echo "FAILED: $stored answered 201, $in_db stored" >&2; exit 1; }
[ "$failed" = 0 ] || { echo "FAILED: $failed submissions were not answered 201" >&2; exit 1; }
token=$(DATABASE_URL=$URL RUST_LOG=warn $BIN token create --role home-affairs --name bench | tail -n 1)
year=$(date +%Y)
for port in "${PORTS[@]}"; do
  counted=$(curl -sf -H "Authorization: Bearer $token" \
    "http://127.0.0.1:$port/api/v1/indices?survey=health-outpatient&period=$year&design=all" \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["respondents"])')
  [ "$counted" = "$in_db" ] || { echo "FAILED: the instance on $port counts $counted of $in_db" >&2; exit 1; }
done
body='{"id":"6f1c2a0e-8d2b-4c55-9a41-0b7c1d2e3f40","unit":"bv-dk-kien-giang","answers":{"A1":4}}'
post() { curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' -d "$body" \
  "http://127.0.0.1:$1/api/v1/surveys/health-outpatient/responses"; }
[ "$(post "${PORTS[0]}")" = 201 ] && [ "$(post "${PORTS[1]}")" = 200 ] \
  || { echo "FAILED: a response sent to one instance and again to the other is not a replay" >&2; exit 1; }
echo "consistent: $stored responses answered 201, $in_db stored ($in_flight in flight when wrk stopped); both instances' indices count $in_db; a replay across instances is recognised"
