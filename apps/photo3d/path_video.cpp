#include "apps/photo3d/path_video.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "apps/media/video_io.h"
#include "tensor/error.h"

namespace ds {
namespace app {

struct PathVideo::Impl {
  int width = 0, height = 0;  // of the rendered frames
  int w = 0, h = 0;           // written (even for H.264 and VP9)
  std::unique_ptr<VideoWriter> writer;
};

void check_path_video(const std::string& path) {
  check_video_output(path);
}

PathVideo::PathVideo(const std::string& path, int width, int height, double fps) : impl_(std::make_unique<Impl>()) {
  const std::string kind = check_video_output(path);
  const bool even = kind == "H.264" || kind == "VP9";
  impl_->width = width, impl_->height = height;
  impl_->w = even ? width & ~1 : width, impl_->h = even ? height & ~1 : height;
  if (impl_->w < 2 || impl_->h < 2) throw Error(path + ": frames of " + std::to_string(width) + "x" +
                                                std::to_string(height) + " are too small for a video");
  if (impl_->w != width || impl_->h != height)
    std::printf("%s: H.264 and VP9 need even sizes: frames written as %dx%d (the last %s left out)\n", path.c_str(),
                impl_->w, impl_->h, impl_->w != width && impl_->h != height ? "column and row" : impl_->w != width ? "column" : "row");
  VideoWriterOptions o;
  o.fps = {static_cast<int>(std::lround(fps * 1000)), 1000};
  impl_->writer = std::make_unique<VideoWriter>(path, impl_->w, impl_->h, o);
}

PathVideo::~PathVideo() = default;

void PathVideo::write(const Tensor& rgb) {
  if (rgb.H() != impl_->height || rgb.W() != impl_->width) throw Error("path video: a frame of another size");
  Tensor frame = rgb;
  if (impl_->w != impl_->width || impl_->h != impl_->height) {
    frame = Tensor::empty({1, 3, impl_->h, impl_->w});
    for (int64_t c = 0; c < 3; ++c)
      for (int64_t y = 0; y < impl_->h; ++y) {
        const float* src = rgb.data() + (c * impl_->height + y) * impl_->width;
        std::copy(src, src + impl_->w, frame.data() + (c * impl_->h + y) * impl_->w);
      }
  }
  impl_->writer->write(frame);
}

void PathVideo::finish() {
  impl_->writer->finish();
}

int64_t PathVideo::older_frames_removed() const { return impl_->writer->older_frames_removed(); }

}  // namespace app
}  // namespace ds
