// The cameras and pictures of `depthstyle 3d` besides the single view: camera paths (Mu et al.
// 2022's shapes, and the dolly zoom's invariant), stereo pairs, output names, the camera-inside
// check, the background band, and the view-consistency metric against cases with known answers.
#include <doctest/doctest.h>

#include <cmath>

#include "apps/photo3d/camera_path.h"
#include "apps/photo3d/consistency.h"
#include "apps/photo3d/photo3d_outputs.h"
#include "apps/photo3d/photo3d_views.h"
#include "apps/photo3d/stereo.h"
#include "check.h"
#include "photo3d_scenes.h"

using namespace ds::app;

TEST_CASE("photo3d camera paths: swing, circle, zoom, ken-burns follow Mu et al., the dolly zoom keeps the centre's size") {
  Intrinsics K = intrinsics_from_fov(64, 48, 60);
  const double a = 0.1;
  std::vector<View> swing = camera_path("swing", 8, a, K, 2);
  REQUIRE(swing.size() == 8);
  // t = -2 + 4 k / N: frame 0 at x = A, z = 0; frame 2 (t = -1) at x = -A, z = Z / 2 with Z = 2.5 A.
  CHECK(swing[0].pose.t.x == doctest::Approx(a));
  CHECK(swing[0].pose.t.z == doctest::Approx(0).epsilon(1e-12));
  CHECK(swing[2].pose.t.x == doctest::Approx(-a));
  CHECK(swing[2].pose.t.z == doctest::Approx(1.25 * a));
  CHECK(swing[4].pose.t.z == doctest::Approx(2.5 * a));  // t = 0: the farthest forward
  for (const View& v : swing) CHECK(v.pose.t.y == 0);
  std::vector<View> circle = camera_path("circle", 8, a, K, 2);
  CHECK(circle[1].pose.t.y == doctest::Approx(a * std::sin(3.14159265358979 * -1.5)));
  std::vector<View> zoom = camera_path("zoom", 5, a, K, 2);
  CHECK(zoom.front().pose.t.z == 0);
  CHECK(zoom.back().pose.t.z == doctest::Approx(2.5 * a));
  std::vector<View> kb = camera_path("ken-burns", 3, a, K, 2);
  CHECK(kb.front().pose.t.x == doctest::Approx(-a));
  CHECK(kb.back().pose.t.y == doctest::Approx(a));
  // Dolly zoom: a point on the plane at the centre depth d keeps its image position.
  const double d = 2.0;
  std::vector<View> dolly = camera_path("dolly-zoom", 6, a, K, d);
  for (const View& v : dolly) {
    Vec3 p = v.pose.to_view({0.3, -0.2, d});
    CHECK(v.K.fx * p.x / p.z == doctest::Approx(K.fx * 0.3 / d));
  }
  CHECK(dolly.back().K.fx < 0.9 * K.fx);  // it did zoom out
  CHECK(dst::contains(dst::error_of([&] { camera_path("dolly-zoom", 4, 1.0, K, 2); }), "smaller --amplitude"));
  CHECK(dst::contains(dst::error_of([&] { camera_path("orbit", 4, a, K, 2); }), "swing, circle, zoom"));
}

TEST_CASE("photo3d stereo: eyes half a baseline either side along the view's x axis, sbs and anaglyph layouts") {
  View v{Pose{}, intrinsics_from_fov(8, 6, 60)};
  v.pose.yaw_deg = 90 - 1e-9;  // looking along +x: the view's x axis is the scene's -z
  View left = stereo_eye(v, 0.1, false), right = stereo_eye(v, 0.1, true);
  CHECK(left.pose.t.z == doctest::Approx(0.05));
  CHECK(right.pose.t.z == doctest::Approx(-0.05));
  ds::Tensor l = ds::Tensor::full({1, 3, 6, 8}, 0.25f), r = ds::Tensor::full({1, 3, 6, 8}, 0.75f);
  ds::Tensor sbs = compose_stereo(l, r, "sbs");
  CHECK(sbs.shape() == ds::Shape{1, 3, 6, 16});
  CHECK(sbs.data()[3] == 0.25f);   // row 0, column 3: left
  CHECK(sbs.data()[12] == 0.75f);  // row 0, column 12: right
  ds::Tensor ana = compose_stereo(l, r, "anaglyph");
  CHECK(ana.data()[0] == 0.25f);       // red from the left eye
  CHECK(ana.data()[48] == 0.75f);      // green from the right
  CHECK(ana.data()[2 * 48] == 0.75f);  // blue from the right
  CHECK(dst::contains(dst::error_of([&] { compose_stereo(l, r, "interlaced"); }), "sbs or anaglyph"));
}

