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
  // The smallest frame side its fast-style transformers take (FastStyleNet::min_side: 4 for the
  // pretrained ones, 5 for a converted TransformerNet); 0 when it uses none.
  virtual int transformer_min_side() const { return 0; }
  virtual std::vector<std::string> stat_names() const { return {}; }
  // The output [1,3,h,w] in [0,1] (CPU); `stats` gets one value per stat_names().
  virtual Tensor stylize(const FrameInput& in, FrameStats& stats) = 0;
};

struct VideoRunOptions {
  std::string input, output, report;  // report: a CSV, one row per frame ("" for none)
  int long_side = 0;                  // working size (0: the input's); see working_size
  int64_t first = 1, last = 0;        // 1-based frame range of the input (last 0: to the end)
  VideoReaderOptions reader;
  int crf = 18;
  bool audio = true;
  std::string flow_preset = "medium";
  float depth_temporal_weight = 10;  // stabilisation of the depth along the flow (0: per frame)
  bool measure_flow = false;         // compute the flow (for the report) even if the mode does not need it
};

// The --size range of `video` (the long side of the frames, px).
constexpr int kMinVideoSize = 16, kMaxVideoSize = 8192;

// True when `output` (a name check_video_output accepts) is H.264 or VP9 in yuv420p, whose
// chroma is subsampled 2x2: both sides must be even. GIF and PNG take any size.
bool even_frame_size(const std::string& output);

// The working size {h, w} of an h x w input written to `output`: its long side to long_side (0:
// kept), the aspect ratio kept; for an even_frame_size output each side is the nearest even
// number to its exact value (halves down: 33x25 -> 32x24; 640x64 at 128 -> 128x12), which may
// be 0 for a side under one pixel. Never stretched to a minimum: checked_working_size refuses.
std::pair<int, int> working_size(int h, int w, int long_side, const std::string& output);

// A lower bound on the frames a part of the run needs, and what sets it (for the message).
struct FrameBound {
  int side = 1, long_side = 1;  // px: the short side and the long side
  std::string what;
};
// The bounds of the parts a run uses: the output's encoder (even sides, >= 2), the fast-style
// transformer (transformer_min_side > 0: each side at least that), the optical flow when flow_use (what it is for) is not
// empty (OpticalFlow::kMinShortSide, kMinLongSide).
std::vector<FrameBound> frame_bounds(const std::string& output, int transformer_min_side, const std::string& flow_use);
// working_size, or ds::Error when it is below a bound: the size, the input's, what needs more
// and the smallest --size that fits with the aspect ratio kept ("give --size 16 or more (16x12)").
std::pair<int, int> checked_working_size(const VideoInfo& info, int long_side, const std::string& output,
                                         const std::vector<FrameBound>& bounds);

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
