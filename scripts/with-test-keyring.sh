#!/usr/bin/env bash
# Runs a command with a real, unlocked Secret Service on the current D-Bus session: a
# gnome-keyring-daemon of its own (its keyring in a temporary folder, never the user's), unlocked
# with a test password, so the window's tests seal their sessions as on a desktop. Run inside
# `dbus-run-session`: the daemon ends with that bus.
set -euo pipefail
command -v gnome-keyring-daemon >/dev/null || {
  echo "with-test-keyring: gnome-keyring-daemon is missing (scripts/setup-debian.sh --test installs it)" >&2
  exit 1
}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/home" "$dir/data"
mkdir -m 700 "$dir/run"
# `--unlock` before any client asks: it makes the login keyring from the password on standard
# input, with no prompt (a keyring a client's call started would have none).
printf test-password | HOME="$dir/home" XDG_DATA_HOME="$dir/data" XDG_RUNTIME_DIR="$dir/run" \
  gnome-keyring-daemon --unlock --components=secrets --daemonize >/dev/null
for _ in $(seq 100); do
  dbus-send --session --print-reply --dest=org.freedesktop.DBus / \
    org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q "boolean true" && break
  sleep 0.1
done
"$@"
