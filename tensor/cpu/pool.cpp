// CPU max and average pooling, forward and backward. Mirrors cuda/pool.cu.
//
// Windows follow PyTorch: window (oh, ow) starts at oh*stride - pad; max pooling treats the
// padding as -inf (the window is clipped to the input), average pooling divides by the
// window clipped to input + padding (count_include_pad) or to the input alone. The op layer
// guarantees every clipped window holds at least one input element.
#include <algorithm>
#include <cmath>
#include <limits>

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

}  // namespace

// Each window's first maximum in row-major order; a NaN counts as the maximum, as in PyTorch,
// and the first NaN wins. Branch-free (a select per element): on real activations "is this the
// new maximum?" is a coin flip the branch predictor loses, which made this loop 10x slower.
// argmax gets the offset within the unclipped window, (h - hs) * kw + (w - ws).
void max_pool2d_forward(const Tensor& x, Tensor& y, Tensor& argmax, const Pool2dParams& p) {
  const float* px = x.data();
  float* py = y.data();
  float* pa = argmax.defined() ? argmax.data() : nullptr;
  const int64_t H = x.shape()[2], W = x.shape()[3], oh = y.shape()[2], ow = y.shape()[3];
  parallel_for(x.shape()[0] * x.shape()[1], oh * ow * p.kh * p.kw, [&](int64_t nc) {
    const float* xp = px + nc * H * W;
    for (int64_t i = 0; i < oh; ++i) {
      const int64_t hs = i * p.stride_h - p.pad_h;
      const int64_t h0 = std::max<int64_t>(hs, 0), h1 = std::min(hs + p.kh, H);
      for (int64_t j = 0; j < ow; ++j) {
        const int64_t ws = j * p.stride_w - p.pad_w;
        const int64_t w0 = std::max<int64_t>(ws, 0), w1 = std::min(ws + p.kw, W);
        float bv = xp[h0 * W + w0];
        int64_t boff = (h0 - hs) * p.kw + (w0 - ws);
        for (int64_t h = h0; h < h1; ++h) {
          const float* row = xp + h * W;
          for (int64_t w = w0; w < w1; ++w) {
            const float v = row[w];
            const bool take = v > bv || (v != v && bv == bv);  // NaN: v != v; bv == bv: no NaN seen yet
            bv = take ? v : bv;
            boff = take ? (h - hs) * p.kw + (w - ws) : boff;
          }
        }
        const int64_t yi = (nc * oh + i) * ow + j;
        py[yi] = bv;
        if (pa) pa[yi] = static_cast<float>(boff);
      }
    }
  });
}

// Windows of one plane are visited by one thread, so overlapping windows accumulate safely.
void max_pool2d_backward(const Tensor& argmax, const Tensor& dy, Tensor& dx, const Pool2dParams& p) {
  fill(dx, 0.0f);
  const float* pa = argmax.data();
  const float* g = dy.data();
  float* d = dx.data();
  int64_t W = dx.shape()[3];
  for_each_window(dx.shape(), dy.shape(), p, [&](int64_t xo, int64_t yi, const Window& win) {
    auto off = static_cast<int64_t>(pa[yi]);
    d[xo + (win.hs + off / p.kw) * W + win.ws + off % p.kw] += g[yi];
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
