// `depthstyle 3d` from the command line, for what a new user met (issue 23): single views that
// see little or none of the photo, options that no output uses, the --fov range, the estimated
// depth's 1 mm floor. The scene is a textured plane 3 m in front of the camera (--fov 60), so
// how much of a moved view lies beyond the photo is known: a camera moved tx metres sideways
// sees the plane shifted by f tx / 3 pixels, f = (W / 2) / tan(30 deg).
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "check.h"
#include "cli_run.h"
#include "photo3d_scenes.h"
#include "prepared.h"
#include "tensor/file_util.h"
#include "tensor/image_io.h"
#include "weights/depth_io.h"

namespace {

namespace fs = std::filesystem;
using dst::contains;

constexpr int kW = 81, kH = 60;
constexpr double kWall = 3.0;  // metres

// content.png and depth.png (the plane at kWall) in `s`.
void plane_scene(const dst::ScratchDir& s) {
  ds::save_image(s.file("content.png"), dst::smooth_texture(kW, kH, 5, 3));
  ds::save_depth_png_mm(s.file("depth.png"), ds::Tensor::full({1, 1, kH, kW}, static_cast<float>(kWall)));
}

dst::CliResult run_3d(const dst::ScratchDir& s, std::vector<std::string> more) {
  std::vector<std::string> args{"3d", s.file("content.png"), "--depth", s.file("depth.png"), "--fov", "60",
                                "--size", std::to_string(kW)};
  args.insert(args.end(), more.begin(), more.end());
  return dst::run_depthstyle(args);
}

// Files under s/out (every output of these tests goes there).
size_t files_written(const dst::ScratchDir& s) {
  size_t n = 0;
  if (fs::exists(s.dir / "out"))
    for (const fs::directory_entry& e : fs::recursive_directory_iterator(s.dir / "out")) n += e.is_regular_file();
  return n;
}

// The percentage printed before "% of " on the line that names `file`; NAN when missing.
double percent_on_line(const std::string& out, const std::string& file) {
  size_t at = out.find("wrote " + file);
  if (at == std::string::npos) return NAN;
  size_t end = out.find('\n', at), pct = out.find("% of ", at);
  if (pct == std::string::npos || pct > end) return NAN;
  size_t start = out.rfind(' ', pct) + 1;
  return std::stod(out.substr(start, pct - start));
}

// The fraction of a view's columns beyond the photo's frame, in percent, for a camera moved
// tx metres sideways: the plane covers [-shift, W - shift), shift = f tx / z, and a pixel
// counts as covered when its centre is inside.
double beyond_frame_percent(double tx) {
  const double f = 0.5 * kW / std::tan(30.0 * 3.14159265358979323846 / 180.0);
  const double shift = f * std::fabs(tx) / kWall;
  int columns = 0;
  for (int x = 0; x < kW; ++x) columns += x + 0.5 >= kW - shift;
  return 100.0 * columns / kW;
}

}  // namespace

TEST_CASE("photo3d command: a --view or --stereo eye that sees none of the photo is refused before anything is written") {
  // It wrote an all-black (or all-smeared) picture and said "wrote v.png (the view at --view)".
  dst::ScratchDir s("photo3d-cli-none");
  plane_scene(s);
  struct Case {
    std::vector<std::string> args;
    std::string names;
  };
  // 20 m sideways (the plane is 3.5 m wide), 1e30 m sideways, turned 89 degrees away (the
  // field of view is 60 degrees wide), and a stereo pair whose left eye is 20 m to the left.
  for (const Case& c : {Case{{"--view=20,0,0,0,0"}, "--view"}, Case{{"--view=1e30,0,0,0,0"}, "--view"},
                        Case{{"--view=0,0,0,89,0"}, "--view"},
                        Case{{"--stereo", "sbs", "--baseline", "40"}, "the left eye of --stereo"}}) {
    std::vector<std::string> args = c.args;
    for (const char* o : {"out/m.ply", "out/v.png"}) args.insert(args.end(), {"-o", s.file(o)});
    dst::CliResult r = run_3d(s, args);
    INFO(c.args[0] << ": " << r.out);
    CHECK(r.rc == 1);
    CHECK(contains(r.out, c.names + ": the camera"));
    CHECK(contains(r.out, "sees none of the photo"));
    CHECK(files_written(s) == 0);  // the .ply, named first, is not written either
  }
}

TEST_CASE("photo3d command: a view reports the share of it filled beyond the photo, and warns above half") {
  // Frame outputs said "at most N% of a frame was filled beyond the photo"; views said nothing,
  // even with 80% of the picture smeared fill.
  dst::ScratchDir s("photo3d-cli-fill");
  plane_scene(s);
  for (double tx : {0.0, 0.5, 2.4}) {
    const std::string v = s.file("out/v" + std::to_string(static_cast<int>(tx * 10)) + ".png");
    dst::CliResult r = run_3d(s, {"--view=" + std::to_string(tx) + ",0,0,0,0", "-o", v});
    INFO(r.out);
    REQUIRE(r.rc == 0);
    const double want = beyond_frame_percent(tx);
    CHECK(std::fabs(percent_on_line(r.out, v) - want) < 0.01);  // printed with two decimals
    CHECK(contains(r.out, "warning: ") == (want > 50));
    if (want > 50) CHECK(contains(r.out, "warning: --view sees the photo in less than half of " + v));
  }
  // A stereo picture reports the eye that sees the least: eyes 0.5 m either side of the
  // original camera each lose f 0.5 / 3 pixels' columns.
  const std::string p = s.file("out/pair.png");
  dst::CliResult r = run_3d(s, {"--stereo", "sbs", "--baseline", "1", "-o", p});
  INFO(r.out);
  REQUIRE(r.rc == 0);
  CHECK(std::fabs(percent_on_line(r.out, p) - beyond_frame_percent(0.5)) < 0.01);
  CHECK_FALSE(contains(r.out, "warning: "));
}

