#include "tensor/colour.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace ds {

namespace {

using Mat3 = std::array<std::array<double, 3>, 3>;

// RGB -> YIQ from the definition in colour.h.
Mat3 make_forward() {
  const double kr = 0.299, kg = 0.587, kb = 0.114, u = 0.492111, v = 0.877283;
  const double angle = 33.0 * std::acos(-1.0) / 180.0, c = std::cos(angle), s = std::sin(angle);
  const std::array<double, 3> y = {kr, kg, kb}, r_y = {1 - kr, -kg, -kb}, b_y = {-kr, -kg, 1 - kb};
  Mat3 m;
  for (int k = 0; k < 3; ++k) {
    m[0][k] = y[k];
    m[1][k] = v * c * r_y[k] - u * s * b_y[k];
    m[2][k] = v * s * r_y[k] + u * c * b_y[k];
  }
  return m;
}

Mat3 inverse(const Mat3& m) {  // adjugate / determinant
  Mat3 inv;
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) {
      int a = (j + 1) % 3, b = (j + 2) % 3, c = (i + 1) % 3, d = (i + 2) % 3;
      inv[i][j] = m[a][c] * m[b][d] - m[a][d] * m[b][c];
    }
  double det = m[0][0] * inv[0][0] + m[0][1] * inv[1][0] + m[0][2] * inv[2][0];
  for (auto& row : inv)
    for (double& e : row) e /= det;
  return inv;
}

const Mat3& forward() {
  static const Mat3 m = make_forward();
  return m;
}
const Mat3& backward() {
  static const Mat3 m = inverse(forward());
  return m;
}

Tensor checked_cpu(const char* what, const Tensor& t) {
  if (!t.defined() || t.ndim() != 4 || t.shape()[1] != 3)
    throw Error(std::string(what) + ": expected an image [N,3,H,W], got " +
                (t.defined() ? shape_str(t.shape()) : std::string("an undefined tensor")));
  return t.device() == Device::CPU ? t : t.to(Device::CPU);
}

// Calls f(in, out) with the three channel values of each pixel (doubles), writing out.
template <class F>
Tensor per_pixel(const char* what, const Tensor& x, F f) {
  Tensor in = checked_cpu(what, x);
  Tensor out = Tensor::empty(in.shape());
  const int64_t plane = in.shape()[2] * in.shape()[3];
  for (int64_t n = 0; n < in.shape()[0]; ++n) {
    const float* pi = in.data() + n * 3 * plane;
    float* po = out.data() + n * 3 * plane;
    for (int64_t p = 0; p < plane; ++p) {
      std::array<double, 3> a = {pi[p], pi[plane + p], pi[2 * plane + p]}, b{};
      f(a, b, n * plane + p);
      for (int c = 0; c < 3; ++c) po[c * plane + p] = static_cast<float>(b[static_cast<size_t>(c)]);
    }
  }
  return out;
}

std::array<double, 3> times(const Mat3& m, const std::array<double, 3>& x) {
  std::array<double, 3> y{};
  for (size_t i = 0; i < 3; ++i) y[i] = m[i][0] * x[0] + m[i][1] * x[1] + m[i][2] * x[2];
  return y;
}

// Mean and covariance of the RGB values of one image [1,3,H,W] (population, in double).
struct ColourStats {
  std::array<double, 3> mean{};
  Mat3 cov{};
};

ColourStats colour_stats(const Tensor& img) {
  const int64_t plane = img.shape()[2] * img.shape()[3];
  const float* p = img.data();
  ColourStats s;
  for (int c = 0; c < 3; ++c) {
    double sum = 0;
    for (int64_t i = 0; i < plane; ++i) sum += p[c * plane + i];
    s.mean[static_cast<size_t>(c)] = sum / static_cast<double>(plane);
  }
  for (int a = 0; a < 3; ++a)
    for (int b = a; b < 3; ++b) {
      double sum = 0;
      for (int64_t i = 0; i < plane; ++i)
        sum += (p[a * plane + i] - s.mean[static_cast<size_t>(a)]) * (p[b * plane + i] - s.mean[static_cast<size_t>(b)]);
      s.cov[static_cast<size_t>(a)][static_cast<size_t>(b)] = s.cov[static_cast<size_t>(b)][static_cast<size_t>(a)] =
          sum / static_cast<double>(plane);
    }
  return s;
}

