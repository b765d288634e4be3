#!/usr/bin/env bash
# The performance benchmark (README "Performance"): builds what it measures (the release app and
# its .deb, the empty reference app in benches/empty-app and its .deb, feishu-auth, feishu-emulator
# and the benchmark itself), then runs feishu-bench under Xvfb with a D-Bus session. It prints the
# table and writes docs/performance.md and docs/performance.svg; it exits non-zero if a budget fails.
# Arguments go to feishu-bench, e.g. `scripts/bench.sh --launches 5 --runs 20 --idle-secs 10` for a
# quick look, or `--only 7,8` for some rows. The idle rows (7, 8) and the week's work (9) take
# about 2.5 and 3 minutes; row 9 drives the app through tauri-driver, rows 7–8 minimize with
# xdotool (both installed by setup-debian.sh --test).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
target="${CARGO_TARGET_DIR:-target}"

# WebKitGTK to build, Xvfb and dbus to run the apps.
scripts/setup-debian.sh --test
# The Tauri CLI, which makes the .deb packages, and esbuild, which bundles the release UI.
[ -x node_modules/.bin/tauri ] && [ -x node_modules/.bin/esbuild ] || npm ci --no-audit --no-fund

cargo build --release --locked -p feishu-auth -p feishu-emulator
# The release app and its .deb as they ship (the release UI bundled into one script, the package
# with feishu-auth, man pages and completions).
scripts/package.sh
# The tauri CLI takes the app from the folder holding tauri.conf.json.
(cd benches/empty-app && npx tauri build --ci -- --locked)
cargo build --release --locked -p feishu-bench

# A keyring on the session bus, as on a desktop: the session is sealed, and row 5k measures it.
exec dbus-run-session -- scripts/with-test-keyring.sh \
  xvfb-run -a -s "-screen 0 1280x1024x24" "$target/release/feishu-bench" "$@"