TEST_CASE("photo3d outputs: names choose what is written, frame patterns are substituted by hand") {
  CHECK(output_kind("a.png", false) == Output3d::View);
  CHECK(output_kind("a.JPG", true) == Output3d::Stereo);
  CHECK(output_kind("f%04d.png", false) == Output3d::Frames);
  CHECK(output_kind("a.mp4", false) == Output3d::Video);
  CHECK(output_kind("a.gif", false) == Output3d::Video);
  CHECK(output_kind("a.webm", false) == Output3d::Video);
  CHECK(output_kind("a.glb", false) == Output3d::Glb);
  CHECK(output_kind("a.ply", false) == Output3d::Ply);
  CHECK(pattern_frame_path("out/f%03d.png", 7) == "out/f007.png");
  CHECK(pattern_frame_path("f%d.png", 12) == "f12.png");
  CHECK(pattern_frame_paths("f%02d.png", 3).back() == "f03.png");
  CHECK(dst::contains(dst::error_of([] { output_kind("a.html", false); }), "written beside the mesh"));
  CHECK(dst::contains(dst::error_of([] { output_kind("a.obj", false); }), "cannot tell what to write"));
  CHECK(dst::contains(dst::error_of([] { output_kind("f%s.png", false); }), "%d or %0Nd"));
  CHECK(dst::contains(dst::error_of([] { output_kind("f%d%d.png", false); }), "one %"));
  CHECK(dst::contains(dst::error_of([] { pattern_frame_path("f%02d.png", 100); }), "does not fit"));
}

TEST_CASE("photo3d cameras: a camera inside the scene is refused, the background band follows the motion") {
  const int w = 64, h = 48;
  DepthGrid g = dst::box_scene(w, h, 20, 44, 12, 36, 1.0f, 3.0f);
  Intrinsics K = intrinsics_from_fov(w, h, 60);
  View v{Pose{}, K};
  v.pose.t = {0, 0, 0.9};  // 0.1 m in front of the box: fine
  check_camera_outside(g, K, v, "--view");
  v.pose.t = {0, 0, 1.2};  // inside the box
  CHECK(dst::contains(dst::error_of([&] { check_camera_outside(g, K, v, "--view"); }), "inside the scene"));
  v.pose.t = {0.5, 0, 2.5};  // behind the box as the photo saw it: its hidden side is unknown
  CHECK(dst::contains(dst::error_of([&] { check_camera_outside(g, K, v, "--view"); }), "inside the scene"));
  v.pose.t = {0.9, 0, 2.5};  // beside the box (it projects onto the wall), in front of the wall
  check_camera_outside(g, K, v, "--view");
  v.pose.t = {0.9, 0, 3.1};  // behind the wall
  CHECK(dst::contains(dst::error_of([&] { check_camera_outside(g, K, v, "frame 3"); }), "frame 3"));
  // Band: f * sideways * (1/1 - 1/3) + 2 px, clamped to [max(4, 3%), 20%] of the long side.
  View small{Pose{}, K}, big{Pose{}, K};
  small.pose.t = {0.01, 0, 0};
  big.pose.t = {0.1, 0, 0};
  CHECK(auto_band({small}, K, g, false) == 4);
  CHECK(auto_band({big}, K, g, false) == static_cast<int>(std::ceil(K.fx * 0.1 * (1 - 1.0 / 3))) + 2);
  big.pose.t = {1.0, 0, 0};
  CHECK(auto_band({big}, K, g, false) == static_cast<int>(0.2 * w));
  CHECK(auto_band({small}, K, g, true) == static_cast<int>(std::ceil(0.08 * w)));
}

