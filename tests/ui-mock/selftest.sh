#!/bin/sh
# Runs selftest.js in headless chromium over the mock and prints its results; exit 1 on failure.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
port=8765
if ! curl -fs "http://127.0.0.1:$port/tests/ui-mock/index.html" >/dev/null 2>&1; then
  (cd "$root" && exec python3 -m http.server "$port" --bind 127.0.0.1 >/dev/null 2>&1) &
  server=$!
  trap 'kill $server' EXIT
  sleep 1
fi
log=$(mktemp)
chromium --headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update \
  --disable-sync --no-first-run --user-data-dir="$(mktemp -d)" --window-size=560,900 \
  --enable-logging=stderr --v=0 --virtual-time-budget=120000 --dump-dom \
  "http://127.0.0.1:$port/tests/ui-mock/index.html?selftest=1&stepMs=200&lang=en" 2>"$log" \
  | sed -n '/<pre id="selftest-result">/,/<\/pre>/p' | sed 's/<[^>]*>//g'
# Console errors and CSP violations, if any.
grep -E 'Uncaught|Content Security Policy|ERROR:CONSOLE|SEVERE' "$log" | grep -v 'selftest' || true
grep -q 'selftest passed' "$log"
