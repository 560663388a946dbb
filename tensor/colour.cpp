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

}  // namespace

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
