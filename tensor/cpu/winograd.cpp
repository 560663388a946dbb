// Winograd convolutions F(m x m, 3 x 3), m = 2 or 4 (Lavin & Gray, "Fast Algorithms for
// Convolutional Neural Networks", CVPR 2016), for 3x3, stride-1, dilation-1, ungrouped convs.
//
// The output is cut into m x m tiles; tile t needs an n x n input patch d (n = m + 2). With the
// transform matrices B (n x n), G (n x 3), A (n x m) of the interpolation points below:
//   U[xi][o][c] = (G g[o][c] G^T)[xi]     weights, in double, rounded once to float
//   V[xi][c][t] = (B^T d[c][t] B)[xi]      input patches
//   M[xi][o][t] = sum_c U[xi][o][c] V[xi][c][t]   n*n independent GEMMs over the channels
//   y[o][t]     = A^T M[.][o][t] A          the m x m output tile
// Missing rows/columns (padding, partial tiles at the bottom/right edge) read as zero; an
// output tile's rows/columns beyond the image are not written. The input gradient of a
// stride-1 conv is the same computation on dy with the weights rotated by 180 degrees, input
// and output channels swapped and padding 2 - p (which may be negative: a crop).
//
// Error (tests/README.md, "Tolerances", has the derivation): the rounding errors of the float32
// steps are those of a direct sum, made larger by the size of the intermediates V, U, M
// relative to the output. For random data the rms amplification is prod over both dimensions
// of max_i sqrt(sum_xi A[xi][i]^2 |G[xi,:]|^2 |B[:,xi]|^2 / 3):
//   F(2x2, 3x3), points 0, 1, -1:        1.29^2 = 1.67
//   F(4x4, 3x3), points 0, 1, -1, 2, -2: 5.61^2 = 31.4
// The op table's Winograd tolerance is the direct-sum model of the same K times these factors
// rounded up (winograd_amplification in tests/check.h). Through whole networks F(4x4) errs
// more than that suggests (tests/README.md), which is why DEPTHSTYLE_CONV=auto uses F(2x2) only.
//
// Work items are (image, band of tile rows), a band at least kBandTiles tiles (see there).
// Like conv.cpp: enough items are spread over the threads, each serial; otherwise bands run in
// order with the transforms split over channels and the n*n GEMMs over the threads. Every
// output element is computed by one thread in a fixed order, so results do not depend on the
// thread count (with the own GEMM, which promises the same).
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <string>

#include "tensor/cpu/conv_algo.h"
#include "tensor/cpu/conv_internal.h"
#include "tensor/cpu/lanes8.h"

