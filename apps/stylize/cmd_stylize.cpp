// depthstyle stylize: depth-aware style transfer by optimisation (the loss:
// losses/transfer_loss.h; one run and its scales: apps/stylize/stylize_job.h; a folder:
// apps/stylize/stylize_batch.h).
#include <cstdio>
#include <filesystem>

#include "apps/depthstyle/commands.h"
#include "apps/common/args.h"
#include "apps/stylize/stylize_batch.h"

namespace ds {
namespace app {

namespace {

// The --help paragraph.
const char* const kAbout =
    "Optimises the pixels of a pastiche so its features match CONTENT's and its Gram matrices\n"
    "match each STYLE's, with optional depth masks and a depth loss:\n"
    "  total = a*content + b*sum_s w_s*style_s + c*TV + d*depth\n"
    "CONTENT: PNG, JPEG or PPM, or an NYU Depth v2 labeled .mat (with --frame; its depth is used).\n"
    "Coarse to fine (--scales 256,512,1024 or --multires N): optimise at the smallest size, then\n"
    "start each larger scale from the previous scale's best image upsampled (bilinear), with the\n"
    "loss (content, styles, depth, masks) rebuilt at that size. --iters gives every scale's count\n"
    "or one per scale (300,150,50); the Adam learning rate schedule restarts at each scale. The\n"
    "style images follow each scale's size, times --style-scale; --style-size fixes them.\n"
    "Batch: when CONTENT is a folder, each PNG/JPEG/PPM image in it is stylised to OUTDIR/<stem>.png\n"
    "(-o OUTDIR, not CONTENT itself; default out/stylize), with --depth DIR matched by stem\n"
    "(a.jpg <-> a.png/.pgm/.mat/.h5/.hdf5; a missing depth file fails that image). A failing\n"
    "image is reported and the batch goes on; a summary table ends it, exit 1 if any failed.\n"
    "Depth (--depth): 16-bit PNG in millimetres (0 invalid), raw Kinect PGM (NYU), NYU .mat,\n"
    "or float HDF5 in metres; invalid pixels are filled from neighbours and the depth is\n"
    "normalised to [0,1] (near 0, far 1) and resized to the content (aspect ratios must agree\n"
    "within 1%). Without --depth it is estimated by FastDepth (or --monodepth2).\n"
    "Masks (--content-mask, --style-mask) are functions of the normalised depth d:\n"
    "  sigmoid:k=10,t=0.5  inv-sigmoid:k=10,t=0.5  linear:a=0,b=1  image:FILE  constant:v=1\n"
    "Outputs: OUT, OUT_losses.csv (iteration over all scales, seconds, scale in px, terms), OUT_losses.png,\n"
    "OUT_montage.png, and OUT_iterN.png (OUT_sPX_iterN.png with scales) with --save-every;\n"
    "none may be an input (checked before any work). Every image must be at least the feature\n"
    "network's smallest input at its working size (checked before the first iteration).\n"
    "Divergence (apps/stylize/divergence.h): the run stops when the loss is not finite or stays above\n"
    "1000x its start for 10 iterations; then, or when the loss ends above its start, the best\n"
    "iterate (lowest loss) is written to OUT and the exit status is 1, with a smaller --lr to try;\n"
    "with scales this is watched per scale, and OUT is the best iterate of the scale that stopped.\n"
    "With --normalize-gradients only a non-finite loss counts (the logged total may then rise).";

}  // namespace

int cmd_stylize(int argc, char** argv) {
  Args a("depthstyle stylize [options] CONTENT --style STYLE [--style STYLE2 ...]\n"
         "       depthstyle stylize [options] CONTENT_DIR --style STYLE ... [--depth DEPTH_DIR] -o OUTDIR",
         kAbout);
  declare_stylize_options(a);
  if (!a.parse(argc, argv, 1, 1, "one CONTENT image or folder")) return 0;
  StylizeCommand cmd(parse_stylize_options(a));
  bool batch = std::filesystem::is_directory(a.positional()[0]);
  std::vector<StylizeJob> jobs = cmd.jobs(batch);
  OutputPlan plan;  // refuses an output that is an input before anything is read
  cmd.plan(plan, jobs);
  plan.check();
  cmd.check_images(jobs, batch);  // then bad images, before any network is looked for
  cmd.plan_networks(plan, jobs);
  plan.check();
  cmd.load(jobs);
  if (!batch) return cmd.run(jobs[0]), 0;
  return run_batch(cmd, jobs) > 0 ? 1 : 0;
}

}  // namespace app
}  // namespace ds
