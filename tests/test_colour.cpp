// Colour spaces (tensor/colour.h) against float64 oracles: the YIQ matrix from its
// definition (BT.601 luma and colour differences, the NTSC 33° rotation), checked first
// against the published 4-digit FCC matrix (tests/colour_oracle.h); its inverse by Gauss-Jordan.
//
// Error model: a float32 output is a 3-term dot product of values |x| <= 1.2 with coefficients
// |m| <= 1.8 (inverse) in double, rounded once to float: |error| <= 2^-24 * 3 * 1.2 * 1.8 + the
// input's own float rounding, well under 1e-6; tolerances are 2e-6 per conversion.
#include <array>
#include <cmath>

#include "check.h"
#include "colour_oracle.h"
#include "tensor/colour.h"

using dst::DTensor;

namespace {

using dst::Mat3;
using dst::yiq_from_definition;

Mat3 gauss_jordan_inverse(Mat3 m) {
  Mat3 inv{};
  for (size_t i = 0; i < 3; ++i) inv[i][i] = 1;
  for (size_t c = 0; c < 3; ++c) {
    size_t p = c;
    for (size_t r = c + 1; r < 3; ++r)
      if (std::fabs(m[r][c]) > std::fabs(m[p][c])) p = r;
    std::swap(m[c], m[p]);
    std::swap(inv[c], inv[p]);
    double d = m[c][c];
    for (size_t k = 0; k < 3; ++k) m[c][k] /= d, inv[c][k] /= d;
    for (size_t r = 0; r < 3; ++r) {
      if (r == c) continue;
      double f = m[r][c];
      for (size_t k = 0; k < 3; ++k) m[r][k] -= f * m[c][k], inv[r][k] -= f * inv[c][k];
    }
  }
  return inv;
}

// out = m applied to the channels of each pixel of x [N,3,H,W].
DTensor mat_times(const Mat3& m, const DTensor& x) {
  DTensor y(x.shape);
  for (int64_t n = 0; n < x.dim(0); ++n)
    for (int64_t h = 0; h < x.dim(2); ++h)
      for (int64_t w = 0; w < x.dim(3); ++w)
        for (size_t i = 0; i < 3; ++i) {
          double s = 0;
          for (size_t k = 0; k < 3; ++k) s += m[i][k] * x.at(n, static_cast<int64_t>(k), h, w);
          y.at(n, static_cast<int64_t>(i), h, w) = s;
        }
  return y;
}

}  // namespace

TEST_CASE("colour: rgb_to_yiq is the BT.601/NTSC YIQ matrix (published to 4 digits)") {
  const Mat3 published = dst::yiq_published();
  Mat3 m = yiq_from_definition();
  for (size_t i = 0; i < 3; ++i)
    for (size_t k = 0; k < 3; ++k) CHECK(std::fabs(m[i][k] - published[i][k]) <= 5e-5);  // half the last digit
  DTensor rgb = dst::Rng(1).uniform({2, 3, 5, 7}, 0, 1);
  dst::check_close("rgb_to_yiq", ds::rgb_to_yiq(dst::to_float(rgb)), mat_times(m, dst::to_double(dst::to_float(rgb))), 2e-6, 0);
}

TEST_CASE("colour: yiq_to_rgb is the float64 inverse, and rgb -> yiq -> rgb round trips") {
  Mat3 inv = gauss_jordan_inverse(yiq_from_definition());
  DTensor yiq = mat_times(yiq_from_definition(), dst::Rng(2).uniform({1, 3, 6, 4}, 0, 1));
  ds::Tensor yiq_f = dst::to_float(yiq);
  dst::check_close("yiq_to_rgb", ds::yiq_to_rgb(yiq_f), mat_times(inv, dst::to_double(yiq_f)), 2e-6, 0);
  DTensor rgb = dst::Rng(3).uniform({1, 3, 6, 4}, 0, 1);
  ds::Tensor rgb_f = dst::to_float(rgb);
  dst::check_close("round trip", ds::yiq_to_rgb(ds::rgb_to_yiq(rgb_f)), dst::to_double(rgb_f), 4e-6, 0);
}

