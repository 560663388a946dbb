// The memory of `depthstyle video`'s feed-forward mode, estimated before any frame is decoded
// and refused above --max-memory with the --size that fits, as `fast` does for its images
// (apps/fast/fast.h). The optimisation mode (--style) is not estimated: `stylize`, whose engine
// it runs, has no estimate of its own.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "apps/media/video_io.h"
#include "nn/fast_style_weights.h"

namespace ds {
namespace app {

// What the frame loop holds besides the transformers, per frame (apps/video/video_run.h).
struct VideoFrameUse {
  bool flow = false;   // the optical flow is computed (temporal stability, --report, depth stabilisation)
  bool depth = false;  // a depth map per frame (masks)
  int masks = 0;       // models with a --model-mask
};

// What the libraries the run loads after the check take (FFmpeg's decoder and x264's encoder
// with its lookahead, OpenCV, the threads): measured 86-111 MiB above the check's resident
// memory at 640x360 and 1280x720 (la_muse, docs/benchmarks.md), rounded up.
constexpr int64_t kVideoCodecBytes = int64_t{128} << 20;

// Bytes one frame needs, from an in_h x in_w input at the working size h x w: kFastFixedBytes
// and kVideoCodecBytes;
// the decoded frame (3 floats and FFmpeg's YUV and RGB frames, 8 bytes, per input pixel); per
// working pixel the floats run_video keeps (this frame 3, the previous frame and its output 6;
// with the flow both flows 4, the reliability 1, the warped frame and output 6, and 16 for
// OpenCV DIS's pyramids and fields; with depth this frame's 3 and the previous 2); and the most
// of (a) the largest transformer's peak (fast_style_peak_bytes; on a GPU 12 bytes a pixel for the
// copies to and from it) with the blend (sum and weight 4, a mask per masked model) and (b) blind
// temporal consistency's solver (24 floats a pixel: its copies, right side and CG vectors).
// (DIS's 32 floats are fitted to one measurement: la_muse at 1280x720, docs/benchmarks.md.)
// Throws what fast_style_peak_bytes throws for a size below a transformer's minimum.
int64_t fast_video_frame_bytes(int64_t in_h, int64_t in_w, int64_t h, int64_t w,
                               const std::vector<const FastStyleNet*>& nets, bool on_host, const VideoFrameUse& use);

// Before any frame is decoded or any output made: ds::Error (memory_refusal, apps/fast/fast.h)
// when a frame of `info` at --size long_side (0: its own) written to `output` needs more than
// `budget` bytes (0: no check), naming the input, the frame size, the need and the largest
// --size that fits. The need is the process's resident memory now (the program, its libraries
// and the loaded models), beyond kFastFixedBytes, plus fast_video_frame_bytes. Prints the need
// above 1 GiB when it fits. Sizes the transformers cannot
// take are left to the run's own check (checked_working_size).
void check_video_memory(const VideoInfo& info, int long_side, const std::string& output,
                        const std::vector<const FastStyleNet*>& nets, bool on_host, const VideoFrameUse& use,
                        int64_t budget);

}  // namespace app
}  // namespace ds
