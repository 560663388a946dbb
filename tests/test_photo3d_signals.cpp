// Ctrl-C (SIGINT) and SIGTERM during `depthstyle 3d` (new-user findings 4, points 1 and 2): in
// every stage the run says where it was and leaves nothing half done, as `stylize` and `video` do.
// The child starts with SIGINT at its default (tests/cli_run.h), as from a terminal.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "check.h"
#include "cli_run.h"
#include "photo3d_scenes.h"
#include "prepared.h"
#include "tensor/file_util.h"
#include "tensor/image_io.h"

namespace {

namespace fs = std::filesystem;
using dst::contains;

// Every file under `dir` (hidden temporaries included), relative names, sorted.
std::vector<std::string> files_under(const fs::path& dir) {
  std::vector<std::string> out;
  if (fs::exists(dir))
    for (const fs::directory_entry& e : fs::recursive_directory_iterator(dir))
      if (e.is_regular_file()) out.push_back(fs::relative(e.path(), dir).string());
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> scene_args(const dst::ScratchDir& s) {
  dst::write_box_scene(s.file("content.png"), s.file("depth.png"), 64, 48);
  return {"3d", s.file("content.png"), "--depth", s.file("depth.png")};
}

}  // namespace

TEST_CASE("photo3d signals: SIGINT or SIGTERM while the frames render leaves none of this run's outputs, and says so") {
  // It left 11-19 of 400 PNGs of the sequence and said nothing (exit 130/143).
  for (int sig : {SIGINT, SIGTERM}) {
    dst::ScratchDir s("photo3d-signals-frames");
    std::vector<std::string> args = scene_args(s);
    // An older run's frames under the same pattern stay as they were (renamed over only when
    // this run's sequence is complete).
    for (int k = 1; k <= 3; ++k) ds::save_image(s.file("out/f000" + std::to_string(k) + ".png"), dst::smooth_texture(8, 6, k));
    const std::vector<uint8_t> old1 = ds::read_file_bytes(s.file("out/f0001.png"));
    // 5000 frames of 64x48 take seconds; the signal lands 0.3 s after the first progress line.
    args.insert(args.end(), {"--size", "64", "--frames", "5000", "-o", s.file("out/f%04d.png"), "-o",
                             s.file("out/v.mp4"), "-o", s.file("out/m.ply")});
    dst::CliResult r = dst::run_depthstyle(args, "rendering swing 1/", 0.3, sig);
    INFO(r.out);
    CHECK(r.signal == sig);  // ended by the signal: 130 / 143 in a shell
    size_t at = r.out.find("interrupted at frame ");
    REQUIRE(at != std::string::npos);
    int frame = 0;
    char rest[64] = {0};
    REQUIRE(std::sscanf(r.out.c_str() + at, "interrupted at frame %d of 5000; %63[^\n]", &frame, rest) == 2);
    CHECK(frame >= 1);
    CHECK(frame < 5000);
    CHECK(std::string(rest) == "nothing written");
    CHECK(files_under(s.dir / "out") == std::vector<std::string>{"f0001.png", "f0002.png", "f0003.png"});
    CHECK(ds::read_file_bytes(s.file("out/f0001.png")) == old1);
  }
}

TEST_CASE("photo3d signals: Ctrl-C in the stylisation or the stylised fill names the stage, and the kept result") {
  // Both stages died silently; an interrupted fill left <content>_stylized.png without a word.
  if (dst::skip_without_data({"weights/squeezenet1_1.h5", "images/style/wave.jpg"})) return;
  dst::ScratchDir s("photo3d-signals-stylise");
  std::vector<std::string> args = scene_args(s);
  args.insert(args.end(), {"--style", dst::prepared("images/style/wave.jpg"), "--size", "48", "-o",
                           s.file("out/f%02d.png"), "--frames", "3"});

  std::vector<std::string> st = args;
  st.insert(st.end(), {"--iters", "100000"});
  dst::CliResult r = dst::run_depthstyle(st, "3d: ", 0.5);  // the line before the stylisation
  INFO(r.out);
  CHECK(r.signal == SIGINT);
  size_t at = r.out.find("interrupted at iteration ");
  REQUIRE(at != std::string::npos);
  int next = 0, done = 0;
  REQUIRE(std::sscanf(r.out.c_str() + at, "interrupted at iteration %d of 100000 of the stylisation (%d done", &next,
                      &done) == 2);
  CHECK(next == done + 1);
  CHECK(contains(r.out.substr(at), "); nothing written\n"));
  CHECK(files_under(s.dir / "out").empty());

  std::vector<std::string> fill = args;
  fill.insert(fill.end(), {"--iters", "2", "--fill-iters", "100000"});
  dst::CliResult f = dst::run_depthstyle(fill, "stylised fill: ", 0.5);
  INFO(f.out);
  CHECK(f.signal == SIGINT);
  at = f.out.find("interrupted at iteration ");
  REQUIRE(at != std::string::npos);
  REQUIRE(std::sscanf(f.out.c_str() + at, "interrupted at iteration %d of 100000 of the stylised fill (%d done", &next,
                      &done) == 2);
  const std::string result = s.file("out/content_stylized.png");
  CHECK(contains(f.out.substr(at), "; complete: " + result + " and " + s.file("out/content_stylized_losses.csv") +
                                       " (rerun with --stylized " + result +
                                       " to skip the stylisation); nothing else written\n"));
  CHECK(files_under(s.dir / "out") == std::vector<std::string>{"content_stylized.png", "content_stylized_losses.csv"});
  // Complete, as the hint says: a whole picture of the working size.
  CHECK(ds::load_image_rgb(result).W() == 48);
}
