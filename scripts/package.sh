#!/usr/bin/env bash
# Builds the release app and its packages, the .deb and the .rpm, in
# ${CARGO_TARGET_DIR:-target}/release/bundle/{deb,rpm}/: `tauri build` with the release UI
# (tauri.release.conf.json), which stages feishu-auth, the man pages, the completions and the
# changelog first (scripts/stage-package.sh), then one correction the bundler cannot be told:
#
# The Tauri bundler (2.10) names the desktop file after productName ("Feishu Sign-in.desktop"),
# with no setting to change it (tauri-apps/tauri#11300). The desktop entry spec names it after the
# app id, and desktops expect that (GNOME and Wayland compositors match a window's app id to it).
# So the file is renamed to dev.feishu-signin.FeishuSignIn.desktop in both packages, and nothing
# else changes but the .deb's compression: the .deb is unpacked and packed again with dpkg-deb
# (xz, its default), the .rpm rebuilt with rpmbuild from its own files, requirements and
# description.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
target="${CARGO_TARGET_DIR:-target}"
bundle="$target/release/bundle"
app_id=$(node -p 'require("./tauri.conf.json").identifier')
product=$(node -p 'require("./tauri.conf.json").productName')

[ -x node_modules/.bin/tauri ] && [ -x node_modules/.bin/esbuild ] || npm ci --no-audit --no-fund
rm -rf "$bundle/deb" "$bundle/rpm"
npx tauri build --ci --config tauri.release.conf.json -- --locked

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The .deb: unpacked as it is (control files and modes kept), the file renamed, md5sums redone.
deb=$(echo "$bundle"/deb/*.deb)
dpkg-deb --raw-extract "$deb" "$work/deb"
mv "$work/deb/usr/share/applications/$product.desktop" "$work/deb/usr/share/applications/$app_id.desktop"
(cd "$work/deb" && find usr -type f | LC_ALL=C sort | xargs -d '\n' md5sum >DEBIAN/md5sums)
dpkg-deb --root-owner-group -Zxz --build "$work/deb" "$deb" >/dev/null

# The .rpm: its files, requirements and description as the bundler made them, packed again.
rpm=$(echo "$bundle"/rpm/*.rpm)
mkdir -p "$work/rpm/root"
rpm2archive - <"$rpm" | tar -xz -C "$work/rpm/root"
mv "$work/rpm/root/usr/share/applications/$product.desktop" "$work/rpm/root/usr/share/applications/$app_id.desktop"
q() { rpm -qp --queryformat "$1" "$rpm"; }
{
  echo "Name: $(q '%{NAME}')"
  echo "Version: $(q '%{VERSION}')"
  echo "Release: $(q '%{RELEASE}')"
  q '%|EPOCH?{Epoch: %{EPOCH}\n}|'
  echo "Summary: $(q '%{SUMMARY}')"
  echo "License: $(q '%{LICENSE}')"
  echo "URL: $(q '%{URL}')"
  echo "AutoReqProv: no"
  rpm -qp --requires "$rpm" | grep -v '^rpmlib(' | sed 's/^/Requires: /'
  rpm -qp --recommends "$rpm" | sed 's/^/Recommends: /'
  echo "%description"
  q '%{DESCRIPTION}\n'
  echo "%install"
  echo "cp -a '$work/rpm/root/.' %{buildroot}/"
  echo "%files"
  (cd "$work/rpm/root" && find . -type f -printf '"/%P"\n' | LC_ALL=C sort)
} >"$work/rpm/package.spec"
rpmbuild --quiet -bb "$work/rpm/package.spec" \
  --define "_topdir $work/rpm/build" --define "_rpmdir $work/rpm/out" \
  --define "_build_id_links none" --define "debug_package %{nil}" \
  --define "__os_install_post %{nil}" --define "_binary_payload w6.gzdio" \
  --target "$(q '%{ARCH}')" >"$work/rpm/build.log" 2>&1 || { cat "$work/rpm/build.log" >&2; exit 1; }
mv "$work"/rpm/out/*/*.rpm "$rpm"

echo "package: $deb"
echo "package: $rpm"
