// `depthstyle 3d` says what it does with the options and sizes it is given (new-user findings 4,
// points 3, 4, 5, 8 and 13): the consistency report's pairs, stylisation options that --stylized
// makes unused, --consistency-frames of the wrong size, a missing -o, upsampled photos and large
// meshes. Scenes: tests/photo3d_scenes.h's box before a wall.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "apps/photo3d/camera_path.h"
#include "apps/photo3d/consistency.h"
#include "apps/photo3d/photo3d_interrupt.h"
#include "check.h"
#include "cli_run.h"
#include "photo3d_scenes.h"
#include "prepared.h"
#include "tensor/file_util.h"
#include "tensor/image_io.h"

namespace {

namespace fs = std::filesystem;
using dst::contains;

// content.png (w x h) and depth.png in `s`; the arguments up to the options.
std::vector<std::string> scene(const dst::ScratchDir& s, int w = 64, int h = 48) {
  dst::write_box_scene(s.file("content.png"), s.file("depth.png"), w, h);
  return {"3d", s.file("content.png"), "--depth", s.file("depth.png")};
}

dst::CliResult run(std::vector<std::string> args, const std::vector<std::string>& more) {
  args.insert(args.end(), more.begin(), more.end());
  return dst::run_depthstyle(args);
}

bool out_empty(const dst::ScratchDir& s) { return !fs::exists(s.dir / "out") || fs::is_empty(s.dir / "out"); }

}  // namespace

TEST_CASE("photo3d consistency: the distinct pairs of a camera path, by hand") {
  using namespace ds::app;
  Intrinsics K{64, 48, 60, 60, 32, 24};
  // swing: x = A cos(pi t), z = 2.5 A (cos(pi t / 2) + 1) / 2, t = 4k/n - 2. For n = 3, t = -2,
  // -2/3, 2/3: frames 2 and 3 are the same camera, so 1 distinct pair of the 3 frame pairs. For
  // n = 4, t = -2, -1, 0, 1: frames 2 and 4 coincide (x = -A, z = 1.25 A): 3 of 6.
  CHECK(distinct_view_pairs(camera_path("swing", 3, 0.1, K, 4)).size() == 1);
  CHECK(distinct_view_pairs(camera_path("swing", 4, 0.1, K, 4)).size() == 3);
  // zoom never repeats a pose: n (n - 1) / 2.
  CHECK(distinct_view_pairs(camera_path("zoom", 5, 0.1, K, 4)).size() == 10);
  std::vector<ViewPair> p = distinct_view_pairs(camera_path("swing", 4, 0.1, K, 4));
  CHECK(p == std::vector<ViewPair>{{0, 1}, {0, 2}, {1, 2}});
}

TEST_CASE("photo3d command: --report-consistency is capped at the path's distinct pairs, with progress and grammar") {
  // 100000 pairs of 3 frames ran for more than 10 minutes without a word, and 1 pair was "1 pairs".
  dst::ScratchDir s("photo3d-notes-pairs");
  std::vector<std::string> args = scene(s);
  struct Case {
    const char *camera, *frames, *pairs;
    std::string note, over, progress;  // note "": none
  };
  for (const Case& c :
       {Case{"swing", "3", "2000",
             "note: --report-consistency 2000 is capped at 1: the 3 frames of --camera swing make 3 pairs, 1 of them "
             "between different cameras (the path repeats a pose); each is measured once",
             " over 1 pair of --camera swing frames", "view consistency, naive fill 1/1"},
        Case{"zoom", "4", "2000",
             "note: --report-consistency 2000 is capped at 6: the 4 frames of --camera zoom make 6 pairs; each is "
             "measured once",
             " over 6 pairs of --camera zoom frames", "view consistency, naive fill 6/6"},
        // Fewer pairs than there are: as asked, no note.
        Case{"zoom", "4", "5", "", " over 5 pairs of --camera zoom frames", "view consistency, naive fill 5/5"}}) {
    dst::CliResult r = run(args, {"--size", "64", "--camera", c.camera, "--frames", c.frames, "--report-consistency",
                                  c.pairs, "-o", s.file("out/m.ply")});
    INFO(r.out);
    REQUIRE(r.rc == 0);
    if (c.note.empty()) CHECK_FALSE(contains(r.out, "note: --report-consistency"));
    else CHECK(contains(r.out, c.note));
    CHECK(contains(r.out, c.over));
    CHECK(contains(r.out, c.progress));  // the progress line (stderr)
  }
}

TEST_CASE("photo3d command: with --stylized, stylisation options are warned about, --size with FILE's size") {
  // `--stylized st_small.png --size 512 --iters 50 --style-weight 3` wrote a 128x96 result silently.
  dst::ScratchDir s("photo3d-notes-stylized");
  std::vector<std::string> args = scene(s);
  ds::save_image(s.file("st_small.png"), dst::smooth_texture(32, 24, 3));
  dst::CliResult r = run(args, {"--stylized", s.file("st_small.png"), "--size", "512", "--iters", "50",
                                "--style-weight", "3", "--lr", "0.1", "-o", s.file("out/a.png")});
  INFO(r.out);
  REQUIRE(r.rc == 0);
  CHECK(contains(r.out, "warning: --size is not used: with --stylized the working size is " + s.file("st_small.png") +
                            "'s (32x24)"));
  for (const char* o : {"--iters", "--style-weight", "--lr"})
    CHECK_MESSAGE(contains(r.out, std::string("warning: ") + o + " is not used: with --stylized there is no stylisation"), o);
  CHECK(ds::image_size(s.file("out/a.png")) == std::pair<int64_t, int64_t>{24, 32});
  // Without --stylized, --size is the working size: no warning for it.
  dst::CliResult plain = run(args, {"--size", "32", "-o", s.file("out/b.png")});
  CHECK(plain.rc == 0);
  CHECK_FALSE(contains(plain.out, "warning: "));
  // With a style the stylised fill reads the loss and optimiser options; --iters and --size not.
  if (dst::skip_without_data({"weights/squeezenet1_1.h5", "images/style/wave.jpg"})) return;
  dst::CliResult fill = run(args, {"--stylized", s.file("st_small.png"), "--style", dst::prepared("images/style/wave.jpg"),
                                   "--fill-iters", "2", "--iters", "50", "--size", "64", "--lr", "0.1",
                                   "--style-weight", "3", "-o", s.file("out/c.png")});
  INFO(fill.out);
  REQUIRE(fill.rc == 0);
  CHECK(contains(fill.out, "warning: --iters is not used: with --stylized there is no stylisation (the stylised fill "
                           "takes --fill-iters"));
  CHECK(contains(fill.out, "warning: --size is not used"));
  for (const char* o : {"--lr", "--style-weight", "--style"})
    CHECK_MESSAGE(!contains(fill.out, std::string("warning: ") + o + " is not used"), o);
}

