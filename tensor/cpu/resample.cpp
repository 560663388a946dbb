// CPU nearest and bilinear resizing, zero/reflection padding and channel copies (concat),
// forward and backward. Mirrors cuda/resample.cu.
//
// Every op here maps output pixels to input pixels separably: a per-row and a per-column
// table is built once per call and shared by all (n,c) planes. Backward passes zero dx and
// scatter-add through the same tables, one plane per task, so accumulation is race-free.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "tensor/cpu/parallel.h"
#include "tensor/kernels.h"

namespace ds {
namespace cpu {

namespace {

// Output index -> input index along one axis; -1 means "no source" (zero padding).
using IndexMap = std::vector<int64_t>;

// Bilinear taps along one axis: out[i] = w0[i]*in[i0[i]] + w1[i]*in[i1[i]], w0 + w1 = 1.
struct Taps {
  std::vector<int64_t> i0, i1;
  std::vector<float> w0, w1;
};

IndexMap nearest_map(int64_t in, int64_t out) {
  IndexMap m(static_cast<size_t>(out));
  for (int64_t i = 0; i < out; ++i) m[static_cast<size_t>(i)] = std::min(i * in / out, in - 1);  // exact floor
  return m;
}

// PyTorch, align_corners=False: src = (dst + 0.5) * in/out - 0.5, clamped at 0; the upper
// neighbour is clamped to the last row, so the edge pixel is repeated.
Taps bilinear_taps(int64_t in, int64_t out) {
  Taps t;
  double scale = static_cast<double>(in) / static_cast<double>(out);
  for (int64_t i = 0; i < out; ++i) {
    double src = std::max((static_cast<double>(i) + 0.5) * scale - 0.5, 0.0);
    int64_t lo = std::min(static_cast<int64_t>(src), in - 1);
    double frac = src - static_cast<double>(lo);
    t.i0.push_back(lo);
    t.i1.push_back(lo < in - 1 ? lo + 1 : lo);
    t.w0.push_back(static_cast<float>(1.0 - frac));
    t.w1.push_back(static_cast<float>(frac));
  }
  return t;
}

// Padding along one axis: output i reads input i - before, reflected or dropped when outside.
IndexMap pad_map(int64_t in, int64_t out, int64_t before, PadMode mode) {
  IndexMap m(static_cast<size_t>(out));
  for (int64_t i = 0; i < out; ++i) {
    int64_t s = i - before;
    if (mode == PadMode::Reflect) {
      s = reflect_index(s, in);
    } else if (s < 0 || s >= in) {
      s = -1;
    }
    m[static_cast<size_t>(i)] = s;
  }
  return m;
}

// Calls f(x plane, y plane) for every (n,c) plane of x [N,C,h,w] and y [N,C,H,W].
template <class X, class Y, class F>
void for_each_plane(X* x, Y* y, const Shape& xs, const Shape& ys, F f) {
  int64_t xp = xs[2] * xs[3], yp = ys[2] * ys[3];
  parallel_for(xs[0] * xs[1], std::max(xp, yp), [&](int64_t nc) { f(x + nc * xp, y + nc * yp); });
}

// Output columns [j, j + len) that read input columns [c, c + len), or zeros when c is -1: a
// column map cut where its sources stop being consecutive. Padding has 3 runs per row, so rows
// are copied as contiguous blocks; nearest upsampling has runs of 1 and keeps the per-element loop.
struct Run {
  int64_t j, c, len;
};

std::vector<Run> runs_of(const IndexMap& cols) {
  std::vector<Run> runs;
  for (size_t j = 0; j < cols.size(); ++j) {
    int64_t c = cols[j];
    if (!runs.empty()) {
      Run& r = runs.back();
      if (r.c < 0 ? c < 0 : c == r.c + r.len) {
        ++r.len;
        continue;
      }
    }
    runs.push_back({static_cast<int64_t>(j), c, 1});
  }
  return runs;
}

bool worth_runs(const std::vector<Run>& runs, const IndexMap& cols) { return runs.size() * 4 <= cols.size(); }

// Gathers y from x through separable row/column maps (-1 reads zero).
void gather(const Tensor& x, Tensor& y, const IndexMap& rows, const IndexMap& cols) {
  int64_t W = x.shape()[3], ow = y.shape()[3];
  std::vector<Run> runs = runs_of(cols);
  bool by_runs = worth_runs(runs, cols);
  for_each_plane(x.data(), y.data(), x.shape(), y.shape(), [&](const float* in, float* out) {
    for (size_t i = 0; i < rows.size(); ++i, out += ow) {
      int64_t r = rows[i];
      if (r < 0) {
        std::fill(out, out + ow, 0.0f);
        continue;
      }
      const float* src = in + r * W;
      if (by_runs) {
        for (const Run& run : runs) {
          if (run.c < 0) std::fill(out + run.j, out + run.j + run.len, 0.0f);
          else std::copy(src + run.c, src + run.c + run.len, out + run.j);
        }
        continue;
      }
      for (int64_t j = 0; j < ow; ++j) {
        int64_t c = cols[static_cast<size_t>(j)];
        out[j] = c < 0 ? 0.0f : src[c];
      }
    }
  });
}

// The adjoint of gather: dx = 0, then dx[rows[i], cols[j]] += dy[i, j].
void scatter(const Tensor& dy, Tensor& dx, const IndexMap& rows, const IndexMap& cols) {
  fill(dx, 0.0f);
  int64_t W = dx.shape()[3], ow = dy.shape()[3];
  std::vector<Run> runs = runs_of(cols);
  bool by_runs = worth_runs(runs, cols);
  for_each_plane(dx.data(), dy.data(), dx.shape(), dy.shape(), [&](float* d, const float* g) {
    for (size_t i = 0; i < rows.size(); ++i, g += ow) {
      int64_t r = rows[i];
      if (r < 0) continue;
      float* dst = d + r * W;
      if (by_runs) {
        for (const Run& run : runs)
          if (run.c >= 0)
            for (int64_t k = 0; k < run.len; ++k) dst[run.c + k] += g[run.j + k];
        continue;
      }
      for (int64_t j = 0; j < ow; ++j) {
        int64_t c = cols[static_cast<size_t>(j)];
        if (c >= 0) dst[c] += g[j];
      }
    }
  });
}

}  // namespace

void resize_nearest_forward(const Tensor& x, Tensor& y) {
  gather(x, y, nearest_map(x.shape()[2], y.shape()[2]), nearest_map(x.shape()[3], y.shape()[3]));
}

void resize_nearest_backward(const Tensor& dy, Tensor& dx) {
  scatter(dy, dx, nearest_map(dx.shape()[2], dy.shape()[2]), nearest_map(dx.shape()[3], dy.shape()[3]));
}

void pad2d_forward(const Tensor& x, Tensor& y, const Pad2dParams& p, PadMode mode) {
  gather(x, y, pad_map(x.shape()[2], y.shape()[2], p.top, mode), pad_map(x.shape()[3], y.shape()[3], p.left, mode));
}

void pad2d_backward(const Tensor& dy, Tensor& dx, const Pad2dParams& p, PadMode mode) {
  scatter(dy, dx, pad_map(dx.shape()[2], dy.shape()[2], p.top, mode),
          pad_map(dx.shape()[3], dy.shape()[3], p.left, mode));
}

void resize_bilinear_forward(const Tensor& x, Tensor& y) {
  Taps th = bilinear_taps(x.shape()[2], y.shape()[2]), tw = bilinear_taps(x.shape()[3], y.shape()[3]);
  int64_t W = x.shape()[3], oh = y.shape()[2], ow = y.shape()[3];
  for_each_plane(x.data(), y.data(), x.shape(), y.shape(), [&](const float* in, float* out) {
    for (int64_t i = 0; i < oh; ++i, out += ow) {
      const float* r0 = in + th.i0[static_cast<size_t>(i)] * W;
      const float* r1 = in + th.i1[static_cast<size_t>(i)] * W;
      float a = th.w0[static_cast<size_t>(i)], b = th.w1[static_cast<size_t>(i)];
      for (int64_t j = 0; j < ow; ++j) {
        size_t k = static_cast<size_t>(j);
        out[j] = a * (tw.w0[k] * r0[tw.i0[k]] + tw.w1[k] * r0[tw.i1[k]]) +
                 b * (tw.w0[k] * r1[tw.i0[k]] + tw.w1[k] * r1[tw.i1[k]]);
      }
    }
  });
}

void resize_bilinear_backward(const Tensor& dy, Tensor& dx) {
  Taps th = bilinear_taps(dx.shape()[2], dy.shape()[2]), tw = bilinear_taps(dx.shape()[3], dy.shape()[3]);
  fill(dx, 0.0f);
  int64_t W = dx.shape()[3], oh = dy.shape()[2], ow = dy.shape()[3];
  for_each_plane(dx.data(), dy.data(), dx.shape(), dy.shape(), [&](float* d, const float* g) {
    for (int64_t i = 0; i < oh; ++i, g += ow) {
      float* r0 = d + th.i0[static_cast<size_t>(i)] * W;
      float* r1 = d + th.i1[static_cast<size_t>(i)] * W;
      float a = th.w0[static_cast<size_t>(i)], b = th.w1[static_cast<size_t>(i)];
      for (int64_t j = 0; j < ow; ++j) {
        size_t k = static_cast<size_t>(j);
        r0[tw.i0[k]] += a * tw.w0[k] * g[j];
        r0[tw.i1[k]] += a * tw.w1[k] * g[j];
        r1[tw.i0[k]] += b * tw.w0[k] * g[j];
        r1[tw.i1[k]] += b * tw.w1[k] * g[j];
      }
    }
  });
}

// Concat along channels: per batch item, x's C*H*W block is contiguous in both tensors and
// sits at channel offset c0 of y's item. Blocks are copied in pieces, so that one item (N = 1)
// still uses every thread.
static void copy_blocks(float* dst, int64_t dst_stride, const float* src, int64_t src_stride, int64_t n,
                        int64_t block) {
  constexpr int64_t kPiece = 1 << 14;
  int64_t pieces = (block + kPiece - 1) / kPiece;
  parallel_for(n * pieces, kPiece, [&](int64_t i) {
    int64_t item = i / pieces, off = i % pieces * kPiece, len = std::min(kPiece, block - off);
    std::memcpy(dst + item * dst_stride + off, src + item * src_stride + off, static_cast<size_t>(len) * sizeof(float));
  });
}

void copy_channels_in(const Tensor& x, Tensor& y, int64_t c0) {
  int64_t block = x.numel() / x.shape()[0], item = y.numel() / y.shape()[0];
  copy_blocks(y.data() + c0 * y.shape()[2] * y.shape()[3], item, x.data(), block, x.shape()[0], block);
}

void copy_channels_out(const Tensor& y, Tensor& x, int64_t c0) {
  int64_t block = x.numel() / x.shape()[0], item = y.numel() / y.shape()[0];
  copy_blocks(x.data(), block, y.data() + c0 * y.shape()[2] * y.shape()[3], item, x.shape()[0], block);
}

}  // namespace cpu
}  // namespace ds
