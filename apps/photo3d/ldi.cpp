#include "apps/photo3d/ldi.h"

#include <cmath>

#include "tensor/error.h"

namespace ds {
namespace app {

namespace {

void check_image(const char* what, const Tensor& image, int w, int h) {
  if (!image.defined() || image.ndim() != 4 || image.N() != 1 || image.C() != 3 || image.H() != h ||
      image.W() != w || image.device() != Device::CPU)
    throw Error(std::string(what) + ": expected a CPU image [1,3," + std::to_string(h) + "," + std::to_string(w) +
                "], got " + (image.defined() ? shape_str(image.shape()) : std::string("nothing")));
}

}  // namespace

LayeredDepthImage build_ldi(const Tensor& image, const DepthGrid& depth, const Intrinsics& K, const LdiOptions& o) {
  if (depth.width != K.width || depth.height != K.height)
    throw Error("3D photo: the depth map is " + std::to_string(depth.width) + "x" + std::to_string(depth.height) +
                " but the camera is " + std::to_string(K.width) + "x" + std::to_string(K.height));
  check_image("3D photo image", image, K.width, K.height);
  for (float z : depth.z)
    if (!(z > 0) || !std::isfinite(z)) throw Error("3D photo: every depth must be finite and > 0 metres");
  LayeredDepthImage l;
  l.K = K;
  l.edge_threshold = o.edge_threshold;
  l.colour = image;
  l.depth = o.sharpen ? sharpen_depth_edges(depth, o.edge_threshold) : depth;
  l.scale = disparity_scale(l.depth);
  l.back = fill_background(image, l.depth, synthesis_region(l.depth, o.edge_threshold, o.band), o.edge_threshold);
  return l;
}

LayeredDepthImage with_background_colour(const LayeredDepthImage& ldi, const Tensor& colour) {
  check_image("background colour", colour, ldi.width(), ldi.height());
  LayeredDepthImage out = ldi;
  out.back.colour = ldi.colour.clone();
  const size_t plane = ldi.back.mask.size();
  float* o = out.back.colour.data();
  const float* c = colour.data();
  for (size_t i = 0; i < plane; ++i)
    if (ldi.back.mask[i])
      for (size_t ch = 0; ch < 3; ++ch) o[ch * plane + i] = c[ch * plane + i];
  return out;
}

}  // namespace app
}  // namespace ds
