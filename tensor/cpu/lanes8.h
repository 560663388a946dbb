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

// Lanes 1, 3, ..., 15 of the 16 floats at p.
inline F8 load8_odd(const float* p) {
  const F8 lo = load8(p), hi = load8(p + 8);
#if defined(__clang__)
  return __builtin_shufflevector(lo, hi, 1, 3, 5, 7, 9, 11, 13, 15);
#else
  return __builtin_shuffle(lo, hi, I8{1, 3, 5, 7, 9, 11, 13, 15});
#endif
}

// The 16 floats a0 b0 a1 b1 ... a7 b7, stored at p.
inline void store16_interleaved(float* p, F8 a, F8 b) {
#if defined(__clang__)
  store8(p, __builtin_shufflevector(a, b, 0, 8, 1, 9, 2, 10, 3, 11));
  store8(p + 8, __builtin_shufflevector(a, b, 4, 12, 5, 13, 6, 14, 7, 15));
#else
  store8(p, __builtin_shuffle(a, b, I8{0, 8, 1, 9, 2, 10, 3, 11}));
  store8(p + 8, __builtin_shuffle(a, b, I8{4, 12, 5, 13, 6, 14, 7, 15}));
#endif
}

}  // namespace cpu
}  // namespace ds
