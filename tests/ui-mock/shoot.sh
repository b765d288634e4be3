#!/bin/sh
# Screenshots of the UI over the mock IPC, for eyeballing: ./shoot.sh [out-dir] [name=query …]
# Serves /work/main (the repository root) on 127.0.0.1:8765 if nothing does yet.
# Needs Debian's chromium (apt-get install chromium fonts-noto-cjk).
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-/tmp/ui-shots}; [ $# -gt 0 ] && shift
port=8765
mkdir -p "$out"
if ! curl -fs "http://127.0.0.1:$port/tests/ui-mock/index.html" >/dev/null 2>&1; then
  (cd "$root" && exec python3 -m http.server "$port" --bind 127.0.0.1 >/dev/null 2>&1) &
  server=$!
  trap 'kill $server' EXIT
  sleep 1
fi
[ $# -gt 0 ] || set -- \
  signed-out= \
  signing-in="hold=1&click=sign-in" \
  signed-in="scenario=signed-in&activity=1" \
  signed-in-dark="scenario=signed-in&activity=1&theme=dark" \
  error="fail=20002&stepMs=100&click=sign-in" \
  settings="click=open-settings" \
  zh="lang=zh&scenario=signed-in&activity=1"
for spec in "$@"; do
  name=${spec%%=*}; query=${spec#*=}
  width=560; case $name in *480*) width=480;; esac
  height=${HEIGHT:-900}
  chromium --headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update \
    --disable-sync --no-first-run --user-data-dir="$(mktemp -d)" --hide-scrollbars \
    --window-size=$width,$height --virtual-time-budget=${BUDGET:-4000} \
    --screenshot="$out/$name.png" "http://127.0.0.1:$port/tests/ui-mock/index.html?$query" 2>/dev/null >/dev/null
  echo "$out/$name.png"
done