// f(M) for a symmetric 3x3 M = V diag(λ) V^T: V diag(f(λ)) V^T, by cyclic Jacobi rotations
// (converges quadratically; 50 sweeps are far more than a 3x3 ever needs).
template <class F>
Mat3 symmetric_function(Mat3 m, F f) {
  Mat3 v{};
  for (size_t i = 0; i < 3; ++i) v[i][i] = 1;
  for (int sweep = 0; sweep < 50; ++sweep) {
    double off = std::fabs(m[0][1]) + std::fabs(m[0][2]) + std::fabs(m[1][2]);
    if (off < 1e-300) break;
    for (size_t p = 0; p < 2; ++p)
      for (size_t q = p + 1; q < 3; ++q) {
        if (m[p][q] == 0) continue;
        double theta = (m[q][q] - m[p][p]) / (2 * m[p][q]);
        double t = (theta >= 0 ? 1.0 : -1.0) / (std::fabs(theta) + std::sqrt(theta * theta + 1));
        double c = 1 / std::sqrt(t * t + 1), s = t * c;
        for (size_t k = 0; k < 3; ++k) {  // m = J^T m J, v = v J
          double mkp = m[k][p], mkq = m[k][q];
          m[k][p] = c * mkp - s * mkq, m[k][q] = s * mkp + c * mkq;
        }
        for (size_t k = 0; k < 3; ++k) {
          double mpk = m[p][k], mqk = m[q][k];
          m[p][k] = c * mpk - s * mqk, m[q][k] = s * mpk + c * mqk;
        }
        for (size_t k = 0; k < 3; ++k) {
          double vkp = v[k][p], vkq = v[k][q];
          v[k][p] = c * vkp - s * vkq, v[k][q] = s * vkp + c * vkq;
        }
      }
  }
  Mat3 out{};
  for (size_t i = 0; i < 3; ++i)
    for (size_t j = 0; j < 3; ++j)
      for (size_t k = 0; k < 3; ++k) out[i][j] += v[i][k] * f(m[k][k]) * v[j][k];
  return out;
}

Mat3 product(const Mat3& a, const Mat3& b) {
  Mat3 c{};
  for (size_t i = 0; i < 3; ++i)
    for (size_t j = 0; j < 3; ++j)
      for (size_t k = 0; k < 3; ++k) c[i][j] += a[i][k] * b[k][j];
  return c;
}

}  // namespace

Tensor match_colour_histogram(const Tensor& style, const Tensor& content) {
  Tensor s = checked_cpu("match_colour_histogram (style)", style), c = checked_cpu("match_colour_histogram (content)", content);
  if (s.shape()[0] != 1 || c.shape()[0] != 1)
    throw Error("match_colour_histogram: expected one image each, got " + shape_str(s.shape()) + " and " +
                shape_str(c.shape()));
  ColourStats ss = colour_stats(s), cs = colour_stats(c);
  const double floor = 1e-8;  // keeps Σ_s^{-1/2} finite for a style without colour variation
  Mat3 a = product(symmetric_function(cs.cov, [](double l) { return std::sqrt(std::max(l, 0.0)); }),
                   symmetric_function(ss.cov, [&](double l) { return 1 / std::sqrt(std::max(l, 0.0) + floor); }));
  return per_pixel("match_colour_histogram", s, [&](const std::array<double, 3>& x, std::array<double, 3>& y, int64_t) {
    std::array<double, 3> d = {x[0] - ss.mean[0], x[1] - ss.mean[1], x[2] - ss.mean[2]};
    y = times(a, d);
    for (size_t k = 0; k < 3; ++k) y[k] += cs.mean[k];
  });
}

Tensor rgb_to_yiq(const Tensor& rgb) {
  return per_pixel("rgb_to_yiq", rgb, [](const auto& a, auto& b, int64_t) { b = times(forward(), a); });
}

Tensor yiq_to_rgb(const Tensor& yiq) {
  return per_pixel("yiq_to_rgb", yiq, [](const auto& a, auto& b, int64_t) { b = times(backward(), a); });
}

Tensor luminance_rgb(const Tensor& rgb) {
  return per_pixel("luminance_rgb", rgb, [](const auto& a, auto& b, int64_t) {
    double y = times(forward(), a)[0];
    b = {y, y, y};
  });
}

Tensor with_content_chroma(const Tensor& result, const Tensor& content) {
  Tensor c = checked_cpu("with_content_chroma (content)", content);
  if (result.defined() && result.shape() != c.shape())
    throw Error("with_content_chroma: result " + shape_str(result.shape()) + " and content " + shape_str(c.shape()) +
                " differ in shape");
  Tensor content_yiq = rgb_to_yiq(c);
  const int64_t plane = c.shape()[2] * c.shape()[3];
  return per_pixel("with_content_chroma (result)", result, [&](const auto& a, auto& b, int64_t at) {
    const float* q = content_yiq.data() + (at / plane) * 3 * plane + at % plane;
    double i = q[plane], qq = q[2 * plane];
    // RGB = Y + k: the chroma part k of each channel, and the Y range keeping all in [0,1].
    std::array<double, 3> k = times(backward(), {0.0, i, qq});
    double lo = std::max({-k[0], -k[1], -k[2]}), hi = std::min({1 - k[0], 1 - k[1], 1 - k[2]});
    double y = lo <= hi ? std::clamp(times(forward(), a)[0], lo, hi) : q[0];  // lo > hi: rounding at the gamut's edge
    for (size_t ch = 0; ch < 3; ++ch) b[ch] = std::clamp(y + k[ch], 0.0, 1.0);
  });
}

}  // namespace ds
