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
//   F(2x2, 3x3), points 0, 1, -1:            1.29^2 = 1.67
//   F(4x4, 3x3), points 0, 1, -1, 2, -2:     5.61^2 = 31.4  (Lavin & Gray's; 0, +-1, +-1/2 alike)
//   F(4x4, 3x3), points 0, 1, -1, 2, -1/2:   3.23^2 = 10.4  (used here)
// The asymmetric points (Barabasz, Anderson, Soodhalter & Gregg 2020 found such choices best for
// F(4, 3)) cut the amplification threefold at the same cost; with them every golden-model test
// passes with F(4x4) forced (tests/README.md, "Winograd convolutions"). The op table's Winograd
// tolerance is the direct-sum model of the same K times these factors rounded up
// (winograd_amplification in tests/check.h).
//
// The computation per image is tensor/cpu/winograd_kernel.inc (one build per instruction set,
// tensor/cpu/isa.h): bands of tile rows, the input transform kVec tiles at a time, the n*n GEMMs
// on the micro-kernel of the own GEMM straight from the transformed tiles, the output transform.
// This file transforms the weights (in double, once per call, packed for the micro-kernel) and
// chooses the tile. Every output element is computed by one thread in a fixed order, so results
// do not depend on the thread count.
#include <omp.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "tensor/cpu/conv_algo.h"
#include "tensor/cpu/conv_internal.h"
#include "tensor/cpu/isa_kernels.h"
#include "tensor/cpu/lanes8.h"

