// The optimisation driver of `depthstyle stylize`: optimises the pixels of one image (RGB in
// [0,1], [1,3,H,W]) against a TransferLoss (losses/transfer_loss.h, which defines the loss)
// with Adam or L-BFGS (nn/optim.h). One scale of one image; the engine over scales and
// images is apps/stylize/engine.h.
#pragma once
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "losses/transfer_loss.h"

namespace ds {
namespace app {

enum class Optimizer { Adam, LBFGS };

// A term added to the loss by the caller (video: the temporal loss of Ruder et al. 2016):
// `loss(image)` for the image being optimised ([1,3,h,w] in [0,1] at the working size, on the
// stylizer's device) returns a weighted scalar ([1]) Var that is added to the total and
// logged as `name`. Empty `loss`: no extra term.
struct ExtraTerm {
  std::string name;
  std::function<Var(const Var& image)> loss;
  bool defined() const { return static_cast<bool>(loss); }
};

// The optimiser settings (the loss is the TransferLoss's).
struct StylizeConfig {
  Optimizer optimizer = Optimizer::Adam;
  float lr = 0.03f, lr_decay = 0.5f;
  int lr_step = 150;      // Adam: multiply lr by lr_decay every lr_step iterations (0: never)
  bool noise = false;     // start from uniform noise (seeded) instead of the content
  uint64_t seed = 0;      // of the noise
  // When defined, the start instead of the content or noise: an image [1,3,h,w] in [0,1] (any
  // size and device), resized bilinearly to the content (coarse to fine: the previous scale's
  // result; --init FILE; video: the previous frame's result warped).
  Tensor start;
  // When defined, [1,1,H,W] in [0,1] at the content's size: how free each pixel is. The image
  // optimised is x * m + keep * (1 - m), so where m is 0 the pixel stays `keep`'s, bit for bit,
  // and gets no gradient; where m is 1 it is free. `keep` ([1,3,H,W], the content's size; when
  // undefined: the start) holds the pixels the mask protects.
  Tensor update_mask, keep;
  ExtraTerm extra;
  // Judge divergence only by a non-finite loss: the logged total may rise for a good reason
  // (gradient normalisation; every style term off, so the start is already the minimum).
  bool finite_only = false;
};

class Stylizer {
 public:
  // content [1,3,H,W] in [0,1]: the loss's reference and the default start. The loss must
  // outlive the stylizer. Errors (ds::Error): a mask or keep image of another size.
  Stylizer(const TransferLoss& loss, const Tensor& content, StylizeConfig cfg, Device device);

  // The logged terms: total, content, style_<name>..., tv, depth (TransferLoss::term_names),
  // then the extra term's name.
  std::vector<std::string> term_names() const;
  // How a run ended: `stopped` is "" when every iteration ran and the loss did not end above
  // its start, else why it diverged (DivergenceWatch, apps/stylize/divergence.h) or why L-BFGS
  // gave up (its line search found no decrease twice in a row, the second time along the
  // steepest-descent direction).
  struct Outcome {
    int iterations = 0;
    std::string stopped;
  };
  using OnIteration = std::function<void(int, const LossTerms&)>;
  // Runs up to `iters` iterations; after each, on_iter(iteration (1-based), the terms at the
  // image that iteration started from). Both optimisers log alike: the first call has the
  // loss of the start image, which the divergence rule compares with. Stops early on
  // divergence. Every image evaluated is a candidate for best_image().
  Outcome run(int iters, const OnIteration& on_iter);
  // The image with the lowest total loss evaluated so far, its loss, and the iterations done
  // before it was reached (its loss is logged at iteration best_done() + 1 when that ran);
  // undefined before run().
  const Tensor& best_image() const { return best_; }
  double best_loss() const { return best_loss_; }
  int best_done() const { return best_done_; }
  // Term values for an image without changing anything (no gradient).
  LossTerms evaluate(const Tensor& image) const;
  // The image as it stands ([1,3,H,W] on the device): with an update mask, the composed one.
  Tensor image() const;

 private:
  Var composed(const Var& x) const;  // x, or x * m + keep * (1 - m) with an update mask
  // The loss of y: the transfer loss's term values left in `values` (TransferLoss::
  // total_deferred) and the extra term in `extra`.
  Var loss_of(const Var& y, Tensor* values, Var* extra) const;
  LossTerms terms_of(const Tensor& values, const Var& extra) const;
  // The loss of image_ with its gradient; keeps the image as best_ when its loss is the lowest.
  void evaluate_current(int done, LossTerms* terms);
  Outcome run_adam(int iters, const OnIteration& on_iter);
  Outcome run_lbfgs(int iters, const OnIteration& on_iter);
  const TransferLoss& loss_;
  TransferLoss::Reference ref_;
  StylizeConfig cfg_;
  Device device_;
  Var image_;
  Tensor mask_, kept_;  // with an update mask: m and keep * (1 - m), on the device
  Tensor best_;
  double best_loss_ = 0;
  int best_done_ = 0;
};

}  // namespace app
}  // namespace ds
