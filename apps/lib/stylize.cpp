#include "apps/lib/stylize.h"

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
  if (cfg_.init == "content") init = content.clone();
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

void Stylizer::run(int iters, const std::function<void(int, const std::vector<double>&)>& on_iter) {
  std::vector<double> terms;
  if (cfg_.optimizer == "adam") {
    Adam opt({image_}, AdamParams{cfg_.lr});
    for (int it = 1; it <= iters; ++it) {
      opt.set_lr(step_decay_lr(cfg_.lr, cfg_.lr_decay, cfg_.lr_step, it - 1));
      opt.zero_grad();
      loss_.total(image_, ref_, &terms).backward();
      opt.step();
      on_iter(it, terms);
    }
  } else if (cfg_.optimizer == "lbfgs") {
    LBFGS opt({image_}, 1.0f, 20);
    for (int it = 1; it <= iters; ++it) {
      opt.step([&] {
        image_.zero_grad();
        loss_.total(image_, ref_, &terms).backward();
        return static_cast<float>(terms[0]);
      });
      on_iter(it, terms);
    }
  } else {
    throw Error("unknown optimizer '" + cfg_.optimizer + "': expected adam or lbfgs");
  }
}

}  // namespace app
}  // namespace ds
