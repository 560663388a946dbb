// Tiny video clips for the tests of apps/media/ and `depthstyle video`: frames with a known
// pattern, written by our VideoWriter, and fixtures only the ffmpeg program can make (an audio
// track, a rotation tag, a variable frame rate), made by running it.
#pragma once
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "apps/media/video_io.h"
#include "tests/check.h"
#include "tensor/tensor.h"

namespace dst {

// A scratch folder (tests/check.h ScratchDir) whose files are named by `dir / "name"`.
struct MediaDir : ScratchDir {
  explicit MediaDir(const std::string& name) : ScratchDir("media " + name) {}
  std::string operator/(const std::string& name) const { return file(name); }
  size_t entries() const {
    size_t n = 0;
    for (auto it = std::filesystem::directory_iterator(dir); it != std::filesystem::directory_iterator(); ++it) ++n;
    return n;
  }
};

// Frame k of n: red rises left to right, green top to bottom, blue with k (so the order of
// frames can be read back from their mean blue).
inline ds::Tensor ramp_frame(int64_t h, int64_t w, int k, int n) {
  ds::Tensor t = ds::Tensor::empty({1, 3, h, w});
  float* p = t.data();
  for (int64_t y = 0; y < h; ++y)
    for (int64_t x = 0; x < w; ++x) {
      p[y * w + x] = 0.1f + 0.8f * static_cast<float>(x) / static_cast<float>(w - 1);
      p[h * w + y * w + x] = 0.1f + 0.8f * static_cast<float>(y) / static_cast<float>(h - 1);
      p[2 * h * w + y * w + x] = 0.1f + 0.8f * static_cast<float>(k) / static_cast<float>(n > 1 ? n - 1 : 1);
    }
  return t;
}

// Writes n ramp frames to `path` with our writer.
inline void write_ramp_clip(const std::string& path, int64_t h, int64_t w, int n, ds::app::Rational fps,
                            const std::string& audio_from = "") {
  ds::app::VideoWriterOptions o;
  o.fps = fps;
  o.crf = 0;
  o.audio_from = audio_from;
  ds::app::VideoWriter vw(path, static_cast<int>(w), static_cast<int>(h), o);
  for (int k = 0; k < n; ++k) vw.write(ramp_frame(h, w, k, n));
  vw.finish();
}

// A camera panning and zooming over a smooth texture f(X, Y) (a sum of sinusoids, wavelengths
// 9 to 40 px), so every frame and the true flow between frames are known exactly: pixel x of
// frame t shows the texture at A_t(x) = s_t (x - c) + c + T_t.
struct PanZoomScene {
  int64_t h, w;
  double pan_x = 1.3, pan_y = -0.7, zoom = 0.985;  // per frame: texture pixels, scale factor

  double texture(double X, double Y, int c) const {
    static const double k[5][3] = {{0.16, 0.05, 0.3}, {-0.07, 0.21, 1.1}, {0.31, 0.26, 2.0}, {0.11, -0.36, 0.7}, {0.45, 0.08, 2.9}};
    double v = 0.5;
    for (int i = 0; i < 5; ++i) v += 0.08 * std::sin(k[i][0] * X + k[i][1] * Y + k[i][2] + 0.9 * c * (i % 2 ? 1 : -1));
    return v;
  }
  void map(int t, double x, double y, double& X, double& Y) const {
    double s = std::pow(zoom, t), cx = 0.5 * static_cast<double>(w - 1), cy = 0.5 * static_cast<double>(h - 1);
    X = s * (x - cx) + cx + pan_x * t;
    Y = s * (y - cy) + cy + pan_y * t;
  }
  ds::Tensor frame(int t) const {
    ds::Tensor f = ds::Tensor::empty({1, 3, h, w});
    for (int c = 0; c < 3; ++c)
      for (int64_t y = 0; y < h; ++y)
        for (int64_t x = 0; x < w; ++x) {
          double X, Y;
          map(t, static_cast<double>(x), static_cast<double>(y), X, Y);
          f.data()[(c * h + y) * w + x] = static_cast<float>(texture(X, Y, c));
        }
    return f;
  }
  // flow(frame t, frame t-1): where pixel x of frame t is in frame t-1 (A_{t-1}^-1 A_t x), minus x.
  ds::Tensor back_flow(int t) const {
    ds::Tensor f = ds::Tensor::empty({1, 2, h, w});
    double s = std::pow(zoom, t - 1), cx = 0.5 * static_cast<double>(w - 1), cy = 0.5 * static_cast<double>(h - 1);
    for (int64_t y = 0; y < h; ++y)
      for (int64_t x = 0; x < w; ++x) {
        double X, Y;
        map(t, static_cast<double>(x), static_cast<double>(y), X, Y);
        f.data()[y * w + x] = static_cast<float>((X - cx - pan_x * (t - 1)) / s + cx - static_cast<double>(x));
        f.data()[h * w + y * w + x] = static_cast<float>((Y - cy - pan_y * (t - 1)) / s + cy - static_cast<double>(y));
      }
    return f;
  }
};

inline bool have_ffmpeg() { return std::system("ffmpeg -version >/dev/null 2>&1") == 0; }

// True (after printing "skipped: ...", which ctest reports as skipped) without the ffmpeg program.
inline bool skip_without_ffmpeg(const char* fixture) {
  if (have_ffmpeg()) return false;
  std::printf("skipped: no ffmpeg program to make %s\n", fixture);
  return true;
}

// n frames of `scene` as a PNG sequence `pattern` (written by our VideoWriter).
inline void write_scene_clip(const PanZoomScene& scene, const std::string& pattern, int n) {
  ds::app::VideoWriter w(pattern, static_cast<int>(scene.w), static_cast<int>(scene.h), {});
  for (int t = 0; t < n; ++t) w.write(scene.frame(t));
  w.finish();
}

// Runs the ffmpeg program quietly with `args`; true when it succeeded.
inline bool ffmpeg(const std::string& args) {
  return std::system(("ffmpeg -nostdin -hide_banner -loglevel error -y " + args + " >/dev/null 2>&1").c_str()) == 0;
}

// ffprobe's value of one entry ("stream=codec_name") of the first stream of `type` ("a", "v").
inline std::string ffprobe(const std::string& path, const std::string& type, const std::string& entry) {
  std::string cmd = "ffprobe -v error -select_streams " + type + ":0 -show_entries " + entry + " -of csv=p=0 '" + path + "'";
  FILE* f = popen(cmd.c_str(), "r");
  if (!f) return "";
  char buf[256] = {0};
  std::string out = std::fgets(buf, sizeof buf, f) ? buf : "";
  pclose(f);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r' || out.back() == ',')) out.pop_back();
  return out;
}

}  // namespace dst
