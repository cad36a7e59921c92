#!/usr/bin/env bash
# Screenshots of the staff dashboards (Home Affairs overview, the Health
# department dashboard, the survey waves) and of the citizen pages (a first
# screen, the kiosk, the privacy page) at phone (360 px) and desktop
# (1280 px) width, taken
# in headless Chromium from Debian's `chromium` package, driven by
# playwright-core. Starts a demo server on a temporary SQLite database.
#
#   scripts/screenshots.sh [OUT_DIR]      (default: screenshots/)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=$(realpath -m "${1:-screenshots}")
mkdir -p "$OUT"
command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }
(cd scripts/screenshots && npm install --no-audit --no-fund --silent)
cargo build --release --quiet
WORK=$(mktemp -d)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
DATABASE_URL="sqlite://$WORK/demo.db" RUST_LOG=warn target/release/hailong serve --demo --bind "127.0.0.1:$PORT" >"$WORK/serve.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 100); do grep -q "listening on" "$WORK/serve.log" && break; sleep 0.3; done
PASSWORD=$(awk '/DEMO ONLY  demo-home-affairs/ {print $5}' "$WORK/serve.log")
# The quarter before the current one, complete in the demo data.
PERIOD=$(python3 -c 'import datetime; d=datetime.date.today(); q=(d.month-1)//3; print(f"{d.year}-Q{q}" if q else f"{d.year-1}-Q4")')
node scripts/screenshots/shoot.mjs "http://127.0.0.1:$PORT" demo-home-affairs "$PASSWORD" "$OUT" "$PERIOD"
