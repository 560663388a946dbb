#!/usr/bin/env bash
# The real commands declare the loss options once: `stylize --help`, `train --help` and
# `fast-eval --help` list each shared option with the same text, and `train --style-weight`
# prints its deprecation note. Usage: loss_options.sh BIN
set -uo pipefail
bin="$1"
fail=0
options='--net|--weights|--pooling|--content-layer|--style-layers|--style-layer-weights|--content-weight|--style-total-weight|--style-weight|--tv-weight|--depth-weight|--depth-layers|--depth-layer-weights|--monodepth2'
# Each option's line, and the next one when the help text wraps onto it (indented past the option column).
lines() { "$bin" "$1" --help | awk -v re="^  ($options) " '$0 ~ re { print; keep = 1; next } keep && /^   / { print } { keep = 0 }'; }
stylize="$(lines stylize)"
for cmd in train fast-eval; do
  if [ "$(lines "$cmd")" != "$stylize" ]; then
    echo "FAIL: $cmd --help lists the loss options differently from stylize --help:"
    diff <(echo "$stylize") <(lines "$cmd")
    fail=1
  fi
done
[ "$(echo "$stylize" | grep -cE "^  ($options) ")" = 14 ] || { echo "FAIL: expected 14 loss options in stylize --help"; fail=1; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
err="$("$bin" train --images "$tmp/none" --style x.png -o "$tmp/ck" --style-weight 5 2>&1 >/dev/null)"
want="train --style-weight is deprecated: it meant the total style weight; use --style-total-weight"
grep -qF "$want" <<<"$err" || { echo "FAIL: no deprecation note; stderr was: $err"; fail=1; }
[ $fail = 0 ] && echo "loss options: stylize, train and fast-eval share them; the deprecation note is printed"
exit $fail
