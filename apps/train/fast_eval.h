// `depthstyle fast-eval`: compares feed-forward style nets on held-out images: how well the
// depth of each stylised output agrees with the depth of the input (RMSE, Pearson), and the
// content and style losses of train (losses/transfer_loss.h). Writes markdown tables to stdout
// and optionally a montage per image (outputs above, their depth maps below).
#pragma once
#include <iostream>
#include <string>
#include <utility>
#include <vector>

#include "apps/common/args.h"
#include "apps/common/loss_options.h"

namespace ds {
namespace app {

struct FastEvalOptions {
  Device device = Device::CPU;
  std::string images, style;  // --images DIR, --style IMAGE
  std::string montage_dir;    // --montage-dir ("": none)
  int size = 256, style_size = 256, panel = 192;
  LossOptions loss;           // train's loss; its depth terms are not used here
  std::vector<std::pair<std::string, std::string>> models;  // [LABEL=]MODEL arguments: (label, model)
};

void declare_fast_eval_options(Args& a);
// Errors (ds::Error naming the option): a missing --images or --style, a number out of range,
// those of loss_options_from (whose deprecation note goes to `warn`).
FastEvalOptions parse_fast_eval_options(const Args& a, std::ostream& warn = std::cerr);
// Plans the files (no montage over an input), loads the models and networks, and prints a
// table row per image and model, then the means. Errors: ds::Error naming the file.
void run_fast_eval(const FastEvalOptions& o);

}  // namespace app
}  // namespace ds
