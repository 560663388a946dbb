// Stereo pictures of a 3D photo: two views `baseline` metres apart along the view's x axis
// (the left eye at -baseline/2, the right at +baseline/2, both looking the view's way; parallel
// cameras, as a stereo rig), composed
//   sbs       side by side, left view on the left (for parallel viewing, VR viewers, 3D TVs);
//   anaglyph  red-cyan: red from the left view, green and blue from the right (the colour
//             anaglyph; glasses with the red filter on the left eye).
#pragma once
#include <string>

#include "apps/photo3d/camera.h"
#include "tensor/tensor.h"

namespace ds {
namespace app {

// "sbs" or "anaglyph" (ds::Error naming the choices otherwise).
void check_stereo_mode(const std::string& mode);

// The two eyes' views around `view`.
View stereo_eye(const View& view, double baseline, bool right);

// left and right ([1,3,H,W] each) composed by `mode`: sbs [1,3,H,2W], anaglyph [1,3,H,W].
Tensor compose_stereo(const Tensor& left, const Tensor& right, const std::string& mode);

}  // namespace app
}  // namespace ds
