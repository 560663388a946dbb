// Internal to apps/media/: decoded FFmpeg frames <-> [1,3,H,W] float tensors in [0,1], through
// libswscale (pixel format and YUV matrix) and a rotation by a multiple of 90 degrees.
#pragma once
#include <vector>

#include "apps/media/ffmpeg_util.h"
#include "tensor/tensor.h"

namespace ds {
namespace app {

class FrameConverter {
 public:
  // Any decoded frame -> RGB, turned `rotation_cw` degrees (0, 90, 180, 270) clockwise. The
  // YUV matrix and range are the frame's (BT.601 when it names none and is below 720 lines,
  // else BT.709), as players do.
  Tensor to_tensor(const AVFrame* f, int rotation_cw);
  // [1,3,H,W] (any device; clamped to [0,1], rounded to 8 bits) -> `out`, whose format, width
  // and height are set and whose buffers are allocated (av_frame_get_buffer). YUV output uses
  // BT.709 limited range. Throws ds::Error for NaN samples.
  void from_tensor(const Tensor& rgb, AVFrame* out);

 private:
  av::Sws to_rgb_, from_rgb_;
  std::vector<uint8_t> rgb_;  // packed RGB24 staging
};

// Turns a CPU image [1,C,H,W] by `rotation_cw` degrees clockwise (0, 90, 180, 270).
Tensor rotate90(const Tensor& x, int rotation_cw);

}  // namespace app
}  // namespace ds
