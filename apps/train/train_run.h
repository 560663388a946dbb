// One `depthstyle train` run as a whole: its files checked before any work (no output over an
// input, no mixing with another run's checkpoints), the networks, data and style image loaded,
// the run started or resumed, then the loop with its CSV log, progress line, loss plot and
// checkpoints (the trainer and the checkpoint files: apps/train/train.h).
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "apps/train/train_options.h"
#include "tensor/tensor.h"

namespace ds {
namespace app {

// Trains as `o` says. Errors (ds::Error, before any work where they can be known): an output
// that is an input; an -o folder holding checkpoints of another run (not the --resume'd one's
// folder) without --overwrite; a resumed run with other settings (Trainer::resume); images,
// style or networks that cannot be read; a style image or crop too small for the loss network;
// a non-finite loss (the checkpoints written so far stay intact).
void run_training(const TrainOptions& o);

// The settings a resumed run must share with its checkpoints (TrainConfig::same): the style
// image (a hash of its decoded pixels, so a moved file still matches) and the loss settings
// (network, pooling, layers, weights, depth network, --style-size), as {option, value}.
std::vector<std::pair<std::string, std::string>> run_identity(const TrainOptions& o, const Tensor& style_image);

}  // namespace app
}  // namespace ds
