// Shared pieces of the CPU convolution kernels (conv.cpp: im2col + GEMM; conv_depthwise.cpp).
//
// Every kernel is written for one convolution in its forward direction, from "x-space"
// [n, cin, h, w] to "y-space" [n, cout, ho, wo] with weight [cout, cin/groups, kh, kw].
// A transposed convolution is that convolution's adjoint with input and output swapped (its
// x is the y-space, its y the x-space; its weight [Cin, Cout/g, kh, kw] already has the layout
// above), so conv.cpp runs it through the same three functions.
//
// Invariant: sizes are read from the tensors, never recomputed from the parameters; a
// transposed convolution's output padding makes its x-space larger than the formula gives,
// and the extra rows/columns simply receive no contribution.
#pragma once
#include <omp.h>

#include <algorithm>
#include <cstdint>
#include <exception>
#include <memory>

#include "tensor/cpu/parallel.h"
#include "tensor/kernels.h"

namespace ds {
namespace cpu {
namespace conv {

struct Geom {
  int64_t n, cin, h, w;     // x-space
  int64_t cout, ho, wo;     // y-space
  int64_t kh, kw, groups;
  Conv2dParams p;
  int64_t cig() const { return cin / groups; }  // input channels per group
  int64_t cog() const { return cout / groups; }  // output channels per group
  int64_t taps() const { return kh * kw; }
  // One input channel per group (Cout = multiplier * Cin): handled by the direct kernels.
  bool depthwise() const { return groups > 1 && cig() == 1; }
};

inline Geom make_geom(const Shape& xs, const Shape& ws, const Shape& ys, const Conv2dParams& p) {
  return Geom{xs[0], xs[1], xs[2], xs[3], ys[1], ys[2], ys[3], ws[2], ws[3], p.groups, p};
}

// Output positions o in [lo, hi) whose input position o*stride + offset lies in [0, n_in).
// Empty ranges come back as lo == hi.
inline void valid_range(int64_t n_out, int64_t stride, int64_t offset, int64_t n_in, int64_t& lo, int64_t& hi) {
  lo = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
  hi = n_in - 1 - offset < 0 ? 0 : (n_in - 1 - offset) / stride + 1;
  lo = std::min(lo, n_out);
  hi = std::max(lo, std::min(hi, n_out));
}

// Runs f(i, col, threaded) for the independent work items i in [0, count), each with a column
// buffer of col_floats and about `macs` multiply-adds. With enough items (and enough work to be
// worth a fork) they are spread over the threads, each item running
// serially (threaded = false) on its thread's own buffer: no barriers, and the columns a
// thread's GEMM reads were written by that thread, into its own cache. Otherwise the items run
// in order on this thread and im2col/col2im and GEMM are threaded inside (threaded = true).
template <class F>
inline void run_items(int64_t count, int64_t col_floats, int64_t macs, F f) {
  int threads = omp_in_parallel() ? 1 : omp_get_max_threads();
  if (threads == 1 || count < 4 * threads || count * macs < kMinParallelWork) {
    std::unique_ptr<float[]> col(new float[col_floats]);
    for (int64_t i = 0; i < count; ++i) f(i, col.get(), true);
    return;
  }
  std::unique_ptr<float[]> cols(new float[col_floats * threads]);
  std::exception_ptr error;
#pragma omp parallel num_threads(threads)
  {
    float* col = cols.get() + col_floats * omp_get_thread_num();
#pragma omp for schedule(static)
    for (int64_t i = 0; i < count; ++i) {
      try {
        f(i, col, false);
      } catch (...) {  // rethrown on the calling thread
#pragma omp critical(ds_conv_error)
        error = std::current_exception();
      }
    }
  }
  if (error) std::rethrow_exception(error);
}

// Direct kernels for depthwise convolutions (GEMM with one row per group would waste its
// blocking). bias: per y-space channel (forward) or per x-space channel (backward_data, used
// as a transposed convolution's bias); null for none.
void depthwise_forward(const Geom& g, const float* x, const float* w, const float* bias, float* y);
void depthwise_backward_data(const Geom& g, const float* dy, const float* w, const float* bias, float* dx);
void depthwise_backward_filter(const Geom& g, const float* dy, const float* x, float* dw);

// Winograd kernels (winograd.cpp) for 3x3, stride-1, dilation-1, ungrouped convolutions whose
// sizes follow the output size formula. winograd_choice says which tile size the current
// ConvAlgo (conv_algo.h) picks for g's forward (backward = false) or input gradient, or 0 for
// im2col + GEMM. The kernels take the same arguments as forward/backward_data in conv.cpp.
int winograd_choice(const Geom& g, bool backward);
void winograd_forward(const Geom& g, int tile, const float* x, const float* w, const float* bias, float* y);
void winograd_backward_data(const Geom& g, int tile, const float* dy, const float* w, const float* bias, float* dx);
// The input gradient of the reflection-padded convolution g (g.p.pad_mode == Reflect), folded
// onto dx [n, cin, h, w] as it is computed (winograd.cpp).
void winograd_backward_data_reflect(const Geom& g, int tile, const float* dy, const float* w, float* dx);

// Fills each channel plane of t [n, c, hw] with bias[c], or zero when bias is null.
void init_channels(float* t, int64_t n, int64_t c, int64_t hw, const float* bias);

}  // namespace conv
}  // namespace cpu
}  // namespace ds
