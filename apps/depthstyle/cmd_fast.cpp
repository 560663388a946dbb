// depthstyle fast MODEL IMAGE|DIR -o OUT: feed-forward style transfer with a pretrained
// fast-style transformer (one forward pass per image; the jobs are apps/lib/fast.h, the network nn/fast_style_weights.h).
#include <cstdio>

#include "apps/depthstyle/commands.h"
#include "apps/lib/args.h"
#include "apps/lib/fast.h"

namespace ds {
namespace app {

int cmd_fast(int argc, char** argv) {
  Args a("depthstyle fast [options] MODEL IMAGE -o OUT.png\n       depthstyle fast [options] MODEL DIR -o OUTDIR",
         "Stylises an image, or every PNG/JPEG/PPM image in a folder (sorted by name; written\n"
         "as OUTDIR/<name>.png), with a feed-forward style transformer. MODEL is a project HDF5\n"
         "file of architecture fast_style_tf or a pretrained style: " + fast_style_list() + "\n"
         "(DATA/weights/fast_style_<name>.h5; DATA: see depthstyle --help). Unreadable images in a\n"
         "folder are skipped with a warning; the exit status is then 1.");
  a.option("-o", "FILE|DIR", "output PNG, or output folder for a folder of images (required)");
  a.option("--size", "PX", "resize so the longer side is PX pixels first (default: keep the image's size)");
  a.device_option();
  if (!a.parse(argc, argv, 2, 2, "MODEL and IMAGE (or DIR)")) return 0;
  Device dev = a.device();
  int size = a.has("--size") ? a.integer("--size", 16, 16384) : 0;
  std::vector<FastJob> jobs = fast_jobs(a.positional()[1], a.required("-o"));
  FastStyleNet net = load_fast_style(a.positional()[0], dev);
  int failed = run_fast_jobs(net, jobs, size);
  if (failed) std::fprintf(stderr, "depthstyle fast: %d of %zu images failed\n", failed, jobs.size());
  return failed ? 1 : 0;
}

}  // namespace app
}  // namespace ds
