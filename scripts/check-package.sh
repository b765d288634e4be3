#!/usr/bin/env bash
# Checks the packages scripts/package.sh built, then installs the .deb on this machine and checks
# what a user gets: lintian finds no error or warning; every shared library the binaries link is
# in Depends; the .rpm holds the same files as the .deb; after `apt-get install` both programs
# are on PATH, the man pages and the completions are where man and the shells look, bash
# completes `feishu-auth lo` to login and logout (and a subcommand's options), and the deep-link
# scheme's default handler is the app's one desktop file. scripts/test.sh runs it; it needs root
# or sudo (it installs).
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-target}"
bundle="$target/release/bundle"
deb=$(echo "$bundle"/deb/*.deb)
rpm=$(echo "$bundle"/rpm/*.rpm)
app_id=$(node -p 'require("./tauri.conf.json").identifier')
scheme=$(node -p 'require("./tauri.conf.json").plugins["deep-link"].desktop.schemes[0]')
sudo_cmd=""
[ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
fail() {
  echo "check-package: $*" >&2
  exit 1
}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "check-package: lintian $deb"
lintian --fail-on error,warning --display-level '>=warning' "$deb"

# Depends names every library the binaries link (dpkg-shlibdeps resolves them to packages, with
# the lowest versions that provide the symbols used).
dpkg-deb --extract "$deb" "$work/deb"
mkdir -p "$work/shlibs/debian"
printf 'Source: check\n\nPackage: check\nArchitecture: any\n' >"$work/shlibs/debian/control"
needed=$(cd "$work/shlibs" && dpkg-shlibdeps -O "$work"/deb/usr/bin/* 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
[ -n "$needed" ] || fail "dpkg-shlibdeps found no library for the binaries"
depends=$(dpkg-deb --field "$deb" Depends)
missing=()
IFS=',' read -ra wanted <<<"$needed"
for dep in "${wanted[@]}"; do
  name=$(echo "$dep" | awk '{print $1}')
  echo ", $depends," | grep -Eq "[ ,|]$name( |,)" || missing+=("$dep")
done
[ ${#missing[@]} -eq 0 ] || fail "Depends lacks ${missing[*]} (dpkg-shlibdeps: $needed)"
# The .rpm requires each linked library by its soname, as rpmbuild's own dependency generator
# would (the bundler runs none), so any RPM distribution resolves it to its package.
requires=$(rpm -qp --requires "$rpm")
for soname in $(objdump -p "$work"/deb/usr/bin/* | awk '/NEEDED/ {print $2}' | grep -v '^ld-linux' | sort -u); do
  grep -qxF "$soname()(64bit)" <<<"$requires" || missing+=("$soname")
done
[ ${#missing[@]} -eq 0 ] || fail "the .rpm does not require ${missing[*]}"

# The .rpm carries the same files as the .deb.
dpkg-deb --fsys-tarfile "$deb" | tar -t | sed -n 's|^\./|/|p' | grep -v '/$' | LC_ALL=C sort >"$work/deb.files"
rpm -qlp "$rpm" | LC_ALL=C sort >"$work/rpm.files"
diff -u "$work/deb.files" "$work/rpm.files" || fail "the .rpm's files differ from the .deb's"
[ "$(grep -c '^/usr/share/applications/' "$work/deb.files")" -eq 1 ] ||
  fail "the packages carry more than one desktop file"
grep -qx "/usr/share/applications/$app_id.desktop" "$work/deb.files" ||
  fail "no /usr/share/applications/$app_id.desktop in the packages"

echo "check-package: installing $deb"
# Depends from the archive; no Recommends (a keyring), which a CI machine does not need.
DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --reinstall --no-install-recommends "$(realpath "$deb")" >/dev/null

for program in feishu-signin feishu-auth; do
  [ "$(command -v "$program")" = "/usr/bin/$program" ] || fail "$program is not /usr/bin/$program on PATH"
done
feishu-auth --version >/dev/null
for page in feishu-auth feishu-signin feishu-auth-login; do
  man -w "$page" >/dev/null || fail "man cannot find $page"
done
for file in /usr/share/bash-completion/completions/feishu-auth /usr/share/zsh/vendor-completions/_feishu-auth \
  /usr/share/fish/vendor_completions.d/feishu-auth.fish; do
  [ -s "$file" ] || fail "$file is missing"
done
# As bash-completion loads it on the first Tab, then a subcommand and one of its options.
complete_words() {
  bash -c '
    source /usr/share/bash-completion/bash_completion 2>/dev/null || source /usr/share/bash-completion/completions/feishu-auth
    declare -F _completion_loader >/dev/null && _completion_loader feishu-auth
    COMP_WORDS=("$@") COMP_CWORD=$(($# - 1)) COMP_LINE="$*" COMP_POINT=${#COMP_LINE}
    $(complete -p feishu-auth | sed -n "s/.*-F \([^ ]*\) .*/\1/p") feishu-auth "${@: -1}" "${@: -2:1}"
    echo "${COMPREPLY[*]}"' bash "$@"
}
for case in "feishu-auth lo=login logout" "feishu-auth login --no=--no-browser" "feishu-auth profile a=add"; do
  words=${case%%=*} expected=${case#*=}
  # shellcheck disable=SC2086 # the words, split
  got=$(complete_words $words)
  [ "$got" = "$expected" ] || fail "bash completes \`$words\` to \"$got\", not \"$expected\""
done

desktop=/usr/share/applications/$app_id.desktop
desktop-file-validate "$desktop" || fail "$desktop is not a valid desktop file"
grep -qx "Exec=feishu-signin %u" "$desktop" || fail "$desktop does not run feishu-signin with the link (%u)"
# The system's answer, not a user's: an empty home, no desktop environment's own tool.
handler=$(env -i PATH="$PATH" HOME="$work/home" xdg-mime query default "x-scheme-handler/$scheme")
[ "$handler" = "$app_id.desktop" ] || fail "xdg-mime names \"$handler\" as the $scheme: handler, not $app_id.desktop"
echo "check-package: ok ($(basename "$deb"): lintian clean, installed; $(basename "$rpm"): same files)"
