#!/usr/bin/env bash
# Makes ui/fonts/: the fonts the window uses on Linux, cut down to what it shows (ui/styles.css
# says why): the Latin part of DejaVu Sans (Book, Bold), the ASCII of DejaVu Sans Mono, and the two
# characters of the 中文 language button from Noto Sans CJK SC Bold, as WOFF2. Run by hand when the
# ranges change; the output is committed. Needs Debian's fonts-dejavu-core and fonts-noto-cjk, and
# fontTools with Brotli (`pip install fonttools brotli`).
set -euo pipefail
cd "$(dirname "$0")/.."
dejavu=/usr/share/fonts/truetype/dejavu
noto=/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc
# Basic Latin, Latin-1, General Punctuation (dashes, quotes, …, the narrow no-break space of
# English times), arrows, minus and ™: every character of the English UI and of dates. Keep in
# step with `unicode-range` in ui/styles.css.
latin="U+0020-007E,U+00A0-00FF,U+2000-206F,U+2190-2193,U+2212,U+2122"
# The monospace text is IDs, scopes, URIs and what is typed into those fields: ASCII, and the
# ellipsis of a truncated one.
ascii="U+0020-007E,U+00A0,U+2026"
subset() { # source, output, then pyftsubset options
  local src=$1 out=$2
  shift 2
  pyftsubset "$src" "$@" --layout-features='kern,liga' --flavor=woff2 --output-file="ui/fonts/$out.woff2"
}
mkdir -p ui/fonts
subset "$dejavu/DejaVuSans.ttf" dejavu-sans-latin-400 --unicodes="$latin"
subset "$dejavu/DejaVuSans-Bold.ttf" dejavu-sans-latin-700 --unicodes="$latin"
subset "$dejavu/DejaVuSansMono.ttf" dejavu-sans-mono-ascii-400 --unicodes="$ascii"
# Face 2 of the collection is Noto Sans CJK SC.
subset "$noto" noto-sans-sc-lang-700 --font-number=2 --text="中文"
cp /usr/share/doc/fonts-dejavu-core/copyright ui/fonts/LICENSE-DejaVu.txt
cp /usr/share/doc/fonts-noto-cjk/copyright ui/fonts/LICENSE-Noto-CJK.txt
ls -l ui/fonts
