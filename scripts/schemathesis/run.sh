#!/usr/bin/env bash
# Fuzzes every JSON route against the OpenAPI document the service serves
# (/api/v1/openapi.json), with schemathesis: no 5xx, no response outside
# its documented status, content type and schema, schema-invalid requests
# rejected. Bounded: MAX_EXAMPLES cases per operation and phase (default 100).
#
# Usage: scripts/schemathesis/run.sh [path/to/hailong]   (default target/debug/hailong)
#
# `positive_data_acceptance` is left out: whether a submission's answers
# are valid depends on its questionnaire (GET /api/v1/surveys/{slug}), and
# whether a period has figures on the date, which one JSON Schema per route
# cannot say; the server's 422s name the field instead.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
binary="$(realpath "${1:-$root/target/debug/hailong}")"
max_examples="${MAX_EXAMPLES:-100}"
venv="$root/target/schemathesis-venv"

if ! "$venv/bin/schemathesis" --version >/dev/null 2>&1; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt"
fi

work="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
export DATABASE_URL="sqlite://$work/fuzz.db"
export HAILONG_DEFINITIONS="$root/survey-definitions"
export HAILONG_BIND="127.0.0.1:$port"
export RUST_LOG=info
"$binary" serve --demo >"$work/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$work"' EXIT

for _ in $(seq 1 120); do
  curl -fsS "http://$HAILONG_BIND/readyz" >/dev/null 2>&1 && break
  sleep 0.5
done
curl -fsS "http://$HAILONG_BIND/readyz" >/dev/null

token="$("$binary" token create --role home-affairs --name schemathesis 2>/dev/null | tail -n 1)"
[[ "$token" == hl_* ]] || { echo "schemathesis: could not create a token" >&2; exit 1; }

"$venv/bin/schemathesis" run "http://$HAILONG_BIND/api/v1/openapi.json" \
  --url "http://$HAILONG_BIND" \
  --header "Authorization: Bearer $token" \
  --checks all \
  --exclude-checks positive_data_acceptance \
  --max-redirects 0 \
  --max-examples "$max_examples" \
  --generation-deterministic \
  --request-timeout 20 \
  --no-color

# A 5xx is also a fault when schemathesis was not looking (logged by the server).
if grep -E ' 5[0-9]{2} [0-9-]+ [0-9.]+ms' "$work/serve.log"; then
  echo "schemathesis: the server answered 5xx (above)" >&2
  exit 1
fi
