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

// Lanes of the 16-lane concatenation (a, b) picked by eight constant indices: Clang and GCC
// spell the builtin differently.
#if defined(__clang__)
#define DS_SHUFFLE8(a, b, ...) __builtin_shufflevector(a, b, __VA_ARGS__)
#else
#define DS_SHUFFLE8(a, b, ...) __builtin_shuffle(a, b, I8{__VA_ARGS__})
#endif

// Lanes 0, 2, ..., 14 of the 16 floats at p: one stride-2 row of eight windows.
static inline F8 load8_even(const float* p) { return DS_SHUFFLE8(load8(p), load8(p + 8), 0, 2, 4, 6, 8, 10, 12, 14); }

// Lanes 1, 3, ..., 15 of the 16 floats at p.
static inline F8 load8_odd(const float* p) { return DS_SHUFFLE8(load8(p), load8(p + 8), 1, 3, 5, 7, 9, 11, 13, 15); }

// The 16 floats a0 b0 a1 b1 ... a7 b7, stored at p.
static inline void store16_interleaved(float* p, F8 a, F8 b) {
  store8(p, DS_SHUFFLE8(a, b, 0, 8, 1, 9, 2, 10, 3, 11));
  store8(p + 8, DS_SHUFFLE8(a, b, 4, 12, 5, 13, 6, 14, 7, 15));
}

// The 8 x 8 matrix of rows r[0..7] transposed in place (r[i][j] <- r[j][i]): the three shuffle
// stages of the usual AVX transpose (pairs, then quads within 128-bit halves, then halves).
static inline void transpose8(F8* r) {
  F8 t[8], u[8];
  for (int i = 0; i < 8; i += 2) {
    t[i] = DS_SHUFFLE8(r[i], r[i + 1], 0, 8, 1, 9, 4, 12, 5, 13);
    t[i + 1] = DS_SHUFFLE8(r[i], r[i + 1], 2, 10, 3, 11, 6, 14, 7, 15);
  }
  for (int i = 0; i < 8; i += 4)
    for (int k = 0; k < 2; ++k) {
      u[i + 2 * k] = DS_SHUFFLE8(t[i + k], t[i + k + 2], 0, 1, 8, 9, 4, 5, 12, 13);
      u[i + 2 * k + 1] = DS_SHUFFLE8(t[i + k], t[i + k + 2], 2, 3, 10, 11, 6, 7, 14, 15);
    }
  for (int k = 0; k < 4; ++k) {
    r[k] = DS_SHUFFLE8(u[k], u[k + 4], 0, 1, 2, 3, 8, 9, 10, 11);
    r[k + 4] = DS_SHUFFLE8(u[k], u[k + 4], 4, 5, 6, 7, 12, 13, 14, 15);
  }
}

}  // namespace cpu
}  // namespace ds
