#!/usr/bin/env bash
# scripts/gpu-check without a GPU: --dry-run lists every step of issue 12's device run with its
# command; bad options exit 2; on a machine with no CUDA device it says so and exits 3 (the
# distinct code) without writing a report. Also: --precision reaches bench's children and a
# bad value is refused. Usage: gpu_check.sh BIN SRC
set -uo pipefail
bin="$1" src="$2"
fail=0
check() { grep -qF -- "$1" <<<"$out" || { echo "FAIL: $2 lacks '$1':"; echo "$out"; fail=1; }; }
out="$("$src/scripts/gpu-check" --dry-run 2>&1)"
rc=$?
[ $rc = 0 ] || { echo "FAIL: --dry-run gave rc $rc"; fail=1; }
for want in build cuda-tests "-tc=*cuda*,*algorithm*" "compute-sanitizer --tool memcheck" "--tool racecheck" \
  "--tool synccheck" "--tool initcheck" "stylize cpu fp32" "stylize cuda tf32" "bench --device cuda" \
  "--compare-torch --workload squeezenet-512,vgg16-512,vgg16-1024,squeezenet-512-md2" "--precision tf32" \
  "DEPTHSTYLE_CUDNN_FIND=0"; do
  check "$want" "--dry-run"
done
out="$("$src/scripts/gpu-check" --dry-run --no-sanitizers --carried c.tar.xz 2>&1)"
check "unpack" "--dry-run --carried"
grep -qE '^(build|memcheck) ' <<<"$out" && { echo "FAIL: --carried --no-sanitizers still builds or sanitizes"; fail=1; }
# --pack --dry-run only says what it would build: no build folder appears.
had_carry=0
[ -e "$src/build-gpu-carry" ] && had_carry=1
out="$("$src/scripts/gpu-check" --pack --dry-run 2>&1; echo "rc=$?")"
check "would configure and build build-gpu-carry" "--pack --dry-run"
check "rc=0" "--pack --dry-run"
[ $had_carry = 1 ] || [ ! -e "$src/build-gpu-carry" ] || { echo "FAIL: --pack --dry-run made build-gpu-carry"; fail=1; }
for bad in "--budget x" "--frobnicate" "--build-dir a --carried b"; do
  # shellcheck disable=SC2086
  "$src/scripts/gpu-check" $bad >/dev/null 2>&1
  rc=$?
  [ $rc = 2 ] || { echo "FAIL: gpu-check $bad gave rc $rc, expected 2"; fail=1; }
done
err="$("$bin" bench --workload squeezenet-64 --device cpu --precision fp16 2>&1 >/dev/null)"
grep -qF "option --precision: 'fp16' is not fp32 or tf32" <<<"$err" || { echo "FAIL: bad precision: $err"; fail=1; }
if nvidia-smi -L >/dev/null 2>&1; then
  [ $fail = 0 ] || exit 1  # a skip message would hide the failures above
  echo "skipped: a CUDA device is present (the no-device exit is checked on machines without one)"
  exit $fail
fi
before="$(ls "$src"/docs/gpu-check-*.md 2>/dev/null)"
out="$("$src/scripts/gpu-check" --build-dir /nonexistent 2>&1)"
rc=$?
[ $rc = 3 ] || { echo "FAIL: no device gave rc $rc, expected 3"; fail=1; }
check "gpu-check: no CUDA device" "the no-device message"
[ "$(ls "$src"/docs/gpu-check-*.md 2>/dev/null)" = "$before" ] || { echo "FAIL: a report was written without a device"; fail=1; }
exit $fail
