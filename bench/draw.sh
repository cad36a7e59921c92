#!/usr/bin/env bash
# Times a stratified draw of UNITS service points × PER transactions (default
# 20 × 2,000) with `hailong wave draw` (release build, SQLite and PostgreSQL),
# slips and codes written, against its anchor in the same run: Python reading
# the same list, grouping it and drawing the same sizes with random.sample.
# Prints wall time, peak memory and the ratio.
#
#   bench/draw.sh [UNITS] [PER]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
UNITS=${1:-20}
PER=${2:-2000}
release_build
trap 'pg_stop; rm -rf "$WORK"' EXIT

# The shipped definitions plus UNITS construction service points.
cp -r survey-definitions "$WORK/defs"
python3 - "$WORK/defs/units.toml" "$UNITS" "$WORK/list.csv" "$PER" <<'PY'
import sys
units_file, units, list_file, per = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
with open(units_file, "a") as f:
    for i in range(units):
        f.write(f'\n[[units]]\ncode = "bench-{i:02d}"\ndepartment = "construction"\n'
                f'name = {{ vi = "Điểm {i}", en = "Point {i}" }}\ncommune = "phường Long Xuyên"\nkind = "public-service-centre"\n')
with open(list_file, "w") as f:
    f.write("unit,reference\n")
    for i in range(units):
        for j in range(per):
            f.write(f"bench-{i:02d},HS-2026-{i:02d}-{j:06d}\n")
PY
echo "input: $UNITS service points × $PER transactions, $(du -h "$WORK/list.csv" | cut -f1)"
export HAILONG_DEFINITIONS=$WORK/defs

measure() {
  local label=$1 url=$2
  DATABASE_URL=$url $BIN migrate >/dev/null
  local wave start end
  wave=$(DATABASE_URL=$url $BIN wave create --survey construction-permit --name bench \
    --opens 2026-10-01 --closes 2026-12-31 --allowance 0.2)
  start=$(date +%s.%N)
  DATABASE_URL=$url RUST_LOG=warn /usr/bin/time -f "%M" -o "$WORK/mem" $BIN wave draw --wave "$wave" \
    --transactions "$WORK/list.csv" --margin 0.05 --seed 1 --slips "$WORK/slips.html" --codes "$WORK/codes.csv" >/dev/null
  end=$(date +%s.%N)
  HAILONG_S=$(python3 -c "print(round($end - $start, 3))")
  printf "%s: %s s wall, peak RSS %s KiB, %s invitations, slips %s\n" "$label" "$HAILONG_S" \
    "$(cat "$WORK/mem")" "$(($(wc -l < "$WORK/codes.csv") - 1))" "$(du -h "$WORK/slips.html" | cut -f1)"
}

anchor() {
  python3 - "$WORK/list.csv" <<'PY'
import csv, random, sys, time
start = time.perf_counter()
by_unit = {}
with open(sys.argv[1]) as f:
    for row in csv.DictReader(f):
        by_unit.setdefault(row["unit"], []).append(row["reference"])
rng = random.Random(1)
drawn = 0
for unit, refs in sorted(by_unit.items()):
    refs.sort()
    n = len(refs)
    n0 = 1.959964 ** 2 * 0.25 / 0.05 ** 2
    target = -(-n0 / (1 + (n0 - 1) / n) // 1)
    drawn += len(rng.sample(refs, min(n, int(-(-target / 0.8 // 1)))))
print(round(time.perf_counter() - start, 3), drawn)
PY
}

read -r ANCHOR_S ANCHOR_N < <(anchor)
measure "SQLite" "sqlite://$WORK/bench.db"
SQLITE_S=$HAILONG_S
pg_start
measure "PostgreSQL" "$(pg_createdb bench)"
echo "anchor (Python: read, group, random.sample, no codes or slips): $ANCHOR_S s, $ANCHOR_N drawn"
python3 -c "print(f'ratio hailong/anchor: SQLite {$SQLITE_S / $ANCHOR_S:.1f}x, PostgreSQL {$HAILONG_S / $ANCHOR_S:.1f}x')"
