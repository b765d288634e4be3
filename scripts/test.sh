#!/usr/bin/env bash
# Runs every test: unit, protocol (against the emulator over loopback), CLI, the app's command
# tests, and the end-to-end tests of the real window under Xvfb with a D-Bus session.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

# Build every binary first: the CLI tests drive `feishu-auth` with `feishu-emulator browse` as the browser.
cargo build --workspace --all-targets --locked
if command -v dbus-run-session >/dev/null && command -v xvfb-run >/dev/null; then
  exec dbus-run-session -- xvfb-run -a -s "-screen 0 1280x1024x24" cargo test --workspace --locked
else
  exec cargo test --workspace --locked
fi
