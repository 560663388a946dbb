#!/usr/bin/env bash
# No command writes over one of its inputs (issue 9, point 5). Each writing command, given an
# output that is one of its inputs (the same path, another spelling of it, a hard link; an
# output folder that is the input folder), must exit 1 saying "refusing", before any work:
# nothing under the test folder changes (names, sizes, modification times, inodes, bytes; a
# temporary file made and removed would change its folder's time), and it returns within 5 s.
# The prepared data folder points at an empty folder, so a command that loaded a network
# before checking would fail with "not found" instead. No data needed. Usage: no_overwrite.sh BIN
set -u
bin="$1"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export DEPTHSTYLE_PREPARED="$tmp/no-data" OMP_WAIT_POLICY=passive
mkdir -p "$DEPTHSTYLE_PREPARED"
fails=0 passes=0

state() {
  (cd "$tmp" && find . -printf '%p %s %T@ %i\n' | sort && find . -type f -exec sha256sum {} + | sort)
}

# refuse NAME WANT ARGS...: exit 1, "refusing" and WANT in the message, nothing changed, < 5 s.
refuse() {
  local name="$1" want="$2"
  shift 2
  local before after out rc t0 t1
  before=$(state)
  t0=$(date +%s.%N)
  out=$(timeout 60 "$bin" "$@" 2>&1)
  rc=$?
  t1=$(date +%s.%N)
  after=$(state)
  if [ $rc -eq 1 ] && grep -q "refusing" <<<"$out" && grep -qF -- "$want" <<<"$out" && [ "$before" == "$after" ] &&
    awk -v a="$t0" -v b="$t1" 'BEGIN { exit !(b - a < 5) }'; then
    passes=$((passes + 1))
    echo "ok: $name -> $(head -c 220 <<<"$out")"
  else
    fails=$((fails + 1))
    echo "FAILED: $name (exit $rc, expected 'refusing' and '$want', $(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }') s)"
    echo "$out" | sed 's/^/    /' | tail -5
    diff <(echo "$before") <(echo "$after") | sed 's/^/    changed: /' | head -10
  fi
}

# Small inputs: PNGs made by demo-tiny (no data needed), copies and links of them.
"$bin" demo-tiny -o "$tmp/made" --iters 1 --size 16 --device cpu >/dev/null || { echo "FAILED: demo-tiny"; exit 1; }
cp "$tmp/made/target.png" "$tmp/c.png"
cp "$tmp/made/result.png" "$tmp/s.png"
ln "$tmp/c.png" "$tmp/hard.png"
mkdir -p "$tmp/sub" "$tmp/imgs" "$tmp/ck" "$tmp/mix" "$tmp/m"
cp "$tmp/c.png" "$tmp/imgs/a.png"
cp "$tmp/s.png" "$tmp/imgs/b.jpg"
cp "$tmp/c.png" "$tmp/mix/a.png"
cp "$tmp/c.png" "$tmp/mix/a.jpg"
cp "$tmp/c.png" "$tmp/mix/a_png.png"
cp "$tmp/c.png" "$tmp/ck/step_000002.h5"
cp "$tmp/s.png" "$tmp/ck/losses.png"
cp "$tmp/s.png" "$tmp/m/a.png"
cp "$tmp/c.png" "$tmp/frame_iter00002.png"
cp "$tmp/c.png" "$tmp/r_montage.png"
cp "$tmp/c.png" "$tmp/w.h5"
cp "$tmp/c.png" "$tmp/r_preview.png"

S=(stylize "$tmp/c.png" --style "$tmp/s.png" --iters 5 --device cpu)
refuse "stylize: -o is the content" "content image" "${S[@]}" -o "$tmp/c.png"
refuse "stylize: -o through a missing folder and .." "content image" "${S[@]}" -o "$tmp/nosuch/../c.png"
refuse "stylize: -o through ./sub/.." "content image" "${S[@]}" -o "$tmp/./sub/../c.png"
refuse "stylize: -o is a hard link to the content" "content image" "${S[@]}" -o "$tmp/hard.png"
refuse "stylize: the montage is the style" "montage" stylize "$tmp/c.png" --style "$tmp/r_montage.png" -o "$tmp/r.png"
refuse "stylize: a --save-every frame is the --init image" "--init image" "${S[@]}" --save-every 2 \
  --init "$tmp/frame_iter00002.png" -o "$tmp/frame.png"
refuse "stylize: -o is the --depth file" "--depth file" "${S[@]}" --depth "$tmp/r_preview.png" -o "$tmp/r_preview.png"
refuse "stylize: the montage is the --content-mask image" "--content-mask image" "${S[@]}" \
  --content-mask "image:$tmp/r_montage.png" -o "$tmp/r.png"

refuse "fast: -o is the image" "input image" fast scream "$tmp/c.png" -o "$tmp/c.png"
refuse "fast: -o is a hard link to the image" "input image" fast scream "$tmp/c.png" -o "$tmp/hard.png"
refuse "fast: output folder is the input folder" "input folder" fast scream "$tmp/imgs" -o "$tmp/imgs"
refuse "fast: output folder spelled imgs/./" "input folder" fast scream "$tmp/imgs" -o "$tmp/imgs/./"
refuse "fast: output folder through sub/.." "input folder" fast scream "$tmp/imgs" -o "$tmp/sub/../imgs"
# With --overwrite an image may be replaced by its own result only: here a.png's result is
# a_png.png (a.jpg shares its stem), which is another image of the folder (whose own result it is).
refuse "fast --overwrite: an output that is another input" "both $tmp/mix/a.png and $tmp/mix/a_png.png" \
  fast scream "$tmp/mix" -o "$tmp/mix" --overwrite

T=(train --style "$tmp/s.png" --crop-size 32 --batch-size 1 --steps 2 --checkpoint-every 1 --device cpu)
refuse "train: -o is the --images folder" "input folder" "${T[@]}" --images "$tmp/imgs" -o "$tmp/imgs"
refuse "train: a checkpoint to write is the --init file" "--init weights" "${T[@]}" --images "$tmp/imgs" \
  --init "$tmp/ck/step_000002.h5" -o "$tmp/ck"
refuse "train: losses.png is the --style image" "--style image" train --style "$tmp/ck/losses.png" \
  --images "$tmp/imgs" -o "$tmp/ck" --steps 1 --device cpu

refuse "fast-eval: --montage-dir is the --images folder" "input folder" fast-eval --images "$tmp/imgs" \
  --style "$tmp/s.png" --montage-dir "$tmp/imgs" scream
refuse "fast-eval: a montage is the --style image" "--style image" fast-eval --images "$tmp/imgs" \
  --style "$tmp/m/a.png" --montage-dir "$tmp/m" scream

refuse "depth: -o is a hard link to the image" "image" depth "$tmp/c.png" -o "$tmp/hard.png" --device cpu
refuse "depth: the preview is the image" "preview" depth "$tmp/r_preview.png" -o "$tmp/r.png" --device cpu
refuse "features: -o is the --weights file" "weights" features --layers fire2 --weights "$tmp/w.h5" "$tmp/c.png" \
  -o "$tmp/./w.h5" --device cpu

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
