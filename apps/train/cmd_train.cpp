// depthstyle train: trains the feed-forward style transformer with a depth loss
// (the loss: losses/transfer_loss.h; the options: apps/train/train_options.h; the run, its
// files and loop: apps/train/train_run.h; the trainer and its checkpoints: apps/train/train.h).

#include "apps/common/args.h"
#include "apps/depthstyle/commands.h"
#include "apps/train/train_run.h"

namespace ds {
namespace app {

int cmd_train(int argc, char** argv) {
  Args a("depthstyle train --images DIR --style STYLE -o CKPT_DIR [options]",
         "Trains the feed-forward style transformer (the fast-style net) on random crops of the\n"
         "images in DIR, with a loss network for content and style, and a depth loss through a\n"
         "frozen depth network (FastDepth, or --monodepth2):\n"
         "  loss = a*content + b*style + c*TV + d*depth + sum_k d_k*depth_layer_k   (batch means)\n"
         "depth terms are mean squared differences between the depth network's outputs (and named\n"
         "layers) on the stylised crop and on the crop itself.\n"
         "Data: every .png/.jpg/.jpeg/.ppm/.pgm/.bmp/.tga directly in DIR; each crop zooms the image\n"
         "so its short side is random in [crop, min(short, 2*crop)] (images smaller than the crop\n"
         "are scaled up), then cuts a random square; the order is shuffled per epoch from --seed.\n"
         "Unreadable images are skipped with a warning (an error if none can be read).\n"
         "Outputs in CKPT_DIR: step_NNNNNN.h5 (a fast_style_tf weight file, loadable by `depthstyle\n"
         "fast`), step_NNNNNN.optim.h5 (Adam state, data position and loss history for --resume),\n"
         "losses.csv and losses.png (rewritten at each checkpoint). CKPT_DIR may not be DIR, and no\n"
         "output may be an input (--init, --resume, ...): checked before any work. CKPT_DIR holds one\n"
         "run: another run's checkpoints there are refused unless --resume continues that run or\n"
         "--overwrite replaces it; a resumed run must keep its style, loss and data settings.\n"
         "A loss or gradient that is not finite stops the run with an error, before it reaches the weights.");
  declare_train_options(a);
  if (!a.parse(argc, argv, 0, 0, "no positional arguments")) return 0;
  run_training(parse_train_options(a));
  return 0;
}

}  // namespace app
}  // namespace ds
