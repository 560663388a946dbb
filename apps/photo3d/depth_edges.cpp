#include "apps/photo3d/depth_edges.h"

#include <algorithm>
#include <cmath>

#include "tensor/error.h"

namespace ds {
namespace app {

DisparityScale disparity_scale(const DepthGrid& g) {
  if (g.z.empty() || g.z.size() != static_cast<size_t>(g.width) * g.height)
    throw Error("depth grid: empty or of the wrong size");
  double lo = *std::min_element(g.z.begin(), g.z.end());
  if (!(lo > 0) || !std::isfinite(lo)) throw Error("depth grid: depths must be finite and > 0");
  return {lo};
}

DepthGrid sharpen_depth_edges(const DepthGrid& g, double threshold, int radius, int iterations) {
  DisparityScale s = disparity_scale(g);
  DepthGrid cur = g;
  for (int it = 0; it < iterations; ++it) {
    DepthGrid next = cur;
    for (int y = 0; y < g.height; ++y)
      for (int x = 0; x < g.width; ++x) {
        float near = cur.at(x, y), far = near;
        for (int dy = -radius; dy <= radius; ++dy)
          for (int dx = -radius; dx <= radius; ++dx) {
            int xx = std::clamp(x + dx, 0, g.width - 1), yy = std::clamp(y + dy, 0, g.height - 1);
            float z = cur.at(xx, yy);
            near = std::min(near, z), far = std::max(far, z);
          }
        double dn = s.d(near), df = s.d(far), d = s.d(cur.at(x, y));
        if (dn - df <= 2 * threshold) continue;
        next.z[static_cast<size_t>(y) * g.width + x] = (dn - d <= d - df) ? near : far;
      }
    cur = std::move(next);
  }
  return cur;
}

}  // namespace app
}  // namespace ds
