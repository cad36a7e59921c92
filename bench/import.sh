#!/usr/bin/env bash
# Times `hailong import` of ROWS keyed-in health questionnaires (default
# 100,000) into a fresh SQLite file and a fresh PostgreSQL database, using the
# release build. Prints wall time and peak memory per backend.
#
#   bench/import.sh [ROWS]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
ROWS=${1:-100000}
cargo build --release --quiet
BIN=target/release/hailong
WORK=$(mktemp -d)
trap 'pg_stop; rm -rf "$WORK"' EXIT
python3 bench/make_import_csv.py "$ROWS" "$WORK/paper.csv"
echo "input: $ROWS rows, $(du -h "$WORK/paper.csv" | cut -f1)"

measure() {
  local label=$1 url=$2
  DATABASE_URL=$url $BIN migrate >/dev/null
  local start end
  start=$(date +%s.%N)
  DATABASE_URL=$url RUST_LOG=warn /usr/bin/time -f "%M" -o "$WORK/mem" $BIN import --survey health-outpatient "$WORK/paper.csv"
  end=$(date +%s.%N)
  printf "%s: %s s wall, peak RSS %s KiB\n" "$label" "$(python3 -c "print(round($end - $start, 2))")" "$(cat "$WORK/mem")"
}

measure "SQLite" "sqlite://$WORK/bench.db"
pg_start
measure "PostgreSQL" "$(pg_createdb bench)"
