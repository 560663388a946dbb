#!/usr/bin/env bash
# stylize coarse to fine (--scales) and over a folder (batch), with the real networks at tiny
# sizes; needs the prepared data folder (scripts/prepare-data), else prints "skipped: no data".
#   - --scales 32,48,64 --iters 3,2,2 --save-every 2: the CSV (read by Python's csv module) has
#     the scale column and 3, 2, 2 rows per scale under one iteration counter; the frames are
#     OUT_s<scale>_iter<N>.png at that scale's size; a line per scale gives time and peak memory;
#   - scale 2 starts from scale 1's result, not from the content: its first logged loss is below
#     that of a single-scale run at 48 px starting from the content (the content has the full
#     style loss; three Adam steps at 32 px already lower it);
#   - a diverging run stops within its scale and writes that scale's best iterate, exit 1;
#   - a folder of 2 good images and a corrupt one: 2 results, a summary naming the bad file, exit 1;
#   - --depth DIR matched by stem: a.pgm used for a.png, an all-invalid b.pgm fails b only, no
#     depth file for c fails c only, saying so;
#   - OUTDIR equal to the content folder is refused, nothing written; so is --depth equal to it.
# Usage: stylize_scales_batch.sh BIN SOURCE_DIR
set -u
bin="$1"
source "$(dirname "$0")/with_data.sh"
need_data weights/squeezenet1_1.h5 weights/fastdepth.h5 images/content/chelsea.png images/style/starry_night.jpg
content="$data/images/content/chelsea.png" style="$data/images/style/starry_night.jpg"  # chelsea: 451x300
png_width() { "$py" -c "import struct,sys; print(struct.unpack('>I', open(sys.argv[1],'rb').read()[16:20])[0])" "$1"; }

S=(stylize "$content" --style "$style" --device cpu)
out=$("$bin" "${S[@]}" --scales 32,48,64 --iters 3,2,2 --save-every 2 -o "$tmp/ms/r.png" 2>&1)
rc=$?
[ $rc -eq 0 ] && "$py" - "$tmp/ms/r_losses.csv" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
head, body = rows[0], [[float(v) for v in r] for r in rows[1:]]
assert head[:4] == ["iteration", "seconds", "scale", "total"], head
assert [r[0] for r in body] == [1, 2, 3, 4, 5, 6, 7], [r[0] for r in body]
assert [r[2] for r in body] == [32, 32, 32, 48, 48, 64, 64], [r[2] for r in body]
PY
check "--scales: the CSV has the scale column and 3, 2, 2 rows per scale" $? "(exit $rc) $out"
frames=$(cd "$tmp/ms" && ls r_*iter*.png | tr '\n' ' ')
[ "$frames" = "r_s32_iter00002.png r_s48_iter00004.png r_s64_iter00006.png " ] &&
  [ "$(png_width "$tmp/ms/r_s32_iter00002.png")" -eq 32 ] && [ "$(png_width "$tmp/ms/r_s48_iter00004.png")" -eq 48 ] &&
  [ "$(png_width "$tmp/ms/r_s64_iter00006.png")" -eq 64 ] && [ "$(png_width "$tmp/ms/r.png")" -eq 64 ]
check "--scales: --save-every frames named and sized by scale, the result at the last scale" $? "frames: $frames"
grep -q "^scale 2/3 (48 px): 2 iterations in .*peak memory [0-9]* MiB" <<<"$out"
check "--scales: a line per scale with its time and peak memory" $? "$out"
"$bin" "${S[@]}" --size 48 --iters 1 -o "$tmp/single/r.png" >/dev/null 2>&1
"$py" - "$tmp/ms/r_losses.csv" "$tmp/single/r_losses.csv" <<'PY'
import csv, sys
multi = [[float(v) for v in r] for r in list(csv.reader(open(sys.argv[1])))[1:]]
single = float(list(csv.reader(open(sys.argv[2])))[1][3])
print("first loss at 48 px: from scale 1's result %.4g, from the content %.4g" % (multi[3][3], single))
assert multi[3][3] < 0.95 * single
PY
check "--scales: scale 2 starts from scale 1's result (lower first loss than from the content)" $?

