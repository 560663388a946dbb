#!/usr/bin/env bash
# `depthstyle 3d` from the command line (issue 21, points 1 and 6), without the data folder:
# each bad input gives a clear error (exit 1, a message naming the problem) and writes nothing;
# then one run writes every kind of output, each of the expected size.
# Usage: photo3d.sh BIN
set -u
bin="$1"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export OMP_WAIT_POLICY=passive
source "$(dirname "$0")/expect_error.sh"

# expect NAME EXPECTED_SUBSTRING ARGS...: `3d ARGS` must fail (exit 1; EXPECT_RC=2 for a value its
# option does not take, apps/common/args.h UsageError), say EXPECTED, write nothing in out/.
out_empty() { [ -z "$(ls -A "$tmp/out" 2>/dev/null)" ]; }
expect() {
  local name="$1" want="$2"
  shift 2
  expect_error "$name" "$want" out_empty "$bin" 3d "$@"
  rm -rf "$tmp/out"
}

# A 32x24 content and Kinect PGMs (raw disparity, little-endian): a box (raw 860: 1.51 m) in front
# of a wall (raw 1000: 3.80 m); a square one (another aspect ratio); one without a valid pixel (2047).
printf 'P6\n32 24\n255\n' >"$tmp/c.ppm"; head -c $((32 * 24 * 3)) /dev/urandom >>"$tmp/c.ppm"
printf 'P6\n40 30\n255\n' >"$tmp/r.ppm"; head -c $((40 * 30 * 3)) /dev/urandom >>"$tmp/r.ppm"
printf 'P6\n30 30\n255\n' >"$tmp/r_square.ppm"; head -c $((30 * 30 * 3)) /dev/urandom >>"$tmp/r_square.ppm"
printf 'P6\n20000 20000\n255\n' >"$tmp/huge.ppm"  # declares 400 megapixels, holds none
pgm() {  # pgm W H FILE: a box in the middle, or with a 4th argument every pixel that value
  local w=$1 h=$2 f=$3 v
  printf 'P5\n%d %d\n65535\n' "$w" "$h" >"$f"
  for ((y = 0; y < h; y++)); do
    for ((x = 0; x < w; x++)); do
      v=${4:-1000}
      if [ -z "${4:-}" ] && ((x >= w / 4 && x < 3 * w / 4 && y >= h / 4 && y < 3 * h / 4)); then v=860; fi
      printf "\\x$(printf %02x $((v & 255)))\\x$(printf %02x $((v >> 8)))" >>"$f"
    done
  done
}
pgm 32 24 "$tmp/d.pgm"
pgm 16 16 "$tmp/square.pgm"
pgm 32 24 "$tmp/invalid.pgm" 2047
c="$tmp/c.ppm"
o="$tmp/out"

expect "depth of another aspect ratio" "another aspect ratio" "$c" --depth "$tmp/square.pgm" -o "$o/v.png"
expect "depth invalid everywhere" "no valid pixel" "$c" --depth "$tmp/invalid.pgm" -o "$o/v.png"
expect "camera inside the scene (--view)" "inside the scene" "$c" --depth "$tmp/d.pgm" --view 0,0,2,0,0 -o "$o/v.png"
expect "camera path into the scene" "of --camera zoom" "$c" --depth "$tmp/d.pgm" --camera zoom --amplitude 1 \
  -o "$o/f%02d.png"
# --view over the wall beside the box, its right eye 0.1 m over behind the box's front.
expect "stereo eye inside the scene" "the right eye of --stereo" "$c" --depth "$tmp/d.pgm" --view=-0.5,0,1.5,0,0 \
  --stereo sbs --baseline 0.2 -o "$o/s.png"
expect "huge --stylized image" "at most 4096 px" "$c" --depth "$tmp/d.pgm" --stylized "$tmp/huge.ppm" -o "$o/v.png"
expect "--stylized of another aspect ratio" "aspect ratios differ" "$c" --depth "$tmp/d.pgm" \
  --stylized "$tmp/r_square.ppm" -o "$o/v.png"
expect "two outputs the same file" "are the same file" "$c" --depth "$tmp/d.pgm" -o "$o/v.png" -o "$o/./v.png"
expect "frames over the viewer page" "are the same file" "$c" --depth "$tmp/d.pgm" -o "$o/s.glb" --frames 3 \
  -o "$o/s.html%d.png" -o "$o/s.html1.png"
expect "html output" "written beside the mesh" "$c" --depth "$tmp/d.pgm" -o "$o/s.html"
expect "unknown output type" "cannot tell what to write" "$c" --depth "$tmp/d.pgm" -o "$o/s.obj"
expect "bad frame pattern" "%d or %0Nd" "$c" --depth "$tmp/d.pgm" -o "$o/f%s.png"
EXPECT_RC=2 expect "bad --view" "five numbers" "$c" --depth "$tmp/d.pgm" --view 1,2 -o "$o/v.png"
EXPECT_RC=2 expect "bad --stereo" "sbs or anaglyph" "$c" --depth "$tmp/d.pgm" --stereo wiggle -o "$o/v.png"
EXPECT_RC=2 expect "bad --camera" "swing, circle, zoom" "$c" --depth "$tmp/d.pgm" --camera orbit -o "$o/f%d.png"
EXPECT_RC=2 expect "--frames 0" "--frames" "$c" --depth "$tmp/d.pgm" --frames 0 -o "$o/f%d.png"
EXPECT_RC=2 expect "--report-consistency of one frame" "--frames 2 or more" "$c" --depth "$tmp/d.pgm" --frames 1 \
  --report-consistency 5 -o "$o/v.png"
