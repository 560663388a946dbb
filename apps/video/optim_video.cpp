#include "apps/video/optim_video.h"

#include <cmath>

#include "autograd/ops.h"
#include "losses/temporal.h"
#include "nn/resize.h"

namespace ds {
namespace app {

namespace {

// The temporal loss at the size and device of the image being optimised (coarse-to-fine scales
// see smaller images than the frame): its target and weight resized to match, once per size.
class TemporalTerm {
 public:
  TemporalTerm(Tensor target, Tensor weight, float lambda) : target_(std::move(target)), weight_(std::move(weight)), lambda_(lambda) {}
  Var operator()(const Var& y) {
    if (at_.shape() != y.shape() || at_.device() != y.value().device()) {
      at_ = resize_image(target_, y.shape()[2], y.shape()[3]).to(y.value().device());
      w_at_ = resize_image(weight_, y.shape()[2], y.shape()[3]).to(y.value().device());
    }
    // lambda per pixel: the mean of temporal_loss times D = the sum, as our content and style
    // terms are sums (neural-style's were means), so the balance does not depend on the size.
    return temporal_loss(y, at_, w_at_) * (lambda_ * static_cast<float>(y.value().numel()));
  }

 private:
  Tensor target_, weight_, at_, w_at_;
  float lambda_;
};

}  // namespace

OptimVideo::OptimVideo(const StylizeEngine& engine, const OptimVideoOptions& o) : engine_(engine), o_(o) {}

std::vector<std::string> OptimVideo::stat_names() const { return {"iterations", "loss_first", "loss_last", "temporal_last"}; }

Tensor OptimVideo::stylize(const FrameInput& in, FrameStats& stats) {
  StylizeRequest r;
  r.content = in.frame;
  r.name = "frame " + std::to_string(in.index + 1);
  if (o_.depth_for_masks) r.depth = in.depth01;  // normalised already: the engine's normalisation changes little
  std::shared_ptr<TemporalTerm> term;
  if (!prev_optimised_.defined() || !in.reliability.defined()) {
    if (o_.iters_first > 0) r.iters = {o_.iters_first};
  } else {
    // Ruder et al.'s warm start: the previous result warped; pixels without a reliable flow
    // (disoccluded, entering the picture) start from the frame itself.
    Tensor warped = warp(Var(prev_optimised_), Var(in.back_flow)).value();
    const float* c = in.reliability.data();
    const int64_t plane = in.frame.H() * in.frame.W();
    Tensor start = Tensor::empty(in.frame.shape());
    for (int ch = 0; ch < 3; ++ch)
      for (int64_t i = 0; i < plane; ++i)
        start.data()[ch * plane + i] = c[i] * warped.data()[ch * plane + i] + (1 - c[i]) * in.frame.data()[ch * plane + i];
    r.start = start;
    if (o_.temporal_weight > 0) {
      term = std::make_shared<TemporalTerm>(warped, in.reliability, o_.temporal_weight);
      r.extra = {"temporal", [term](const Var& y) { return (*term)(y); }};
    }
  }
  StylizeResult out = engine_.stylize(r);
  prev_optimised_ = out.optimised.to(Device::CPU);
  if (prev_optimised_.H() != in.frame.H() || prev_optimised_.W() != in.frame.W())
    prev_optimised_ = resize_image(prev_optimised_, in.frame.H(), in.frame.W());
  stats = {static_cast<double>(out.iterations), out.first.total, out.last.total,
           out.last.extra.empty() ? 0.0 : out.last.extra[0]};
  if (!out.stopped.empty()) std::fprintf(stderr, "warning: frame %lld: %s\n", static_cast<long long>(in.index + 1), out.stopped.c_str());
  Tensor image = out.image.to(Device::CPU);
  return image.H() == in.frame.H() && image.W() == in.frame.W() ? image : resize_image(image, in.frame.H(), in.frame.W());
}

}  // namespace app
}  // namespace ds
