#!/usr/bin/env bash
# roofline and bench_conv (the benchmark tools, not tests themselves): bad options are refused with
# rc 2; roofline --clock cpu on small arrays prints an FMA-peak row per thread count for each path
# this CPU runs, with positive rates whose per-thread column is the total over the threads, the
# memory rows (reading not slower than copying) and a ridge point equal to the best peak over the
# best bandwidth it printed.
# Usage: roofline.sh ROOFLINE BENCH_CONV
set -uo pipefail
roofline="$1" bench_conv="$2"
fail=0
for bad in "--clock gpu" "--runs" "--frobnicate"; do
  # shellcheck disable=SC2086
  err="$("$roofline" $bad 2>&1 >/dev/null)"; rc=$?
  [ $rc = 2 ] && grep -q "usage: roofline" <<<"$err" || { echo "FAIL: roofline $bad: rc $rc, '$err'"; fail=1; }
done
err="$("$bench_conv" --clock gpu 2>&1 >/dev/null)"; rc=$?
[ $rc = 2 ] && grep -qF "bench_conv: --clock must be 'wall' or 'cpu', got 'gpu'" <<<"$err" ||
  { echo "FAIL: bench_conv --clock gpu: rc $rc, '$err'"; fail=1; }
out="$(OMP_NUM_THREADS=2 OMP_WAIT_POLICY=passive "$roofline" --runs 3 --mb 4 --clock cpu)" ||
  { echo "FAIL: roofline failed: $out"; exit 1; }
echo "$out"
/usr/bin/python3 - "$out" <<'PY' || fail=1
import os, re, sys
text = sys.argv[1]
assert "CPU time per thread (--clock cpu)" in text, "the header does not name the clock"
fma = re.findall(r"^\| (\w+) \((\d+) floats\) \| (\d+) \| ([\d.]+) \(([\d.]+)\) \| ([\d.]+) \|$", text, re.M)
mem = re.findall(r"^\| (read|write|copy|triad) \| (\d+) \| ([\d.]+) \(([\d.]+)\) \|$", text, re.M)
paths = {p for p, *_ in fma}
assert fma and "generic" in paths, ("no FMA rows, or no generic path", fma)
for path in paths:
    assert {int(t) for p, _, t, *_ in fma if p == path} == {1, 2}, ("thread counts of", path, fma)
for p, _, t, best, median, per in fma:
    best, median, per = float(best), float(median), float(per)
    assert best > 0 and median <= best and abs(per - best / int(t)) <= 0.1 + 1e-3 * best, (p, t, best, median, per)
assert {k for k, *_ in mem} == {"read", "write", "copy", "triad"} and all(float(b) > 0 for *_, b, _ in mem), mem
# Reading an array is not far slower than copying it: a read loop bound by its adds' latency
# read at 0.2 of copy's rate; a correct one reads at 0.9-1.2 of it, and at 0.46 in the worst of
# single runs under ctest -j2 (hence the best of 3 runs and the bound 0.35).
# Not in a sanitized build (DEPTHSTYLE_SANITIZED, set by tests/CMakeLists.txt): there every load of
# the read loop is instrumented and copy is libc's. (Under ctest -j2 this test failed once in the
# sanitized build; its output was not kept, and this comparison is its only timing-dependent check.)
rate = {(k, t): float(b) for k, t, b, _ in mem}
if os.environ.get("DEPTHSTYLE_SANITIZED"):
    print("read against copy: not compared (sanitized build)")
else:
    for t in {t for _, t, *_ in mem}:
        assert rate[("read", t)] >= 0.35 * rate[("copy", t)], ("read far below copy", t, rate)
ridge = re.search(r"ridge point: ([\d.]+) FLOP/byte \(best FMA peak ([\d.]+) GFLOP/s / best bandwidth ([\d.]+) GB/s\)", text)
assert ridge, "no ridge point line"
r, peak, bw = map(float, ridge.groups())
assert abs(peak - max(float(b) for *_, b, _, _ in fma)) <= 0.1 and abs(bw - max(float(b) for *_, b, _ in mem)) <= 0.1, ridge.group(0)
# Each of r, peak and bw is printed to 0.1: r is off the quotient of the printed two by its own
# rounding (0.05) plus what their roundings (0.05 each) move the quotient: (peak/bw)(0.05/peak +
# 0.05/bw). A bound of 1% of r missed the second term at a sanitized build's 3.5 GB/s (4.7 printed
# against 16.1 / 3.5 = 4.6).
assert abs(r - peak / bw) <= 0.05 + (peak / bw) * (0.05 / peak + 0.05 / bw) + 1e-9, ridge.group(0)
print("roofline: %d FMA rows (%s), %d memory rows, ridge %.1f FLOP/byte" % (len(fma), ", ".join(sorted(paths)), len(mem), r))
PY
exit $fail
