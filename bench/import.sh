#!/usr/bin/env bash
# Times `hailong import` of keyed-in health questionnaires (100,000 and
# 1,000,000 rows by default) into fresh SQLite and PostgreSQL databases,
# with the release build, and reports its peak memory, to compare between
# the sizes. Anchors, in the same run on a fresh database each:
#   SQLite      bench/import_anchor.py: Python parses the same file and
#               inserts the rows with executemany in one transaction;
#   PostgreSQL  psql's \copy of the same file into a table of text columns.
#
#   bench/import.sh [ROWS...]      (BACKENDS="sqlite postgres" by default)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(100000 1000000)
BACKENDS=${BACKENDS:-sqlite postgres}
release_build
trap 'pg_stop; rm -rf "$WORK"' EXIT

seconds_since() { python3 -c "import sys; print(round($(date +%s.%N) - $1, 2))"; }

hailong_import() { # url csv -> "seconds peak-KiB"
  DATABASE_URL=$1 RUST_LOG=warn $BIN migrate >/dev/null
  local start
  start=$(date +%s.%N)
  DATABASE_URL=$1 RUST_LOG=warn /usr/bin/time -f "%M" -o "$WORK/mem" \
    $BIN import --survey health-outpatient "$2" >"$WORK/out" 2>&1 || { cat "$WORK/out" >&2; exit 1; }
  echo "$(seconds_since "$start") $(cat "$WORK/mem")"
}

anchor() { # backend url csv -> seconds
  case $1 in
    sqlite)
      DATABASE_URL=$2 RUST_LOG=warn $BIN migrate >/dev/null
      python3 bench/import_anchor.py "${2#sqlite://}" "$3"
      ;;
    postgres)
      local columns start
      columns=$(head -n 1 "$3" | tr -d '\r' | sed 's/,/ text, /g; s/$/ text/')
      psql -q -X -v ON_ERROR_STOP=1 "$2" -c "CREATE TABLE paper ($columns)" >/dev/null
      start=$(date +%s.%N)
      psql -q -X -v ON_ERROR_STOP=1 "$2" -c "\\copy paper FROM '$3' WITH CSV HEADER" >/dev/null \
        || { echo "the anchor failed" >&2; exit 1; }
      seconds_since "$start"
      ;;
  esac
}

n=0
for rows in "${SIZES[@]}"; do
  python3 bench/make_import_csv.py "$rows" "$WORK/paper.csv"
  echo "input: $rows rows, $(du -h "$WORK/paper.csv" | cut -f1)"
  for backend in $BACKENDS; do
    n=$((n + 1))
    case $backend in
      sqlite) ours="sqlite://$WORK/ours$n.db" theirs="sqlite://$WORK/anchor$n.db" ;;
      postgres)
        [ -n "${PG_DIR:-}" ] || pg_start
        command -v psql >/dev/null || PATH=$PG_BIN:$PATH
        command -v psql >/dev/null || { echo "psql is needed (PostgreSQL client package)" >&2; exit 1; }
        ours=$(pg_createdb "ours$n") theirs=$(pg_createdb "anchor$n")
        ;;
      *) echo "unknown backend $backend" >&2; exit 1 ;;
    esac
    # Assigned first: a failure inside $(…) given to read would not stop the script.
    result=$(hailong_import "$ours" "$WORK/paper.csv")
    read -r seconds peak <<<"$result"
    grep -q "^imported $rows, replays 0$" "$WORK/out" \
      || { echo "the import did not store every row: $(cat "$WORK/out")" >&2; exit 1; }
    anchor_seconds=$(anchor "$backend" "$theirs" "$WORK/paper.csv")
    printf '%s, %s rows: hailong %s s, peak RSS %s KiB (%s); anchor %s s; ratio (anchor time / ours) %s\n' \
      "$backend" "$rows" "$seconds" "$peak" "$(tail -n 1 "$WORK/out")" "$anchor_seconds" \
      "$(python3 -c "print(round($anchor_seconds / $seconds, 2))")"
  done
done
