#!/usr/bin/env bash
# depthstyle bench: an unknown workload is a clear error; a tiny workload runs and reports a
# positive median and peak RSS in its table and JSON (read back by Python's json module, which
# also recomputes the median and quartiles from the per-iteration times). Needs the random
# SqueezeNet of scripts/make-bench-weights: <src>/data/bench/, else made in a temporary folder
# when Debian's python3-torch is present, else "skipped: no data". Usage: bench.sh BIN SRC
set -uo pipefail
bin="$1" src="$2"
fail=0
err="$("$bin" bench --workload resnet-64 --device cpu 2>&1 >/dev/null)"
rc=$?
{ [ $rc = 1 ] || [ $rc = 2 ]; } || { echo "FAIL: unknown workload gave rc $rc"; fail=1; }
for want in "unknown workload 'resnet-64'" squeezenet-256 vgg16-256 squeezenet-256-md2; do
  grep -qF -- "$want" <<<"$err" || { echo "FAIL: unknown-workload error lacks '$want': $err"; fail=1; }
done
for w in fast-2x720 fast-64 fast-64x48x2; do
  err="$("$bin" bench --workload "$w" --device cpu 2>&1 >/dev/null)" && { echo "FAIL: workload $w accepted"; fail=1; }
  grep -qF "unknown workload '$w'" <<<"$err" && grep -qF "fast-1280x720" <<<"$err" ||
    { echo "FAIL: workload $w: unclear error: $err"; fail=1; }
done
err="$("$bin" bench --workload squeezenet-64 --device cpu --weights-dir /nonexistent 2>&1 >/dev/null)"
grep -q "/nonexistent/squeezenet1_1.h5 not found: run scripts/make-bench-weights" <<<"$err" ||
  { echo "FAIL: missing weights error unclear: $err"; fail=1; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
dir="$src/data/bench"
if [ ! -f "$dir/squeezenet1_1.h5" ]; then
  dir="$tmp/weights"
  if ! /usr/bin/python3 -c 'import torch, torchvision, h5py' 2>/dev/null ||
     ! "$src/scripts/make-bench-weights" --nets squeezenet --out "$dir" >/dev/null 2>&1; then
    echo "skipped: no data (no bench weights and no python3-torch to make them)"
    exit $fail
  fi
fi
out="$(OMP_WAIT_POLICY=passive "$bin" bench --workload squeezenet-64 --iters 2 --warmup 1 --device cpu \
       --weights-dir "$dir" --json "$tmp/r/bench.json")" || { echo "FAIL: bench failed: $out"; exit 1; }
echo "$out"
before="$(md5sum < "$dir/squeezenet1_1.h5")"
err="$("$bin" bench --workload squeezenet-64 --iters 1 --warmup 0 --device cpu --weights-dir "$dir" \
       --json "$dir/squeezenet1_1.h5" 2>&1 >/dev/null)" && { echo "FAIL: --json onto a weight file was accepted"; fail=1; }
[ "$(md5sum < "$dir/squeezenet1_1.h5")" = "$before" ] || { echo "FAIL: --json wrote over the weights"; fail=1; }
grep -q "squeezenet1_1.h5" <<<"$err" || { echo "FAIL: --json onto the weights: unclear error: $err"; fail=1; }
row="$(echo "$out" | grep '^| squeezenet-64 |')"
median="$(echo "$row" | awk -F'|' '{ split($3, a, " "); print a[1] }')"
peak="$(echo "$row" | awk -F'|' '{ print $4 + 0 }')"
awk -v m="$median" -v p="$peak" 'BEGIN { exit !(m > 0 && p > 0) }' ||
  { echo "FAIL: table row '$row' lacks a median > 0 and a peak > 0"; fail=1; }
grep -qE '^kernels: (avx512|avx2|generic) \([0-9]+-float vectors' <<<"$out" || { echo "FAIL: no kernels line: $out"; fail=1; }
# The fast-style transformer per frame (`fast`), when the prepared la_muse weights are there.
if [ -f "$src/data/weights/fast_style_la_muse.h5" ]; then
  fast="$(OMP_WAIT_POLICY=passive DEPTHSTYLE_PREPARED="$src/data" "$bin" bench --workload fast-64x48 --iters 2 --warmup 1 \
          --device cpu)" || { echo "FAIL: bench fast-64x48 failed: $fast"; fail=1; }
  grep -qE '^\| fast-64x48 \| [0-9.]+ ' <<<"$fast" || { echo "FAIL: no fast-64x48 row: $fast"; fail=1; }
fi
# --clock: a bad value is a clear error; cpu times each process's CPU time, which on one thread
# is at most the wall time of the whole child (ms, not ns or s: the sum of the timed iterations).
err="$("$bin" bench --workload squeezenet-64 --clock gpu --device cpu --weights-dir "$dir" 2>&1 >/dev/null)" &&
  { echo "FAIL: --clock gpu accepted"; fail=1; }
grep -qF -- "--clock must be 'wall' or 'cpu', got 'gpu'" <<<"$err" || { echo "FAIL: --clock gpu: unclear error: $err"; fail=1; }
t0=$(date +%s%N)
cpu="$(OMP_NUM_THREADS=1 OMP_WAIT_POLICY=passive "$bin" bench --workload squeezenet-64 --iters 2 --warmup 1 --clock cpu \
       --device cpu --weights-dir "$dir" --json "$tmp/c/bench.json")" || { echo "FAIL: bench --clock cpu failed: $cpu"; fail=1; }
wall_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
grep -q '^clock: cpu' <<<"$cpu" || { echo "FAIL: no 'clock: cpu' line: $cpu"; fail=1; }
/usr/bin/python3 -c 'import json, sys; ms = json.loads(open(sys.argv[1]).readline())["ms"]
print("clock cpu: timed", ms, "ms; whole child", sys.argv[2], "ms wall")
sys.exit(0 if len(ms) == 2 and min(ms) > 0 and sum(ms) <= float(sys.argv[2]) else 1)' "$tmp/c/bench.json" "$wall_ms" ||
  { echo "FAIL: --clock cpu times are not positive CPU milliseconds within the wall time"; fail=1; }
grep -qE '^cpu: .+' <<<"$out" && grep -qE '^commit: ([0-9a-f]{7,}(\+changes)?|unknown)$' <<<"$out" || { echo "FAIL: no cpu line, or no 'commit: <hash>[+changes]' line"; fail=1; }
/usr/bin/python3 - "$tmp/r/bench.json" <<'PY' || fail=1
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert len(rows) == 1 and rows[0]["workload"] == "squeezenet-64" and rows[0]["tool"] == "depthstyle", rows
r = rows[0]
ms = sorted(r["ms"])
q = statistics.quantiles(ms, n=4, method="inclusive")  # linear interpolation, as the peer's percentile
ok = len(ms) == 2 and min(ms) > 0 and r["peak_mb"] > 0 and abs(r["median_ms"] - statistics.median(ms)) < 1e-6 \
    and abs(r["p25_ms"] - q[0]) < 1e-6 and abs(r["p75_ms"] - q[2]) < 1e-6 and r["min_ms"] == ms[0] and r["max_ms"] == ms[-1]
print("bench JSON:", "ok" if ok else "FAIL", r)
sys.exit(0 if ok else 1)
PY
[ $fail = 0 ] && echo "bench: unknown workload rejected; squeezenet-64 timed with median and peak RSS > 0"
exit $fail
