// Geometry of the 3D photo (apps/photo3d/): the renderer reproduces the photo at the original
// camera, a camera shift moves fronto-parallel planes by baseline * f / Z pixels (the pinhole
// model's parallax, measured subpixel), the mesh has no rubber sheet across a depth edge, and
// the background layer is filled from the far side only.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>

#include "apps/photo3d/camera.h"
#include "apps/photo3d/ldi.h"
#include "apps/photo3d/mesh.h"
#include "apps/photo3d/rasterizer.h"
#include "check.h"
#include "photo3d_scenes.h"

using namespace ds::app;

namespace {

// Pixels within `r` (Chebyshev) of a pixel whose 4-neighbour differs in depth by more than 1%.
std::vector<uint8_t> near_depth_edges(const DepthGrid& g, int r) {
  std::vector<uint8_t> m(g.z.size(), 0);
  for (int y = 0; y < g.height; ++y)
    for (int x = 0; x < g.width; ++x) {
      bool edge = false;
      if (x + 1 < g.width) edge |= std::fabs(g.at(x + 1, y) / g.at(x, y) - 1) > 0.01;
      if (x > 0) edge |= std::fabs(g.at(x - 1, y) / g.at(x, y) - 1) > 0.01;
      if (y + 1 < g.height) edge |= std::fabs(g.at(x, y + 1) / g.at(x, y) - 1) > 0.01;
      if (y > 0) edge |= std::fabs(g.at(x, y - 1) / g.at(x, y) - 1) > 0.01;
      if (!edge) continue;
      for (int dy = -r; dy <= r; ++dy)
        for (int dx = -r; dx <= r; ++dx) {
          int xx = x + dx, yy = y + dy;
          if (xx >= 0 && yy >= 0 && xx < g.width && yy < g.height) m[static_cast<size_t>(yy) * g.width + xx] = 1;
        }
    }
  return m;
}

// The horizontal shift s (pixels, subpixel) that best maps `ref` onto `img` on rows [y0, y1)
// and columns [x0, x1): img(x) ~ ref(x - s). Sum of squared differences over every channel at
// whole shifts in [-smax, smax], then a parabola through the best one and its neighbours.
double horizontal_shift(const ds::Tensor& img, const ds::Tensor& ref, int y0, int y1, int x0, int x1, int smax) {
  std::vector<double> ssd;
  const int64_t w = img.W(), plane = img.H() * img.W();
  for (int s = -smax; s <= smax; ++s) {
    double e = 0;
    for (int c = 0; c < 3; ++c)
      for (int y = y0; y < y1; ++y)
        for (int x = x0; x < x1; ++x) {
          double d = img.data()[c * plane + y * w + x] - ref.data()[c * plane + y * w + (x - s)];
          e += d * d;
        }
    ssd.push_back(e);
  }
  size_t k = 1;
  for (size_t i = 1; i + 1 < ssd.size(); ++i)
    if (ssd[i] < ssd[k]) k = i;
  double a = ssd[k - 1], b = ssd[k], c = ssd[k + 1];
  return static_cast<double>(k) - smax + 0.5 * (a - c) / (a - 2 * b + c);
}

}  // namespace

