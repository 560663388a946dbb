#include "apps/train/train_options.h"

namespace ds {
namespace app {

void declare_train_options(Args& a) {
  a.option("--images", "DIR", "folder of training images");
  a.option("--style", "IMAGE", "style image");
  a.option("-o", "DIR", "checkpoint folder (one run's: another run's checkpoints there need --resume or --overwrite)");
  a.option("--init", "WHAT", "random (He-normal, seed --seed) | a pretrained style (la_muse, wave, ...) | a .h5 file",
           "random");
  a.option("--resume", "CKPT", "continue a run from its checkpoint (file, or folder: its last step); the style, loss "
                               "and data settings must be the run's");
  a.flag("--overwrite", "train into a -o folder that holds another run's checkpoints, removing them first");
  a.option("--steps", "N", "train until the step counter reaches N (resumed steps count)", "2000");
  a.option("--checkpoint-every", "N", "write a checkpoint every N steps (and always at the end)", "200");
  a.option("--crop-size", "PX", "side of the square training crops", "256");
  a.option("--batch-size", "B", "crops per step", "4");
  a.option("--lr", "LR", "Adam learning rate", "1e-3");
  a.option("--seed", "N", "seed of the data order, the crops and a random --init", "0");
  a.option("--style-size", "PX", "long side of the style image (default: --crop-size)");
  declare_loss_options(a);
  a.device_option();
}

TrainOptions parse_train_options(const Args& a, std::ostream& warn) {
  TrainOptions o;
  o.images = a.required("--images"), o.style = a.required("--style"), o.out_dir = a.required("-o");
  o.device = a.device();
  o.loss = loss_options_from(a, TransferMethod::FeedForward, warn);
  o.init = a.str("--init");
  o.resume = a.has("--resume") ? a.str("--resume") : "";
  o.overwrite = a.has("--overwrite");
  o.lr = static_cast<float>(a.number("--lr", 1e-8, 1));
  o.batch_size = a.integer("--batch-size", 1, 1024);
  o.crop_size = a.integer("--crop-size", 16, 4096);
  o.steps = a.integer("--steps", 1, 100000000);
  o.checkpoint_every = a.integer("--checkpoint-every", 1, 100000000);
  o.seed = static_cast<uint64_t>(a.number("--seed", 0, 9e15));
  o.style_size = a.has("--style-size") ? a.integer("--style-size", 16, 4096) : o.crop_size;
  return o;
}

}  // namespace app
}  // namespace ds
