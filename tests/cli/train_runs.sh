#!/usr/bin/env bash
# `depthstyle train` keeps one run per checkpoint folder (issue 18, bug 3): training into a
# folder that holds another run's checkpoints is refused (it used to overwrite some of them and
# leave the two runs mixed, so --resume then picked the other run's step); --resume with another
# --style or other loss settings is refused like another --batch-size; --overwrite replaces the
# other run; --resume continues the folder's own run. Needs the prepared data folder.
# Usage: train_runs.sh BIN SOURCE_DIR
set -u
bin="$1"
source "$(dirname "$0")/with_data.sh"
need_data weights/squeezenet1_1.h5 images/content/chelsea.png images/content/coffee.png \
  images/style/starry_night.jpg images/style/wave.jpg
mkdir -p "$tmp/imgs"
cp "$data/images/content/chelsea.png" "$data/images/content/coffee.png" "$tmp/imgs/"
T=(train --images "$tmp/imgs" --crop-size 32 --batch-size 1 --checkpoint-every 1 --device cpu -o "$tmp/ck")
A=("${T[@]}" --style "$data/images/style/starry_night.jpg")
B=("${T[@]}" --style "$data/images/style/wave.jpg")
state() { (cd "$tmp/ck" && sha256sum step_* losses.csv 2>/dev/null); }

out=$("$bin" "${A[@]}" --steps 2 2>&1)
[ -f "$tmp/ck/step_000002.h5" ]
check "train: a first run writes its checkpoints" $? "$out"
before=$(state)

out=$("$bin" "${B[@]}" --steps 3 2>&1)
rc=$?
[ $rc -eq 1 ] && grep -qF "holds 2 checkpoint(s) of another run" <<<"$out" && grep -qF -- "--overwrite" <<<"$out" &&
  [ "$(state)" == "$before" ] && [ ! -e "$tmp/ck/step_000003.h5" ]
check "train: another run into the folder is refused, nothing written" $? "(exit $rc) $out"

out=$("$bin" "${B[@]}" --steps 3 --resume "$tmp/ck" 2>&1)
rc=$?
[ $rc -eq 1 ] && grep -qF "the run was trained with --style" <<<"$out" && [ "$(state)" == "$before" ]
check "train: --resume with another --style is refused" $? "(exit $rc) $out"

out=$("$bin" "${A[@]}" --steps 3 --resume "$tmp/ck" --content-weight 2 2>&1)
rc=$?
[ $rc -eq 1 ] && grep -qF "the run was trained with --content-weight" <<<"$out" && [ "$(state)" == "$before" ]
check "train: --resume with another --content-weight is refused" $? "(exit $rc) $out"

out=$("$bin" "${B[@]}" --steps 1 --overwrite 2>&1)
rc=$?
[ $rc -eq 0 ] && grep -qF "removed 2 checkpoint(s) of another run" <<<"$out" &&
  [ "$(cd "$tmp/ck" && ls step_*)" == "$(printf 'step_000001.h5\nstep_000001.optim.h5')" ] &&
  [ "$(tail -n +2 "$tmp/ck/losses.csv" | wc -l)" -eq 1 ]
check "train --overwrite: the other run's checkpoints are gone, one run is left" $? "(exit $rc) $out"

out=$("$bin" "${B[@]}" --steps 2 --resume "$tmp/ck" 2>&1)
rc=$?
[ $rc -eq 0 ] && [ -f "$tmp/ck/step_000002.h5" ] && [ "$(tail -n +2 "$tmp/ck/losses.csv" | wc -l)" -eq 2 ]
check "train --resume continues the folder's own run" $? "(exit $rc) $out"

# fast takes the folder as its model, as --resume does: its latest checkpoint (it was "is a directory").
out=$("$bin" fast "$tmp/ck" "$tmp/imgs/chelsea.png" -o "$tmp/fast.png" --size 32 2>&1)
rc=$?
[ $rc -eq 0 ] && [ -f "$tmp/fast.png" ] && grep -qF "its latest checkpoint, $tmp/ck/step_000002.h5" <<<"$out"
check "fast: a train folder as the model is its latest checkpoint" $? "(exit $rc) $out"

# The summary counts the images that will train (it said "3 images" of 2 readable ones).
printf 'not an image' >"$tmp/imgs/broken.jpg"
out=$("$bin" train --images "$tmp/imgs" --crop-size 32 --batch-size 1 --device cpu -o "$tmp/ck2" \
  --style "$data/images/style/starry_night.jpg" --steps 1 2>&1)
rc=$?
[ $rc -eq 0 ] && grep -qF "train: 2 images (of 3 files; 1 unreadable, skipped, e.g. $tmp/imgs/broken.jpg" <<<"$out"
check "train: the summary counts only the readable images" $? "(exit $rc) $out"
finish
