#!/usr/bin/env bash
# The commands' outputs with the real networks (issue 9, points 5, 6 and 8); needs the prepared
# data folder (scripts/prepare-data), else prints "skipped: no data".
#   - depth and features create a missing output folder; fast --overwrite replaces each image
#     by its own result and leaves the other inputs alone; train resumes into its own folder;
#   - stylize's losses CSV reads back (Python's csv module) with its header, iterations 1..N,
#     totals equal to the sum of their terms, and the first/last totals the command printed;
#   - stylize --lr 10 diverges: exit 1, a smaller --lr suggested, and the image written is the
#     best iterate: its loss, measured by a second run starting from it, is not above the start;
#   - a 1024x16 style image is refused before any iteration, naming it, its working size and
#     the minimum.
# Usage: outputs_with_data.sh BIN SOURCE_DIR
set -u
bin="$1"
source "$(dirname "$0")/with_data.sh"
need_data weights/squeezenet1_1.h5 weights/fastdepth.h5 weights/fast_style_scream.h5 images/content/chelsea.png \
  images/style/starry_night.jpg
content="$data/images/content/chelsea.png" style="$data/images/style/starry_night.jpg"

# Missing output folders are created (depth and features used to fail after computing).
out=$("$bin" depth "$content" -o "$tmp/new/deeper/d.png" --device cpu 2>&1)
[ -f "$tmp/new/deeper/d.png" ] && [ -f "$tmp/new/deeper/d_preview.png" ]
check "depth creates a missing output folder" $? "$out"
out=$("$bin" features --layers fire2 --size 64 "$content" -o "$tmp/new2/x/f.h5" --device cpu 2>&1)
[ -f "$tmp/new2/x/f.h5" ]
check "features creates a missing output folder" $? "$out"

# fast --overwrite: a.png replaced by its result, b.jpg left alone, b.png written beside it.
mkdir -p "$tmp/imgs"
cp "$content" "$tmp/imgs/a.png"
cp "$style" "$tmp/imgs/b.jpg"
a0=$(sha256sum <"$tmp/imgs/a.png") b0=$(sha256sum <"$tmp/imgs/b.jpg")
out=$("$bin" fast scream "$tmp/imgs" -o "$tmp/imgs" --overwrite --size 48 --device cpu 2>&1)
rc=$?
[ $rc -eq 0 ] && [ "$(sha256sum <"$tmp/imgs/a.png")" != "$a0" ] && [ "$(sha256sum <"$tmp/imgs/b.jpg")" == "$b0" ] &&
  [ -f "$tmp/imgs/b.png" ] && [ "$(ls -A "$tmp/imgs" | wc -l)" -eq 3 ] &&
  "$bin" fast scream "$tmp/imgs/a.png" -o "$tmp/check.png" --device cpu >/dev/null 2>&1  # still an image
check "fast --overwrite replaces each image by its own result only" $? "(exit $rc) $out"

# train resumes into its own folder: its outputs are later steps than the checkpoint it reads.
T=(train --images "$tmp/imgs" --style "$style" --crop-size 32 --batch-size 1 --checkpoint-every 1 --device cpu
  -o "$tmp/ck")
"$bin" "${T[@]}" --steps 1 >/dev/null 2>&1 && out=$("$bin" "${T[@]}" --steps 2 --resume "$tmp/ck" 2>&1) &&
  [ -f "$tmp/ck/step_000002.h5" ] && [ "$(tail -n +2 "$tmp/ck/losses.csv" | wc -l)" -eq 2 ]
check "train --resume into the checkpoint folder" $? "$out"

