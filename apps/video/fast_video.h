// The feed-forward mode of `depthstyle video`: each frame through one or more fast-style
// transformers (nn/fast_style_weights.h), blended by depth masks, then made temporally stable by
// blind temporal consistency (losses/temporal.h) against the previous output warped by the flow.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "apps/video/video_run.h"
#include "losses/masks.h"
#include "nn/fast_style_weights.h"

namespace ds {
namespace app {

struct FastModel {
  std::shared_ptr<FastStyleNet> net;  // loaded after the checks (FastStyleNet has no empty state)
  std::string name;
  bool masked = false;  // else weight 1 everywhere
  MaskSpec mask;
};

class FastVideo : public FrameStylizer {
 public:
  // lambda: the weight of the warped previous output (0: per-frame results, no flow needed).
  // Each model's result is weighted by its depth mask; where the weights sum to less than 1 the
  // input frame makes up the rest, where more they are normalised.
  FastVideo(std::vector<FastModel> models, float lambda, Device dev);
  bool needs_flow() const override { return lambda_ > 0; }
  int transformer_min_side() const override;
  bool needs_depth() const override;
  std::vector<std::string> stat_names() const override;
  Tensor stylize(const FrameInput& in, FrameStats& stats) override;

 private:
  std::vector<FastModel> models_;
  float lambda_;
  Device dev_;
  Tensor prev_processed_;           // the previous per-frame result, for its E_warp in the report
  std::vector<Tensor> prev_masks_;  // the previous frame's masks, for their flicker in the report
};

}  // namespace app
}  // namespace ds
