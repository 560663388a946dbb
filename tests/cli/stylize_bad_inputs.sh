#!/usr/bin/env bash
# Bad inputs to `depthstyle stylize` each give a clear error (exit 1, "error:" and a message
# naming the problem) — never a crash, a hang or an image. Usage: stylize_bad_inputs.sh BIN
set -u
bin="$1"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "$0")/expect_error.sh"

# expect NAME EXPECTED_SUBSTRING ARGS...: the command must fail (exit 1; EXPECT_RC=2 where the
# command line itself is wrong: a value its option does not take, apps/common/args.h UsageError),
# say EXPECTED, write no out.png.
no_result() { [ ! -f "$tmp/out.png" ]; }
expect() {
  local name="$1" want="$2"
  shift 2
  expect_error "$name" "$want" no_result "$bin" stylize "$@" -o "$tmp/out.png"
}

# Small valid inputs made here: a 8x6 PPM content and style, and depth maps.
printf 'P6\n8 6\n255\n' >"$tmp/c.ppm"; head -c 144 /dev/urandom >>"$tmp/c.ppm"
cp "$tmp/c.ppm" "$tmp/s.ppm"
printf 'not an image at all' >"$tmp/corrupt.png"
printf '\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\0\0\0\0\0\0\x08\x02\0\0\0\0\0\0\0' >"$tmp/zero.png"
printf 'P6\n0 0\n255\n' >"$tmp/zero.ppm"
# Kinect PGMs (little-endian 16-bit): one 16x12 (another aspect ratio), one 8x6 all invalid (2047).
python_pgm() {  # python-free: write W H VALUE as a P5 PGM with little-endian samples
  local w=$1 h=$2 v=$3 f=$4 lo hi
  printf 'P5\n%d %d\n65535\n' "$w" "$h" >"$f"
  lo=$(printf '\\x%02x' $((v & 255))); hi=$(printf '\\x%02x' $((v >> 8)))
  for ((i = 0; i < w * h; i++)); do printf "$lo$hi" >>"$f"; done
}
python_pgm 16 16 700 "$tmp/square.pgm"
python_pgm 8 6 2047 "$tmp/invalid.pgm"

expect "missing content file" "cannot open" "$tmp/nope.png" --style "$tmp/s.ppm"
expect "missing style file" "cannot open" "$tmp/c.ppm" --style "$tmp/nope.jpg"
expect "corrupt png" "not an accepted image format" "$tmp/corrupt.png" --style "$tmp/s.ppm"
expect "0x0 png" "not a readable PNG" "$tmp/zero.png" --style "$tmp/s.ppm"
expect "0x0 ppm" "no pixels" "$tmp/zero.ppm" --style "$tmp/s.ppm"
expect "depth of another aspect ratio" "aspect" "$tmp/c.ppm" --style "$tmp/s.ppm" --depth "$tmp/square.pgm"
expect "depth map with no valid pixel" "no valid pixel" "$tmp/c.ppm" --style "$tmp/s.ppm" --depth "$tmp/invalid.pgm"
expect "missing depth file" "cannot open" "$tmp/c.ppm" --style "$tmp/s.ppm" --depth "$tmp/nope.pgm"
EXPECT_RC=2 expect "absurd --size" "--size" "$tmp/c.ppm" --style "$tmp/s.ppm" --size 100000
EXPECT_RC=2 expect "negative --iters" "--iters" "$tmp/c.ppm" --style "$tmp/s.ppm" --iters -5
EXPECT_RC=2 expect "bad mask spec" "mask" "$tmp/c.ppm" --style "$tmp/s.ppm" --style-mask "wobble:k=1"
# A mask that weights nothing is refused with the options, before any network is looked for
# (no data folder here): it used to be "eta = 0" after the networks had loaded.
EXPECT_RC=2 DEPTHSTYLE_PREPARED=$tmp/no-data expect "mask that weights nothing, before any network" "at most 6.1e-06" \
  "$tmp/c.ppm" --style "$tmp/s.ppm" --style-mask "sigmoid:k=12,t=2"
# Option words are not values, and unknown options get the one meant: a command line that
# cannot be read exits 2 (as an unknown command does), a failed run 1.
EXPECT_RC=2 expect "an option word after --style" \
  "--style needs a value (IMAGE), but the next word is the option '-o'" "$tmp/c.ppm" --style
EXPECT_RC=2 expect "a misspelt option" "did you mean --style-weight?" "$tmp/c.ppm" --style "$tmp/s.ppm" --style-wieght 2
EXPECT_RC=2 expect "neural-style's -model_file" "is not supported: convert the model once" "$tmp/c.ppm" \
  --style "$tmp/s.ppm" -model_file vgg.caffemodel
EXPECT_RC=2 expect "no content" "expected one CONTENT image or folder" --style "$tmp/s.ppm"
EXPECT_RC=2 expect "no style" "--style" "$tmp/c.ppm"
EXPECT_RC=2 expect "unknown option" "unknown option" "$tmp/c.ppm" --style "$tmp/s.ppm" --frobnicate 3
# Coarse to fine (--scales): refused before any file is read or written.
EXPECT_RC=2 expect "decreasing --scales" "the long sides must increase" "$tmp/c.ppm" --style "$tmp/s.ppm" --scales 64,32
EXPECT_RC=2 expect "--iters list of another length" "one per scale (2 scales), got 3" "$tmp/c.ppm" --style "$tmp/s.ppm" \
  --scales 32,64 --iters 5,5,5
EXPECT_RC=2 expect "--size other than the last scale" "--size 48 conflicts with --scales 32,64" "$tmp/c.ppm" --style "$tmp/s.ppm" \
  --scales 32,64 --size 48
EXPECT_RC=2 expect "--scales with --multires" "given together" "$tmp/c.ppm" --style "$tmp/s.ppm" --scales 32,64 --multires 2
EXPECT_RC=2 expect "empty item in --scales" "item 2 of the comma-separated list is empty" "$tmp/c.ppm" --style "$tmp/s.ppm" \
  --scales 32,,64
# A bad DEPTHSTYLE_CONV is an error at once (it once hung: the smallest-size search swallowed it 4096 times).
DEPTHSTYLE_CONV=bogus expect "DEPTHSTYLE_CONV=bogus" "DEPTHSTYLE_CONV must be 'auto'" "$tmp/c.ppm" --style "$tmp/s.ppm"

expect_summary
