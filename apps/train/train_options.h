// The options of `depthstyle train`, declared once and parsed once into typed values; the
// training run (apps/train/train_run.h) sees only TrainOptions.
#pragma once
#include <cstdint>
#include <iostream>
#include <string>

#include "apps/common/args.h"
#include "apps/common/loss_options.h"

namespace ds {
namespace app {

struct TrainOptions {
  Device device = Device::CPU;
  std::string images, style, out_dir;  // --images DIR, --style IMAGE, -o DIR
  std::string init = "random";         // --init: random | a pretrained style | a .h5 file
  std::string resume;                  // --resume as given (a checkpoint or its folder); "": a new run
  bool overwrite = false;              // --overwrite: replace another run's checkpoints in -o
  int steps = 2000, checkpoint_every = 200, crop_size = 256, batch_size = 4, style_size = 256;
  float lr = 1e-3f;
  uint64_t seed = 0;
  LossOptions loss;
};

void declare_train_options(Args& a);
// Errors (ds::Error naming the option): a missing --images, --style or -o, a number out of
// range, those of loss_options_from (whose deprecation note goes to `warn`).
TrainOptions parse_train_options(const Args& a, std::ostream& warn = std::cerr);

}  // namespace app
}  // namespace ds
