// The stylised fill of a 3D photo's background layer (issue 21, point 2): what a moved camera
// sees behind a depth edge should carry the style's brush strokes, not the naive fill's smeared
// colour. The naive fill (apps/photo3d/background_fill.h) is repainted by stylize's own
// optimisation (apps/stylize/engine.h) with the same style and loss, on the background layer's
// image (the stylised photo with the naive fill in the disocclusion):
//   - it starts from that image, and only the filled pixels change (the update mask: the visible
//     stylised pixels stay bit for bit);
//   - the content loss is off in the filled region (its content weight 0: there is no photo of
//     it) and on elsewhere, where it keeps the strokes that cross the edge continuous;
//   - the style loss (and TV) as in stylize, over the whole image;
//   - a continuity term keeps the fill's colours those of the naive fill at low frequency (4x4
//     pixel means), which continue the visible background's colours across the band:
//       continuity = w * sum_b m_b * |mean4(y)_b - mean4(naive)_b|^2
//     over 4x4 blocks b, m_b the block's share of filled pixels (0 outside the fill).
// It runs at the 3D photo's working size in one scale, with the background layer's depth for
// depth masks and the depth loss, and the stylize options the command was given.
#pragma once
#include <functional>
#include <string>

#include "apps/photo3d/ldi.h"
#include "apps/stylize/stylize_options.h"

namespace ds {
namespace app {

struct FillStylizeOptions {
  int iters = 150;
  double continuity = 1000;  // w
};

// The continuity term above for y [1,3,H,W] (differentiable); `naive_low` is mean4 of the naive
// fill's image and `share` the blocks' shares m_b ([1,1,H/4,W/4], floor sizes), both constant.
Var continuity_loss(const Var& y, const Tensor& naive_low, const Tensor& share, float weight);

// The LDI with its background samples repainted. A run that diverged keeps its best iterate
// and says so on stderr. `where` (may be empty) is told where the fill is before its first
// iteration and after each ("at iteration 5 of 150 of the stylised fill (4 done, loss 1.2e+05)"),
// for the command's interrupt note. Errors: those of the engine (an image too small for the loss
// network).
LayeredDepthImage stylize_fill(const LayeredDepthImage& ldi, const StylizeOptions& so, const FillStylizeOptions& f,
                               const std::function<void(const std::string&)>& where = {});

}  // namespace app
}  // namespace ds