TEST_CASE("photo3d command: --consistency-frames of another size are refused from their headers before any output") {
  // b3.ply was written and then "cf/g01.png: [1, 3, 96, 128], but the camera path's frames are [1, 3, 192, 256]".
  dst::ScratchDir s("photo3d-notes-cfsize");
  std::vector<std::string> args = scene(s);
  for (int k = 1; k <= 3; ++k) ds::save_image(s.file("cf/g0" + std::to_string(k) + ".png"), dst::smooth_texture(32, 24, k));
  dst::CliResult r = run(args, {"--size", "64", "--frames", "3", "--report-consistency", "2", "--consistency-frames",
                                s.file("cf/g%02d.png"), "-o", s.file("out/b3.ply")});
  INFO(r.out);
  CHECK(r.rc == 1);
  CHECK(contains(r.out, "error: " + s.file("cf/g01.png") + " is 32x24 px; the camera path's frames are 64x48 px (--size 64)"));
  CHECK(out_empty(s));
}

TEST_CASE("photo3d command: no -o exits 2 like every command's missing required option") {
  dst::ScratchDir s("photo3d-notes-noout");
  dst::CliResult r = dst::run_depthstyle(scene(s));
  INFO(r.out);
  CHECK(r.rc == 2);
  CHECK(contains(r.out, "-o is required"));
}

TEST_CASE("photo3d command: an upsampled photo and a large mesh are noted before any work") {
  // --size 3000 on a 256x192 photo wrote a 329 MB .glb without a word.
  dst::ScratchDir s("photo3d-notes-sizes");
  std::vector<std::string> args = scene(s, 32, 24);
  dst::CliResult up = run(args, {"--size", "64", "-o", s.file("out/m.glb"), "-o", s.file("out/m.ply"), "--no-viewer"});
  INFO(up.out);
  REQUIRE(up.rc == 0);
  CHECK(contains(up.out, "note: upsampling 32x24 to 64x48 (--size 64)"));
  CHECK_FALSE(contains(up.out, "will hold about"));  // small files
  dst::CliResult same = run(args, {"--size", "32", "-o", s.file("out/v.png")});
  CHECK(same.rc == 0);
  CHECK_FALSE(contains(same.out, "note: upsampling"));
  // The estimates behind the note (50 bytes and 2 triangles a pixel in a .glb, 15 bytes a point
  // in a .ply) against files written at 256x192: within 15%.
  dst::CliResult real = run(args, {"--size", "256", "-o", s.file("out/r.glb"), "-o", s.file("out/r.ply"), "--no-viewer"});
  REQUIRE(real.rc == 0);
  const double pixels = 256.0 * 192;
  CHECK(std::fabs(static_cast<double>(fs::file_size(s.file("out/r.glb"))) / (50 * pixels) - 1) < 0.15);
  CHECK(std::fabs(static_cast<double>(fs::file_size(s.file("out/r.ply"))) / (15 * pixels) - 1) < 0.15);
  // 2100x1575 px: a ~165 MB .glb and a ~50 MB .ply. The note comes before any work: here a --view
  // that sees none of the photo then refuses the run, so nothing is written.
  dst::CliResult big = run(args, {"--size", "2100", "-o", s.file("big/m.glb"), "-o", s.file("big/m.ply"), "--no-viewer",
                                  "-o", s.file("big/v.png"), "--view=1e30,0,0,0,0"});
  INFO(big.out);
  CHECK(big.rc == 1);
  CHECK(contains(big.out, "note: " + s.file("big/m.glb") + " will hold about 6.6 million triangles (about 165 MB) for "
                          "2100x1575 pixels"));
  CHECK_FALSE(contains(big.out, "note: " + s.file("big/m.ply")));
  CHECK((!fs::exists(s.dir / "big") || fs::is_empty(s.dir / "big")));
}

TEST_CASE("photo3d interrupt note: files completed after the stage was named are in the note at once") {
  // Break-it pass 5, finding 1: the frames were renamed (complete) while the mp4 was still being
  // finished, but Ctrl-C then said "nothing written": complete() did not update the note.
  {
    ds::app::InterruptNote note;
    note.at("while finishing the frames and videos (all 60 frames rendered)");
    CHECK(ds::interrupt_note() ==
          "\ninterrupted while finishing the frames and videos (all 60 frames rendered); nothing written\n");
    note.complete("f001.png .. f060.png");
    CHECK(ds::interrupt_note() == "\ninterrupted while finishing the frames and videos (all 60 frames rendered); "
                                  "complete: f001.png .. f060.png; nothing else written\n");
  }
  CHECK(ds::interrupt_note().empty());  // cleared when the command ends
}
