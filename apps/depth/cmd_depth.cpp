// depthstyle depth IMAGE -o DEPTH.png: monocular depth (FastDepth, or Monodepth2 when its
// weights are given) as a 16-bit PNG of millimetres and a colour-mapped preview.
#include <algorithm>
#include <cstdio>

#include "apps/depthstyle/commands.h"
#include "apps/common/args.h"
#include "apps/render/montage.h"
#include "apps/common/outputs.h"
#include "weights/depth_map.h"
#include "nn/pretrained.h"
#include "tensor/image_io.h"
#include "weights/depth_io.h"

namespace ds {
namespace app {

static std::string preview_path(const std::string& out) {
  size_t dot = out.rfind('.');
  return (dot == std::string::npos ? out : out.substr(0, dot)) + "_preview.png";
}

int cmd_depth(int argc, char** argv) {
  Args a("depthstyle depth [options] IMAGE -o DEPTH.png",
         "Estimates depth from one image. Writes DEPTH.png, a 16-bit grey PNG of the metric\n"
         "depth in millimetres (1..65535 = 1 mm .. 65.535 m, clamped to that range; 0 means\n"
         "no depth), which `stylize --depth` reads back, and DEPTH_preview.png, a colour-mapped\n"
         "preview normalised over the image (near pale yellow, far dark blue).\n"
         "The network runs at its own input size (FastDepth 224x224, Monodepth2 640x192);\n"
         "the depth is resized back to the image's size. Neither output may be an input (checked\n"
         "before any work); a missing output folder is created.");
  a.option("-o", "FILE", "output 16-bit PNG of millimetres (required)");
  a.option("--monodepth2", "FILE", "use Monodepth2 with these weights (project HDF5) instead of FastDepth");
  a.device_option();
  if (!a.parse(argc, argv, 1, 1, "one IMAGE")) return 0;
  const std::string out = a.required("-o");
  check_image_output(out, 16);
  Device dev = a.device();
  OutputPlan plan;
  plan.input("image", a.positional()[0]);
  plan.input("depth network weights", depth_net_file(a.str("--monodepth2")));
  plan.output("-o depth map", out);
  plan.output("preview", preview_path(out));
  plan.check();
  std::unique_ptr<DepthEstimator> net = load_depth_net(a.str("--monodepth2"), dev);
  NoGradGuard ng;
  Tensor depth = net->predict(Var(load_image_rgb(a.positional()[0]).to(dev))).value().to(Device::CPU);
  std::vector<float> v = depth.to_vector();
  auto [lo, hi] = std::minmax_element(v.begin(), v.end());
  Tensor d01 = normalise_depth(depth);
  save_depth_png_mm(out, depth);
  save_image(preview_path(out), colormap_depth(d01));
  std::printf("%s: %s depth %.2f .. %.2f m; wrote %s and %s\n", a.positional()[0].c_str(), net->name().c_str(), *lo, *hi,
              out.c_str(), preview_path(out).c_str());
  return 0;
}

}  // namespace app
}  // namespace ds
