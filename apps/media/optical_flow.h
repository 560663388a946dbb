// Optical flow between video frames, by OpenCV's DIS optical flow (Kroeger et al., "Fast
// Optical Flow using Dense Inverse Search", ECCV 2016; Debian's libopencv-video-dev), and the
// reliability of warping by it (Ruder et al., "Artistic style transfer for videos", GCPR 2016).
//
// Convention (backward warping, autograd/ops.h warp): flow(from, to) is [1,2,H,W] in pixels,
// channel 0 horizontal (u), 1 vertical (v), such that from(x) ~ to(x + flow(x)); so
// warp(to, flow(from, to)) brings `to` into `from`'s frame. For frame t, the previous result is
// brought forward with warp(prev_result, flow(frame_t, frame_{t-1})).
#pragma once
#include <memory>
#include <string>

#include "tensor/tensor.h"

namespace ds {
namespace app {

class OpticalFlow {
 public:
  // preset: "ultrafast", "fast" or "medium" (DIS's presets: more patches and iterations, better
  // flow, slower). Errors: ds::Error for another name.
  explicit OpticalFlow(const std::string& preset = "medium");
  // The smallest frames computed (both sides, px). OpenCV 4.6's DIS refuses a short side under
  // 8 or a long side under 12, and crashes (SIGSEGV, reading outside its pyramid) on elongated
  // frames with a short side under 16: measured on ramp frames, e.g. 40x8 to 308x14 with every
  // preset. At 16 px "medium" (the default) ran at every long side up to 2400, but "fast" and
  // "ultrafast" still crashed on 80x16 to 633x24; a short side of 32 ran with every preset. So
  // operator() pads frames whose sides are under kPadTo (edge pixels repeated, below and to the
  // right) and crops the flow back, and refuses frames under kMinShortSide (ds::Error): flow
  // that is mostly padding says little.
  static constexpr int kMinShortSide = 16;
  static constexpr int kPadTo = 32;
  static constexpr int kMinLongSide = 16;
  ~OpticalFlow();
  OpticalFlow(const OpticalFlow&) = delete;
  OpticalFlow& operator=(const OpticalFlow&) = delete;
  // Frames [1,3,H,W] (or [1,1,H,W]) in [0,1], same size, any device; computed on their 8-bit luma.
  // Returns the flow on the CPU. Errors: ds::Error for frames of different sizes or under
  // kMinShortSide.
  Tensor operator()(const Tensor& from, const Tensor& to);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The reliability weight c in [0,1] ([1,1,H,W]) of warping by `back` = flow(frame_t, frame_{t-1}),
// checked against `fwd` = flow(frame_{t-1}, frame_t), as Ruder et al. 2016 (their occlusion and
// motion-boundary detection) and their consistencyChecker (manuelruder/artistic-videos): with w = back(x) and w~ = fwd(x + w),
//   disoccluded (c = 0, and pushes the smoothing outward):  |w + w~|^2 >= 0.01 (|w|^2 + |w~|^2) + 0.5
//   motion boundary (c = 0):  |grad u|^2 + |grad v|^2 > 0.01 |w|^2 + 0.002  (central differences)
//   x + w outside the image (c = 0); else c = 1;
// then a Gaussian blur of sigma 0.8 px and clipping to [0, 1], as their checker does.
Tensor flow_reliability(const Tensor& back, const Tensor& fwd);

}  // namespace app
}  // namespace ds
