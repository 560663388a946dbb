// CUDA nearest and bilinear resizing, zero/reflection padding and channel copies (concat),
// forward and backward. CPU twin: tensor/cpu/resample.cpp.
//
// Every op maps output pixels to input pixels separably, through the same per-axis rules as
// the CPU twin. Forward passes gather (one thread per output). Backward passes gather too:
// one thread per input pixel finds, per axis, the outputs that read it and sums their
// gradients in row-major output order, which is the order of the CPU's scatter. No atomics.
#include "cuda/launch.cuh"
#include "tensor/kernels.h"

namespace ds {
namespace cuda {

namespace {

struct Plane {
  int64_t H, W, Ho, Wo;  // input and output sizes
};

Plane plane_of(const Tensor& x, const Tensor& y) { return {x.shape()[2], x.shape()[3], y.shape()[2], y.shape()[3]}; }

// f(input plane offset, output plane offset, oh, ow) for every output pixel.
template <class F>
void each_output(const char* name, const Plane& p, int64_t planes, F f) {
  for_each(name, planes * p.Ho * p.Wo, [=] __device__(int64_t i) {
    int64_t nc = i / (p.Ho * p.Wo), r = i % (p.Ho * p.Wo);
    f(nc * p.H * p.W, nc * p.Ho * p.Wo, r / p.Wo, r % p.Wo);
  });
}

// dx[i] = f(input plane offset, output plane offset, h, w) for every input pixel.
template <class F>
void each_input(const char* name, const Plane& p, int64_t planes, float* dx, F f) {
  for_each(name, planes * p.H * p.W, [=] __device__(int64_t i) {
    int64_t nc = i / (p.H * p.W), r = i % (p.H * p.W);
    dx[i] = f(nc * p.H * p.W, nc * p.Ho * p.Wo, r / p.W, r % p.W);
  });
}

// ---- nearest: output i reads input floor(i * in / out), exactly ----

__device__ int64_t nearest_src(int64_t i, int64_t in, int64_t out) { return min(i * in / out, in - 1); }

// Outputs [lo, hi) that read input s.
__device__ void nearest_dsts(int64_t s, int64_t in, int64_t out, int64_t& lo, int64_t& hi) {
  lo = (s * out + in - 1) / in;
  hi = min(((s + 1) * out + in - 1) / in, out);
}

// ---- padding: output i reads input i - before, reflected or dropped (-1) when outside ----

__device__ int64_t pad_src(int64_t i, int64_t in, int64_t before, bool reflect) {
  int64_t s = i - before;
  if (reflect) {
    if (s < 0) s = -s;  // edge not repeated: -1 -> 1
    if (s >= in) s = 2 * (in - 1) - s;
  } else if (s < 0 || s >= in) {
    s = -1;
  }
  return s;
}

// The outputs reading input s (at most 3: itself and two mirror images), ascending.
struct Dsts {
  int n = 0;
  int64_t i[3];
};

__device__ Dsts pad_dsts(int64_t s, int64_t in, int64_t out, int64_t before, bool reflect) {
  const int64_t cand[3] = {before - s, before + s, before + 2 * (in - 1) - s};  // ascending for 0 <= s < in
  Dsts d;
  for (int64_t c : cand)
    if (c >= 0 && c < out && pad_src(c, in, before, reflect) == s && (d.n == 0 || d.i[d.n - 1] != c)) d.i[d.n++] = c;
  return d;
}

// ---- bilinear, align_corners=False: src = (dst + 0.5) * in/out - 0.5, clamped at 0 ----

struct Tap {
  int64_t i0, i1;
  float w0, w1;
};

__device__ Tap bilinear_tap(int64_t i, int64_t in, int64_t out) {
  double scale = static_cast<double>(in) / static_cast<double>(out);
  double src = max((static_cast<double>(i) + 0.5) * scale - 0.5, 0.0);
  int64_t lo = min(static_cast<int64_t>(src), in - 1);
  double frac = src - static_cast<double>(lo);
  return {lo, lo < in - 1 ? lo + 1 : lo, static_cast<float>(1.0 - frac), static_cast<float>(frac)};
}

// Outputs [lo, hi] that may read input s: those with src in [s-1, s+1), widened by one
// for rounding; s <= 1 also gets the outputs clamped to src = 0.
__device__ void bilinear_dsts(int64_t s, int64_t in, int64_t out, int64_t& lo, int64_t& hi) {
  double scale = static_cast<double>(in) / static_cast<double>(out);
  lo = s <= 1 ? 0 : max(static_cast<int64_t>(floor((s - 0.5) / scale - 0.5)) - 1, int64_t(0));
  hi = min(static_cast<int64_t>(ceil((s + 1.5) / scale - 0.5)) + 1, out - 1);
}

}  // namespace

void resize_nearest_forward(const Tensor& x, Tensor& y) {
  Plane p = plane_of(x, y);
  const float* px = x.data();
  float* py = y.data();
  each_output("resize_nearest_forward", p, x.shape()[0] * x.shape()[1],
              [=] __device__(int64_t xo, int64_t yo, int64_t oh, int64_t ow) {
                py[yo + oh * p.Wo + ow] = px[xo + nearest_src(oh, p.H, p.Ho) * p.W + nearest_src(ow, p.W, p.Wo)];
              });
}

void resize_nearest_backward(const Tensor& dy, Tensor& dx) {
  Plane p = plane_of(dx, dy);
  const float* g = dy.data();
  each_input("resize_nearest_backward", p, dx.shape()[0] * dx.shape()[1], dx.data(),
             [=] __device__(int64_t, int64_t yo, int64_t h, int64_t w) {
               int64_t h0, h1, w0, w1;
               nearest_dsts(h, p.H, p.Ho, h0, h1);
               nearest_dsts(w, p.W, p.Wo, w0, w1);
               float acc = 0.0f;
               for (int64_t i = h0; i < h1; ++i)
                 for (int64_t j = w0; j < w1; ++j) acc += g[yo + i * p.Wo + j];
               return acc;
             });
}

void pad2d_forward(const Tensor& x, Tensor& y, const Pad2dParams& pp, PadMode mode) {
  Plane p = plane_of(x, y);
  bool reflect = mode == PadMode::Reflect;
  int64_t top = pp.top, left = pp.left;
  const float* px = x.data();
  float* py = y.data();
  each_output("pad2d_forward", p, x.shape()[0] * x.shape()[1], [=] __device__(int64_t xo, int64_t yo, int64_t oh, int64_t ow) {
    int64_t r = pad_src(oh, p.H, top, reflect), c = pad_src(ow, p.W, left, reflect);
    py[yo + oh * p.Wo + ow] = (r < 0 || c < 0) ? 0.0f : px[xo + r * p.W + c];
  });
}

// Also the crop's gradient (negative zero padding): inputs cropped away get 0.
void pad2d_backward(const Tensor& dy, Tensor& dx, const Pad2dParams& pp, PadMode mode) {
  Plane p = plane_of(dx, dy);
  bool reflect = mode == PadMode::Reflect;
  int64_t top = pp.top, left = pp.left;
  const float* g = dy.data();
  each_input("pad2d_backward", p, dx.shape()[0] * dx.shape()[1], dx.data(),
             [=] __device__(int64_t, int64_t yo, int64_t h, int64_t w) {
               Dsts rows = pad_dsts(h, p.H, p.Ho, top, reflect), cols = pad_dsts(w, p.W, p.Wo, left, reflect);
               float acc = 0.0f;
               for (int a = 0; a < rows.n; ++a)
                 for (int b = 0; b < cols.n; ++b) acc += g[yo + rows.i[a] * p.Wo + cols.i[b]];
               return acc;
             });
}

void resize_bilinear_forward(const Tensor& x, Tensor& y) {
  Plane p = plane_of(x, y);
  const float* px = x.data();
  float* py = y.data();
  each_output("resize_bilinear_forward", p, x.shape()[0] * x.shape()[1],
              [=] __device__(int64_t xo, int64_t yo, int64_t oh, int64_t ow) {
                Tap th = bilinear_tap(oh, p.H, p.Ho), tw = bilinear_tap(ow, p.W, p.Wo);
                const float* r0 = px + xo + th.i0 * p.W;
                const float* r1 = px + xo + th.i1 * p.W;
                py[yo + oh * p.Wo + ow] = th.w0 * (tw.w0 * r0[tw.i0] + tw.w1 * r0[tw.i1]) +
                                          th.w1 * (tw.w0 * r1[tw.i0] + tw.w1 * r1[tw.i1]);
              });
}

// Each output adds (row weight)(column weight) dy to its four taps; here each input pixel
// collects those terms in the CPU's order: outputs row-major, then taps (0,0),(0,1),(1,0),(1,1).
void resize_bilinear_backward(const Tensor& dy, Tensor& dx) {
  Plane p = plane_of(dx, dy);
  const float* g = dy.data();
  each_input("resize_bilinear_backward", p, dx.shape()[0] * dx.shape()[1], dx.data(),
             [=] __device__(int64_t, int64_t yo, int64_t h, int64_t w) {
               int64_t i0, i1, j0, j1;
               bilinear_dsts(h, p.H, p.Ho, i0, i1);
               bilinear_dsts(w, p.W, p.Wo, j0, j1);
               float acc = 0.0f;
               for (int64_t i = i0; i <= i1; ++i) {
                 Tap th = bilinear_tap(i, p.H, p.Ho);
                 const bool rh[2] = {th.i0 == h, th.i1 == h};
                 if (!rh[0] && !rh[1]) continue;
                 const float rw[2] = {th.w0, th.w1};
                 for (int64_t j = j0; j <= j1; ++j) {
                   Tap tw = bilinear_tap(j, p.W, p.Wo);
                   const bool ch[2] = {tw.i0 == w, tw.i1 == w};
                   const float cw[2] = {tw.w0, tw.w1};
                   float gv = g[yo + i * p.Wo + j];
                   for (int a = 0; a < 2; ++a)
                     for (int b = 0; b < 2; ++b)
                       if (rh[a] && ch[b]) acc += rw[a] * cw[b] * gv;
                 }
               }
               return acc;
             });
}

// Concat along channels: per batch item, x's C*H*W block sits at channel c0 of y's item.
void copy_channels_in(const Tensor& x, Tensor& y, int64_t c0) {
  int64_t block = x.numel() / x.shape()[0], item = y.numel() / y.shape()[0], off = c0 * y.shape()[2] * y.shape()[3];
  const float* px = x.data();
  float* py = y.data();
  for_each("copy_channels_in", x.numel(), [=] __device__(int64_t i) { py[(i / block) * item + off + i % block] = px[i]; });
}

void copy_channels_out(const Tensor& y, Tensor& x, int64_t c0) {
  int64_t block = x.numel() / x.shape()[0], item = y.numel() / y.shape()[0], off = c0 * y.shape()[2] * y.shape()[3];
  const float* py = y.data();
  float* px = x.data();
  for_each("copy_channels_out", x.numel(), [=] __device__(int64_t i) { px[i] = py[(i / block) * item + off + i % block]; });
}

}  // namespace cuda
}  // namespace ds