TEST_CASE("photo3d command: options that no output uses are warned about, options that some output uses are not") {
  // `-o p.mp4 --stereo sbs` wrote a plain video and `-o p.png --camera zoom` said nothing.
  dst::ScratchDir s("photo3d-cli-unused");
  plane_scene(s);
  auto warned = [](const std::string& out, const std::string& option) {
    return contains(out, "warning: " + option + " is not used");
  };
  dst::CliResult ply = run_3d(s, {"-o", s.file("out/m.ply"), "--stereo", "sbs", "--baseline", "0.1",
                                  "--view=0.1,0,0,0,0", "--camera", "zoom", "--amplitude", "0.1", "--frames", "5",
                                  "--fps", "10", "--holes", "black", "--no-viewer", "--fill-iters", "5"});
  INFO(ply.out);
  REQUIRE(ply.rc == 0);
  for (const char* o : {"--stereo", "--baseline", "--view", "--camera", "--amplitude", "--frames", "--fps", "--holes",
                        "--no-viewer", "--fill-iters"})
    CHECK_MESSAGE(warned(ply.out, o), o);
  CHECK(contains(ply.out, "warning: --stereo is not used: it applies to .png/.jpg views"));

  dst::CliResult frames = run_3d(s, {"-o", s.file("out/f%02d.png"), "--frames", "3", "--fps", "10", "--camera",
                                     "circle", "--view=0.1,0,0,0,0"});
  INFO(frames.out);
  REQUIRE(frames.rc == 0);
  CHECK(warned(frames.out, "--fps"));  // frames have no rate; a video has
  CHECK(warned(frames.out, "--view"));
  CHECK_FALSE(warned(frames.out, "--frames"));
  CHECK_FALSE(warned(frames.out, "--camera"));

  dst::CliResult view = run_3d(s, {"-o", s.file("out/v.png"), "--stereo", "anaglyph", "--baseline", "0.1",
                                   "--view=0.1,0,0,0,0", "--holes", "black"});
  INFO(view.out);
  REQUIRE(view.rc == 0);
  CHECK_FALSE(contains(view.out, "warning: "));
}

TEST_CASE("photo3d command: --fov takes 1 to 179 degrees, both ends included, and says so in one way") {
  // --fov 0 said "out of range [1, 179]" but --fov 179 "--fov 179.000000: the field of view must
  // be between 1 and 179 degrees".
  dst::ScratchDir s("photo3d-cli-fov");
  plane_scene(s);
  for (const char* fov : {"1", "179", "59.5"}) {
    dst::CliResult r = dst::run_depthstyle({"3d", s.file("content.png"), "--depth", s.file("depth.png"), "--fov",
                                            fov, "-o", s.file("out/m.ply")});
    INFO(r.out);
    CHECK(r.rc == 0);
    CHECK(contains(r.out, std::string(", --fov ") + fov + " degrees, "));
  }
  for (const char* fov : {"0", "0.5", "179.5", "180"}) {
    dst::CliResult r = dst::run_depthstyle({"3d", s.file("content.png"), "--depth", s.file("depth.png"), "--fov",
                                            fov, "-o", s.file("out/n.ply")});
    INFO(r.out);
    CHECK(r.rc == 2);  // a value its option does not take (apps/common/args.h UsageError)
    CHECK(contains(r.out, std::string("option --fov: ") + fov + " is out of range [1, 179]"));
  }
  CHECK_FALSE(fs::exists(s.file("out/n.ply")));
}

TEST_CASE("photo3d command: an estimated depth nearer than 1 mm is taken as 1 mm, with `depth`'s note") {
  // FastDepth gives 0 m on the nearest blob of chicago.jpg (at 448x298, 2484 pixels; at 224x149
  // none): `depth` clamps it to 1 mm and says so, `3d` printed "depth 0.00 .. 6.63 m" and put points within a millimetre of the camera.
  if (dst::skip_without_data({"weights/fastdepth.h5", "images/content/chicago.jpg"})) return;
  dst::ScratchDir s("photo3d-cli-clamp");
  dst::CliResult r = dst::run_depthstyle(
      {"3d", dst::prepared("images/content/chicago.jpg"), "--size", "448", "-o", s.file("m.ply")});
  INFO(r.out);
  REQUIRE(r.rc == 0);
  CHECK(contains(r.out, "pixels estimated nearer than 1 mm taken as 1 mm"));
  // Every point at least 1 mm in front of the camera (the .ply's z is -depth; float rounding).
  std::vector<uint8_t> ply = ds::read_file_bytes(s.file("m.ply"));
  const std::string head(ply.begin(), ply.begin() + std::min<size_t>(ply.size(), 2000));
  const size_t body = head.find("end_header\n");
  REQUIRE(body != std::string::npos);
  size_t points = 0;
  float nearest = INFINITY;
  for (size_t at = body + 11; at + 15 <= ply.size(); at += 15, ++points) {
    float z;
    std::memcpy(&z, ply.data() + at + 8, 4);
    nearest = std::min(nearest, -z);
  }
  CHECK(points >= 448u * 298u);
  CHECK(nearest >= 0.001f * (1 - 1e-6f));
}
