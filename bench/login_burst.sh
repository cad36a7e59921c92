#!/usr/bin/env bash
# Peak and settled memory of the server under a burst of failed sign-ins:
# N clients, each from its own loopback address (127.0.1.x) with its own
# made-up username, so the per-account and per-client throttle lets every
# one through to the password check; only the bounded verification permits
# stand between the burst and N concurrent Argon2id checks (19 MiB each).
# Prints the status counts, the server's peak RSS (VmHWM), its RSS before
# and 3 s after the burst, and what N unbounded checks would need.
#
#   bench/login_burst.sh [N] [BINARY]     (N=200, BINARY: the release build)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
N=${1:-200}
if [ -n "${2:-}" ]; then
  BIN=$2 WORK=$(mktemp -d)
else
  release_build
fi
SERVER=
cleanup() { [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
export DATABASE_URL="sqlite://$WORK/db.sqlite" RUST_LOG=warn HAILONG_SESSION_KEY=bench-only-session-key-0123456789abcdef
echo "a password long enough" | $BIN user create --username bench1 --role home-affairs --password-stdin >/dev/null
port=$(free_port)
$BIN serve --bind 127.0.0.1:$port >/dev/null 2>&1 &
SERVER=$!
wait_up "$port"
rss() { awk -v k="$1:" '$1==k {print $2}' /proc/$SERVER/status; }

# Each client fetches the sign-in form (cookie and CSRF token) first.
for i in $(seq "$N"); do
  ip="127.0.1.$(( i % 250 + 1 ))"
  curl -s --interface "$ip" -c "$WORK/jar$i" "http://127.0.0.1:$port/login" \
    | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -n 1 > "$WORK/csrf$i"
done
before=$(rss VmRSS)
seq "$N" | xargs -P "$N" -I{} sh -c '
  i={}; ip="127.0.1.$(( i % 250 + 1 ))"
  curl -s -o /dev/null -w "%{http_code}\n" --interface "$ip" -b "'"$WORK"'/jar$i" \
    --data-urlencode "csrf=$(cat "'"$WORK"'/csrf$i")" --data-urlencode "username=guess$i" \
    --data-urlencode "password=wrong password $i" "http://127.0.0.1:'"$port"'/login"
' > "$WORK/codes"
sleep 3
echo "statuses for $N concurrent failed sign-ins:"
sort "$WORK/codes" | uniq -c | sed 's/^/  /'
echo "server RSS before the burst: $(( before / 1024 )) MiB"
echo "server peak RSS (VmHWM):     $(( $(rss VmHWM) / 1024 )) MiB"
echo "server RSS 3 s after:        $(( $(rss VmRSS) / 1024 )) MiB"
echo "for comparison, $N unbounded Argon2id checks: $(( N * 19 )) MiB"
