#!/usr/bin/env bash
# A new user's first command: install what the build needs, build, and run the app in the sandbox
# (no App ID configured: a local Feishu emulator serves the sign-in, and your browser shows its
# consent page). Pass --cli to sign in with `feishu-auth login` instead.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-debian.sh
if [ "${1:-}" = "--cli" ]; then
  cargo build --locked -p feishu-auth -p feishu-emulator
  exec target/debug/feishu-auth login
fi
# The app runs the sandbox's emulator through the feishu-auth beside it. FEISHU_SIGNIN_DEMO=1 asks
# for the demo, so the window opens straight on its sign-in (without it, an app with no App ID
# says it is not set up yet and offers the demo).
cargo build --locked -p feishu-auth
export FEISHU_SIGNIN_DEMO=1
exec cargo run --locked -p feishu-signin
