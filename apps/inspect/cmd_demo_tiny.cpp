// depthstyle demo-tiny: the framework end to end in a few seconds. A synthetic target
// image goes through a small fixed random conv net; starting from noise, Adam optimises
// an image's pixels so that its features match the target's; the result is written as PNG.
#include <cstdio>
#include <string>

#include "apps/depthstyle/commands.h"
#include "apps/common/args.h"
#include "apps/common/outputs.h"
#include "autograd/ops.h"
#include "nn/optim.h"
#include "tensor/image_io.h"
#include "tensor/random.h"

namespace ds {
namespace app {

static Tensor target_pattern(int size) {
  // Coloured rings and a diagonal ramp: structure at several scales.
  Tensor t = Tensor::empty({1, 3, size, size});
  for (int y = 0; y < size; ++y)
    for (int x = 0; x < size; ++x) {
      double dx = x - size / 2.0, dy = y - size / 2.0, r = std::sqrt(dx * dx + dy * dy);
      t.set({0, 0, y, x}, static_cast<float>(0.5 + 0.5 * std::sin(r / 3.0)));
      t.set({0, 1, y, x}, static_cast<float>((x + y) / (2.0 * size)));
      t.set({0, 2, y, x}, static_cast<float>(0.5 + 0.5 * std::cos(dx / 5.0) * std::sin(dy / 7.0)));
    }
  return t;
}

int cmd_demo_tiny(int argc, char** argv) {
  Args a("depthstyle demo-tiny [options]",
         "Optimises an image's pixels through a small random conv net toward a synthetic target\n"
         "and writes DIR/target.png and DIR/result.png (the folder is created when missing).");
  a.option("-o", "DIR", "output folder", "out/demo-tiny");
  a.option("--iters", "N", "iterations", "300");
  a.option("--size", "PX", "side of the square image", "64");
  a.device_option();
  if (!a.parse(argc, argv, 0, 0, "no positional arguments")) return 0;
  std::string out_dir = a.str("-o");
  int iters = a.integer("--iters", 1, 1000000), size = a.integer("--size", 8, 1024);
  Device dev = a.device();
  OutputPlan plan;  // no inputs: this only creates the folder, before the work
  plan.output("target image", out_dir + "/target.png");
  plan.output("result image", out_dir + "/result.png");
  plan.check();

  Rng rng(7);
  Var w1(rng.normal_tensor({16, 3, 3, 3}, 0.0f, 0.5f).to(dev)), b1(Tensor::zeros({16}, dev));
  Var w2(rng.normal_tensor({32, 16, 3, 3}, 0.0f, 0.15f).to(dev)), b2(Tensor::zeros({32}, dev));
  auto net = [&](const Var& x) {
    Var h = relu(conv2d(x, w1, b1, Conv2dParams::make(1, 1)));
    return relu(conv2d(h, w2, b2, Conv2dParams::make(2, 1)));
  };
  Tensor target = target_pattern(size);
  Var target_features;
  {
    NoGradGuard ng;
    target_features = net(Var(target.to(dev)));
  }
  Var image(rng.uniform_tensor({1, 3, size, size}, 0.2f, 0.8f).to(dev), true);
  Adam opt({image}, AdamParams{0.05f});
  float first = 0, last = 0;
  for (int it = 1; it <= iters; ++it) {
    opt.zero_grad();
    Var loss = mse_loss(net(image), target_features);
    loss.backward();
    opt.step();
    last = loss.value().item();
    if (it == 1) first = last;
    if (it == 1 || it % 50 == 0 || it == iters) std::printf("iter %4d  loss %.6f\n", it, last);
  }
  save_image(out_dir + "/target.png", target);
  save_image(out_dir + "/result.png", image.value());
  std::printf("loss %.6f -> %.6f (%.1fx lower) on %s; wrote %s/target.png and %s/result.png\n", first, last,
              first / last, device_name(dev), out_dir.c_str(), out_dir.c_str());
  return 0;
}

}  // namespace app
}  // namespace ds
