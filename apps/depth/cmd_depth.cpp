// depthstyle depth IMAGE -o DEPTH.png: monocular depth (FastDepth, or Monodepth2 when its
// weights are given) as a 16-bit PNG of millimetres and a colour-mapped preview.
#include <cstdio>

#include "apps/common/args.h"
#include "apps/common/outputs.h"
#include "apps/depth/depth.h"
#include "apps/depthstyle/commands.h"
#include "tensor/image_io.h"
#include "weights/depth_io.h"

namespace ds {
namespace app {

int cmd_depth(int argc, char** argv) {
  Args a("depthstyle depth [options] IMAGE -o DEPTH.png",
         "Estimates depth from one image. Writes DEPTH.png, a 16-bit grey PNG of the metric\n"
         "depth in millimetres (1..65535 = 1 mm .. 65.535 m; estimates outside are clamped to that\n"
         "range, so every pixel holds a depth: 0, which readers take as \"no depth\", is never\n"
         "written), which `stylize --depth` reads back, and DEPTH_preview.png, a colour-mapped\n"
         "preview normalised over the image (near pale yellow, far dark blue).\n"
         "The network runs at its own input size (FastDepth 224x224, Monodepth2 640x192);\n"
         "the depth is resized back to the image's size. Neither output may be an input (checked\n"
         "before any work); a missing output folder is created.");
  a.option("-o", "FILE", "output 16-bit PNG of millimetres (required)");
  a.option("--monodepth2", "FILE", "use Monodepth2 with these weights (project HDF5) instead of FastDepth");
  a.device_option();
  if (!a.parse(argc, argv, 1, 1, "one IMAGE")) return 0;
  const std::string out = a.required("-o");
  Device dev = a.device();
  OutputPlan plan;
  plan.input("image", a.positional()[0]);
  plan.input("depth network weights", depth_net_file(a.str("--monodepth2")));
  plan.output("-o depth map", out);
  plan.output("preview", depth_preview_path(out));
  // An output that is the input is the first thing to say ("-o X.jpg" of X.jpg is refused as
  // the input, not as a JPEG), and a bad name is refused before check() creates its folder.
  plan.check_conflicts();
  check_image_output(out, 16);
  plan.check();
  std::unique_ptr<DepthEstimator> net = load_depth_net(a.str("--monodepth2"), dev);
  const std::string& image = a.positional()[0];
  DepthEstimate d = estimate_depth(*net, load_image_rgb(image), dev);
  write_depth_outputs(d, out);
  std::printf("%s: %s depth %.3f .. %.3f m; wrote %s and %s\n", image.c_str(), net->name().c_str(), d.raw_min,
              d.raw_max, out.c_str(), depth_preview_path(out).c_str());
  print_depth_clamp_notes(d);
  return 0;
}

}  // namespace app
}  // namespace ds