namespace ds {
namespace cpu {
namespace {

// The transforms take kLanes tiles (or input channels) at a time, one per lane of lanes8.h's
// eight-float vector F8 (the weight transform in eight double lanes).
constexpr int kLanes = 8;
using Lanes = F8;
using DLanes = double __attribute__((vector_size(kLanes * sizeof(double))));

// F(2, 3), points 0, 1, -1 (Lavin & Gray, section 4.1).
struct F2 {
  static constexpr int m = 2, n = 4;
  template <class T>
  static void input(const T* d, int64_t s, T* v, int64_t t) {  // v = B^T d
    v[0] = d[0] - d[2 * s];
    v[t] = d[s] + d[2 * s];
    v[2 * t] = d[2 * s] - d[s];
    v[3 * t] = d[s] - d[3 * s];
  }
  template <class T>
  static void weight(const T* g, int64_t s, T* u, int64_t t) {  // u = G g
    u[0] = g[0];
    u[t] = (g[0] + g[s] + g[2 * s]) / 2;
    u[2 * t] = (g[0] - g[s] + g[2 * s]) / 2;
    u[3 * t] = g[2 * s];
  }
  template <class T>
  static void output(const T* x, int64_t s, T* y, int64_t t) {  // y = A^T x
    y[0] = x[0] + x[s] + x[2 * s];
    y[t] = x[s] - x[2 * s] - x[3 * s];
  }
};

// F(4, 3), points 0, 1, -1, 2, -2 (Lavin & Gray, section 4.2).
struct F4 {
  static constexpr int m = 4, n = 6;
  template <class T>
  static void input(const T* d, int64_t s, T* v, int64_t t) {  // v = B^T d
    T d0 = d[0], d1 = d[s], d2 = d[2 * s], d3 = d[3 * s], d4 = d[4 * s], d5 = d[5 * s];
    v[0] = 4 * d0 - 5 * d2 + d4;
    v[t] = d4 + d3 - 4 * (d1 + d2);
    v[2 * t] = d4 - d3 + 4 * (d1 - d2);
    v[3 * t] = d4 - d2 + 2 * (d3 - d1);
    v[4 * t] = d4 - d2 - 2 * (d3 - d1);
    v[5 * t] = 4 * d1 - 5 * d3 + d5;
  }
  template <class T>
  static void weight(const T* g, int64_t s, T* u, int64_t t) {  // u = G g
    T g0 = g[0], g1 = g[s], g2 = g[2 * s];
    u[0] = g0 / 4;
    u[t] = -(g0 + g1 + g2) / 6;
    u[2 * t] = -(g0 - g1 + g2) / 6;
    u[3 * t] = g0 / 24 + g1 / 12 + g2 / 6;
    u[4 * t] = g0 / 24 - g1 / 12 + g2 / 6;
    u[5 * t] = g2;
  }
  template <class T>
  static void output(const T* x, int64_t s, T* y, int64_t t) {  // y = A^T x
    T x1 = x[s], x2 = x[2 * s], x3 = x[3 * s], x4 = x[4 * s];
    y[0] = x[0] + x1 + x2 + x3 + x4;
    y[t] = x1 - x2 + 2 * (x3 - x4);
    y[2 * t] = x1 + x2 + 4 * (x3 + x4);
    y[3 * t] = x1 - x2 + 8 * (x3 - x4) + x[5 * s];
  }
};

// out = L in L^T for the 1D map f: kIn values -> kOut values (L is kOut x kIn), on row-major
// kIn x kIn and kOut x kOut arrays: f on every column, then on every row.
template <int kIn, int kOut, class T, class F>
void transform2d(const T* in, T* out, F f) {
  T tmp[kOut * kIn];
  for (int j = 0; j < kIn; ++j) f(in + j, kIn, tmp + j, kIn);
  for (int a = 0; a < kOut; ++a) f(tmp + a * kIn, 1, out + a * kOut, 1);
}

// One Winograd convolution from src [n, c, h, w] to dst [n, o, ho, wo]: dst[o][r][s] =
// bias[o] + sum over c, i, j of tap(o, c, i, j) * src[c][r + i - pad_top][s + j - pad_left].
struct Plan {
  int64_t n, c, h, w, o, ho, wo, pad_top, pad_left;
};

// A band holds at least kBandTiles tiles (or the whole image): each GEMM packs its U[xi]
// (O x C) once per band, and with fewer columns than this the packing costs more than the
// products. kBandFloats caps V and M of one band (16 MB, within L3), which wins for wide images.
constexpr int64_t kBandTiles = 128, kBandFloats = 1 << 22;

int64_t round_up(int64_t a, int64_t b) { return (a + b - 1) / b * b; }

// This thread's buffer number `slot` (0: transformed weights, 1: input rows) of at least n
// floats, kept between calls: a fresh allocation of the transformed weights (up to 36 MB for
// 512 -> 512 channels) would cost a page fault per 4 KB.
float* scratch(int slot, int64_t n) {
  thread_local std::unique_ptr<float[]> buf[2];
  thread_local int64_t size[2] = {0, 0};
  if (n > size[slot]) {
    buf[slot].reset(new float[n]);
    size[slot] = n;
  }
  return buf[slot].get();
}

template <class W, class Tap>
void run(const Plan& q, Tap tap, const float* src, const float* bias, float* dst) {
  constexpr int m = W::m, n = W::n, kXi = n * n;
  if (q.n == 0 || q.o == 0 || q.ho <= 0 || q.wo <= 0) return;
  const int64_t th = (q.ho + m - 1) / m, tw = (q.wo + m - 1) / m;
  const int64_t rows = std::clamp<int64_t>(std::min((kBandTiles + tw - 1) / tw, kBandFloats / (kXi * (q.c + q.o) * tw)),
                                           1, th);  // tile rows per band
  const int64_t bands = (th + rows - 1) / rows, stride = round_up(rows * tw, kLanes);  // stride: V/M row length
  // A tile row's input rows, padded: tile b reads buffer columns [b*m, b*m + n), of which
  // [x_lo, x_hi) lie inside the image.
  const int64_t wp = tw * m + 2, x_lo = std::clamp<int64_t>(q.pad_left, 0, wp),
                x_hi = std::clamp<int64_t>(q.pad_left + q.w, x_lo, wp);

  // Weights U[xi][o][c], transformed in double (the same operations as one scalar double per
  // tap, so the same U), eight input channels at a time: one lane per channel.
  float* u = scratch(0, kXi * q.o * q.c);
  parallel_for(q.o, q.c * 200, [&](int64_t o) {
    for (int64_t c0 = 0; c0 < q.c; c0 += kLanes) {
      const int lanes = static_cast<int>(std::min<int64_t>(kLanes, q.c - c0));
      DLanes g[9] = {}, t[kXi];
      for (int i = 0; i < 9; ++i)
        for (int l = 0; l < lanes; ++l) g[i][l] = tap(o, c0 + l, i / 3, i % 3);
      transform2d<3, n>(g, t, [](const DLanes* a, int64_t s, DLanes* b, int64_t st) { W::weight(a, s, b, st); });
      for (int xi = 0; xi < kXi; ++xi) {
        float* row = u + (xi * q.o + o) * q.c + c0;
        const Lanes f = __builtin_convertvector(t[xi], Lanes);
        if (lanes == kLanes) {
          std::memcpy(row, &f, sizeof f);
        } else {
          for (int l = 0; l < lanes; ++l) row[l] = f[l];
        }
      }
    }
  });

  int64_t macs = kXi * q.o * q.c * rows * tw;
  conv::run_items(q.n * bands, kXi * (q.c + q.o) * stride, macs, [&](int64_t item, float* buf, bool threaded) {
    const int64_t img = item / bands, r0 = item % bands * rows, tiles = (std::min(th, r0 + rows) - r0) * tw;
    float* v = buf;                         // V[xi][c][t]
    float* mm_out = buf + kXi * q.c * stride;  // M[xi][o][t]
    auto over = [&](int64_t count, int64_t work, auto f) {  // f(i) for i in [0, count), work: per i
      if (threaded) {
        parallel_for(count, work, f);
      } else {
        for (int64_t i = 0; i < count; ++i) f(i);
      }
    };
    // Input transform, one tile row at a time: its n input rows, copied with zeros for the
    // padding and beyond the image (buffer column x = image column x - pad_left), are combined
    // down the columns (contiguous, vectorised), then along each row into the tiles' values.
    over(q.c, tiles * kXi * 8, [&](int64_t c) {
      const float* plane = src + (img * q.c + c) * q.h * q.w;
      float* in_rows = scratch(1, 2 * n * wp);
      float* cols = in_rows + n * wp;
      for (int64_t a = 0; a < tiles / tw; ++a) {
        for (int i = 0; i < n; ++i) {
          float* row = in_rows + i * wp;
          int64_t yy = (r0 + a) * m - q.pad_top + i;
          bool inside = yy >= 0 && yy < q.h;
          std::fill(row, row + (inside ? x_lo : wp), 0.0f);
          if (!inside) continue;
          std::copy(plane + yy * q.w + x_lo - q.pad_left, plane + yy * q.w + x_hi - q.pad_left, row + x_lo);
          std::fill(row + x_hi, row + wp, 0.0f);
        }
        for (int64_t x = 0; x < wp; ++x) W::input(in_rows + x, wp, cols + x, wp);
        for (int i = 0; i < n; ++i) {
          float* out = v + (i * n * q.c + c) * stride + a * tw;  // V[i*n + j][c][a*tw + b], j steps by C*stride
          int64_t b = 0;
          if constexpr (W::m == 2)  // eight tiles per step: tile b reads cols[2b .. 2b + 3] (same arithmetic)
            for (; b + kLanes <= tw; b += kLanes) {
              const float* d = cols + i * wp + 2 * b;
              const Lanes d0 = load8_even(d), d1 = load8_odd(d), d2 = load8_even(d + 2), d3 = load8_odd(d + 2);
              const int64_t t = q.c * stride;
              store8(out + b, d0 - d2), store8(out + t + b, d1 + d2);
              store8(out + 2 * t + b, d2 - d1), store8(out + 3 * t + b, d1 - d3);
            }
          for (; b < tw; ++b) W::input(cols + i * wp + b * m, 1, out + b, q.c * stride);
        }
      }
    });
    // The GEMMs are independent: threads take whole ones (each then serial), which beats
    // threading each of these small products.
    over(kXi, q.o * q.c * tiles, [&](int64_t xi) {
      gemm(false, false, static_cast<int>(q.o), static_cast<int>(tiles), static_cast<int>(q.c), 1.0f,
           u + xi * q.o * q.c, static_cast<int>(q.c), v + xi * q.c * stride, static_cast<int>(stride), 0.0f,
           mm_out + xi * q.o * stride, static_cast<int>(stride));
    });
    // Output transform and write-back of the tiles' rows and columns inside the image. Lanes
    // past the last tile transform unwritten columns of M (stride > tiles) and are dropped.
    over(q.o, tiles * kXi * 8, [&](int64_t o) {
      float* plane = dst + (img * q.o + o) * q.ho * q.wo;
      for (int64_t t0 = 0; t0 < tiles; t0 += kLanes) {
        Lanes mv[kXi], yv[m * m];
        for (int xi = 0; xi < kXi; ++xi) std::memcpy(&mv[xi], mm_out + (xi * q.o + o) * stride + t0, sizeof(Lanes));
        transform2d<n, m>(mv, yv, [](const Lanes* a, int64_t s, Lanes* b, int64_t t) { W::output(a, s, b, t); });
        float b = bias ? bias[o] : 0.0f;
        if constexpr (W::m == 2) {  // eight whole tiles of one tile row: two runs of 16 output pixels
          const int64_t y0 = (r0 + t0 / tw) * m, x0 = t0 % tw * m;
          if (t0 + kLanes <= tiles && t0 % tw + kLanes <= tw && y0 + 1 < q.ho && x0 + 2 * kLanes <= q.wo) {
            store16_interleaved(plane + y0 * q.wo + x0, yv[0] + b, yv[1] + b);
            store16_interleaved(plane + (y0 + 1) * q.wo + x0, yv[2] + b, yv[3] + b);
            continue;
          }
        }
        float y[m * m][kLanes];
        std::memcpy(y, yv, sizeof y);
        for (int l = 0; l < kLanes && t0 + l < tiles; ++l) {
          int64_t t = t0 + l, y0 = (r0 + t / tw) * m, x0 = t % tw * m;
          for (int i = 0; i < m && y0 + i < q.ho; ++i)
            for (int j = 0; j < m && x0 + j < q.wo; ++j) plane[(y0 + i) * q.wo + x0 + j] = y[i * m + j][l] + b;
        }
      }
    });
  });
}

template <class Tap>
void run_tile(int tile, const Plan& q, Tap tap, const float* src, const float* bias, float* dst) {
  if (tile == 2) return run<F2>(q, tap, src, bias, dst);
  run<F4>(q, tap, src, bias, dst);
}

ConvAlgo algo_from_env() {
  const char* e = std::getenv("DEPTHSTYLE_CONV");
  return conv_algo_from_string(e ? e : "");
}

std::atomic<int> g_algo{-1};  // -1: not chosen yet

}  // namespace

ConvAlgo conv_algo_from_string(const std::string& s) {
  if (s.empty() || s == "auto") return ConvAlgo::Auto;
  if (s == "im2col") return ConvAlgo::Im2col;
  if (s == "winograd" || s == "winograd-f2") return ConvAlgo::WinogradF2;
  if (s == "winograd-f4") return ConvAlgo::WinogradF4;
  throw Error("DEPTHSTYLE_CONV must be 'auto', 'im2col', 'winograd', 'winograd-f2' or 'winograd-f4', got '" + s + "'");
}

const char* conv_algo_name(ConvAlgo a) {
  switch (a) {
    case ConvAlgo::Im2col: return "im2col";
    case ConvAlgo::WinogradF2: return "winograd-f2";
    case ConvAlgo::WinogradF4: return "winograd-f4";
    default: return "auto";
  }
}

ConvAlgo conv_algo() {
  int a = g_algo.load(std::memory_order_relaxed);
  if (a < 0) {
    a = static_cast<int>(algo_from_env());
    g_algo.store(a, std::memory_order_relaxed);
  }
  return static_cast<ConvAlgo>(a);
}

void set_conv_algo(ConvAlgo a) { g_algo.store(static_cast<int>(a), std::memory_order_relaxed); }

int conv_winograd_tile(const Shape& xs, const Shape& ws, const Shape& ys, const Conv2dParams& p, bool backward) {
  return conv::winograd_choice(conv::make_geom(xs, ws, ys, p), backward);
}

namespace conv {

int winograd_choice(const Geom& g, bool backward) {
  const Conv2dParams& p = g.p;
  bool fits = g.kh == 3 && g.kw == 3 && g.groups == 1 && p.stride_h == 1 && p.stride_w == 1 && p.dil_h == 1 &&
              p.dil_w == 1 && g.ho == g.h + p.pad_top + p.pad_bottom - 2 && g.wo == g.w + p.pad_left + p.pad_right - 2;
  if (!fits) return 0;
  switch (conv_algo()) {
    case ConvAlgo::Im2col: return 0;
    case ConvAlgo::WinogradF2: return 2;
    case ConvAlgo::WinogradF4: return 4;
    default: break;
  }
  // Auto, the rule measured with bench_conv (docs/benchmarks.md, "Winograd against im2col" and
  // the 2026-12-01 sections): the transforms cost per channel and tile and the weight transform
  // per channel pair, so Winograd wins with many channels and many tiles: F(2x2) from 256
  // channels at >= 16x16 output pixels, from 128 at >= 24x24 and from 64 at >= 64x64 (VGG's
  // conv1_2 .. conv5_1 at a 256 px input). SqueezeNet's layers (<= 64 input channels, <= 63x63 px
  // at 256 and 512 px inputs) and VGG's conv1_1 stay with im2col. F(4x4), faster still on the
  // large layers, is never chosen: its error through whole networks exceeds the golden-model
  // bound (tests/README.md, "Winograd convolutions").
  int64_t channels = std::min(g.cin, g.cout), pixels = backward ? g.h * g.w : g.ho * g.wo;
  if (channels >= 256 && pixels >= 16 * 16) return 2;
  if (channels >= 128 && pixels >= 24 * 24) return 2;
  if (channels >= 64 && pixels >= 64 * 64) return 2;
  return 0;
}

void winograd_forward(const Geom& g, int tile, const float* x, const float* w, const float* bias, float* y) {
  const Conv2dParams& p = g.p;
  Plan q{g.n, g.cin, g.h, g.w, g.cout, g.ho, g.wo, p.pad_top, p.pad_left};
  auto tap = [&](int64_t o, int64_t c, int i, int j) { return w[((o * g.cin + c) * 3 + i) * 3 + j]; };
  run_tile(tile, q, tap, x, bias, y);
}

void winograd_backward_data(const Geom& g, int tile, const float* dy, const float* w, const float* bias, float* dx) {
  const Conv2dParams& p = g.p;
  Plan q{g.n, g.cout, g.ho, g.wo, g.cin, g.h, g.w, 2 - p.pad_top, 2 - p.pad_left};
  // Output channel o of this plan is x-space channel o, its input channel c is y-space channel c.
  auto tap = [&](int64_t o, int64_t c, int i, int j) { return w[((c * g.cin + o) * 3 + 2 - i) * 3 + 2 - j]; };
  run_tile(tile, q, tap, dy, bias, dx);
}

}  // namespace conv
}  // namespace cpu
}  // namespace ds
