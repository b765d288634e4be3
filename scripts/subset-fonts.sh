#!/usr/bin/env bash
# Makes ui/fonts/: the Latin part of DejaVu Sans (Book and Bold) as WOFF2, which the window uses on
# Linux (ui/styles.css says why). Run by hand when the ranges change; the output is committed.
# Needs Debian's fonts-dejavu-core and fontTools with Brotli (`pip install fonttools brotli`).
set -euo pipefail
cd "$(dirname "$0")/.."
src=/usr/share/fonts/truetype/dejavu
# Basic Latin, Latin-1, General Punctuation (dashes, quotes, …, the narrow no-break space of
# English times), arrows, minus and ™: every character of the English UI and of dates. Keep in
# step with `unicode-range` in ui/styles.css.
ranges="U+0020-007E,U+00A0-00FF,U+2000-206F,U+2190-2193,U+2212,U+2122"
mkdir -p ui/fonts
for face in "DejaVuSans:400" "DejaVuSans-Bold:700"; do
  pyftsubset "$src/${face%%:*}.ttf" --unicodes="$ranges" --layout-features='kern,liga' \
    --flavor=woff2 --output-file="ui/fonts/dejavu-sans-latin-${face##*:}.woff2"
done
cp /usr/share/doc/fonts-dejavu-core/copyright ui/fonts/LICENSE-DejaVu.txt
ls -l ui/fonts
