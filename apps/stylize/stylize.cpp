#include "apps/stylize/stylize.h"

#include <cmath>
#include <cstdio>

#include "apps/stylize/divergence.h"
#include "nn/optim.h"
#include "nn/resize.h"
#include "tensor/image_io.h"
#include "tensor/random.h"

namespace ds {
namespace app {

Stylizer::Stylizer(const TransferLoss& loss, const Tensor& content, StylizeConfig cfg, Device device)
    : loss_(loss), cfg_(std::move(cfg)), device_(device) {
  ref_ = loss_.reference(Var(content.to(device_)));
  Tensor init;
  if (cfg_.start.defined()) init = resize_image(cfg_.start, content.shape()[2], content.shape()[3]);
  else if (cfg_.init == "content") init = content.clone();
  else if (cfg_.init == "noise") init = Rng(cfg_.seed).uniform_tensor(content.shape(), 0.0f, 1.0f);
  else init = resize_image(load_image_rgb(cfg_.init), content.shape()[2], content.shape()[3]);
  image_ = Var(init.to(device_), true);
}

std::vector<double> Stylizer::evaluate(const Tensor& image) const {
  NoGradGuard ng;
  std::vector<double> terms;
  loss_.total(Var(image.to(device_)), ref_, &terms);
  return terms;
}

void Stylizer::evaluate_current(int iteration, std::vector<double>* terms) {
  // The terms are read after the backward pass is queued, and backward does not read the loss
  // itself: on CUDA the host does not wait for the forward pass before queuing the backward.
  // A non-finite loss is caught by the callers (DivergenceWatch, before any step; L-BFGS's line
  // search) from the terms read here.
  Tensor values;
  loss_.total_deferred(image_, ref_, &values).backward(false);
  *terms = loss_.term_values(values);
  double total = (*terms)[0];
  if (std::isfinite(total) && (!best_.defined() || total < best_loss_)) {
    best_ = image_.value().clone();
    best_loss_ = total, best_iteration_ = iteration;
  }
}

Stylizer::Outcome Stylizer::run(int iters, const std::function<void(int, const std::vector<double>&)>& on_iter) {
  if (cfg_.optimizer == "adam") return run_adam(iters, on_iter);
  if (cfg_.optimizer == "lbfgs") return run_lbfgs(iters, on_iter);
  throw Error("unknown optimizer '" + cfg_.optimizer + "': expected adam or lbfgs");
}

Stylizer::Outcome Stylizer::run_adam(int iters, const std::function<void(int, const std::vector<double>&)>& on_iter) {
  Adam opt({image_}, AdamParams{cfg_.lr});
  DivergenceWatch watch(loss_.spec().normalize_gradients);
  std::vector<double> terms;
  for (int it = 1; it <= iters; ++it) {
    opt.set_lr(step_decay_lr(cfg_.lr, cfg_.lr_decay, cfg_.lr_step, it - 1));
    opt.zero_grad();
    evaluate_current(it, &terms);
    std::string why = watch.update(it, terms[0]);
    if (!why.empty()) {  // stop before the step: a non-finite gradient would spoil the image
      on_iter(it, terms);
      return {it, why};
    }
    opt.step();
    on_iter(it, terms);  // the loss at the start of the iteration, the image after it
  }
  return {iters, watch.at_end()};
}

Stylizer::Outcome Stylizer::run_lbfgs(int iters, const std::function<void(int, const std::vector<double>&)>& on_iter) {
  LBFGS opt({image_}, 1.0f, 20);
  std::vector<double> terms, accepted;  // the last evaluation's terms, and those at the accepted point
  int failures = 0;
  for (int it = 1; it <= iters; ++it) {
    opt.step([&] {
      image_.zero_grad();
      evaluate_current(it, &terms);
      if (accepted.empty()) accepted = terms;  // the starting point
      return static_cast<float>(terms[0]);
    });
    // The line search ends on the accepted point, so its terms are the last ones; a failed
    // search stays where it was.
    if (opt.last_step_accepted()) accepted = terms, failures = 0;
    else ++failures;
    on_iter(it, accepted);
    if (failures == 2) {
      char why[160];
      std::snprintf(why, sizeof why,
                    "L-BFGS: the line search found no lower loss along the steepest-descent direction at iteration "
                    "%d (loss %.4g)", it, accepted[0]);
      return {it, why};
    }
  }
  return {iters, ""};
}

}  // namespace app
}  // namespace ds
