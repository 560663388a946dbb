// The layered depth image (LDI) of a 3D photo: the picture as seen (the visible layer) and,
// behind each depth edge, what the camera would see if the near object moved aside (the
// background layer). Shih et al. 2020 keep any number of layers per pixel; two are enough for
// the small camera motions of a parallax video (one disocclusion behind each edge), so this
// one has two: every pixel has a visible sample, and pixels of the synthesis region
// (apps/photo3d/background_fill.h) have a background sample too.
#pragma once
#include <cstdint>
#include <vector>

#include "apps/photo3d/background_fill.h"
#include "apps/photo3d/camera.h"
#include "apps/photo3d/depth_edges.h"
#include "tensor/tensor.h"

namespace ds {
namespace app {

struct LdiOptions {
  double edge_threshold = 0.04;  // normalised disparity step that cuts (Shih et al.'s depth_threshold)
  int band = 16;                 // thickness of the synthesis region, pixels (0: no background layer)
  bool sharpen = true;           // sharpen_depth_edges before cutting
};

struct LayeredDepthImage {
  Intrinsics K;       // of the image (its size is the LDI's)
  double edge_threshold = 0.04;
  DisparityScale scale;
  Tensor colour;      // [1,3,H,W] in [0,1]: the visible layer
  DepthGrid depth;    // its depth (sharpened)
  BackgroundLayer back;  // the background layer (colour and depth equal the visible ones outside its mask)
  int width() const { return K.width; }
  int height() const { return K.height; }
  // True when the mesh is cut between depths za and zb (is_depth_edge at edge_threshold).
  bool cut(double za, double zb) const { return is_depth_edge(scale, za, zb, edge_threshold); }
};

// Builds the LDI of `image` ([1,3,H,W] in [0,1], CPU) with depth `depth` (H x W metres, finite,
// > 0) seen by camera K (of size W x H). Errors: sizes that disagree, a depth that is not
// finite and > 0.
LayeredDepthImage build_ldi(const Tensor& image, const DepthGrid& depth, const Intrinsics& K, const LdiOptions& o);

// The same LDI with another background colour (a stylised fill: [1,3,H,W], used inside the
// background mask only; outside it the visible colour stays).
LayeredDepthImage with_background_colour(const LayeredDepthImage& ldi, const Tensor& colour);

}  // namespace app
}  // namespace ds
