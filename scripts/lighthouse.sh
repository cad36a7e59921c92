#!/usr/bin/env bash
# Lighthouse (mobile) scores of the citizen pages: starts BIN (default
# target/debug/hailong) on a throwaway SQLite database and runs the pinned
# Lighthouse in Debian's headless Chromium. Prints each page's scores and
# transferred bytes.
#
#   scripts/lighthouse.sh [BIN]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=$(realpath "${1:-$ROOT/target/debug/hailong}")
WORK=$(mktemp -d)
trap 'kill ${SERVER:-0} 2>/dev/null; rm -rf "$WORK"' EXIT
command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }
(cd "$WORK" && npm init -y >/dev/null && npm install --no-audit --no-fund --silent lighthouse@12.8.2)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
DATABASE_URL="sqlite://$WORK/lh.db" HAILONG_DEFINITIONS="$ROOT/survey-definitions" RUST_LOG=warn \
  "$BIN" serve --bind "127.0.0.1:$PORT" >"$WORK/serve.log" 2>&1 &
SERVER=$!
for _ in $(seq 100); do grep -q "listening on" "$WORK/serve.log" && break; sleep 0.2; done
for path in "/" "/s/health-outpatient?unit=bv-dktt-an-giang" "/s/construction-permit?unit=hcc-long-xuyen-xd" "/privacy"; do
  "$WORK/node_modules/.bin/lighthouse" "http://127.0.0.1:$PORT$path" --quiet \
    --chrome-path=/usr/bin/chromium --chrome-flags="--headless=new --no-sandbox --disable-gpu" \
    --form-factor=mobile --only-categories=performance,accessibility,best-practices,seo \
    --output=json --output-path="$WORK/report.json"
  python3 - "$WORK/report.json" "$path" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
scores = " ".join(f"{k} {round(v['score'] * 100)}" for k, v in report["categories"].items())
print(f"{sys.argv[2]}: {scores}; {report['audits']['total-byte-weight']['numericValue'] / 1000:.1f} KB transferred")
PY
done