TEST_CASE("photo3d renderer: the original camera reproduces the photo within one grey level away from depth edges") {
  const int w = 96, h = 72;
  ds::Tensor tex = dst::smooth_texture(w, h, 7, 2);
  // A far wall at 4 m, a box at 1.5 m, and a second box on a gentle slope: depth edges of both signs.
  DepthGrid g = dst::box_scene(w, h, 20, 50, 15, 45, 1.5f, 4.0f);
  for (int y = 50; y < 68; ++y)
    for (int x = 60; x < 90; ++x) g.z[static_cast<size_t>(y) * w + x] = 2.0f + 0.004f * static_cast<float>(x);
  Intrinsics K = intrinsics_from_fov(w, h, 60);
  LdiOptions o;
  o.band = 8;
  LayeredDepthImage ldi = build_ldi(tex, g, K, o);
  PhotoMesh mesh = build_mesh(ldi);
  CHECK(mesh.parts[1].triangle_count() > 0);  // the boxes have a background layer behind their edges
  Rendering r = render(mesh, View{Pose{}, K}, false);
  std::vector<uint8_t> edge = near_depth_edges(g, 2);
  const size_t plane = static_cast<size_t>(w) * h;
  double worst = 0, worst_at_edges = 0;
  size_t compared = 0;
  for (size_t i = 0; i < plane; ++i) {
    double d = 0;
    for (size_t c = 0; c < 3; ++c) d = std::max(d, std::fabs(double(r.image.data()[c * plane + i]) - tex.data()[c * plane + i]));
    (edge[i] ? worst_at_edges : worst) = std::max(edge[i] ? worst_at_edges : worst, d);
    compared += !edge[i];
  }
  INFO("largest difference " << worst * 255 << " grey levels over " << compared << " pixels away from depth edges, "
                             << worst_at_edges * 255 << " at them");
  CHECK(compared > plane / 2);
  CHECK(worst * 255 <= 1.0);
  // Every pixel is covered (the border ring included), and each cut square keeps its pixels'
  // quarters, so the depth edges are exact too.
  CHECK(r.hole_fraction == 0);
  CHECK(worst_at_edges * 255 <= 1.0);
}

TEST_CASE("photo3d renderer: a baseline shift moves fronto-parallel planes by baseline*f/Z pixels (+-0.25)") {
  const int w = 160, h = 96;
  const float z_top = 2.0f, z_bottom = 5.0f;
  ds::Tensor tex = dst::smooth_texture(w, h, 3);
  DepthGrid g = dst::two_planes(w, h, h / 2, z_top, z_bottom);
  Intrinsics K = intrinsics_from_fov(w, h, 50);
  LayeredDepthImage ldi = build_ldi(tex, g, K, LdiOptions{});
  PhotoMesh mesh = build_mesh(ldi);
  for (double baseline : {0.037, -0.052}) {
    Pose p;
    p.t = {baseline, 0, 0};
    Rendering r = render(mesh, View{p, K}, false);
    // A camera moved by b to the right sees a plane at depth Z move left by b f / Z.
    double expect_top = -baseline * K.fx / z_top, expect_bottom = -baseline * K.fx / z_bottom;
    double got_top = horizontal_shift(r.image, tex, 6, h / 2 - 6, 12, w - 12, 8);
    double got_bottom = horizontal_shift(r.image, tex, h / 2 + 6, h - 6, 12, w - 12, 8);
    INFO("baseline " << baseline << " m, f " << K.fx << " px: top " << got_top << " (expected " << expect_top
                     << "), bottom " << got_bottom << " (expected " << expect_bottom << ")");
    CHECK(std::fabs(got_top - expect_top) <= 0.25);
    CHECK(std::fabs(got_bottom - expect_bottom) <= 0.25);
    CHECK(std::fabs(expect_top) > 1.5);  // the test means something: shifts of pixels, of two sizes
  }
}

TEST_CASE("photo3d mesh: no rubber sheet -- a shifted view sees only the two planes' depths, never one between") {
  const int w = 80, h = 60;
  const float z_near = 1.0f, z_far = 3.0f;
  DepthGrid g = dst::box_scene(w, h, 25, 55, 15, 45, z_near, z_far);
  Intrinsics K = intrinsics_from_fov(w, h, 60);
  LdiOptions o;
  for (int band : {0, 12}) {
    o.band = band;
    PhotoMesh mesh = build_mesh(build_ldi(dst::smooth_texture(w, h, 5), g, K, o));
    Pose p;
    p.t = {0.08, 0.03, 0};  // 0.08 m sideways: the box moves 3.7 px more than the wall
    Rendering r = render(mesh, View{p, K}, false);
    size_t between = 0, holes = 0;
    for (size_t i = 0; i < r.depth.size(); ++i) {
      int x = static_cast<int>(i % w), y = static_cast<int>(i / w);
      bool border = x < 3 || y < 3 || x >= w - 3 || y >= h - 3;  // the frame beyond the photo
      if (!r.covered[i]) {
        holes += !border;
        continue;
      }
      double z = r.depth[i];
      if (std::fabs(z - z_near) > 1e-3 && std::fabs(z - z_far) > 1e-3) ++between;
    }
    INFO("band " << band << ": " << between << " pixels between the planes, " << holes << " holes inside the frame");
    CHECK(between == 0);
    // Without a background layer the disocclusion is a hole; with one it is covered (by the wall).
    if (band == 0) CHECK(holes > 40);
    else CHECK(holes == 0);
  }
}

