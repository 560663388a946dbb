// The camera path as a video file (.mp4 H.264, .webm VP9, .gif) or a PNG sequence (X%04d.png),
// through the video writer of `depthstyle video` (apps/media/video_io.h: FFmpeg's libraries for
// videos; every file written under a temporary name and renamed into place when the whole path is
// complete, so an interrupted run leaves no part of it; a sequence then removes the frames of an
// older, longer one after its last).
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "tensor/tensor.h"

namespace ds {
namespace app {

// Throws unless `path` names a video this build writes (before any work).
void check_path_video(const std::string& path);

class PathVideo {
 public:
  // width x height frames at `fps` (not used by a PNG sequence). H.264 and VP9 need even sizes: an
  // odd last column or row is left out of every frame (said on stdout).
  PathVideo(const std::string& path, int width, int height, double fps);
  ~PathVideo();
  PathVideo(const PathVideo&) = delete;
  PathVideo& operator=(const PathVideo&) = delete;
  void write(const Tensor& rgb);  // [1,3,height,width] in [0,1]
  void finish();                  // the file (the frames) appear at `path`
  // A PNG sequence: frames of an older, longer sequence that finish() removed.
  int64_t older_frames_removed() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace app
}  // namespace ds
