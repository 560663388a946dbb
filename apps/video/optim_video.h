// The optimisation mode of `depthstyle video` (Ruder et al., "Artistic style transfer for
// videos", GCPR 2016): every frame optimised by the stylize engine (apps/stylize/engine.h, with
// all of stylize's per-frame options: masks, several styles, the depth loss, --original-colors),
// the first from --init with --iters-first iterations, each later one started from the previous
// result warped by the optical flow and optimised for --iters iterations with the temporal loss
// (losses/temporal.h) pulling it towards that warp where the flow is reliable.
#pragma once
#include "apps/stylize/engine.h"
#include "apps/video/video_run.h"

namespace ds {
namespace app {

struct OptimVideoOptions {
  float temporal_weight = 0;  // lambda of the temporal loss (0: none; the warm start stays)
  int iters_first = 0;        // iterations of the first frame at every scale (0: the plan's)
  bool depth_for_masks = false;  // give the engine the frame loop's (stabilised) depth
};

class OptimVideo : public FrameStylizer {
 public:
  OptimVideo(const StylizeEngine& engine, const OptimVideoOptions& o);
  bool needs_flow() const override { return true; }  // the warm start
  bool needs_depth() const override { return o_.depth_for_masks; }
  std::vector<std::string> stat_names() const override;
  Tensor stylize(const FrameInput& in, FrameStats& stats) override;

 private:
  const StylizeEngine& engine_;
  OptimVideoOptions o_;
  Tensor prev_optimised_;  // the previous frame's result before --original-colors
};

}  // namespace app
}  // namespace ds
