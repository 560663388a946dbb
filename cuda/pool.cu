// CUDA max and average pooling, forward and backward. CPU twin: tensor/cpu/pool.cpp.
//
// Windows follow PyTorch exactly as the CPU twin does (see its header comment). Backward
// passes are gathers: one thread per input element visits the windows that can contain it,
// in row-major window order. No atomics, so overlapping windows give the same sums, in the
// same order, as the CPU's scatter (max pooling without overlap scatters instead, see there).
#include "cuda/launch.cuh"
#include "tensor/kernels.h"

namespace ds {
namespace cuda {

namespace {

struct PoolGeom {
  int64_t H, W, Ho, Wo;
  Pool2dParams p;
};

PoolGeom geom(const Tensor& x, const Tensor& y, const Pool2dParams& p) {
  return {x.shape()[2], x.shape()[3], y.shape()[2], y.shape()[3], p};
}

// One output's window clipped to the input [h0,h1) x [w0,w1), its unclipped corner (hs, ws) and the
// average's divisor.
struct Window {
  int64_t h0, h1, w0, w1;
  double divisor;
  int64_t hs, ws;
};

__device__ Window window_at(const PoolGeom& g, int64_t oh, int64_t ow) {
  const Pool2dParams& p = g.p;
  int64_t hs = oh * p.stride_h - p.pad_h, ws = ow * p.stride_w - p.pad_w;
  int64_t he = min(hs + p.kh, g.H + p.pad_h), we = min(ws + p.kw, g.W + p.pad_w);
  Window win{max(hs, int64_t(0)), min(he, g.H), max(ws, int64_t(0)), min(we, g.W), 0.0, hs, ws};
  win.divisor = p.count_include_pad ? static_cast<double>((he - hs) * (we - ws))
                                    : static_cast<double>((win.h1 - win.h0) * (win.w1 - win.w0));
  return win;
}

// First maximum of the window in row-major order (flat index in the plane); NaN wins.
__device__ int64_t argmax_in(const float* x, int64_t W, const Window& win) {
  int64_t best = win.h0 * W + win.w0;
  float bv = -INFINITY;
  for (int64_t h = win.h0; h < win.h1; ++h)
    for (int64_t w = win.w0; w < win.w1; ++w) {
      float v = x[h * W + w];
      if (v > bv || (isnan(v) && !isnan(bv))) bv = v, best = h * W + w;
    }
  return best;
}

// Outputs whose (unclipped) window [o*stride - pad, +k) holds input position i: [lo, hi].
__device__ void windows_holding(int64_t i, int k, int stride, int pad, int64_t n_out, int64_t& lo, int64_t& hi) {
  int64_t first = i + pad - k + 1;  // smallest window start that still reaches i
  lo = first <= 0 ? 0 : (first + stride - 1) / stride;
  hi = min((i + pad) / stride, n_out - 1);
}

// f(plane offset in x, output index, its window) for every output, one thread each.
template <class F>
void each_output(const char* name, const PoolGeom& g, int64_t planes, F f) {
  for_each(name, planes * g.Ho * g.Wo, [=] __device__(int64_t i) {
    int64_t nc = i / (g.Ho * g.Wo), r = i % (g.Ho * g.Wo);
    f(nc * g.H * g.W, i, window_at(g, r / g.Wo, r % g.Wo));
  });
}

// dx[i] = sum over the candidate windows of input i of share(x plane offset, i's index in
// the plane, output index, window): what that window's output passes back to i (0 if none).
template <class F>
void gather_to_input(const char* name, const PoolGeom& g, int64_t planes, float* dx, F share) {
  for_each(name, planes * g.H * g.W, [=] __device__(int64_t i) {
    int64_t nc = i / (g.H * g.W), r = i % (g.H * g.W), h = r / g.W, w = r % g.W;
    int64_t oh0, oh1, ow0, ow1;
    windows_holding(h, g.p.kh, g.p.stride_h, g.p.pad_h, g.Ho, oh0, oh1);
    windows_holding(w, g.p.kw, g.p.stride_w, g.p.pad_w, g.Wo, ow0, ow1);
    float acc = 0.0f;
    for (int64_t oh = oh0; oh <= oh1; ++oh)
      for (int64_t ow = ow0; ow <= ow1; ++ow)
        acc += share(nc * g.H * g.W, r, nc * g.Ho * g.Wo + oh * g.Wo + ow, window_at(g, oh, ow));
    dx[i] = acc;
  });
}

// Flat index in the plane of the maximum recorded as `off` (see max_pool2d_forward) in window win.
__device__ int64_t recorded_max(const PoolGeom& g, const Window& win, float off) {
  auto o = static_cast<int64_t>(off);
  return (win.hs + o / g.p.kw) * g.W + win.ws + o % g.p.kw;
}

}  // namespace

void max_pool2d_forward(const Tensor& x, Tensor& y, Tensor& argmax, const Pool2dParams& p) {
  PoolGeom g = geom(x, y, p);
  const float* px = x.data();
  float* py = y.data();
  float* pa = argmax.defined() ? argmax.data() : nullptr;
  each_output("max_pool2d_forward", g, x.shape()[0] * x.shape()[1], [=] __device__(int64_t xo, int64_t yi, Window win) {
    int64_t best = argmax_in(px + xo, g.W, win);
    py[yi] = px[xo + best];
    if (pa) pa[yi] = static_cast<float>((best / g.W - win.hs) * g.p.kw + (best % g.W - win.ws));
  });
}

// The gradient goes to the window's recorded maximum. Windows that do not overlap (stride >=
// kernel) scatter from each output; overlapping ones gather, one thread per input element.
void max_pool2d_backward(const Tensor& argmax, const Tensor& dy, Tensor& dx, const Pool2dParams& p) {
  PoolGeom g = geom(dx, dy, p);
  const float* pa = argmax.data();
  const float* gy = dy.data();
  int64_t planes = dx.shape()[0] * dx.shape()[1];
  if (p.stride_h >= p.kh && p.stride_w >= p.kw) {
    fill(dx, 0.0f);
    float* d = dx.data();
    each_output("max_pool2d_backward", g, planes, [=] __device__(int64_t xo, int64_t yi, Window win) {
      d[xo + recorded_max(g, win, pa[yi])] = gy[yi];  // each input in at most one window: no race
    });
    return;
  }
  gather_to_input("max_pool2d_backward", g, planes, dx.data(),
                  [=] __device__(int64_t, int64_t r, int64_t yi, Window win) {
                    return recorded_max(g, win, pa[yi]) == r ? gy[yi] : 0.0f;
                  });
}

void avg_pool2d_forward(const Tensor& x, Tensor& y, const Pool2dParams& p) {
  PoolGeom g = geom(x, y, p);
  const float* px = x.data();
  float* py = y.data();
  each_output("avg_pool2d_forward", g, x.shape()[0] * x.shape()[1], [=] __device__(int64_t xo, int64_t yi, Window win) {
    double s = 0;  // double: global average pooling sums whole planes
    for (int64_t h = win.h0; h < win.h1; ++h)
      for (int64_t w = win.w0; w < win.w1; ++w) s += px[xo + h * g.W + w];
    py[yi] = static_cast<float>(s / win.divisor);
  });
}

void avg_pool2d_backward(const Tensor& dy, Tensor& dx, const Pool2dParams& p) {
  PoolGeom g = geom(dx, dy, p);
  const float* gy = dy.data();
  gather_to_input("avg_pool2d_backward", g, dx.shape()[0] * dx.shape()[1], dx.data(),
                  [=] __device__(int64_t, int64_t r, int64_t yi, Window win) {
                    int64_t h = r / g.W, w = r % g.W;
                    bool inside = h >= win.h0 && h < win.h1 && w >= win.w0 && w < win.w1;
                    return inside ? static_cast<float>(gy[yi] / win.divisor) : 0.0f;
                  });
}

}  // namespace cuda
}  // namespace ds
