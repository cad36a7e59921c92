#!/usr/bin/env bash
# The citizen and staff pages in a real browser: starts BIN (default
# target/debug/hailong) on a throwaway SQLite database with simulated
# responses and one account per role, and runs citizen.mjs (360 px) and
# staff.mjs (360 and 1280 px) in headless Chromium. Installs Debian's chromium and the pinned
# npm packages when missing.
#
#   tests/browser/run.sh [BIN]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=$(realpath "${1:-$ROOT/target/debug/hailong}")
cd "$ROOT/tests/browser"
command -v chromium >/dev/null || {
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq chromium >/dev/null
}
[ -d node_modules/playwright-core ] && [ -d node_modules/axe-core ] || npm ci --no-audit --no-fund --silent
WORK=$(mktemp -d)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export DATABASE_URL="sqlite://$WORK/browser.db" HAILONG_DEFINITIONS="$ROOT/survey-definitions" RUST_LOG=warn
# Two years of simulated responses and one account per role for the
# staff pages; the password is random for each run.
"$BIN" simulate --all --responses 400 --from 2025-01-01 --to "$(date -d yesterday +%F)" --seed 7 >/dev/null
PASSWORD="browser-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
account() { printf '%s' "$PASSWORD" | "$BIN" user create --password-stdin --username "$@" >/dev/null; }
account browser-home --role home-affairs
account browser-health --role department --department health
account browser-admin --role admin
account browser-spare --role department --department education
"$BIN" serve --bind "127.0.0.1:$PORT" >"$WORK/serve.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 100); do grep -q "listening on" "$WORK/serve.log" && break; sleep 0.2; done
grep -q "listening on" "$WORK/serve.log" || { cat "$WORK/serve.log"; exit 1; }
node citizen.mjs "http://127.0.0.1:$PORT"
node staff.mjs "http://127.0.0.1:$PORT" "$PASSWORD"
