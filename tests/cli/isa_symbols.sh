#!/usr/bin/env bash
# The per-instruction-set kernel builds (tensor/cpu/isa_*.cpp) define no symbol the linker could
# merge with another build's: an inline function of a shared header emitted out of line (a weak
# symbol) in the AVX-512 object could be the copy the linker keeps, and run on a CPU without
# AVX-512. Each object may define only its kernel table ds::cpu::<isa>::kKernels (and the C++
# personality reference every object with exceptions has); everything else must be local.
# AddressSanitizer adds one __odr_asan.<global> marker per instrumented global (its ODR-violation
# check, scripts/test-sanitizers): allowed for the kernel table only.
# Self-check: a file that defines a weak inline function is flagged.
# Usage: isa_symbols.sh OBJECT... (the objects of ds_tensor; those not named isa_* are ignored)
#        isa_symbols.sh --self-test CXX
set -uo pipefail
check() {  # prints the offending symbols of object $1
  nm -C --defined-only "$1" | awk '$2 !~ /^[tTbBdDrR]$/ || $2 ~ /^[TBDR]$/' |
    grep -vE ' (ds::cpu::[a-z0-9]+::kKernels|DW\.ref\.__gxx_personality_v0|__odr_asan\._ZN2ds3cpu[0-9]+[a-z0-9]+8kKernelsE)$'
}
if [ "${1:-}" = --self-test ]; then
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  printf 'inline int twice(int x) { return 2 * x; }\nint (*use)(int) = twice;\n' >"$tmp/isa_bad.cpp"
  "$2" -O0 -c "$tmp/isa_bad.cpp" -o "$tmp/isa_bad.o" || { echo "FAIL: cannot compile the self-test file"; exit 1; }
  if out="$(check "$tmp/isa_bad.o")" && grep -q twice <<<"$out"; then echo "self-test: flagged $out"; exit 0; fi
  echo "FAIL: the check did not flag a weak inline function"
  exit 1
fi
fail=0 seen=0
for obj in "$@"; do
  case "$(basename "$obj")" in isa_*) ;; *) continue ;; esac
  seen=$((seen + 1))
  if bad="$(check "$obj")"; then
    echo "FAIL: $obj exports symbols other than its kernel table:"
    echo "$bad"
    fail=1
  fi
done
[ $seen -gt 0 ] || { echo "FAIL: no isa_* object among the arguments"; exit 1; }
[ $fail = 0 ] && echo "ok: $seen per-ISA objects export only their kernel tables"
exit $fail