TEST_CASE("photo3d view consistency: 0 for identical renderings, |offset| for frames off by a constant, occluded points left out") {
  const int w = 64, h = 48;
  DepthGrid g = dst::box_scene(w, h, 20, 44, 12, 36, 1.5f, 3.0f);
  Intrinsics K = intrinsics_from_fov(w, h, 60);
  LdiOptions o;
  o.band = 6;
  LayeredDepthImage ldi = build_ldi(dst::smooth_texture(w, h, 9), g, K, o);
  PhotoMesh mesh = build_mesh(ldi);
  View a{Pose{}, K}, b{Pose{}, K};
  b.pose.t = {0.05, 0.02, 0.05};
  std::vector<View> views = {a, b};
  std::vector<Rendering> frames = {render(mesh, a, false), render(mesh, b, false)};
  Consistency real = view_consistency(ldi, views, frames, 20);
  CHECK(real.pairs == 20);
  CHECK(real.mean_points > 0.8 * w * h);
  CHECK(real.rmse < 0.02);  // resampling of a smooth texture only
  // Frame b brightened by 0.05 everywhere (no clamping: the texture is in [0.1, 0.9]).
  std::vector<Rendering> off = frames;
  off[1].image = frames[1].image.clone();
  for (int64_t i = 0; i < off[1].image.numel(); ++i) off[1].image.data()[i] += 0.05f;
  Consistency shifted = view_consistency(ldi, views, off, 20);
  CHECK(std::sqrt(shifted.rmse * shifted.rmse - real.rmse * real.rmse) == doctest::Approx(0.05).epsilon(0.05));
  // The original camera sees no background sample: none is scored.
  CHECK(real.pairs_background == 0);
  // Two cameras to the right both see some of the wall behind the box's right side; frames off
  // by 0.05 there score 0.05 there too.
  View c{Pose{}, K}, d{Pose{}, K};
  c.pose.t = {0.15, 0.02, 0};
  d.pose.t = {0.25, 0.05, 0.05};
  std::vector<Rendering> right = {render(mesh, c, false), render(mesh, d, false)};
  Consistency back = view_consistency(ldi, {c, d}, right, 20);
  CHECK(back.pairs_background == 20);
  CHECK(back.mean_background_points > 10);
  CHECK(back.mean_background_points < 0.2 * back.mean_points);
  right[1].image = right[1].image.clone();
  for (int64_t i = 0; i < right[1].image.numel(); ++i) right[1].image.data()[i] += 0.05f;
  Consistency back_off = view_consistency(ldi, {c, d}, right, 20);
  CHECK(std::sqrt(back_off.rmse_background * back_off.rmse_background -
                  back.rmse_background * back.rmse_background) == doctest::Approx(0.05).epsilon(0.1));
  // An occluder drawn into frame b over its left half (nearer z-buffer, garbage colour): those
  // points are not visible in b any more and must not count.
  std::vector<Rendering> hidden = frames;
  hidden[1].image = frames[1].image.clone();
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w / 2; ++x) {
      size_t i = static_cast<size_t>(y) * w + x;
      hidden[1].depth[i] = 0.5f;
      for (int ch = 0; ch < 3; ++ch) hidden[1].image.data()[ch * w * h + static_cast<int64_t>(i)] = 1.0f;
    }
  Consistency occluded = view_consistency(ldi, views, hidden, 20);
  CHECK(occluded.mean_points < 0.6 * real.mean_points);
  CHECK(occluded.rmse < 0.02);
  CHECK(dst::contains(dst::error_of([&] { view_consistency(ldi, {a}, {frames[0]}); }), "at least two views"));
}
