// Float64 oracle of warp (autograd/ops.h): bilinear sampling written as a sum of tent weights
// over every pixel, y = sum_ij max(0, 1-|px-j|) max(0, 1-|py-i|) x[i][j], with the sample point
// clamped to the image (NaN to 0) — another formulation than the kernels' four taps.
#include <algorithm>
#include <cmath>

#include "tests/oracle.h"

namespace dst {

namespace {

double clamp_coord(double p, int64_t n) {
  if (std::isnan(p)) return 0.0;
  return std::min(std::max(p, 0.0), static_cast<double>(n - 1));
}

double tent(double d) { return std::max(0.0, 1.0 - std::fabs(d)); }

}  // namespace

DTensor warp_ref(const DTensor& x, const DTensor& flow) {
  const int64_t N = x.dim(0), C = x.dim(1), H = x.dim(2), W = x.dim(3);
  DTensor y(x.shape);
  for (int64_t n = 0; n < N; ++n)
    for (int64_t h = 0; h < H; ++h)
      for (int64_t w = 0; w < W; ++w) {
        double px = clamp_coord(static_cast<double>(w) + flow.at(n, 0, h, w), W);
        double py = clamp_coord(static_cast<double>(h) + flow.at(n, 1, h, w), H);
        for (int64_t c = 0; c < C; ++c) {
          double s = 0;
          for (int64_t i = 0; i < H; ++i) {
            double wy = tent(py - static_cast<double>(i));
            if (wy == 0) continue;
            for (int64_t j = 0; j < W; ++j) s += wy * tent(px - static_cast<double>(j)) * x.at(n, c, i, j);
          }
          y.at(n, c, h, w) = s;
        }
      }
  return y;
}

}  // namespace dst