TEST_CASE("colour: luminance_rgb repeats 0.299 R + 0.587 G + 0.114 B in all three channels") {
  DTensor rgb = dst::Rng(4).uniform({1, 3, 3, 5}, 0, 1);
  DTensor want(rgb.shape);
  for (int64_t h = 0; h < 3; ++h)
    for (int64_t w = 0; w < 5; ++w)
      for (int64_t c = 0; c < 3; ++c)
        want.at(0, c, h, w) = 0.299 * rgb.at(0, 0, h, w) + 0.587 * rgb.at(0, 1, h, w) + 0.114 * rgb.at(0, 2, h, w);
  dst::check_close("luminance", ds::luminance_rgb(dst::to_float(rgb)), want, 2e-6, 0);
}

TEST_CASE("colour: with_content_chroma keeps the content's I and Q, and the result's Y where it fits in [0,1]") {
  // Content: random colours plus the saturated primaries (their Y range is one point).
  DTensor content = dst::Rng(5).uniform({1, 3, 4, 6}, 0, 1), result = dst::Rng(6).uniform({1, 3, 4, 6}, -0.3, 1.3);
  for (int64_t c = 0; c < 3; ++c)
    for (int64_t k = 0; k < 3; ++k) content.at(0, k, 0, c) = k == c ? 1.0 : 0.0;
  ds::Tensor got = ds::with_content_chroma(dst::to_float(result), dst::to_float(content));
  Mat3 m = yiq_from_definition(), inv = gauss_jordan_inverse(m);
  DTensor got_yiq = mat_times(m, dst::to_double(got)), c_yiq = mat_times(m, dst::to_double(dst::to_float(content)));
  DTensor r_yiq = mat_times(m, dst::to_double(dst::to_float(result)));
  // Expected Y: the result's, limited to the range where Y + (chroma part of each channel) is in [0,1].
  DTensor want(got_yiq.shape);
  int clipped = 0;
  for (int64_t h = 0; h < 4; ++h)
    for (int64_t w = 0; w < 6; ++w) {
      double lo = -1e9, hi = 1e9;
      for (size_t ch = 0; ch < 3; ++ch) {
        double k = inv[ch][1] * c_yiq.at(0, 1, h, w) + inv[ch][2] * c_yiq.at(0, 2, h, w);
        lo = std::max(lo, -k), hi = std::min(hi, 1 - k);
      }
      double y = r_yiq.at(0, 0, h, w);
      clipped += y < lo || y > hi;
      want.at(0, 0, h, w) = std::min(std::max(y, lo), hi);
      want.at(0, 1, h, w) = c_yiq.at(0, 1, h, w);
      want.at(0, 2, h, w) = c_yiq.at(0, 2, h, w);
    }
  CHECK(clipped > 3);  // the case is exercised
  dst::check_close("Y, I, Q of the recombined image", got_yiq.v, want, 1e-5, 0);
  for (float v : got.to_vector()) CHECK((v >= 0 && v <= 1));
}

TEST_CASE("colour: conversions reject what is not an RGB image, and shapes that differ") {
  CHECK_THROWS_WITH_AS(ds::rgb_to_yiq(ds::Tensor::zeros({1, 1, 4, 4})), doctest::Contains("expected an image [N,3,H,W]"),
                       ds::Error);
  CHECK_THROWS_WITH_AS(ds::with_content_chroma(ds::Tensor::zeros({1, 3, 4, 4}), ds::Tensor::zeros({1, 3, 4, 5})),
                       doctest::Contains("differ in shape"), ds::Error);
}