# A 2050x2050 photo: its viewer page would be too large for a browser (refused before any rendering).
printf 'P6\n2050 2050\n255\n' >"$tmp/big.ppm"; head -c $((2050 * 2050 * 3)) /dev/zero >>"$tmp/big.ppm"
printf 'P5\n2050 2050\n65535\n' >"$tmp/big.pgm"; head -c $((2050 * 2050 * 2)) /dev/zero | tr '\0' '\003' >>"$tmp/big.pgm"
expect "viewer page of a huge photo" "give a smaller --size" "$tmp/big.ppm" --depth "$tmp/big.pgm" --fov 60 \
  --size 2050 -o "$o/s.glb"
rm -f "$tmp/big.ppm" "$tmp/big.pgm"
EXPECT_RC=2 expect "--fill stylized without a style" "needs the style" "$c" --depth "$tmp/d.pgm" --fill stylized -o "$o/v.png"
EXPECT_RC=2 expect "no output" "-o is required" "$c" --depth "$tmp/d.pgm"
expect "a folder as content" "not a folder" "$tmp" --depth "$tmp/d.pgm" -o "$o/v.png"
expect "missing content" "cannot open" "$tmp/nope.ppm" --depth "$tmp/d.pgm" -o "$o/v.png"
DEPTHSTYLE_PREPARED="$tmp" expect "no viewer bundle" "--no-viewer" "$c" --depth "$tmp/d.pgm" -o "$o/s.glb"

# Every kind of output from one run (NYU intrinsics: a Kinect depth file).
k="$tmp/ok"
out=$(timeout 300 "$bin" 3d "$c" --depth "$tmp/d.pgm" --size 32 --frames 4 --stereo sbs -o "$k/s.png" \
  -o "$k/f%02d.png" -o "$k/m.ply" -o "$k/m.glb" --no-viewer 2>&1)
rc=$?
size() { python3 -c "import sys; d=open(sys.argv[1],'rb').read(24); print(int.from_bytes(d[16:20],'big'), int.from_bytes(d[20:24],'big'))" "$1"; }
[ $rc -eq 0 ] && grep -qF "NYU Kinect intrinsics" <<<"$out" && [ "$(size "$k/s.png")" = "64 24" ] &&
  [ "$(size "$k/f04.png")" = "32 24" ] && [ ! -e "$k/f05.png" ] && [ -s "$k/m.ply" ] && [ -s "$k/m.glb" ] &&
  [ ! -e "$k/m.html" ]
check "one run writes a side-by-side pair (64x24), 4 frames, a .ply and a .glb (no page with --no-viewer)" $? \
  "exit $rc: $out $(ls -la "$k" 2>&1)"
# The consistency report scores the renders and, given pictures of the same frames, those too: the
# run's own frames (8-bit PNGs of the same renders) score the same within rounding.
out=$(timeout 300 "$bin" 3d "$c" --depth "$tmp/d.pgm" --size 32 --frames 4 --report-consistency 10 \
  --consistency-frames "$k/f%02d.png" -o "$tmp/again/g%d.png" 2>&1)
rmse=$(grep 'view consistency (Mu et al' <<<"$out" | sed 's/.*: RMSE \([0-9.]*\) over.*/\1/' | tr '\n' ' ')
[ "$(wc -w <<<"$rmse")" -eq 2 ] &&
  python3 -c "import sys; a, b = map(float, sys.argv[1:3]); sys.exit(0 if abs(a - b) < 0.01 else 1)" $rmse
check "--consistency-frames of the run's own frames scores as the renders ($rmse)" $? "$out"
EXPECT_RC=2 expect "--consistency-frames alone" "goes with --report-consistency" "$c" --depth "$tmp/d.pgm" \
  --consistency-frames "$k/f%02d.png" -o "$o/v.png"
expect "--consistency-frames missing" "missing (--consistency-frames" "$c" --depth "$tmp/d.pgm" --frames 5 \
  --report-consistency 3 --consistency-frames "$k/f%02d.png" -o "$o/v.png"
# Outputs are never written over inputs (a frame of that run as the content and as --stylized).
expect "output over the content" "no command writes over its inputs" "$k/f01.png" --depth "$tmp/d.pgm" \
  -o "$o/v.png" -o "$k/f01.png"
expect "output over the --stylized input" "no command writes over its inputs" "$c" --depth "$tmp/d.pgm" \
  --stylized "$k/f02.png" -o "$o/v.png" -o "$k/f02.png"
expect "frames over the content" "no command writes over its inputs" "$k/f01.png" --depth "$tmp/d.pgm" \
  --frames 3 -o "$k/f%02d.png"
# A shorter sequence removes the older one's frames after its last (so two runs never mix), unless
# one of them is an input.
expect "an older frame that is an input" "no command writes over its inputs" "$k/f04.png" --depth "$tmp/d.pgm" \
  --frames 2 -o "$k/f%02d.png"
[ -f "$k/f04.png" ]
check "the input frame is still there" $? ""
out=$(timeout 300 "$bin" 3d "$c" --depth "$tmp/d.pgm" --size 32 --frames 2 -o "$k/f%02d.png" 2>&1)
[ -f "$k/f02.png" ] && [ ! -e "$k/f03.png" ] && [ ! -e "$k/f04.png" ]
check "a 2-frame run over a 4-frame sequence leaves 2 frames" $? "$out $(ls "$k")"
expect_summary
