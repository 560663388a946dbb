// The background layer of a 3D photo: where it is needed (the synthesis region behind each
// depth edge) and its naive, depth-aware fill.
//
// Shih et al. 2020 (sec. 3.2-3.3) split each depth edge into a near side and a far side; the
// "synthesis region" is a band of pixels on the near side, next to the edge, where the far
// side's surface continues behind the near object and must be invented; the "context region"
// is the visible far side it is invented from. They inpaint it with networks; here the fill is
// the naive one (the "onion peel" their baseline and Mu et al. 2022 compare against) and the
// stylised fill (apps/photo3d/fill_stylize.h) repaints it afterwards.
#pragma once
#include <cstdint>
#include <vector>

#include "apps/photo3d/depth_edges.h"
#include "tensor/tensor.h"

namespace ds {
namespace app {

// The synthesis region: for each pixel, 0 = not in it, else 1 + the index of its entry in
// `background`, the normalised disparity of the far side it continues (the largest far-side
// disparity among the edges it is nearest to).
struct SynthesisRegion {
  int width = 0, height = 0;
  std::vector<float> background;  // per pixel: far side's disparity, or -1 outside the region
  bool contains(int x, int y) const { return background[static_cast<size_t>(y) * width + x] >= 0; }
  int64_t count() const;
};

// Pixels on the near side of a depth edge (is_depth_edge between 4-neighbours, `threshold` of
// normalised disparity) and those reached from them in at most `band` - 1 steps (4-neighbours)
// through pixels still in front of that edge's far side (disparity > far + threshold / 2):
// a multi-source breadth-first search, so each pixel takes the far side of its nearest edge.
SynthesisRegion synthesis_region(const DepthGrid& depth, double threshold, int band);

// The background layer's colour and depth inside the region, filled from its context: in each
// pass, every unfilled region pixel with at least one usable 8-neighbour takes the mean colour
// and mean disparity of those neighbours (as they were before the pass). A neighbour is usable
// when it is already filled, or is outside the region and not in front of the pixel's far side
// (disparity <= far + threshold / 2) -- so colour never flows across the edge from the near
// object. Each filled depth is kept behind the pixel's visible depth. Region pixels no pass
// reaches are dropped from the region (they have no background). `colour` is [1,3,H,W].
struct BackgroundLayer {
  Tensor colour;             // [1,3,H,W]: the fill inside the region, the visible colour elsewhere
  DepthGrid depth;           // the fill inside the region, the visible depth elsewhere
  std::vector<uint8_t> mask;  // 1 inside the (filled) region
  int64_t count() const;
};
BackgroundLayer fill_background(const Tensor& colour, const DepthGrid& depth, const SynthesisRegion& region,
                                double threshold);

}  // namespace app
}  // namespace ds
