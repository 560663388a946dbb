#include "apps/photo3d/fill_stylize.h"

namespace ds {
namespace app {

void plan_fill_networks(OutputPlan&, const Args&) {}

LayeredDepthImage stylize_fill(const LayeredDepthImage&, const Tensor&, const Args&, int, Device) {
  throw Error("--fill stylized: not available yet; use --fill naive");
}

}  // namespace app
}  // namespace ds
