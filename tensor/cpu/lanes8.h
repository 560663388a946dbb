// Eight-lane float/int vectors (GCC/Clang vector extensions) for the memory-bound CPU kernels
// (pooling, ReLU masks). One AVX register where the target has AVX, two SSE registers
// otherwise: no intrinsics, so any x86-64 (or other) target compiles the same code.
// Loads and stores go through memcpy: no alignment is assumed.
#pragma once
#include <cstdint>
#include <cstring>

// Without AVX (a portable build) GCC warns at every function that takes or returns an F8 that
// the 32-byte vector ABI changed (-Wpsabi). Such functions here and in the including kernel
// file are static or in an anonymous namespace, inlined into one library built with one set of
// flags, so no call crosses that ABI: the warning is switched off for the rest of the file.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wpsabi"
#endif

namespace ds {
namespace cpu {

using F8 = float __attribute__((vector_size(32)));
using I8 = int32_t __attribute__((vector_size(32)));

static inline F8 load8(const float* p) {
  F8 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
static inline void store8(float* p, F8 v) { std::memcpy(p, &v, sizeof v); }

// Lanes 0, 2, ..., 14 of the 16 floats at p: one stride-2 row of eight windows.
static inline F8 load8_even(const float* p) {
  const F8 lo = load8(p), hi = load8(p + 8);
#if defined(__clang__)
  return __builtin_shufflevector(lo, hi, 0, 2, 4, 6, 8, 10, 12, 14);
#else
  return __builtin_shuffle(lo, hi, I8{0, 2, 4, 6, 8, 10, 12, 14});
#endif
}

}  // namespace cpu
}  // namespace ds
