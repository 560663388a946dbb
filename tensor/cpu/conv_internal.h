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
#include <algorithm>
#include <cstdint>

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

// Direct kernels for depthwise convolutions (GEMM with one row per group would waste its
// blocking). bias: per y-space channel (forward) or per x-space channel (backward_data, used
// as a transposed convolution's bias); null for none.
void depthwise_forward(const Geom& g, const float* x, const float* w, const float* bias, float* y);
void depthwise_backward_data(const Geom& g, const float* dy, const float* w, const float* bias, float* dx);
void depthwise_backward_filter(const Geom& g, const float* dy, const float* x, float* dw);

// Fills each channel plane of t [n, c, hw] with bias[c], or zero when bias is null.
void init_channels(float* t, int64_t n, int64_t c, int64_t hw, const float* bias);

}  // namespace conv
}  // namespace cpu
}  // namespace ds
