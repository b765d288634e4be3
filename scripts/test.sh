#!/usr/bin/env bash
# Runs every test: the UI's unit tests, unit, protocol (against the emulator over loopback), CLI,
# the app's command tests, and the end-to-end tests of the real window under Xvfb with a D-Bus
# session.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

# On a fresh Debian 12 machine: WebKitGTK, Xvfb, dbus, WebKitWebDriver, tauri-driver, Node.js.
scripts/setup-debian.sh --test

# The UI's own unit tests, in Node.js (its Intl is the reference the date patterns must match).
node --test tests/ui/*.test.js

# Every binary first: the CLI and app tests drive `feishu-emulator browse` as the browser.
cargo build --workspace --all-targets --locked

if command -v dbus-run-session >/dev/null && command -v xvfb-run >/dev/null && command -v tauri-driver >/dev/null; then
  export FEISHU_SIGNIN_E2E=1
  # npm's tools: axe-core, which the accessibility tests (tests/e2e_a11y.rs) run in the window,
  # and the Tauri CLI and esbuild for the release build below.
  [ -x node_modules/.bin/tauri ] && [ -x node_modules/.bin/esbuild ] && [ -f node_modules/axe-core/axe.min.js ] ||
    npm ci --no-audit --no-fund
  # A keyring of the run's own on the session bus: the window seals its sessions as on a desktop
  # (the CLI's tests choose per test: none, or a private one).
  dbus-run-session -- scripts/with-test-keyring.sh \
    xvfb-run -a -s "-screen 0 1280x1024x24" cargo test --workspace --locked

  # The release build and its packages (.deb, .rpm); the packages checked (lintian, the same files
  # in both), the .deb installed on this machine and checked as a user gets it.
  scripts/package.sh
  scripts/check-package.sh
  # The end-to-end tests once more against the installed app, /usr/bin/feishu-signin: the release
  # build, whose UI is what releases ship (the modules bundled into one script,
  # tauri.release.conf.json, not ui/ as dev builds load it), as the package put it there.
  FEISHU_SIGNIN_E2E_APP=/usr/bin/feishu-signin \
    exec dbus-run-session -- scripts/with-test-keyring.sh \
    xvfb-run -a -s "-screen 0 1280x1024x24" cargo test --locked -p feishu-signin --test e2e --test e2e_a11y
fi
echo "test: Xvfb, dbus or tauri-driver missing (run scripts/setup-debian.sh --test): the end-to-end tests will be skipped" >&2
exec cargo test --workspace --locked
