#include "apps/video/fast_video.h"

#include <algorithm>
#include <cmath>

#include "autograd/ops.h"
#include "losses/temporal.h"
#include "tensor/error.h"

namespace ds {
namespace app {

FastVideo::FastVideo(std::vector<FastModel> models, float lambda, Device dev)
    : models_(std::move(models)), lambda_(lambda), dev_(dev) {
  if (models_.empty()) throw Error("video: no --model given");
}

bool FastVideo::needs_depth() const {
  return std::any_of(models_.begin(), models_.end(), [](const FastModel& m) { return m.masked; });
}

int FastVideo::transformer_min_side() const {
  int side = FastStyleNet::kMinSide;
  for (const FastModel& m : models_) side = std::max(side, m.net->min_side());
  return side;
}

std::vector<std::string> FastVideo::stat_names() const {
  return {"ewarp_per_frame", "cg_iterations", "mask_flicker"};
}

Tensor FastVideo::stylize(const FrameInput& in, FrameStats& stats) {
  const int64_t plane = in.frame.H() * in.frame.W();
  Tensor acc = Tensor::zeros(in.frame.shape()), weight = Tensor::zeros({1, 1, in.frame.H(), in.frame.W()});
  std::vector<Tensor> masks;
  const Tensor input = dev_ == Device::CPU ? in.frame : in.frame.to(dev_);  // to() always copies
  for (const FastModel& m : models_) {
    Tensor y = stylize_fast(*m.net, input, 0);
    if (y.is_cuda()) y = y.to(Device::CPU);
    if (y.H() != in.frame.H() || y.W() != in.frame.W())
      throw Error("video: " + m.name + " returned " + shape_str(y.shape()) + " for a frame of " + shape_str(in.frame.shape()));
    Tensor mask = m.masked ? make_mask(m.mask, in.depth01) : Tensor();
    if (mask.defined()) masks.push_back(mask);
    for (int64_t i = 0; i < plane; ++i) {
      float g = mask.defined() ? mask.data()[i] : 1.0f;
      weight.data()[i] += g;
      for (int c = 0; c < 3; ++c) acc.data()[c * plane + i] += g * std::clamp(y.data()[c * plane + i], 0.0f, 1.0f);
    }
  }
  // Masks summing below 1 leave the rest to the input frame; above 1 they are normalised.
  for (int64_t i = 0; i < plane; ++i) {
    float g = weight.data()[i];
    for (int c = 0; c < 3; ++c) {
      float& v = acc.data()[c * plane + i];
      v = g >= 1.0f ? v / g : v + (1.0f - g) * in.frame.data()[c * plane + i];
    }
  }
  Tensor processed = acc, out = acc;
  stats = {NAN, 0, NAN};
  if (in.reliability.defined()) {
    Tensor warped_processed = warp(Var(prev_processed_), Var(in.back_flow)).value();
    stats[0] = warping_error(processed, warped_processed, in.reliability);
    if (!masks.empty()) {  // mean |mask_t - warp(mask_{t-1})| over the reliable pixels, over the masks
      stats[2] = 0;
      for (size_t k = 0; k < masks.size(); ++k)
        stats[2] += masked_mean_abs_diff(masks[k], warp(Var(prev_masks_[k]), Var(in.back_flow)).value(), in.reliability) /
                    static_cast<double>(masks.size());
    }
    if (lambda_ > 0) {
      ConsistencyStats cs;
      out = blind_temporal_consistency(processed, in.warped_prev_out,
                                       consistency_weight(in.reliability, in.frame, in.warped_prev_frame, lambda_), {}, &cs);
      for (int64_t i = 0; i < out.numel(); ++i) out.data()[i] = std::clamp(out.data()[i], 0.0f, 1.0f);
      stats[1] = cs.iterations;
    }
  }
  prev_processed_ = processed;
  prev_masks_ = masks;
  return out;
}

}  // namespace app
}  // namespace ds
