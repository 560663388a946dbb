// depthstyle fast-eval: compares feed-forward style nets on held-out images (the options and
// the evaluation: apps/train/fast_eval.h).
#include "apps/common/args.h"
#include "apps/depthstyle/commands.h"
#include "apps/train/fast_eval.h"

namespace ds {
namespace app {

int cmd_fast_eval(int argc, char** argv) {
  Args a("depthstyle fast-eval --images DIR --style STYLE [options] [LABEL=]MODEL ...",
         "Runs each MODEL (a fast_style_tf .h5 file, e.g. a `train` checkpoint, or a pretrained style\n"
         "name) on every image of DIR at --size and reports, per image and averaged:\n"
         "  depth RMSE (m) and Pearson r between the depth network's depth of the output (clamped to\n"
         "  [0,1]) and of the input; the weighted content and style terms of `train`'s loss.\n"
         "The loss options are those of `depthstyle train` (its depth weights are not used here).\n"
         "--montage-dir may not be DIR, and no montage may be an input (checked before any work).");
  declare_fast_eval_options(a);
  if (!a.parse(argc, argv, 1, 16, "one or more [LABEL=]MODEL")) return 0;
  run_fast_eval(parse_fast_eval_options(a));
  return 0;
}

}  // namespace app
}  // namespace ds
