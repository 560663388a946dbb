// Depth discontinuities of a 3D photo: where the mesh is cut and a background layer is needed.
//
// As in Shih et al. 2020 ("3D Photography using Context-aware Layered Depth Inpainting", sec.
// 3.1 and the reference code's vis_depth_discontinuity), two neighbouring pixels are on either
// side of a depth edge when their normalised disparities differ by more than a threshold
// (their default 0.04). Normalised disparity is d = Z_min / Z (1 at the nearest pixel, towards
// 0 far away), so the test does not depend on the scene's scale: a 2 m -> 4 m step and a
// 20 m -> 40 m step are cut alike when the nearest pixel is at the same relative distance.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace ds {
namespace app {

// A depth map as the 3D photo uses it: H*W depths Z in metres (row-major), all finite and > 0.
struct DepthGrid {
  int width = 0, height = 0;
  std::vector<float> z;
  float at(int x, int y) const { return z[static_cast<size_t>(y) * width + x]; }
};

// Normalised disparity: d = z_min / z.
struct DisparityScale {
  double z_min = 1;
  double d(double z) const { return z_min / z; }
};
DisparityScale disparity_scale(const DepthGrid& g);  // z_min of g (ds::Error when empty or not > 0)

// True when depths za and zb are on either side of a depth edge: |d(za) - d(zb)| > threshold.
inline bool is_depth_edge(const DisparityScale& s, double za, double zb, double threshold) {
  double diff = s.d(za) - s.d(zb);
  return diff > threshold || -diff > threshold;
}

// Turns blurred depth edges (an estimated map's ramps, a Kinect hole filled across an edge)
// into steps before the mesh is cut, so that a smooth ramp between a near object and its
// background does not become a "rubber sheet": in each of `iterations` passes, a pixel whose
// (2r+1)^2 window spans more than 2 * threshold of normalised disparity takes the window's
// nearest or farthest depth, whichever its own disparity is closer to (a shock filter in the
// spirit of Shih et al.'s bilateral median pass before edge detection). Windows spanning
// less (planes, gentle slopes: a plane's disparity is linear in the pixel position) are left
// alone. Returns the new grid.
DepthGrid sharpen_depth_edges(const DepthGrid& g, double threshold, int radius = 2, int iterations = 2);

}  // namespace app
}  // namespace ds