# Divergence is watched per scale: --lr 10 stops at scale 1, whose best iterate (32 px) is written.
out=$("$bin" "${S[@]}" --scales 32,48 --iters 40,5 --lr 10 -o "$tmp/div/d.png" 2>&1)
rc=$?
[ $rc -eq 1 ] && grep -q "stopped at scale 1/2 (32 px), iteration" <<<"$out" && grep -q "try --lr 1 " <<<"$out" &&
  [ "$(png_width "$tmp/div/d.png")" -eq 32 ] && [ "$(tail -n +2 "$tmp/div/d_losses.csv" | wc -l)" -lt 40 ]
check "--scales --lr 10: stops in scale 1, writes that scale's best iterate, exit 1" $? "(exit $rc) $out"

# Batch: a.png and b.png good, c.png corrupt.
mkdir -p "$tmp/in" "$tmp/depth"
cp "$content" "$tmp/in/a.png"
cp "$content" "$tmp/in/b.png"
printf 'not an image' >"$tmp/in/c.png"
B=(stylize "$tmp/in" --style "$style" --size 32 --iters 2 --device cpu)
out=$("$bin" "${B[@]}" -o "$tmp/out" 2>&1)
rc=$?
[ $rc -eq 1 ] && [ -f "$tmp/out/a.png" ] && [ -f "$tmp/out/b.png" ] && [ -f "$tmp/out/a_losses.csv" ] &&
  [ ! -e "$tmp/out/c.png" ] && grep -q "summary: 2 of 3 images stylised, 1 failed" <<<"$out" &&
  grep -q "^$tmp/in/c.png *FAILED .*not an accepted image format" <<<"$out" &&
  grep -q "^$tmp/in/a.png *ok .*final loss" <<<"$out"
check "batch: 2 results, the corrupt file named in the summary, exit 1" $? "(exit $rc) $out"

# Depth by stem: a.pgm valid (a Kinect PGM of the content's aspect ratio, raw values 600..900
# left to right), b.pgm all invalid (2047), none for c (now a good image).
cp "$content" "$tmp/in/c.png"
"$py" - "$tmp/depth" <<'PY'
import struct, sys
def pgm(path, w, h, value):
    with open(path, "wb") as f:
        f.write(b"P5\n%d %d\n65535\n" % (w, h))
        f.write(b"".join(struct.pack("<H", value(x)) for y in range(h) for x in range(w)))
pgm(sys.argv[1] + "/a.pgm", 90, 60, lambda x: 600 + 300 * x // 89)
pgm(sys.argv[1] + "/b.pgm", 90, 60, lambda x: 2047)
PY
out=$("$bin" "${B[@]}" --depth "$tmp/depth" -o "$tmp/out2" 2>&1)
rc=$?
[ $rc -eq 1 ] && [ -f "$tmp/out2/a.png" ] && [ ! -e "$tmp/out2/b.png" ] && [ ! -e "$tmp/out2/c.png" ] &&
  grep -q "^depth: $tmp/depth/a.pgm" <<<"$out" && ! grep -q "estimated by" <<<"$out" &&
  grep -q "^$tmp/in/b.png *FAILED .*no valid pixel" <<<"$out" &&
  grep -qF "no depth file c.{png,pgm,mat,h5,hdf5} in --depth $tmp/depth" <<<"$out"
check "batch --depth DIR: depth matched by stem; a bad or missing depth fails that image only" $? "(exit $rc) $out"

before=$(ls "$tmp/in" | tr '\n' ' ')
out=$("$bin" "${B[@]}" -o "$tmp/in/../in" 2>&1)
rc=$?
[ $rc -eq 1 ] && grep -q "it is the input folder" <<<"$out" && [ "$(ls "$tmp/in" | tr '\n' ' ')" = "$before" ]
check "batch: OUTDIR equal to the content folder is refused" $? "(exit $rc) $out"

# --depth naming the content folder itself: its depth maps would be stylised as photos.
out=$("$bin" "${B[@]}" --depth "$tmp/in/." -o "$tmp/out3" 2>&1)
rc=$?
[ $rc -eq 1 ] && grep -q "is the content folder: its depth maps would be stylised as photos" <<<"$out" &&
  [ ! -e "$tmp/out3" ]
check "batch: --depth equal to the content folder is refused before any work" $? "(exit $rc) $out"

out=$("$bin" "${B[@]}" -o "$tmp/res.png" 2>&1)
rc=$?
[ $rc -eq 1 ] && grep -q "looks like an image file name" <<<"$out" && [ ! -e "$tmp/res.png" ]
check "batch: -o naming an image file rather than a folder is refused" $? "(exit $rc) $out"

finish
