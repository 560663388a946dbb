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
};

class Stylizer {
 public:
  // content [1,3,H,W] in [0,1]: the loss's reference and (init "content") the start. The
  // loss must outlive the stylizer. Errors: an init image that cannot be read.
  Stylizer(const TransferLoss& loss, const Tensor& content, StylizeConfig cfg, Device device);

  // The logged terms: total, content, style_<name>..., tv, depth (TransferLoss::term_names).
  std::vector<std::string> term_names() const { return loss_.term_names(); }
  // Runs `iters` iterations; after each, on_iter(iteration (1-based), term values). Adam logs
  // the terms before its step; L-BFGS those of its last evaluation (the accepted point).
  void run(int iters, const std::function<void(int, const std::vector<double>&)>& on_iter);
  // Term values for an image without changing anything (no gradient).
  std::vector<double> evaluate(const Tensor& image) const;

  const Var& image() const { return image_; }

 private:
  const TransferLoss& loss_;
  TransferLoss::Reference ref_;
  StylizeConfig cfg_;
  Device device_;
  Var image_;
};

}  // namespace app
}  // namespace ds
