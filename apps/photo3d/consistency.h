// View consistency of a 3D photo's renderings: Mu et al. 2022 ("3D Photo Stylization", sec. 5;
// fmu2/3d_photo_stylization eval_consistency.py). For a pair of rendered views (a, b), every
// point of the LDI (both layers) that is visible in both -- inside the frame, in front of the
// camera, and not hidden (its depth within kVisibleDepthTolerance of the z-buffer at its pixel:
// their z-buffered point splatting does the same) -- is projected into each view and its colour
// sampled bilinearly there; the pair's RMSE is over those points and the three channels (0..1).
// The result is the mean over `pairs` pairs of distinct views drawn at random (their default
// 100, seed fixed). A perfectly consistent renderer scores 0; resampling alone costs a little
// (more on high-frequency textures such as brush strokes).
#pragma once
#include <cstdint>
#include <vector>

#include "apps/photo3d/ldi.h"
#include "apps/photo3d/rasterizer.h"

namespace ds {
namespace app {

constexpr double kVisibleDepthTolerance = 0.01;  // relative

struct Consistency {
  double rmse = 0;            // mean over pairs, 0..1 units
  int pairs = 0;              // pairs that had points in common
  double mean_points = 0;     // points visible in both views, per pair
  // The same over the background layer's samples only (what the cameras uncover behind depth
  // edges: the fill), over the pairs that see some of them in both views.
  double rmse_background = 0;
  int pairs_background = 0;
  double mean_background_points = 0;
};

// frames[k] is the rendering (render(..., fill_holes any)) of views[k]. Errors: fewer than two
// views, frames and views of different counts or sizes.
Consistency view_consistency(const LayeredDepthImage& ldi, const std::vector<View>& views,
                             const std::vector<Rendering>& frames, int pairs = 100, uint64_t seed = 0);

}  // namespace app
}  // namespace ds
