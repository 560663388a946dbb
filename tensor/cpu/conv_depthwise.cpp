// Direct CPU kernels for depthwise convolutions (groups == Cin, Cout = multiplier * Cin,
// weight [Cout, 1, kh, kw]). Output channel co reads input channel co / multiplier.
// Each kernel walks output rows and kernel taps with plain row loops that the compiler
// vectorises (-O3 versions them for stride 1). Threads own whole output planes (forward, data
// gradient) or whole filters (filter gradient), so no two threads write the same element and
// the summation order does not depend on the thread count.
#include <vector>

#include "tensor/cpu/conv_internal.h"
#include "tensor/cpu/parallel.h"

namespace ds {
namespace cpu {
namespace conv {
namespace {

// Per kernel column j: the output columns [lo, hi) whose input column ow*sw + off lies inside.
struct TapColumns {
  std::vector<int64_t> lo, hi, off;
  explicit TapColumns(const Geom& g) : lo(g.kw), hi(g.kw), off(g.kw) {
    for (int64_t j = 0; j < g.kw; ++j) {
      off[j] = j * g.p.dil_w - g.p.pad_left;
      valid_range(g.wo, g.p.stride_w, off[j], g.w, lo[j], hi[j]);
    }
  }
};

// Calls f(oh, i, ih) for every output row oh and kernel row i whose input row ih is inside.
template <class F>
void for_each_row_tap(const Geom& g, F f) {
  for (int64_t oh = 0; oh < g.ho; ++oh)
    for (int64_t i = 0; i < g.kh; ++i) {
      int64_t ih = oh * g.p.stride_h - g.p.pad_top + i * g.p.dil_h;
      if (ih >= 0 && ih < g.h) f(oh, i, ih);
    }
}

}  // namespace

void depthwise_forward(const Geom& g, const float* x, const float* w, const float* bias, float* y) {
  int64_t mult = g.cout / g.cin, hw = g.h * g.w, P = g.ho * g.wo, sw = g.p.stride_w;
  TapColumns tc(g);
  init_channels(y, g.n, g.cout, P, bias);
  parallel_for(g.n * g.cout, P * g.taps(), [&](int64_t nco) {
    int64_t n = nco / g.cout, co = nco % g.cout;
    const float* xc = x + (n * g.cin + co / mult) * hw;
    const float* wk = w + co * g.taps();
    float* yc = y + nco * P;
    for_each_row_tap(g, [&](int64_t oh, int64_t i, int64_t ih) {
      float* yr = yc + oh * g.wo;
      const float* xr = xc + ih * g.w;
      for (int64_t j = 0; j < g.kw; ++j) {
        float wv = wk[i * g.kw + j];
        for (int64_t ow = tc.lo[j]; ow < tc.hi[j]; ++ow) yr[ow] += wv * xr[ow * sw + tc.off[j]];
      }
    });
  });
}

void depthwise_backward_data(const Geom& g, const float* dy, const float* w, const float* bias, float* dx) {
  int64_t mult = g.cout / g.cin, hw = g.h * g.w, P = g.ho * g.wo, sw = g.p.stride_w;
  TapColumns tc(g);
  init_channels(dx, g.n, g.cin, hw, bias);
  // One thread per input plane, gathering from the multiplier output channels that read it.
  parallel_for(g.n * g.cin, mult * P * g.taps(), [&](int64_t nc) {
    int64_t n = nc / g.cin, c = nc % g.cin;
    float* dxc = dx + nc * hw;
    for (int64_t co = c * mult; co < (c + 1) * mult; ++co) {
      const float* dyc = dy + (n * g.cout + co) * P;
      const float* wk = w + co * g.taps();
      for_each_row_tap(g, [&](int64_t oh, int64_t i, int64_t ih) {
        const float* dyr = dyc + oh * g.wo;
        float* dxr = dxc + ih * g.w;
        for (int64_t j = 0; j < g.kw; ++j) {
          float wv = wk[i * g.kw + j];
          for (int64_t ow = tc.lo[j]; ow < tc.hi[j]; ++ow) dxr[ow * sw + tc.off[j]] += wv * dyr[ow];
        }
      });
    }
  });
}

void depthwise_backward_filter(const Geom& g, const float* dy, const float* x, float* dw) {
  int64_t mult = g.cout / g.cin, hw = g.h * g.w, P = g.ho * g.wo, sw = g.p.stride_w, taps = g.taps();
  TapColumns tc(g);
  parallel_for(g.cout, g.n * P * taps, [&](int64_t co) {
    // acc[tap][ow]: one partial sum per tap and output column, so the row loop is a vectorisable
    // elementwise update; the columns are summed in double at the end.
    std::vector<float> acc(static_cast<size_t>(taps * g.wo), 0.0f);
    for (int64_t n = 0; n < g.n; ++n) {
      const float* xc = x + (n * g.cin + co / mult) * hw;
      const float* dyc = dy + (n * g.cout + co) * P;
      for_each_row_tap(g, [&](int64_t oh, int64_t i, int64_t ih) {
        const float* dyr = dyc + oh * g.wo;
        const float* xr = xc + ih * g.w;
        for (int64_t j = 0; j < g.kw; ++j) {
          float* a = acc.data() + (i * g.kw + j) * g.wo;
          for (int64_t ow = tc.lo[j]; ow < tc.hi[j]; ++ow) a[ow] += dyr[ow] * xr[ow * sw + tc.off[j]];
        }
      });
    }
    for (int64_t t = 0; t < taps; ++t) {
      double s = 0;
      for (int64_t ow = 0; ow < g.wo; ++ow) s += acc[static_cast<size_t>(t * g.wo + ow)];
      dw[co * taps + t] = static_cast<float>(s);
    }
  });
}

}  // namespace conv
}  // namespace cpu
}  // namespace ds
