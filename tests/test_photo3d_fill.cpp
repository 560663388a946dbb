// The stylised fill of a 3D photo's background layer (apps/photo3d/fill_stylize.h; issue 21,
// point 2), with a synthetic SqueezeNet and a noise style (no data needed): the visible pixels
// stay bit for bit, the filled ones get the style's texture (high-frequency energy far above the
// naive fill's smooth diffusion), the continuity term holds their 4x4 means to the naive fill's
// when it is weighted, and its value is the formula's (a float64 loop).
#include <doctest/doctest.h>

#include <cmath>

#include "apps/photo3d/fill_stylize.h"
#include "autograd/ops.h"
#include "check.h"
#include "photo3d_scenes.h"
#include "stylize_fixture.h"

using namespace ds::app;

namespace {

// A box in front of a wall, 64x48, its background layer 6 px thick.
LayeredDepthImage scene() {
  LdiOptions o;
  o.band = 6;
  return build_ldi(dst::smooth_texture(64, 48, 4, 3), dst::box_scene(64, 48, 18, 46, 12, 36, 1.0f, 3.0f),
                   intrinsics_from_fov(64, 48, 60), o);
}

// Mean squared 4-neighbour Laplacian over the background samples (all channels): texture energy.
double texture_energy(const LayeredDepthImage& l) {
  const int w = l.width(), h = l.height();
  const float* p = l.back.colour.data();
  double e = 0;
  int n = 0;
  for (int c = 0; c < 3; ++c)
    for (int y = 1; y + 1 < h; ++y)
      for (int x = 1; x + 1 < w; ++x) {
        size_t i = static_cast<size_t>(y) * w + x;
        if (!l.back.mask[i]) continue;
        const float* q = p + c * w * h;
        double lap = 4.0 * q[i] - q[i - 1] - q[i + 1] - q[i - static_cast<size_t>(w)] - q[i + static_cast<size_t>(w)];
        e += lap * lap, ++n;
      }
  return e / n;
}

// The largest change of a 4x4 block mean wholly inside the background samples.
double block_drift(const LayeredDepthImage& a, const LayeredDepthImage& b) {
  const int w = a.width(), h = a.height();
  double worst = 0;
  for (int by = 0; by + 4 <= h; by += 4)
    for (int bx = 0; bx + 4 <= w; bx += 4) {
      bool inside = true;
      for (int y = by; y < by + 4; ++y)
        for (int x = bx; x < bx + 4; ++x) inside &= a.back.mask[static_cast<size_t>(y) * w + x] != 0;
      if (!inside) continue;
      for (int c = 0; c < 3; ++c) {
        double d = 0;
        for (int y = by; y < by + 4; ++y)
          for (int x = bx; x < bx + 4; ++x) {
            size_t i = static_cast<size_t>(c) * w * h + static_cast<size_t>(y) * w + x;
            d += b.back.colour.data()[i] - a.back.colour.data()[i];
          }
        worst = std::max(worst, std::fabs(d / 16));
      }
    }
  return worst;
}

}  // namespace

TEST_CASE("photo3d stylised fill: only the background samples change, and they get the style's texture") {
  dst::SyntheticStylizeFiles files("photo3d-fill");
  LayeredDepthImage naive = scene();
  REQUIRE(naive.back.count() > 200);
  StylizeOptions so = dst::synthetic_stylize_options(files, {}, 64);
  LayeredDepthImage styled = stylize_fill(naive, so, FillStylizeOptions{40, 0});
  const size_t plane = naive.back.mask.size();
  size_t changed_outside = 0;
  double changed_inside = 0;
  for (size_t c = 0; c < 3; ++c)
    for (size_t i = 0; i < plane; ++i) {
      float before = naive.back.colour.data()[c * plane + i], after = styled.back.colour.data()[c * plane + i];
      if (!naive.back.mask[i]) changed_outside += before != after;
      else changed_inside = std::max(changed_inside, double(std::fabs(after - before)));
    }
  CHECK(changed_outside == 0);
  CHECK(changed_inside > 0.1);
  CHECK(styled.back.depth.z == naive.back.depth.z);
  double e0 = texture_energy(naive), e1 = texture_energy(styled);
  INFO("texture energy of the background samples: naive " << e0 << ", stylised " << e1);
  CHECK(e1 > 5 * e0);
}

TEST_CASE("photo3d stylised fill: the continuity term holds the fill's 4x4 means to the naive fill's") {
  dst::SyntheticStylizeFiles files("photo3d-fill-continuity");
  LayeredDepthImage naive = scene();
  StylizeOptions so = dst::synthetic_stylize_options(files, {}, 64);
  double free_drift = block_drift(naive, stylize_fill(naive, so, FillStylizeOptions{40, 0}));
  double held_drift = block_drift(naive, stylize_fill(naive, so, FillStylizeOptions{40, 1e7}));
  INFO("largest 4x4 block-mean change: without the term " << free_drift << ", weighted " << held_drift);
  CHECK(held_drift < 0.5 * free_drift);
  CHECK(held_drift < 0.05);
}

TEST_CASE("photo3d stylised fill: the continuity term's value is w * sum_b m_b |mean4(y)_b - mean4(naive)_b|^2") {
  ds::Rng rng(3);
  const int h = 9, w = 10;  // 2 x 2 whole blocks (the rest is dropped, as avg_pool2d floors)
  ds::Tensor y = rng.uniform_tensor({1, 3, h, w}, 0, 1);
  ds::Tensor naive_low = rng.uniform_tensor({1, 3, 2, 2}, 0, 1), share = rng.uniform_tensor({1, 1, 2, 2}, 0, 1);
  double want = 0;
  for (int c = 0; c < 3; ++c)
    for (int by = 0; by < 2; ++by)
      for (int bx = 0; bx < 2; ++bx) {
        double m = 0;
        for (int yy = 0; yy < 4; ++yy)
          for (int xx = 0; xx < 4; ++xx) m += y.data()[(c * h + by * 4 + yy) * w + bx * 4 + xx];
        double d = m / 16 - naive_low.data()[(c * 2 + by) * 2 + bx];
        want += share.data()[by * 2 + bx] * d * d;
      }
  double got = continuity_loss(ds::Var(y), naive_low, share, 2.5f).value().data()[0];
  CHECK(got == doctest::Approx(2.5 * want).epsilon(1e-5));
}
