// The frame loop of `depthstyle video`, shared by its two modes (feed-forward, apps/video/
// fast_video.h; optimisation, apps/video/optim_video.h): read a frame, bring it to the working
// size, compute the optical flow to the previous frame and its reliability (apps/media/
// optical_flow.h), the frame's depth (apps/video/depth_frames.h, stabilised along the flow),
// let the mode stylise it, write it (apps/media/video_io.h), and log the stability per frame.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "apps/media/video_io.h"
#include "apps/video/depth_frames.h"
#include "tensor/tensor.h"

namespace ds {
namespace app {

// What a mode sees of one frame. Images are CPU tensors at the working size, in [0,1].
struct FrameInput {
  int64_t index = 0;  // 0-based among the frames stylised
  Tensor frame;       // [1,3,h,w]
  Tensor depth01;     // [1,1,h,w] normalised depth (near 0, far 1), stabilised; undefined when unused
  // From the second frame on (undefined on the first):
  Tensor back_flow;          // flow(frame_t, frame_{t-1}) [1,2,h,w]
  Tensor reliability;        // flow_reliability [1,1,h,w]
  Tensor warped_prev_frame;  // frame_{t-1} warped into this frame
  Tensor warped_prev_out;    // the previous output warped into this frame
};

// Values a mode adds to the per-frame report (apps/video/video_run.h --report).
using FrameStats = std::vector<double>;

class FrameStylizer {
 public:
  virtual ~FrameStylizer() = default;
  virtual bool needs_flow() const = 0;   // uses back_flow, reliability or the warped previous output
  virtual bool needs_depth() const = 0;  // uses depth01
  virtual std::vector<std::string> stat_names() const { return {}; }
  // The output [1,3,h,w] in [0,1] (CPU); `stats` gets one value per stat_names().
  virtual Tensor stylize(const FrameInput& in, FrameStats& stats) = 0;
};

struct VideoRunOptions {
  std::string input, output, report;  // report: a CSV, one row per frame ("" for none)
  int long_side = 0;                  // working size (0: the input's); both sides rounded to even
  int64_t first = 1, last = 0;        // 1-based frame range of the input (last 0: to the end)
  VideoReaderOptions reader;
  int crf = 18;
  bool audio = true;
  std::string flow_preset = "medium";
  float depth_temporal_weight = 10;  // stabilisation of the depth along the flow (0: per frame)
  bool measure_flow = false;         // compute the flow (for the report) even if the mode does not need it
};

// The working size of an h x w input: its long side to long_side (0: kept), aspect kept, both
// sides even (H.264 and VP9 in yuv420p need it), at least 16.
std::pair<int, int> working_size(int h, int w, int long_side);

// The frames [first, last] of the input, as the reader returns them: ds::Error when the range
// is empty or beyond the video (naming its frame count).
struct FrameRange {
  int64_t first = 1, last = 0;
};
FrameRange frame_range(const VideoInfo& info, int64_t first, int64_t last);

// Runs the loop, printing progress (frames/s, ETA) on stderr and a summary on stdout. The output
// appears only when every frame is written; any error leaves nothing at the output (ds::Error
// naming the file and the frame).
void run_video(const VideoRunOptions& o, FrameStylizer& mode, DepthFrames* depth);

}  // namespace app
}  // namespace ds