namespace {

// Mean and population covariance of the RGB values of x [1,3,H,W], in double (the oracle).
struct Stats {
  std::array<double, 3> mean{};
  Mat3 cov{};
};
Stats stats(const ds::Tensor& x) {
  DTensor d = dst::to_double(x);
  Stats s;
  const double n = static_cast<double>(d.dim(2) * d.dim(3));
  for (int64_t h = 0; h < d.dim(2); ++h)
    for (int64_t w = 0; w < d.dim(3); ++w)
      for (size_t c = 0; c < 3; ++c) s.mean[c] += d.at(0, static_cast<int64_t>(c), h, w) / n;
  for (int64_t h = 0; h < d.dim(2); ++h)
    for (int64_t w = 0; w < d.dim(3); ++w)
      for (size_t a = 0; a < 3; ++a)
        for (size_t b = 0; b < 3; ++b)
          s.cov[a][b] += (d.at(0, static_cast<int64_t>(a), h, w) - s.mean[a]) *
                         (d.at(0, static_cast<int64_t>(b), h, w) - s.mean[b]) / n;
  return s;
}

double stats_distance(const Stats& x, const Stats& y) {
  double d = 0;
  for (size_t a = 0; a < 3; ++a) {
    d = std::max(d, std::fabs(x.mean[a] - y.mean[a]));
    for (size_t b = 0; b < 3; ++b) d = std::max(d, std::fabs(x.cov[a][b] - y.cov[a][b]));
  }
  return d;
}

// A correlated colour image: channels mixing three random fields, each scaled and offset.
ds::Tensor coloured(uint64_t seed, int64_t h, int64_t w, const Mat3& mix, const std::array<double, 3>& offset) {
  dst::Rng rng(seed);
  DTensor d = mat_times(mix, rng.uniform({1, 3, h, w}, 0, 1));
  for (int64_t y = 0; y < h; ++y)
    for (int64_t x = 0; x < w; ++x)
      for (size_t c = 0; c < 3; ++c) d.at(0, static_cast<int64_t>(c), y, x) += offset[c];
  return dst::to_float(d);
}

}  // namespace

// Error model: the result is one affine map per pixel computed in double and rounded once to
// float32 (|values| < 2): each value errs by at most 2^-24 * 2, so the means by as much and the
// covariances (products of two such values around means below 2) by about 4 * 2^-24 * 2 < 1e-6.
TEST_CASE("colour: match_colour_histogram gives the style the content's RGB mean and covariance (float64 oracle)") {
  using ds::Tensor;
  Tensor content = coloured(1, 40, 56, {{{0.5, 0.2, 0.0}, {0.1, 0.3, 0.2}, {0.0, 0.1, 0.4}}}, {0.1, 0.2, 0.3});
  Tensor style = coloured(2, 33, 47, {{{0.2, 0.0, 0.1}, {0.3, 0.4, 0.0}, {0.1, 0.1, 0.6}}}, {0.4, 0.1, 0.05});
  Stats sc = stats(content), ss = stats(style);
  REQUIRE(stats_distance(sc, ss) > 0.05);  // the two start far apart
  Tensor m = ds::match_colour_histogram(style, content);
  CHECK(m.shape() == style.shape());
  Stats sm = stats(m);
  CAPTURE(stats_distance(sm, sc));
  CHECK(stats_distance(sm, sc) < 1e-6);
  // The map is affine per pixel (textures kept): matched to its own statistics, a style is unchanged.
  DTensor self = dst::to_double(ds::match_colour_histogram(style, style)), orig = dst::to_double(style);
  double same = 0;
  for (size_t i = 0; i < orig.v.size(); ++i) same = std::max(same, std::fabs(self.v[i] - orig.v[i]));
  CHECK(same < 1e-6);
  // A flat (grey) style cannot take the content's colour spread, but stays finite and takes its mean.
  Tensor grey = Tensor::full({1, 3, 8, 8}, 0.5f);
  Stats sg = stats(ds::match_colour_histogram(grey, content));
  for (size_t c = 0; c < 3; ++c) CHECK(std::fabs(sg.mean[c] - sc.mean[c]) < 1e-6);
  CHECK_THROWS_WITH_AS(ds::match_colour_histogram(Tensor::zeros({1, 1, 4, 4}), content),
                       doctest::Contains("expected an image [N,3,H,W]"), ds::Error);
}
