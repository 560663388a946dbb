// Float64 oracles for pooling, normalisation, resampling, padding and concatenation.
// Written from the definitions (PyTorch's documented conventions), element by element,
// deliberately not in the kernels' form: pooling visits every kernel tap and asks whether
// it lies in the input or the padding, bilinear builds explicit hat-function weights, and
// reflection uses the periodic form of the mirrored index.
#include <algorithm>
#include <cmath>
#include <limits>

#include "tests/oracle.h"

namespace dst {
namespace {

// PyTorch's pooling output size, computed in floating point: floor or ceil of
// (in + 2*pad - k) / stride, plus one; in ceil mode a window starting at or beyond
// in + pad (entirely in the right padding) is dropped.
int64_t pool_out_size(int64_t in, int k, int stride, int pad, bool ceil_mode) {
  double q = static_cast<double>(in + 2 * pad - k) / stride;
  int64_t out = static_cast<int64_t>(ceil_mode ? std::ceil(q) : std::floor(q)) + 1;
  if (ceil_mode && (out - 1) * stride >= in + pad) --out;
  return out;
}

Shape pool_shape(const DTensor& x, const ds::Pool2dParams& p) {
  return {x.dim(0), x.dim(1), pool_out_size(x.dim(2), p.kh, p.stride_h, p.pad_h, p.ceil_mode),
          pool_out_size(x.dim(3), p.kw, p.stride_w, p.pad_w, p.ceil_mode)};
}

bool inside(int64_t i, int64_t n) { return i >= 0 && i < n; }

// Calls f(n, c, h, w) for every element of a 4-D shape.
template <class F>
void for_all(const Shape& s, F f) {
  for (int64_t n = 0; n < s[0]; ++n)
    for (int64_t c = 0; c < s[1]; ++c)
      for (int64_t h = 0; h < s[2]; ++h)
        for (int64_t w = 0; w < s[3]; ++w) f(n, c, h, w);
}

// Mirror index without repeating the edge: ... 2 1 [0 1 2 ... n-1] n-2 ... (period 2n-2).
int64_t reflect(int64_t i, int64_t n) {
  if (n == 1) return 0;
  int64_t period = 2 * (n - 1);
  int64_t m = ((i % period) + period) % period;
  return m < n ? m : period - m;
}

// Hat-function weights of bilinear resizing along one axis: weights[o][i] is the share of
// input i in output o, for PyTorch's align_corners=False source coordinate clamped to
// [0, in-1] (the upper clamp is PyTorch's "repeat the last pixel").
std::vector<std::vector<double>> bilinear_weights(int64_t in, int64_t out) {
  std::vector<std::vector<double>> wts(static_cast<size_t>(out), std::vector<double>(static_cast<size_t>(in)));
  for (int64_t o = 0; o < out; ++o) {
    double src = (o + 0.5) * static_cast<double>(in) / static_cast<double>(out) - 0.5;
    src = std::min(std::max(src, 0.0), static_cast<double>(in - 1));
    for (int64_t i = 0; i < in; ++i)
      wts[static_cast<size_t>(o)][static_cast<size_t>(i)] = std::max(0.0, 1.0 - std::fabs(i - src));
  }
  return wts;
}

}  // namespace

DTensor max_pool2d_ref(const DTensor& x, const ds::Pool2dParams& p) {
  DTensor y(pool_shape(x, p));
  for_all(y.shape, [&](int64_t n, int64_t c, int64_t oh, int64_t ow) {
    double best = -std::numeric_limits<double>::infinity();  // padding taps are -inf
    for (int i = 0; i < p.kh; ++i)
      for (int j = 0; j < p.kw; ++j) {
        int64_t h = oh * p.stride_h - p.pad_h + i, w = ow * p.stride_w - p.pad_w + j;
        if (inside(h, x.dim(2)) && inside(w, x.dim(3))) best = std::max(best, x.at(n, c, h, w));
      }
    y.at(n, c, oh, ow) = best;
  });
  return y;
}

// Each tap is in the input (summed, always counted), in the padding (counted only with
// count_include_pad) or beyond the padding, where ceil_mode lets the last window hang over
// (never counted).
DTensor avg_pool2d_ref(const DTensor& x, const ds::Pool2dParams& p) {
  DTensor y(pool_shape(x, p));
  for_all(y.shape, [&](int64_t n, int64_t c, int64_t oh, int64_t ow) {
    double sum = 0, count = 0;
    for (int i = 0; i < p.kh; ++i)
      for (int j = 0; j < p.kw; ++j) {
        int64_t h = oh * p.stride_h - p.pad_h + i, w = ow * p.stride_w - p.pad_w + j;
        bool in_input = inside(h, x.dim(2)) && inside(w, x.dim(3));
        bool in_padded = h < x.dim(2) + p.pad_h && w < x.dim(3) + p.pad_w;
        if (in_input) sum += x.at(n, c, h, w);
        if (in_input || (p.count_include_pad && in_padded)) count += 1;
      }
    y.at(n, c, oh, ow) = sum / count;
  });
  return y;
}

DTensor global_avg_pool_ref(const DTensor& x) {
  DTensor y({x.dim(0), x.dim(1), 1, 1});
  for_all(x.shape, [&](int64_t n, int64_t c, int64_t h, int64_t w) {
    y.at(n, c, 0, 0) += x.at(n, c, h, w) / static_cast<double>(x.dim(2) * x.dim(3));
  });
  return y;
}

DTensor batch_norm_ref(const DTensor& x, const DTensor& gamma, const DTensor& beta, const DTensor& mean,
                       const DTensor& var, double eps) {
  DTensor y(x.shape);
  for_all(x.shape, [&](int64_t n, int64_t c, int64_t h, int64_t w) {
    size_t k = static_cast<size_t>(c);
    y.at(n, c, h, w) = (x.at(n, c, h, w) - mean.v[k]) / std::sqrt(var.v[k] + eps) * gamma.v[k] + beta.v[k];
  });
  return y;
}

DTensor instance_norm_ref(const DTensor& x, const DTensor* gamma, const DTensor* beta, double eps) {
  DTensor y(x.shape);
  double count = static_cast<double>(x.dim(2) * x.dim(3));
  for (int64_t n = 0; n < x.dim(0); ++n)
    for (int64_t c = 0; c < x.dim(1); ++c) {
      double mean = 0, var = 0;
      for (int64_t h = 0; h < x.dim(2); ++h)
        for (int64_t w = 0; w < x.dim(3); ++w) mean += x.at(n, c, h, w) / count;
      for (int64_t h = 0; h < x.dim(2); ++h)
        for (int64_t w = 0; w < x.dim(3); ++w) var += (x.at(n, c, h, w) - mean) * (x.at(n, c, h, w) - mean) / count;
      double g = gamma ? gamma->v[static_cast<size_t>(c)] : 1.0, b = beta ? beta->v[static_cast<size_t>(c)] : 0.0;
      for (int64_t h = 0; h < x.dim(2); ++h)
        for (int64_t w = 0; w < x.dim(3); ++w)
          y.at(n, c, h, w) = (x.at(n, c, h, w) - mean) / std::sqrt(var + eps) * g + b;
    }
  return y;
}

DTensor resize_nearest_ref(const DTensor& x, int64_t h, int64_t w) {
  DTensor y({x.dim(0), x.dim(1), h, w});
  for_all(y.shape, [&](int64_t n, int64_t c, int64_t i, int64_t j) {
    // A non-integer o*in/out is at least 1/out below the next integer, far beyond double
    // rounding, so floor() here is the exact integer floor that the contract specifies.
    auto src = [](int64_t o, int64_t in, int64_t out) {
      return static_cast<int64_t>(
          std::floor(static_cast<double>(o) * static_cast<double>(in) / static_cast<double>(out)));
    };
    y.at(n, c, i, j) = x.at(n, c, src(i, x.dim(2), h), src(j, x.dim(3), w));
  });
  return y;
}

DTensor resize_bilinear_ref(const DTensor& x, int64_t h, int64_t w) {
  DTensor y({x.dim(0), x.dim(1), h, w});
  auto wh = bilinear_weights(x.dim(2), h), ww = bilinear_weights(x.dim(3), w);
  for_all(y.shape, [&](int64_t n, int64_t c, int64_t i, int64_t j) {
    double s = 0;
    for (int64_t a = 0; a < x.dim(2); ++a) {
      double wa = wh[static_cast<size_t>(i)][static_cast<size_t>(a)];
      if (wa == 0) continue;
      for (int64_t b = 0; b < x.dim(3); ++b)
        s += wa * ww[static_cast<size_t>(j)][static_cast<size_t>(b)] * x.at(n, c, a, b);
    }
    y.at(n, c, i, j) = s;
  });
  return y;
}

DTensor pad2d_ref(const DTensor& x, const ds::Pad2dParams& p, ds::PadMode mode) {
  int64_t H = x.dim(2), W = x.dim(3);
  DTensor y({x.dim(0), x.dim(1), H + p.top + p.bottom, W + p.left + p.right});
  for_all(y.shape, [&](int64_t n, int64_t c, int64_t i, int64_t j) {
    int64_t h = i - p.top, w = j - p.left;
    bool reflected = mode == ds::PadMode::Reflect;
    if (reflected) h = reflect(h, H), w = reflect(w, W);
    y.at(n, c, i, j) = reflected || (inside(h, H) && inside(w, W)) ? x.at(n, c, h, w) : 0.0;
  });
  return y;
}

DTensor concat_channels_ref(const std::vector<DTensor>& xs) {
  int64_t channels = 0;
  for (const DTensor& x : xs) channels += x.dim(1);
  DTensor y({xs[0].dim(0), channels, xs[0].dim(2), xs[0].dim(3)});
  int64_t base = 0;
  for (const DTensor& x : xs) {
    for_all(x.shape, [&](int64_t n, int64_t c, int64_t h, int64_t w) { y.at(n, base + c, h, w) = x.at(n, c, h, w); });
    base += x.dim(1);
  }
  return y;
}

}  // namespace dst
