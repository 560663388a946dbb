#!/usr/bin/env bash
# ds_tests --perf (tests/op_perf.cpp): the op table's cases timed, one row per case and device with
# positive times and a rate (GFLOP/s for a convolution, GB/s otherwise); a filter selects cases by
# group or name, one that selects nothing and an unknown option are errors. Times are not judged.
# Usage: op_perf.sh DS_TESTS
set -uo pipefail
bin="$1"
fail=0
out="$("$bin" --perf --perf-filter=conv2d_act --perf-reps=2 --perf-device=cpu 2>&1)"
rc=$?
[ $rc = 0 ] || { echo "FAIL: --perf exit $rc: $out"; fail=1; }
rows="$(grep -c '^| conv2d_act | .* | cpu | ' <<<"$out")"
[ "$rows" -ge 5 ] || { echo "FAIL: expected >= 5 conv2d_act rows, got $rows: $out"; fail=1; }
grep -q '^op perf: .* CPU kernels ' <<<"$out" || { echo "FAIL: no header naming the kernels: $out"; fail=1; }
if grep '^| conv2d_act |' <<<"$out" | grep -vqE '\| [0-9.]+ \| [0-9.]+ GFLOP/s \| [0-9.]+ \| [0-9.]+ GFLOP/s \|$'; then
  echo "FAIL: a conv row without times and GFLOP/s: $out"; fail=1
fi
grep '^| conv2d_act |' <<<"$out" | grep -qE '\| 0\.0000 \|' && { echo "FAIL: a zero time: $out"; fail=1; }
out="$("$bin" --perf --perf-filter=relu --perf-reps=1 --perf-device=cpu 2>&1)"
grep -qE '^\| activations \| .*relu.* \| cpu \| [0-9.]+ \| [0-9.]+ GB/s \|' <<<"$out" ||
  { echo "FAIL: no GB/s row for relu: $out"; fail=1; }
err="$("$bin" --perf --perf-filter=no-such-op 2>&1)"
[ $? = 1 ] && grep -q "no op-table case matches 'no-such-op'" <<<"$err" || { echo "FAIL: empty filter: $err"; fail=1; }
err="$("$bin" --perf --perf-reps=0 2>&1)"
[ $? = 2 ] || { echo "FAIL: --perf-reps=0 accepted: $err"; fail=1; }
err="$("$bin" --perf --bogus 2>&1)"
[ $? = 2 ] && grep -q "unknown option '--bogus'" <<<"$err" || { echo "FAIL: unknown option: $err"; fail=1; }
[ $fail = 0 ] && echo "ok"
exit $fail
