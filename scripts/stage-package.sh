#!/usr/bin/env bash
# Stages in target/dist/ what the .deb and .rpm carry besides the app (tauri.conf.json's
# bundle.linux.{deb,rpm}.files): feishu-auth, the man pages and shell completions that
# crates/feishu-dist generates from the clap definitions, and the changelog. `tauri build` runs it
# before bundling (build.beforeBundleCommand); scripts/package.sh is the whole build.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-target}"

cargo build --release --locked -p feishu-auth
cargo build --locked -p feishu-dist
rm -rf target/dist
mkdir -p target/dist/bin
cp "$target/release/feishu-auth" target/dist/bin/
# The pages' date: the last commit's, so a rebuild of the same source makes the same pages.
"$target/debug/feishu-dist" target/dist --date "$(git log -1 --format=%cs 2>/dev/null || date -u +%F)"
# Debian's way: compressed with gzip -9, without a name or a time stamp (-n).
gzip -9n target/dist/man1/*.1
gzip -9n <packaging/changelog >target/dist/changelog.gz
