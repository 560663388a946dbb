#include "apps/stylize/stylize.h"

#include <cmath>
#include <cstdio>

#include "apps/stylize/divergence.h"
#include "autograd/ops.h"
#include "nn/optim.h"
#include "nn/resize.h"
#include "tensor/random.h"

namespace ds {
namespace app {

namespace {

void check_plane(const char* what, const Tensor& t, int64_t channels, const Shape& content) {
  if (t.ndim() != 4 || t.N() != 1 || t.C() != channels || t.H() != content[2] || t.W() != content[3])
    throw Error(std::string(what) + ": expected [1," + std::to_string(channels) + "," + std::to_string(content[2]) + "," +
                std::to_string(content[3]) + "] (the content's size), got " + shape_str(t.shape()));
}

}  // namespace

Stylizer::Stylizer(const TransferLoss& loss, const Tensor& content, StylizeConfig cfg, Device device)
    : loss_(loss), cfg_(std::move(cfg)), device_(device) {
  ref_ = loss_.reference(Var(content.to(device_)));
  const Shape& s = content.shape();
  Tensor init;
  if (cfg_.start.defined()) init = resize_image(cfg_.start.to(Device::CPU), s[2], s[3]);
  else if (cfg_.noise) init = Rng(cfg_.seed).uniform_tensor(s, 0.0f, 1.0f);
  else init = content.to(Device::CPU).clone();
  if (cfg_.update_mask.defined()) {
    Tensor m = cfg_.update_mask.to(Device::CPU), keep = cfg_.keep.defined() ? cfg_.keep.to(Device::CPU) : init;
    check_plane("update mask", m, 1, s);
    check_plane("kept image", keep, 3, s);
    Tensor kept = Tensor::empty(s);
    const int64_t plane = s[2] * s[3];
    for (int64_t c = 0; c < 3; ++c)
      for (int64_t i = 0; i < plane; ++i) {
        float mi = m.data()[i];
        if (!(mi >= 0.0f && mi <= 1.0f)) throw Error("update mask: values must be in [0, 1], got " + std::to_string(mi));
        kept.data()[c * plane + i] = keep.data()[c * plane + i] * (1.0f - mi);
      }
    mask_ = m.to(device_), kept_ = kept.to(device_);
  }
  image_ = Var(init.to(device_), true);
}

std::vector<std::string> Stylizer::term_names() const {
  std::vector<std::string> n = loss_.term_names();
  if (cfg_.extra.defined()) n.push_back(cfg_.extra.name);
  return n;
}

Var Stylizer::composed(const Var& x) const { return mask_.defined() ? x * Var(mask_) + Var(kept_) : x; }

Tensor Stylizer::image() const {
  NoGradGuard ng;
  return composed(image_).value();
}

Var Stylizer::loss_of(const Var& y, Tensor* values, Var* extra) const {
  Var total = loss_.total_deferred(y, ref_, values);
  if (!cfg_.extra.defined()) return total;
  *extra = cfg_.extra.loss(y);
  if (!extra->defined() || extra->value().numel() != 1)
    throw Error("extra loss term '" + cfg_.extra.name + "': expected a scalar ([1]) Var, got " +
                (extra->defined() ? shape_str(extra->shape()) : std::string("an undefined one")));
  return total + *extra;
}

LossTerms Stylizer::terms_of(const Tensor& values, const Var& extra) const {
  LossTerms t = loss_.terms_of(values);
  if (cfg_.extra.defined()) {
    t.extra.push_back(extra.value().to_vector()[0]);
    t.total += t.extra.back();
  }
  return t;
}

LossTerms Stylizer::evaluate(const Tensor& image) const {
  NoGradGuard ng;
  Tensor values;
  Var extra;
  loss_of(Var(image.to(device_)), &values, &extra);
  return terms_of(values, extra);
}

void Stylizer::evaluate_current(int done, LossTerms* terms) {
  // The terms are read after the backward pass is queued, and backward does not read the loss
  // itself: on CUDA the host does not wait for the forward pass before queuing the backward.
  // A non-finite loss is caught by the callers (DivergenceWatch, before any step; L-BFGS's line
  // search) from the terms read here.
  Tensor values;
  Var y = composed(image_), extra;
  loss_of(y, &values, &extra).backward(false);
  *terms = terms_of(values, extra);
  if (std::isfinite(terms->total) && (!best_.defined() || terms->total < best_loss_)) {
    best_ = y.value().clone();
    best_loss_ = terms->total, best_done_ = done;
  }
}

Stylizer::Outcome Stylizer::run(int iters, const OnIteration& on_iter) {
  return cfg_.optimizer == Optimizer::Adam ? run_adam(iters, on_iter) : run_lbfgs(iters, on_iter);
}

Stylizer::Outcome Stylizer::run_adam(int iters, const OnIteration& on_iter) {
  Adam opt({image_}, AdamParams{cfg_.lr});
  DivergenceWatch watch(cfg_.finite_only);
  LossTerms terms;
  for (int it = 1; it <= iters; ++it) {
    opt.set_lr(step_decay_lr(cfg_.lr, cfg_.lr_decay, cfg_.lr_step, it - 1));
    opt.zero_grad();
    evaluate_current(it - 1, &terms);
    std::string why = watch.update(it, terms.total);
    if (!why.empty()) {  // stop before the step: a non-finite gradient would spoil the image
      on_iter(it, terms);
      return {it, why};
    }
    opt.step();
    on_iter(it, terms);  // the loss at the start of the iteration, the image after it
  }
  return {iters, watch.at_end()};
}

Stylizer::Outcome Stylizer::run_lbfgs(int iters, const OnIteration& on_iter) {
  LBFGS opt({image_}, 1.0f, 20);
  DivergenceWatch watch(cfg_.finite_only);
  LossTerms terms, at_start;  // the last evaluation's terms, and those where the iteration started
  bool started = false;
  int failures = 0;
  for (int it = 1; it <= iters; ++it) {
    opt.step([&] {
      image_.zero_grad();
      evaluate_current(started ? it : 0, &terms);  // a line-search point is reached after iteration it
      if (!started) at_start = terms, started = true;  // the start image, evaluated once
      return static_cast<float>(terms.total);
    });
    on_iter(it, at_start);  // as Adam: the loss where the iteration started, the image after it
    std::string why = watch.update(it, at_start.total);
    if (!why.empty()) return {it, why};
    // The line search ends on the accepted point, so its terms are the last ones; a failed
    // search stays where it was.
    if (opt.last_step_accepted()) at_start = terms, failures = 0;
    else ++failures;
    if (failures == 2) {
      char why2[160];
      std::snprintf(why2, sizeof why2,
                    "L-BFGS: the line search found no lower loss along the steepest-descent direction at iteration "
                    "%d (loss %.4g)", it, at_start.total);
      return {it, why2};
    }
  }
  return {iters, watch.at_end()};
}

}  // namespace app
}  // namespace ds