namespace ds {
namespace cpu {
namespace {

// The weight transform takes the output channels of one micro-kernel row block (MR <= 8) at a
// time, one per lane of eight doubles.
constexpr int kLanes = 8;
using DLanes = double __attribute__((vector_size(kLanes * sizeof(double))));

// u = G g for F(2, 3), points 0, 1, -1 (Lavin & Gray, section 4.1). kDen: see G4.
struct G2 {
  static constexpr int m = 2, n = 4;
  static constexpr double kDen[n] = {1, 1, 1, 1};
  template <class T>
  static void weight(const T* g, int64_t s, T* u, int64_t t) {
    u[0] = g[0];
    u[t] = (g[0] + g[s] + g[2 * s]) / 2;
    u[2 * t] = (g[0] - g[s] + g[2 * s]) / 2;
    u[3 * t] = g[2 * s];
  }
};

// u = G g for F(4, 3), points 0, 1, -1, 2, -1/2 (see the top of this file), as integer
// combinations of the taps (exact in double) over the denominators kDen: row i of G is
// weight()'s row i / kDen[i]. transform_weights divides once, by kDen[i] kDen[j], after both
// passes: a division per pass in each lane was most of the weight transform's time (vdivpd).
struct G4 {
  static constexpr int m = 4, n = 6;
  static constexpr double kDen[n] = {1, 3, 3, 15, 15, 1};
  template <class T>
  static void weight(const T* g, int64_t s, T* u, int64_t t) {
    T g0 = g[0], g1 = g[s], g2 = g[2 * s];
    u[0] = g0;
    u[t] = -(g0 + g1 + g2);
    u[2 * t] = g0 - g1 + g2;
    u[3 * t] = g0 + 2 * g1 + 4 * g2;
    u[4 * t] = -16 * g0 + 8 * g1 - 4 * g2;
    u[5 * t] = g2;
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

// 1 / (kDen[i] kDen[j]) for transform point xi = i*n + j, computed once at compile time.
template <class W>
struct Recip {
  double v[W::n * W::n];
  constexpr Recip() : v() {
    for (int xi = 0; xi < W::n * W::n; ++xi) v[xi] = 1.0 / (W::kDen[xi / W::n] * W::kDen[xi % W::n]);
  }
};
template <class W>
constexpr Recip<W> kRecip{};

// One Winograd convolution from src [n, c, h, w] to dst [n, o, ho, wo]: dst[o][r][s] =
// bias[o] + sum over c, i, j of tap(o, c, i, j) * src[c][r + i - pad_top][s + j - pad_left], where
// tap(o, c, i, j) is kernel(o, c)[3 i + j], or kernel(o, c)[8 - 3 i - j] when rotated.
struct Plan {
  int64_t n, c, h, w, o, ho, wo, pad_top, pad_left;
  bool reflect = false;  // reflection padding (WinogradImage::reflect)
  // Folded output (WinogradImage::fold_h): dst is [n, o, fold_h, fold_w], ring [n, o, ring_size()].
  int64_t fold_top = 0, fold_left = 0, fold_h = 0, fold_w = 0;
  float* ring = nullptr;
  int64_t ring_size() const { return ho * wo - fold_h * fold_w; }
  int64_t up = 1;  // an upsampled src (WinogradImage::up): h, w are the enlarged sizes
};

// This thread's transformed weights, at least n floats, kept between calls: a fresh allocation
// (up to 38 MB for 512 -> 512 channels with F(4x4)) would cost a page fault per 4 KB.
float* weight_scratch(int64_t n) {
  thread_local std::unique_ptr<float[]> buf;
  thread_local int64_t size = 0;
  if (n > size) {
    buf.reset(new float[n]);
    size = n;
  }
  return buf.get();
}

// The weights U[xi][o][c] = (G g[o][c] G^T)[xi], transformed in double (the same operations as
// one scalar double per tap; for F(4x4) the numerators exactly, then one multiplication by the
// denominators' reciprocal) and rounded once to float, packed for the micro-kernel as
// U[xi][o / MR][c][o % MR] with the rows of the last block past o zero. One block of MR <= 8
// output channels at a time, one per lane: each (block, channel) ends as kXi runs of MR floats.
// rotated: the input gradient's weights, w[c][o] turned by 180 degrees, where the taps of one
// input channel c lie together. Items run over blocks of 64 channels c outermost, then over the
// output-channel blocks, then over the block's channels: the reads stay within 64 rows (18 KB per
// step at 512 channels) and each output-channel block's writes are 64 runs side by side, 2 KB per
// plane. (c outermost alone wrote 32 bytes per plane 16 KB apart, a cache miss per write: that
// transform took 8 % of VGG16's iteration, 4.4 % now; output-channel blocks outermost reads 288
// bytes per item 18 KB apart, which no prefetcher follows: 4x slower.) Not rotated (w[o][c]):
// over the output-channel blocks outermost, eight sequential streams.
template <class W, class Kernel>
const float* transform_weights(const Plan& q, Kernel kernel, bool rotated, int mr, int64_t u_xi) {
  constexpr int kXi = W::n * W::n;
  static_assert(kLanes == 8, "the gather below transposes 8 x 8 blocks");
  const int64_t obs = (q.o + mr - 1) / mr;
  if (mr > kLanes) throw Error("winograd: micro-kernel blocks of " + std::to_string(mr) + " rows exceed the lanes");
  float* u = weight_scratch(kXi * u_xi);
  static const float kNone[9] = {};  // the taps of the lanes past o
  constexpr int64_t kBlock = 64;  // rotated: input channels per block (8-512 measured, 64-128 best)
  const int64_t items = rotated ? (q.c + kBlock - 1) / kBlock * kBlock * obs : obs * q.c;
  parallel_for(items, 200 * mr, [&](int64_t item) {
    int64_t ob = item / q.c, c = item % q.c;
    if (rotated) {
      const int64_t per_block = kBlock * obs;
      ob = item % per_block / kBlock, c = item / per_block * kBlock + item % kBlock;
      if (c >= q.c) return;
    }
    const int64_t o0 = ob * mr;
    const int lanes = static_cast<int>(std::min<int64_t>(mr, q.o - o0));
    // The lanes' 3x3 kernels (9 floats each, in memory order), transposed in registers: a
    // transpose through an array on the stack (scalar stores, then a wide load) stalled on
    // store-to-load forwarding, a third of the weight transform's time (perf, VGG16).
    F8 head[kLanes], tail[kLanes];  // memory taps 0-7 and 1-8 of each lane
    for (int l = 0; l < kLanes; ++l) {
      const float* k = l < lanes ? kernel(o0 + l, c) : kNone;
      head[l] = load8(k);
      tail[l] = load8(k + 1);
    }
    transpose8(head);  // head[k][l]: memory tap k of lane l
    transpose8(tail);  // only tail[7] (memory tap 8) is used
    DLanes g[9], t[kXi];
    for (int k = 0; k < 9; ++k)  // rotated: memory tap k is tap 8 - k (the kernel turned by 180 degrees)
      g[rotated ? 8 - k : k] = __builtin_convertvector(k < 8 ? head[k] : tail[7], DLanes);
    transform2d<3, W::n>(g, t, [](const DLanes* a, int64_t s, DLanes* b, int64_t st) { W::weight(a, s, b, st); });
    for (int xi = 0; xi < kXi; ++xi) {
      const F8 v = __builtin_convertvector(t[xi] * kRecip<W>.v[xi], F8);
      float* run = u + xi * u_xi + (ob * q.c + c) * mr;
      if (mr == kLanes) {
        store8(run, v);
      } else {
        for (int l = 0; l < mr; ++l) run[l] = v[l];  // lanes past o are zero
      }
    }
  });
  return u;
}

template <class W, class Kernel>
void run(const Plan& q, Kernel kernel, bool rotated, const float* src, const float* bias, float* dst) {
  if (q.n == 0 || q.o == 0 || q.ho <= 0 || q.wo <= 0) return;
  const IsaKernels& ks = kernels();
  const int64_t u_xi = (q.o + ks.gemm_mr - 1) / ks.gemm_mr * ks.gemm_mr * q.c + 16;
  const float* u = transform_weights<W>(q, kernel, rotated, ks.gemm_mr, u_xi);
  const bool fold = q.fold_h > 0;
  const int64_t dst_image = q.o * (fold ? q.fold_h * q.fold_w : q.ho * q.wo);
  for (int64_t img = 0; img < q.n; ++img) {
    WinogradImage job{W::m, q.c, q.h, q.w, q.o, q.ho, q.wo, q.pad_top, q.pad_left, u, u_xi, bias,
                      src + img * q.c * (q.h / q.up) * (q.w / q.up), dst + img * dst_image, q.reflect, q.fold_top,
                      q.fold_left, q.fold_h, q.fold_w, fold ? q.ring + img * q.o * q.ring_size() : nullptr, q.up};
    ks.winograd_image(job);
  }
}

template <class Kernel>
void run_tile(int tile, const Plan& q, Kernel kernel, bool rotated, const float* src, const float* bias, float* dst) {
  if (tile == 2) return run<G2>(q, kernel, rotated, src, bias, dst);
  run<G4>(q, kernel, rotated, src, bias, dst);
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

int64_t winograd_scratch_bytes(int m, int64_t c, int64_t o, int64_t ho, int64_t wo) {
  if (m == 0) return 0;
  // winograd_kernel.inc's Image with the widest instruction set's padding (kVec 16, kNR 32).
  const int64_t n = m + 2, xi = n * n, th = (ho + m - 1) / m, tw = (wo + m - 1) / m;
  const int64_t rows = std::max<int64_t>(1, std::min({(128 + tw - 1) / tw, (int64_t(1) << 22) / (xi * (c + o) * tw), th}));
  const int64_t stride = rows * tw + 16 + 32, wc = (tw + 16) * m + n + 16;
  return 4 * (xi * ((c + o) * stride + 32) + 2 * n * wc);
}

int cpu_threads() { return omp_get_max_threads(); }

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
  // Auto, the rule measured with bench_conv --layers (docs/benchmarks.md, "Winograd rule",
  // 2026-12-07): the transforms cost per channel and tile, the weight transform per channel
  // pair, and the GEMMs' columns are tiles, so Winograd wins with many channels and many tiles,
  // F(4x4) (2.25 times fewer products than F(2x2)) with the most tiles. In tiles of 4x4 output
  // pixels (t4): F(4x4) from 100 tiles with >= 16 channels (VGG16 from 64x64 px, Monodepth2's
  // ResNet stages 1-2 and its decoder from 24x80, SqueezeNet's 16->64 layers at >= 63 px);
  // F(2x2) from 16 tiles with >= 128 channels or from 30 tiles with >= 48 (VGG16's 32 and 16 px
  // layers, ResNet stage 3, SqueezeNet's 31 px layers at a 512 px input); else im2col (3 or 1
  // channels: VGG's conv1_1 and Monodepth2's disparity head; tiny images: ResNet stage 4,
  // SqueezeNet's 15 px layers).
  const int64_t channels = std::min(g.cin, g.cout);
  const int64_t ho = backward ? g.h : g.ho, wo = backward ? g.w : g.wo;
  // F(4x4) only where multiply-adds are fused: on the generic path of a portable build (SSE2, no
  // FMA) its error through the fast-style transformer's input gradient exceeded the golden bound
  // (2.1e-3 against 4.5e-4; 8.3e-5 with FMA), so F(2x2) takes its shapes there.
  const int64_t t4 = ((ho + 3) / 4) * ((wo + 3) / 4);
  if (t4 >= 100 && channels >= 16) return kernels().fma ? 4 : 2;
  if ((t4 >= 16 && channels >= 128) || (t4 >= 30 && channels >= 48)) return 2;
  return 0;
}

void winograd_forward(const Geom& g, int tile, const float* x, const float* w, const float* bias, float* y) {
  const Conv2dParams& p = g.p;
  const bool reflect = p.pad_mode == PadMode::Reflect;  // pads checked by conv.cpp's conv2d_forward
  Plan q{g.n, g.cin, g.h, g.w, g.cout, g.ho, g.wo, p.pad_top, p.pad_left, reflect};
  q.up = p.upsample;  // g's h, w are then the enlarged input's (conv.cpp)
  auto kernel = [&](int64_t o, int64_t c) { return w + (o * g.cin + c) * 9; };
  run_tile(tile, q, kernel, false, x, bias, y);
}

// The input gradient of a reflection-padded convolution g (x-space [n, cin, h, w], padding
// p.pad_*): the padded input's gradient computed as winograd_backward_data of the unpadded
// convolution, its pixels inside the image written straight into dx and the border's into a
// small ring (WinogradImage::fold_h), then each border pixel added onto the pixel it mirrors (the
// transpose of the reflection: padded row -i is row i, h - 1 + i is h - 1 - i). Same values as
// the padded gradient followed by pad2d_backward, without the padded-size buffer and its pass.
void winograd_backward_data_reflect(const Geom& g, int tile, const float* dy, const float* w, float* dx) {
  const Conv2dParams& p = g.p;
  const int64_t hp = g.h + p.pad_top + p.pad_bottom, wp = g.w + p.pad_left + p.pad_right;
  Plan q{g.n, g.cout, g.ho, g.wo, g.cin, hp, wp, 2, 2};
  q.fold_top = p.pad_top, q.fold_left = p.pad_left, q.fold_h = g.h, q.fold_w = g.w;
  std::vector<float> ring(static_cast<size_t>(g.n * g.cin * q.ring_size()));
  q.ring = ring.data();
  auto kernel = [&](int64_t o, int64_t c) { return w + (c * g.cin + o) * 9; };
  run_tile(tile, q, kernel, true, dy, nullptr, dx);
  WinogradImage at{};  // fold_ring_index's view of the ring's layout
  at.ho = hp, at.wo = wp, at.fold_top = p.pad_top, at.fold_left = p.pad_left, at.fold_h = g.h, at.fold_w = g.w;
  parallel_for(g.n * g.cin, q.ring_size(), [&](int64_t plane) {
    float* d = dx + plane * g.h * g.w;
    const float* r = q.ring + plane * q.ring_size();
    for (int64_t y = 0; y < hp; ++y) {
      const bool inside = y >= p.pad_top && y < p.pad_top + g.h;
      for (int64_t x = 0; x < wp; ++x) {
        if (inside && x == p.pad_left) x = p.pad_left + g.w;  // skip the image's own pixels
        if (x >= wp) break;
        d[reflect_index(y - p.pad_top, g.h) * g.w + reflect_index(x - p.pad_left, g.w)] += r[fold_ring_index(at, y, x)];
      }
    }
  });
}

void winograd_backward_data(const Geom& g, int tile, const float* dy, const float* w, const float* bias, float* dx) {
  const Conv2dParams& p = g.p;
  Plan q{g.n, g.cout, g.ho, g.wo, g.cin, g.h, g.w, 2 - p.pad_top, 2 - p.pad_left};
  // Output channel o of this plan is x-space channel o, its input channel c is y-space channel c;
  // the kernel w[c][o] rotated by 180 degrees.
  auto kernel = [&](int64_t o, int64_t c) { return w + (c * g.cin + o) * 9; };
  run_tile(tile, q, kernel, true, dy, bias, dx);
}

}  // namespace conv
}  // namespace cpu
}  // namespace ds
