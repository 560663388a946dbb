#!/usr/bin/env bash
# The real commands declare the loss options once: `stylize --help`, `train --help` and
# `fast-eval --help` list each shared option with the same text, and `train --style-weight`
# prints its deprecation note. Usage: loss_options.sh BIN
set -uo pipefail
bin="$1"
fail=0
options='--net|--weights|--pooling|--content-layer|--style-layers|--style-layer-weights|--content-weight|--style-total-weight|--style-weight|--tv-weight|--depth-weight|--depth-layers|--depth-layer-weights|--monodepth2'
# Each option's line, and the next one when the help text wraps onto it (indented past the option column).
lines() { "$bin" "$1" --help | awk -v re="^  (${2:-$options}) " '$0 ~ re { print; keep = 1; next } keep && /^   / { print } { keep = 0 }'; }
stylize="$(lines stylize)"
# The same text but for the two whose meaning differs by method, as the help says: the total
# style weight's squeezenet default (50 optimising pixels, 1 training a transformer), and
# --style-weight (per style in stylize; train's one style: the deprecated total).
same="${options/|--style-total-weight|--style-weight/}"
for cmd in train fast-eval; do
  if [ "$(lines "$cmd" "$same")" != "$(lines stylize "$same")" ]; then
    echo "FAIL: $cmd --help lists the loss options differently from stylize --help:"
    diff <(lines stylize "$same") <(lines "$cmd" "$same")
    fail=1
  fi
done
[ "$(echo "$stylize" | grep -cE "^  ($options) ")" = 14 ] || { echo "FAIL: expected 14 loss options in stylize --help"; fail=1; }
grep -qF "total style weight beta (default per network: squeezenet 50," <<<"$stylize" || { echo "FAIL: stylize's beta"; fail=1; }
grep -qF "total style weight beta (default per network: squeezenet 1," <<<"$(lines train)" || { echo "FAIL: train's beta"; fail=1; }
grep -qF "deprecated: the total style weight beta" <<<"$(lines train)" || { echo "FAIL: train's --style-weight"; fail=1; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
err="$("$bin" train --images "$tmp/none" --style x.png -o "$tmp/ck" --style-weight 5 2>&1 >/dev/null)"
want="train --style-weight is deprecated: it meant the total style weight; use --style-total-weight"
grep -qF "$want" <<<"$err" || { echo "FAIL: no deprecation note; stderr was: $err"; fail=1; }
[ $fail = 0 ] && echo "loss options: stylize, train and fast-eval share them; the deprecation note is printed"
exit $fail
