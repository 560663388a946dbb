// The kernels compiled once per instruction set (tensor/cpu/isa.h): one table of function
// pointers per Isa, defined by tensor/cpu/isa_generic.cpp, isa_avx2.cpp and isa_avx512.cpp from
// the same sources (gemm_kernel.inc, winograd_kernel.inc, conv_direct_kernel.inc, included into
// a namespace per Isa), and kernels(), the table of the current cpu_isa().
//
// The per-Isa sources may call only their own functions, builtins and C library functions: an
// inline function of a shared header that the compiler emits out of line would be merged by the
// linker with the copies of the other Isa builds, and one compiled for AVX-512 could then run on
// a CPU without it (tests/cli/isa_symbols.sh checks the object files for such symbols).
#pragma once

#include <cstdint>

#include "tensor/cpu/isa.h"
#include "tensor/params.h"

namespace ds {
namespace cpu {

// Row-major C = alpha * op(A) op(B) + beta * C, K the inner dimension (tensor/cpu/gemm.cpp).
struct GemmProblem {
  bool ta, tb;
  int K;
  float alpha;
  const float* A;
  int64_t lda;
  const float* B;
  int64_t ldb;
  float beta;
  float* C;
  int64_t ldc;
};

// One image of a Winograd F(m x m, 3 x 3) convolution (tensor/cpu/winograd.cpp): dst [o, ho, wo]
// = bias + the 3x3 stride-1 correlation of src [c, h, w] with zero padding pad_top/pad_left (may
// be negative: a crop), ho/wo as given. u: the transformed weights U[xi][ob][c][MR] for transform
// points xi < (m + 2)^2 (u_xi floats apart) and output-channel blocks ob < ceil(o / MR), rows past o zero.
struct WinogradImage {
  int tile;  // m: 2 or 4
  int64_t c, h, w, o, ho, wo, pad_top, pad_left;
  const float* u;
  int64_t u_xi;
  const float* bias;  // [o] or null
  const float* src;
  float* dst;
  // Reflection padding instead of zeros: rows and columns outside src, up to the padded size
  // (ho + 2) x (wo + 2), read the input mirrored about its edge (pads >= 0 and smaller than h, w).
  bool reflect = false;
  // The input gradient of a reflection-padded convolution, folded (fold_h > 0): the ho x wo
  // output is the gradient of the padded input, of which dst [o, fold_h, fold_w] receives the
  // pixels inside the image (padded pixel (y, x) at dst[y - fold_top][x - fold_left]) and ring
  // [o, ho * wo - fold_h * fold_w] the border's (fold_ring_index), which winograd.cpp then adds
  // onto the pixels they mirror. No padded-size buffer, no second pass over the image.
  int64_t fold_top = 0, fold_left = 0, fold_h = 0, fold_w = 0;
  float* ring = nullptr;
  // An upsampled input (Conv2dParams::upsample, forward only): h x w is the enlarged input's
  // size, a multiple of up, and its pixel (y, x) is src[y / up][x / up] of the [c, h/up, w/up] src.
  int64_t up = 1;
};

// Where border pixel (y, x) of a folded Winograd output (WinogradImage::fold_h > 0) is in its
// channel's ring: the rows above and below the image whole (ho - fold_h rows of wo), then the
// columns left and right of it in each image row (wo - fold_w per row).
inline int64_t fold_ring_index(const WinogradImage& q, int64_t y, int64_t x) {
  const int64_t y_in = y - q.fold_top;
  if (y_in < 0 || y_in >= q.fold_h) return (y_in < 0 ? y : y - q.fold_h) * q.wo + x;
  const int64_t x_in = x - q.fold_left;
  return (q.ho - q.fold_h) * q.wo + y_in * (q.wo - q.fold_w) + (x_in < 0 ? x : x - q.fold_w);
}

// One image of a stride-1, dilation-1, ungrouped convolution (conv_direct_kernel.inc), for at
// most kDirectMaxChannels output or input channels (conv.cpp decides): y [o, ho, wo] = bias + the
// correlation of x [c, h, w] with wt [o, c, kh, kw], zero padding pad_top/pad_left (negative: a crop).
constexpr int kDirectMaxChannels = 4;
struct DirectConv {
  int64_t c, h, w, o, ho, wo, kh, kw, pad_top, pad_left;
  const float* x;
  const float* wt;
  const float* bias;  // [o] or null
  float* y;
  // Reflection padding instead of zeros: rows and columns outside x, up to the padded size
  // (ho + kh - 1) x (wo + kw - 1), read the pixels they mirror (pads >= 0 and smaller than h, w).
  bool reflect = false;
};

struct IsaKernels {
  Isa isa;
  int vec_floats;  // floats per vector register
  bool fma;        // multiply-adds are fused (one rounding): not on the generic path of a portable x86-64 build
  // The own GEMM's register tile (MR x NR) and its serial blocked GEMM on rows [i0, i1) and
  // columns [j0, j1) of C with this thread's packing buffers (gemm_kernel.inc).
  int gemm_mr, gemm_nr;
  void (*gemm_block)(const GemmProblem& g, int i0, int i1, int j0, int j1);
  // Rows [i0, i1) (i0 a multiple of gemm_mr) of the upper triangle of C [n, n] = alpha A A^T
  // (g.A, g.lda, g.alpha, g.C, g.ldc, g.K; the other fields unused), serial (gemm_kernel.inc).
  void (*syrk_block)(const GemmProblem& g, int n, int i0, int i1);
  // One Winograd image, threaded inside (winograd_kernel.inc).
  void (*winograd_image)(const WinogradImage& job);
  // One image of a direct convolution, threaded over output rows.
  void (*conv_direct)(const DirectConv& job);
  // The roofline's FMA peak loop (roofline_kernel.inc): fma_loop(n) does n * fma_loop_flops
  // floating-point operations in independent vector multiply-add chains.
  float (*fma_loop)(int64_t n);
  int64_t fma_loop_flops;
};

namespace generic {
extern const IsaKernels kKernels;
}
namespace avx2 {
extern const IsaKernels kKernels;  // only with DEPTHSTYLE_ISA_VARIANTS (x86-64, GCC or Clang)
}
namespace avx512 {
extern const IsaKernels kKernels;
}

// The table of cpu_isa().
const IsaKernels& kernels();

}  // namespace cpu
}  // namespace ds