TEST_CASE("photo3d background layer: filled from the far side only, and at the far side's depth") {
  const int w = 64, h = 48;
  DepthGrid g = dst::box_scene(w, h, 20, 44, 12, 36, 1.0f, 3.0f);
  std::vector<float> rgb(static_cast<size_t>(3) * w * h);
  const size_t plane = static_cast<size_t>(w) * h;
  for (size_t i = 0; i < plane; ++i) {  // the box red, the wall green
    bool near = g.z[i] < 2;
    rgb[i] = near ? 1.0f : 0.0f, rgb[plane + i] = near ? 0.0f : 1.0f, rgb[2 * plane + i] = 0.0f;
  }
  LdiOptions o;
  o.band = 6;
  LayeredDepthImage ldi = build_ldi(ds::Tensor::from_vector({1, 3, h, w}, rgb), g, intrinsics_from_fov(w, h, 60), o);
  // The band: the box's outer 6 pixels (24x24 box: 24^2 - 12^2 = 432 pixels).
  CHECK(ldi.back.count() == 24 * 24 - 12 * 12);
  double worst_red = 0, worst_depth = 0;
  for (size_t i = 0; i < plane; ++i) {
    if (!ldi.back.mask[i]) continue;
    worst_red = std::max(worst_red, double(ldi.back.colour.data()[i]));
    worst_depth = std::max(worst_depth, std::fabs(ldi.back.depth.z[i] - 3.0));
  }
  CHECK(worst_red == 0);  // no colour came across the edge from the box
  CHECK(worst_depth < 1e-5);
}

TEST_CASE("photo3d camera: --fov, NYU intrinsics, --view parsing and their errors") {
  Intrinsics k = intrinsics_from_fov(640, 480, 90);
  CHECK(k.fx == doctest::Approx(320));  // tan(45 deg) = 1: half the long side
  CHECK(k.cx == 320);
  Intrinsics nyu = nyu_kinect_intrinsics(320, 240);
  CHECK(nyu.fx == doctest::Approx(518.858 / 2).epsilon(1e-4));
  CHECK(nyu.cy == doctest::Approx((253.736 + 0.5) / 2).epsilon(1e-4));
  CHECK(dst::error_of([] { nyu_kinect_intrinsics(300, 300); }).find("4:3") != std::string::npos);
  CHECK(dst::error_of([] { intrinsics_from_fov(10, 10, 180); }).find("--fov") != std::string::npos);
  Pose p = parse_view("0.1,-0.2,0.3,10,-5");
  CHECK(p.t.y == doctest::Approx(-0.2));
  CHECK(p.pitch_deg == -5);
  // yaw > 0 turns right: the forward axis gets a positive x; pitch > 0 up: negative y.
  Pose yaw;
  yaw.yaw_deg = 30;
  CHECK((yaw.rotation() * Vec3{0, 0, 1}).x == doctest::Approx(0.5));
  Pose pitch;
  pitch.pitch_deg = 30;
  CHECK((pitch.rotation() * Vec3{0, 0, 1}).y == doctest::Approx(-0.5));
  CHECK(dst::error_of([] { parse_view("1,2,3"); }).find("five numbers") != std::string::npos);
  CHECK(dst::error_of([] { parse_view("1,2,3,x,0"); }).find("'x'") != std::string::npos);
  CHECK(dst::error_of([] { parse_view("0,0,0,95,0"); }).find("yaw and pitch") != std::string::npos);
}
