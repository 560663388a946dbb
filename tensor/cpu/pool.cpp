// CPU max and average pooling, forward and backward. Mirrors cuda/pool.cu.
//
// Windows follow PyTorch: window (oh, ow) starts at oh*stride - pad; max pooling treats the
// padding as -inf (the window is clipped to the input), average pooling divides by the
// window clipped to input + padding (count_include_pad) or to the input alone. The op layer
// guarantees every clipped window holds at least one input element.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "tensor/cpu/lanes8.h"
#include "tensor/cpu/parallel.h"
#include "tensor/kernels.h"

namespace ds {
namespace cpu {

namespace {

struct Plane {
  int64_t h, w;
};

// One output's window clipped to the input [h0,h1) x [w0,w1), its unclipped corner (hs, ws) and the
// average's divisor.
struct Window {
  int64_t h0, h1, w0, w1;
  double divisor;
  int64_t hs, ws;
};

Window window_at(const Pool2dParams& p, Plane in, int64_t oh, int64_t ow) {
  int64_t hs = oh * p.stride_h - p.pad_h, ws = ow * p.stride_w - p.pad_w;
  // Ends clipped to input + padding: the count_include_pad divisor never counts positions
  // that ceil_mode lets a window hang over beyond the right/bottom padding.
  int64_t he = std::min<int64_t>(hs + p.kh, in.h + p.pad_h), we = std::min<int64_t>(ws + p.kw, in.w + p.pad_w);
  double padded = static_cast<double>((he - hs) * (we - ws));
  Window win{std::max<int64_t>(hs, 0), std::min(he, in.h), std::max<int64_t>(ws, 0), std::min(we, in.w), 0.0, hs, ws};
  win.divisor = p.count_include_pad ? padded : static_cast<double>((win.h1 - win.h0) * (win.w1 - win.w0));
  return win;
}

// Calls f(plane index, x plane offset, y plane offset, window, flat output index in plane)
// for every output element, one (n,c) plane per task.
template <class F>
void for_each_window(const Shape& xs, const Shape& ys, const Pool2dParams& p, F f) {
  Plane in{xs[2], xs[3]};
  int64_t oh = ys[2], ow = ys[3];
  int64_t work = oh * ow * p.kh * p.kw;
  parallel_for(xs[0] * xs[1], work, [&](int64_t nc) {
    for (int64_t i = 0; i < oh; ++i)
      for (int64_t j = 0; j < ow; ++j) f(nc * in.h * in.w, nc * oh * ow + i * ow + j, window_at(p, in, i, j));
  });
}


// One window's first maximum in row-major order over rows [h0, h1) x columns [w0, w1) of a
// plane with row stride W; a NaN counts as the maximum, as in PyTorch, and the first NaN wins.
// Branch-free (a select per element): on real activations "is this the new maximum?" is a coin
// flip the branch predictor loses, which made the loop 10x slower. The offset returned is the
// position within the unclipped window starting at (hs, ws): (h - hs) * kw + (w - ws).
// K > 0: a K x K window known to lie inside the plane (fully unrolled); K = 0: any window.
template <int K>
inline void window_max(const float* xp, int64_t W, int64_t h0, int64_t h1, int64_t w0, int64_t w1, int64_t hs,
                       int64_t ws, int64_t kw, float& value, float& offset) {
  if constexpr (K > 0) h1 = h0 + K, w1 = w0 + K, kw = K;
  float bv = xp[h0 * W + w0];
  int64_t boff = (h0 - hs) * kw + (w0 - ws);
  for (int64_t h = h0; h < h1; ++h) {
    const float* row = xp + h * W;
    for (int64_t w = w0; w < w1; ++w) {
      const float v = row[w];
      const bool take = v > bv || (v != v && bv == bv);  // NaN: v != v; bv == bv: no NaN seen yet
      bv = take ? v : bv;
      boff = take ? (h - hs) * kw + (w - ws) : boff;
    }
  }
  value = bv;
  offset = static_cast<float>(boff);
}

// Eight K x K windows at stride 2 whose top-left corners are (hs, ws), (hs, ws + 2), ...; lane l
// is output column l. The same rule as window_max, lane by lane. Reads the 16 floats from
// ws + c of each window row c: the caller keeps ws + K + 15 <= W.
template <int K>
inline void window_max8(const float* xp, int64_t W, int64_t hs, int64_t ws, float* y, float* a) {
  F8 bv = load8_even(xp + hs * W + ws);
  I8 boff = {};
  for (int r = 0; r < K; ++r)
    for (int c = r == 0 ? 1 : 0; c < K; ++c) {
      const F8 v = load8_even(xp + (hs + r) * W + ws + c);
      const I8 take = (v > bv) | ((v != v) & (bv == bv));
      bv = take ? v : bv;
      boff = take ? I8{} + (r * K + c) : boff;
    }
  store8(y, bv);
  if (a) store8(a, __builtin_convertvector(boff, F8));
}

// Output row i of one plane: windows inside the plane (all but the borders) go to the unrolled
// K x K kernel when the window is square with K = 2 or 3 (VGG16, SqueezeNet, ResNet18).
void max_pool_row(const float* xp, int64_t H, int64_t W, const Pool2dParams& p, int64_t i, int64_t ow, float* y,
                  float* a) {
  const int64_t hs = i * p.stride_h - p.pad_h, h0 = std::max<int64_t>(hs, 0), h1 = std::min(hs + p.kh, H);
  float scratch = 0.0f;
  auto any = [&](int64_t j) {
    const int64_t ws = j * p.stride_w - p.pad_w;
    window_max<0>(xp, W, h0, h1, std::max<int64_t>(ws, 0), std::min(ws + p.kw, W), hs, ws, p.kw, y[j],
                  a ? a[j] : scratch);
  };
  // Columns [jlo, jhi): windows with ws >= 0 and ws + kw <= W.
  const int64_t jlo = std::min<int64_t>(ow, (p.pad_w + p.stride_w - 1) / p.stride_w);
  const int64_t jhi = std::max(jlo, std::min<int64_t>(ow, W + p.pad_w >= p.kw ? (W + p.pad_w - p.kw) / p.stride_w + 1 : int64_t{0}));
  const bool square = p.kh == p.kw && (p.kh == 2 || p.kh == 3) && hs >= 0 && hs + p.kh <= H;
  if (!square) {
    for (int64_t j = 0; j < ow; ++j) any(j);
    return;
  }
  for (int64_t j = 0; j < jlo; ++j) any(j);
  int64_t j = jlo;
  if (p.stride_w == 2)  // eight windows per step (VGG16, SqueezeNet and ResNet18 pool at stride 2)
    for (; j + 8 <= jhi && 2 * j - p.pad_w + p.kw + 15 <= W; j += 8) {
      if (p.kh == 2)
        window_max8<2>(xp, W, hs, 2 * j - p.pad_w, y + j, a ? a + j : nullptr);
      else
        window_max8<3>(xp, W, hs, 2 * j - p.pad_w, y + j, a ? a + j : nullptr);
    }
  for (; j < jhi; ++j) {
    const int64_t ws = j * p.stride_w - p.pad_w;
    float& off = a ? a[j] : scratch;
    if (p.kh == 2)
      window_max<2>(xp, W, hs, 0, ws, 0, hs, ws, 2, y[j], off);
    else
      window_max<3>(xp, W, hs, 0, ws, 0, hs, ws, 3, y[j], off);
  }
  for (; j < ow; ++j) any(j);
}

}  // namespace

void max_pool2d_forward(const Tensor& x, Tensor& y, Tensor& argmax, const Pool2dParams& p) {
  const int64_t H = x.shape()[2], W = x.shape()[3], oh = y.shape()[2], ow = y.shape()[3];
  parallel_for(x.shape()[0] * x.shape()[1], oh * ow * p.kh * p.kw, [&](int64_t nc) {
    for (int64_t i = 0; i < oh; ++i) {
      const int64_t yi = (nc * oh + i) * ow;
      max_pool_row(x.data() + nc * H * W, H, W, p, i, ow, y.data() + yi, argmax.defined() ? argmax.data() + yi : nullptr);
    }
  });
}

// Each plane is zeroed and filled by one thread, so overlapping windows accumulate safely; the
// window offsets are decoded through a table (no division per element).
void max_pool2d_backward(const Tensor& argmax, const Tensor& dy, Tensor& dx, const Pool2dParams& p) {
  const int64_t H = dx.shape()[2], W = dx.shape()[3], oh = dy.shape()[2], ow = dy.shape()[3];
  std::vector<int64_t> rel(static_cast<size_t>(p.kh) * p.kw);  // window offset -> position relative to (hs, ws)
  for (int64_t r = 0; r < p.kh; ++r)
    for (int64_t c = 0; c < p.kw; ++c) rel[r * p.kw + c] = r * W + c;
  parallel_for(dx.shape()[0] * dx.shape()[1], H * W + oh * ow, [&](int64_t nc) {
    float* d = dx.data() + nc * H * W;
    const float* a = argmax.data() + nc * oh * ow;
    const float* g = dy.data() + nc * oh * ow;
    std::fill(d, d + H * W, 0.0f);
    for (int64_t i = 0; i < oh; ++i)
      for (int64_t j = 0; j < ow; ++j) {
        const int64_t corner = (i * p.stride_h - p.pad_h) * W + j * p.stride_w - p.pad_w;  // may be negative
        d[corner + rel[static_cast<size_t>(a[i * ow + j])]] += g[i * ow + j];
      }
  });
}

void avg_pool2d_forward(const Tensor& x, Tensor& y, const Pool2dParams& p) {
  const float* px = x.data();
  float* py = y.data();
  int64_t W = x.shape()[3];
  for_each_window(x.shape(), y.shape(), p, [&](int64_t xo, int64_t yi, const Window& win) {
    double s = 0;  // double: global average pooling sums whole planes
    for (int64_t h = win.h0; h < win.h1; ++h)
      for (int64_t w = win.w0; w < win.w1; ++w) s += px[xo + h * W + w];
    py[yi] = static_cast<float>(s / win.divisor);
  });
}

void avg_pool2d_backward(const Tensor& dy, Tensor& dx, const Pool2dParams& p) {
  fill(dx, 0.0f);
  const float* g = dy.data();
  float* d = dx.data();
  int64_t W = dx.shape()[3];
  for_each_window(dx.shape(), dy.shape(), p, [&](int64_t xo, int64_t yi, const Window& win) {
    float share = static_cast<float>(g[yi] / win.divisor);
    for (int64_t h = win.h0; h < win.h1; ++h)
      for (int64_t w = win.w0; w < win.w1; ++w) d[xo + h * W + w] += share;
  });
}

}  // namespace cpu
}  // namespace ds
