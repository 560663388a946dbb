// Optical flow (apps/media/optical_flow.h) on a synthetic pan/zoom clip whose true flow is known
// (tests/media_fixtures.h PanZoomScene): the warp op with the true flow reproduces each frame, DIS
// finds that flow, and the reliability check marks what the true flows of an occluding square say.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "apps/media/optical_flow.h"
#include "autograd/ops.h"
#include "tests/check.h"
#include "tests/media_fixtures.h"

using ds::Tensor;
using ds::Var;

namespace {

// Mean |a - b| over the pixels at least `margin` from the border (all channels).
double interior_mad(const Tensor& a, const Tensor& b, int64_t margin) {
  double s = 0;
  int64_t n = 0;
  for (int64_t c = 0; c < a.C(); ++c)
    for (int64_t y = margin; y < a.H() - margin; ++y)
      for (int64_t x = margin; x < a.W() - margin; ++x, ++n) s += std::fabs(a.at({0, c, y, x}) - b.at({0, c, y, x}));
  return s / static_cast<double>(n);
}

// End-point errors |flow - truth| at the pixels at least `margin` from the border.
std::vector<double> endpoint_errors(const Tensor& f, const Tensor& truth, int64_t margin) {
  std::vector<double> e;
  for (int64_t y = margin; y < f.H() - margin; ++y)
    for (int64_t x = margin; x < f.W() - margin; ++x)
      e.push_back(std::hypot(f.at({0, 0, y, x}) - truth.at({0, 0, y, x}), f.at({0, 1, y, x}) - truth.at({0, 1, y, x})));
  return e;
}

}  // namespace

TEST_CASE("optical flow: the warp op with the true flow brings the previous frame into this one") {
  dst::PanZoomScene scene{48, 64};
  for (int t = 1; t <= 3; ++t) {
    Tensor prev = scene.frame(t - 1), cur = scene.frame(t);
    Tensor warped = ds::warp(Var(prev), Var(scene.back_flow(t))).value();
    double still = interior_mad(prev, cur, 4), moved = interior_mad(warped, cur, 4);
    // Bilinear interpolation of wavelengths >= 9 px errs by ~(pi/9)^2/8 of the amplitude: < 0.01.
    CHECK_MESSAGE(moved < 0.006, "frame " << t << ": " << moved);
    CHECK(still > 5 * moved);
  }
}

TEST_CASE("optical flow: DIS finds the true flow of a pan and zoom") {
  dst::PanZoomScene scene{48, 64};
  ds::app::OpticalFlow flow("medium");
  for (int t = 1; t <= 2; ++t) {
    Tensor f = flow(scene.frame(t), scene.frame(t - 1));
    REQUIRE(f.shape() == ds::Shape{1, 2, 48, 64});
    std::vector<double> e = endpoint_errors(f, scene.back_flow(t), 6);
    std::nth_element(e.begin(), e.begin() + e.size() / 2, e.end());
    double median = e[e.size() / 2];
    MESSAGE("frame " << t << ": median end-point error " << median << " px");
    CHECK(median < 0.15);  // the motion is 1-2 px
  }
  CHECK_THROWS_AS(ds::app::OpticalFlow("slow"), ds::Error);
  CHECK_THROWS_AS(flow(scene.frame(0), Tensor::zeros({1, 3, 10, 10})), ds::Error);
}

TEST_CASE("optical flow: thin frames (padded to 32 px inside) still get the true flow, with every preset") {
  // 20x160: a short side under 32, where DIS's "fast" and "ultrafast" presets crashed unpadded.
  dst::PanZoomScene scene{20, 160};
  for (const char* preset : {"ultrafast", "fast", "medium"}) {
    ds::app::OpticalFlow flow(preset);
    Tensor f = flow(scene.frame(1), scene.frame(0));
    REQUIRE(f.shape() == ds::Shape{1, 2, 20, 160});
    std::vector<double> e = endpoint_errors(f, scene.back_flow(1), 4);
    std::nth_element(e.begin(), e.begin() + e.size() / 2, e.end());
    MESSAGE(std::string(preset) << ": median end-point error " << e[e.size() / 2] << " px");
    CHECK(e[e.size() / 2] < 0.5);  // the motion is 1-2 px
  }
}

TEST_CASE("optical flow: the reliability check marks disocclusions, motion boundaries and exits") {
  // A static background and a 12x12 square moving 4 px right between frame t-1 and frame t
  // (square at x 20..31 in frame t-1, 24..35 in frame t), rows 10..21. True flows:
  //   back (t -> t-1): -4 on the square of frame t, 0 elsewhere;
  //   fwd (t-1 -> t):  +4 on the square of frame t-1, 0 elsewhere.
  const int64_t H = 32, W = 48;
  Tensor back = Tensor::zeros({1, 2, H, W}), fwd = Tensor::zeros({1, 2, H, W});
  for (int64_t y = 10; y < 22; ++y)
    for (int64_t x = 0; x < 12; ++x) {
      back.set({0, 0, y, 24 + x}, -4.0f);
      fwd.set({0, 0, y, 20 + x}, 4.0f);
    }
  // Also: the top-left corner's back flow leaves the image.
  for (int64_t y = 0; y < 3; ++y)
    for (int64_t x = 0; x < 3; ++x) back.set({0, 0, y, x}, -5.0f);
  Tensor c = ds::app::flow_reliability(back, fwd);
  REQUIRE(c.shape() == ds::Shape{1, 1, H, W});
  // Background uncovered at x 20..23 (seen in frame t-1 as the square): its back flow 0 meets the
  // square's forward flow +4 there, |0 + 4|^2 = 16 >= 0.01 * 16 + 0.5.
  for (int64_t y = 12; y < 20; ++y)
    for (int64_t x = 20; x < 24; ++x) CHECK(c.at({0, 0, y, x}) == 0.0f);
  // Inside the moving square and far from it: consistent (-4 + 4 = 0), reliable.
  CHECK(c.at({0, 0, 15, 29}) == doctest::Approx(1.0f));
  CHECK(c.at({0, 0, 28, 5}) == doctest::Approx(1.0f));
  // The square's edges in the back flow are motion boundaries: |grad u|^2 = 4 > 0.01*16 + 0.002.
  CHECK(c.at({0, 0, 15, 35}) < 0.5f);
  CHECK(c.at({0, 0, 1, 1}) < 0.01f);  // leaves the image (0, then blurred with its reliable neighbours)
  CHECK_THROWS_AS(ds::app::flow_reliability(back, Tensor::zeros({1, 2, H, W + 1})), ds::Error);
}