# The losses CSV of a normal run, read back by an independent parser.
S=(stylize "$content" --style "$style" --size 48 --device cpu)
out=$("$bin" "${S[@]}" --iters 6 -o "$tmp/run/r.png" 2>&1)
rc=$?
printed=$(grep -o 'loss [^ ]* -> [^ ]*' <<<"$out")
"$py" - "$tmp/run/r_losses.csv" "$printed" <<'EOF'
import csv, math, sys
rows = list(csv.reader(open(sys.argv[1])))
head, body = rows[0], [[float(v) for v in r] for r in rows[1:]]
assert head == ["iteration", "seconds", "scale", "total", "content", "style_starry_night", "tv", "depth"], head
assert [r[0] for r in body] == [1, 2, 3, 4, 5, 6], [r[0] for r in body]
assert all(b[1] >= a[1] >= 0 for a, b in zip(body, body[1:])), "seconds must not decrease"
assert all(r[2] == 48 for r in body), "the scale column is the long side, --size 48"
for r in body:  # the total is a float32 sum of four float32 terms: relative error < 4 * 2^-24
    assert math.isclose(r[3], sum(r[4:]), rel_tol=1e-6), r
_, first, _, last = sys.argv[2].split()
assert float(first) == float("%.4g" % body[0][3]) and float(last) == float("%.4g" % body[-1][3]), (sys.argv[2], body)
EOF
check "stylize's losses CSV reads back with its meaning (rc $rc, printed '$printed')" $? "$out"

# --lr 10 diverges: stops, says so, suggests a smaller --lr, writes the best iterate.
out=$("$bin" "${S[@]}" --iters 40 --lr 10 -o "$tmp/div/d.png" 2>&1)
rc=$?
[ $rc -eq 1 ] && grep -q "try --lr 1 " <<<"$out" && grep -q "best iterate" <<<"$out" && [ -f "$tmp/div/d.png" ] &&
  [ "$(tail -n +2 "$tmp/div/d_losses.csv" | wc -l)" -lt 40 ]
check "stylize --lr 10: exit 1, stopped early, a smaller --lr suggested" $? "(exit $rc) $out"
# The written image's loss: the first CSV row of a run that starts from it (row 1 is the loss of
# the starting image). It must not exceed the diverged run's start (8-bit rounding of the PNG
# allows 5%), and must be far below where the run ended.
"$bin" "${S[@]}" --iters 1 --lr 1e-6 --init "$tmp/div/d.png" -o "$tmp/div/check.png" >/dev/null 2>&1
"$py" - "$tmp/div/d_losses.csv" "$tmp/div/check_losses.csv" <<'EOF'
import csv, sys
run = [[float(v) for v in r] for r in list(csv.reader(open(sys.argv[1])))[1:]]
written = float(list(csv.reader(open(sys.argv[2])))[1][3])  # column 3: total
start, end = run[0][3], run[-1][3]
print("start %.4g, end %.4g, loss of the written image %.4g" % (start, end, written))
assert written <= 1.05 * start and written < end / 100
EOF
check "stylize --lr 10: the image written is the best iterate" $?

# A 1024x16 style image: refused before the first iteration, naming what is wrong.
"$py" -c "import sys; sys.stdout.buffer.write(b'P6\n1024 16\n255\n' + bytes(range(256)) * 192)" >"$tmp/wide.ppm"
out=$("$bin" "${S[@]}" --style "$tmp/wide.ppm" --iters 5 -o "$tmp/wide/w.png" 2>&1)
rc=$?
# The style follows --size here, so the message names --size (not --style-size, which was not given).
[ $rc -eq 1 ] && grep -qF "style image $tmp/wide.ppm: 48x1 at --size 48" <<<"$out" &&
  grep -q "smaller than the [0-9]*x[0-9]* px that squeezenet" <<<"$out" && ! grep -q "^1/5" <<<"$out" &&
  grep -qF "give --size 832 or more, or --style-size 832" <<<"$out" &&
  [ ! -e "$tmp/wide/w_losses.csv" ] && [ ! -e "$tmp/wide/w.png" ]
check "stylize: a 1024x16 style is refused before any iteration" $? "(exit $rc) $out"

finish
