#!/usr/bin/env bash
# Installs what a fresh Debian 12 machine lacks to build and run the app (WebKitGTK and friends
# for Tauri, Node.js for the release build's tools); with --test also what the tests need (Xvfb
# and a D-Bus session for the app under test, WebKitWebDriver and tauri-driver for the
# end-to-end tests). Safe to run again.
set -euo pipefail

# fonts-noto-cjk: the window shows Chinese (the sandbox's 张三, the Chinese interface); a fresh
# Debian 12 has no font for it and would show it blank. xdg-utils: xdg-open opens the browser,
# xdg-mime says whether the deep-link scheme is this app's.
packages=(
  build-essential pkg-config curl file xdg-utils fonts-noto-cjk
  libwebkit2gtk-4.1-dev libssl-dev libxdo-dev libayatana-appindicator3-dev librsvg2-dev
)
testing=false
[ "${1:-}" = "--test" ] && testing=true
# tzdata: the CLI tests show times in named zones (TZ=Asia/Shanghai); a minimal Debian 12 lacks it.
# systemd: systemd-analyze verifies the keepalive's units (a container image may lack it).
# xdotool: the benchmark unmaps the apps' windows, as minimizing does (there is no window manager
# under Xvfb).
$testing && packages+=(webkit2gtk-driver xvfb xauth dbus dbus-x11 imagemagick tzdata systemd xdotool)
# The packages (scripts/package.sh, scripts/check-package.sh): rpm2archive and rpmbuild pack
# the .rpm again, dpkg-shlibdeps (dpkg-dev) and lintian check the .deb, and man-db,
# bash-completion and desktop-file-utils are what the installed package is checked with.
$testing && packages+=(rpm dpkg-dev lintian man-db bash-completion desktop-file-utils)
# A real Secret Service for the keyring tests: gnome-keyring-daemon on each test's private bus.
$testing && packages+=(gnome-keyring)
# Node.js and npm run the Tauri CLI (the .deb) and esbuild (the release UI); a machine with its
# own Node.js keeps it.
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  echo "setup: installing ${missing[*]}"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if $testing && ! command -v tauri-driver >/dev/null 2>&1; then
  echo "setup: installing tauri-driver"
  cargo install tauri-driver --locked --quiet
fi
echo "setup: done"
