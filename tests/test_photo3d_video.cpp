// The parallax video of `depthstyle 3d -o path.mp4` (issue 21, point 1): the camera path's frames
// through the video writer of `depthstyle video` (apps/media/video_io.h). Read back with its
// reader: the frame count and rate asked for, and each decoded frame close to the PNG frame the
// same run wrote (lossy codecs: PSNR bounds below). A build without the writer refuses video
// names before any work, with the way to get the frames instead.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>

#include "apps/photo3d/path_video.h"
#include "check.h"
#include "photo3d_scenes.h"
#include "tensor/image_io.h"
#include "weights/depth_io.h"

#include "apps/media/video_io.h"

namespace {

namespace fs = std::filesystem;

// A 3D photo's inputs (an odd width, so H.264's even size is exercised) in a fresh folder.
std::string scene_files() {
  const std::string dir = dst::temp_path("photo3d-video");
  fs::remove_all(dir);
  fs::create_directories(dir);
  const int w = 81, h = 60;
  ds::save_image(dir + "/content.png", dst::smooth_texture(w, h, 2, 3));
  ds::save_depth_png_mm(dir + "/depth.png",
                        ds::Tensor::from_vector({1, 1, h, w}, dst::box_scene(w, h, 20, 50, 15, 45, 1.5f, 3.0f).z));
  return dir;
}

std::string command(const std::string& dir, const std::string& outputs) {
  return "OMP_WAIT_POLICY=passive '" + std::string(DEPTHSTYLE_BINARY) + "' 3d '" + dir + "/content.png' --depth '" +
         dir + "/depth.png' --size 81 --fov 60 --frames 6 --fps 12 " + outputs;
}

}  // namespace

TEST_CASE("photo3d video: the camera path as MP4, WebM and GIF, frame by frame the PNG frames of the same run") {
  const std::string dir = scene_files();
  std::string out;
  REQUIRE_MESSAGE(dst::run_command(command(dir, "-o '" + dir + "/f%02d.png' -o '" + dir + "/path.mp4' -o '" + dir +
                                       "/path.webm' -o '" + dir + "/path.gif'"),
                      &out) == 0,
                  out);
  CHECK(dst::contains(out, "frames written as 80x60"));
  // Lossy codecs: H.264 and VP9 (yuv420p: half the chroma resolution, on a texture whose colours
  // vary pixel by pixel) keep it above 28 dB (31-33 dB measured); the GIF's 256-colour palette with
  // dithering above 27 dB (32-33 measured). Neighbouring frames of this path differ by 17.6-24.3 dB,
  // so a frame out of order or repeated falls below both.
  for (auto [file, bound] : {std::pair<std::string, double>{"path.mp4", 28}, {"path.webm", 28}, {"path.gif", 27}}) {
    const std::string name = file;
    const bool gif = name == "path.gif";
    ds::app::VideoReader r(dir + "/" + name);
    CHECK(r.info().frames == 6);
    // GIF delays are whole centiseconds: 12 frames/s is stored as 8 cs (12.5 frames/s).
    CHECK(r.info().fps.value() == doctest::Approx(12).epsilon(gif ? 0.05 : 1e-6));
    CHECK(r.info().width == (gif ? 81 : 80));
    CHECK(r.info().height == 60);
    ds::Tensor f;
    for (int k = 1; r.read(f); ++k) {
      char png[32];
      std::snprintf(png, sizeof png, "/f%02d.png", k);
      ds::Tensor ref = ds::load_image_rgb(dir + png);
      double se = 0;
      const int64_t w = f.W(), h = f.H();
      for (int64_t c = 0; c < 3; ++c)
        for (int64_t y = 0; y < h; ++y)
          for (int64_t x = 0; x < w; ++x) {
            double d = f.data()[(c * h + y) * w + x] - ref.data()[(c * ref.H() + y) * ref.W() + x];
            se += d * d;
          }
      double psnr = 10 * std::log10(1.0 / (se / static_cast<double>(3 * w * h)));
      INFO(name << " frame " << k << ": PSNR " << psnr << " dB");
      CHECK(psnr > bound);
    }
    CHECK(r.frames_read() == 6);
  }
}
