// The optimisation driver of `depthstyle stylize`: optimises the pixels of one image (RGB in
// [0,1], [1,3,H,W]) against a TransferLoss (losses/transfer_loss.h, which defines the loss)
// with Adam or L-BFGS (nn/optim.h).
#pragma once
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "losses/transfer_loss.h"

namespace ds {
namespace app {

// The optimiser settings (the loss is the TransferLoss's).
struct StylizeConfig {
  std::string optimizer = "adam";  // adam | lbfgs
  float lr = 0.03f, lr_decay = 0.5f;
  int lr_step = 150;               // Adam: multiply lr by lr_decay every lr_step iterations (0: never)
  std::string init = "content";    // content | noise | an image file (resized to the content)
  uint64_t seed = 0;               // of the noise initialisation
  // When defined, the start instead of `init`: an image [1,3,h,w] in [0,1] (any size and
  // device), resized bilinearly to the content (coarse-to-fine: the previous scale's result).
  Tensor start;
};

class Stylizer {
 public:
  // content [1,3,H,W] in [0,1]: the loss's reference and (init "content") the start. The
  // loss must outlive the stylizer. Errors: an init image that cannot be read.
  Stylizer(const TransferLoss& loss, const Tensor& content, StylizeConfig cfg, Device device);

  // The logged terms: total, content, style_<name>..., tv, depth (TransferLoss::term_names).
  std::vector<std::string> term_names() const { return loss_.term_names(); }
  // How a run ended: `stopped` is "" when every iteration ran and the loss did not end above
  // its start, else why it diverged (DivergenceWatch, apps/stylize/divergence.h) or why L-BFGS
  // gave up (its line search found no decrease twice in a row, the second time along the
  // steepest-descent direction).
  struct Outcome {
    int iterations = 0;
    std::string stopped;
  };
  // Runs up to `iters` iterations; after each, on_iter(iteration (1-based), term values at
  // the image the iteration started from (Adam) or accepted (L-BFGS)). Stops early on
  // divergence. Every image evaluated is a candidate for best_image().
  Outcome run(int iters, const std::function<void(int, const std::vector<double>&)>& on_iter);
  // The image with the lowest total loss evaluated so far, its loss and its iteration (the
  // iteration whose CSV row holds that loss); undefined before run().
  const Tensor& best_image() const { return best_; }
  double best_loss() const { return best_loss_; }
  int best_iteration() const { return best_iteration_; }
  // Term values for an image without changing anything (no gradient).
  std::vector<double> evaluate(const Tensor& image) const;

  const Var& image() const { return image_; }

 private:
  // The loss of image_ with its gradient; keeps image_ as best_ when its loss is the lowest.
  void evaluate_current(int iteration, std::vector<double>* terms);
  Outcome run_adam(int iters, const std::function<void(int, const std::vector<double>&)>& on_iter);
  Outcome run_lbfgs(int iters, const std::function<void(int, const std::vector<double>&)>& on_iter);
  const TransferLoss& loss_;
  TransferLoss::Reference ref_;
  StylizeConfig cfg_;
  Device device_;
  Var image_;
  Tensor best_;
  double best_loss_ = 0;
  int best_iteration_ = 0;
};

}  // namespace app
}  // namespace ds
