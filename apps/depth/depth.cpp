#include "apps/depth/depth.h"

#include <cmath>
#include <cstdio>

#include "apps/render/montage.h"
#include "tensor/image_io.h"
#include "weights/depth_map.h"
#include "weights/depth_io.h"

namespace ds {
namespace app {

DepthEstimate estimate_depth(const DepthEstimator& net, const Tensor& rgb, Device dev) {
  NoGradGuard ng;
  DepthEstimate d;
  d.metres = net.predict(Var(rgb.to(dev))).value().to(Device::CPU);
  float* p = d.metres.data();
  d.raw_min = INFINITY, d.raw_max = -INFINITY;
  for (int64_t i = 0; i < d.metres.numel(); ++i) {
    if (!std::isfinite(p[i]))
      throw Error(net.name() + " estimated a depth of " + std::to_string(p[i]) +
                  " m; its weights are broken (every estimate must be a finite number of metres)");
    d.raw_min = std::min(d.raw_min, p[i]), d.raw_max = std::max(d.raw_max, p[i]);
    if (p[i] < kPngNearestMetres) p[i] = static_cast<float>(kPngNearestMetres), ++d.raised;
    if (p[i] > kPngFarthestMetres) p[i] = static_cast<float>(kPngFarthestMetres), ++d.lowered;
  }
  return d;
}

void print_depth_clamp_notes(const DepthEstimate& d) {
  if (d.raised)
    std::printf("note: %lld pixels estimated nearer than 1 mm taken as 1 mm (a depth PNG's nearest; 0 there means "
                "no depth)\n", static_cast<long long>(d.raised));
  if (d.lowered)
    std::printf("note: %lld pixels estimated farther than 65.535 m taken as 65.535 m (a depth PNG's farthest)\n",
                static_cast<long long>(d.lowered));
}

std::string depth_preview_path(const std::string& out) {
  size_t dot = out.rfind('.'), slash = out.rfind('/');
  bool has_ext = dot != std::string::npos && (slash == std::string::npos || dot > slash);
  return (has_ext ? out.substr(0, dot) : out) + "_preview.png";
}

void write_depth_outputs(const DepthEstimate& d, const std::string& out) {
  save_depth_png_mm(out, d.metres);
  save_image(depth_preview_path(out), colormap_depth(normalise_depth(d.metres)));
}

}  // namespace app
}  // namespace ds
