// The depth of each video frame for `depthstyle video`: estimated by a depth network (FastDepth
// or Monodepth2, nn/pretrained.h), or read from a depth video or a folder / pattern of depth
// maps matched by frame number. Always returned normalised (weights/depth_map.h normalise_depth:
// near 0, far 1) at the working size; the frame loop (apps/video/video_run.h) then stabilises it
// along the optical flow.
#pragma once
#include <map>
#include <memory>
#include <string>

#include "apps/common/outputs.h"
#include "apps/media/video_io.h"
#include "nn/pretrained.h"

namespace ds {
namespace app {

class DepthFrames {
 public:
  // source "": estimated by `net` (loaded by the caller). Else, by kind:
  //   a folder: depth maps (any file weights/depth_io.h reads: 16-bit PNG mm, Kinect PGM, .mat,
  //     .h5) whose file stem ends in the frame's number: the input sequence's own numbers, or
  //     1, 2, ... for a video file (as `ffmpeg -i in.mp4 d/%05d.png` numbers them);
  //   a pattern ("d/%05d.png"): the same numbers, in that pattern;
  //   a video (any VideoReader input): the grey level of each frame is the depth, dark near and
  //     bright far (`invert`: bright near, as disparity maps are drawn), frame by frame.
  // `input` is the video being stylised, frames [first, last] (1-based) of it.
  DepthFrames(const std::string& source, bool invert, const VideoInfo& input, int64_t first, int64_t last,
              const VideoReaderOptions& reader);
  ~DepthFrames();
  // The files it reads (for the command's output plan).
  void plan(OutputPlan& plan) const;
  // Checks before any work that every frame has its depth and that the first one fits the
  // frames' aspect ratio: ds::Error naming the missing numbers, a depth video of another length,
  // a map of another shape.
  void check() const;
  // Sets the estimator used when the source is "" (owned by the caller, on `dev`).
  void set_estimator(const DepthEstimator* net, Device dev);
  bool estimated() const { return source_.empty(); }
  // The normalised depth [1,1,h,w] of the input's k-th frame (1-based, as the reader returns
  // them), whose picture at the working size is `frame` ([1,3,h,w]). Frames must be asked for
  // in order (a depth video is read as a stream).
  Tensor depth01(int64_t k, const Tensor& frame);

 private:
  std::string path_for(int64_t number) const;
  std::string source_;
  bool invert_ = false;
  VideoInfo input_;
  int64_t first_ = 1, last_ = 0;
  std::map<int64_t, std::string> files_;  // folder: number -> file
  std::unique_ptr<VideoReader> video_;
  int64_t video_pos_ = 0;  // frames read from the depth video
  const DepthEstimator* net_ = nullptr;
  Device dev_ = Device::CPU;
};

}  // namespace app
}  // namespace ds
