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
#include <functional>
#include <utility>
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

using ViewPair = std::pair<size_t, size_t>;  // indices of two views

// `count` pairs of distinct indices below n drawn at random (as random.sample(range(n), 2),
// with replacement across pairs; seed fixed): the pairs view_consistency measures by default.
std::vector<ViewPair> random_view_pairs(size_t n, int count, uint64_t seed = 0);

// Every pair of views that are different cameras, once each (the first frame of each pose):
// n (n - 1) / 2 for a path that never repeats a pose, fewer when it does (a looping path with
// few frames, e.g. --camera swing --frames 3, whose frames 2 and 3 are the same camera). Drawing
// more pairs than this only measures the same pairs again. Poses equal within 1e-9 (metres,
// degrees, pixels) are the same.
std::vector<ViewPair> distinct_view_pairs(const std::vector<View>& views);

// frames[k] is the rendering (render(..., fill_holes any)) of views[k]; `pairs` says which to
// compare, and on_pair(k) is called after the k-th (1-based: progress). Errors: fewer than two
// views, frames and views of different counts or sizes, a pair index out of range.
Consistency view_consistency(const LayeredDepthImage& ldi, const std::vector<View>& views,
                             const std::vector<Rendering>& frames, const std::vector<ViewPair>& pairs,
                             const std::function<void(int)>& on_pair = {});
// The same over random_view_pairs(views.size(), pairs, seed).
Consistency view_consistency(const LayeredDepthImage& ldi, const std::vector<View>& views,
                             const std::vector<Rendering>& frames, int pairs = 100, uint64_t seed = 0);

}  // namespace app
}  // namespace ds
