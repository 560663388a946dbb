#include "apps/photo3d/stereo.h"

#include <algorithm>

#include "tensor/error.h"

namespace ds {
namespace app {

void check_stereo_mode(const std::string& mode) {
  if (mode != "sbs" && mode != "anaglyph") throw Error("--stereo '" + mode + "': expected sbs or anaglyph");
}

View stereo_eye(const View& view, double baseline, bool right) {
  View eye = view;
  Vec3 x_axis = view.pose.rotation() * Vec3{1, 0, 0};
  eye.pose.t = view.pose.t + ((right ? 0.5 : -0.5) * baseline) * x_axis;
  return eye;
}

Tensor compose_stereo(const Tensor& left, const Tensor& right, const std::string& mode) {
  check_stereo_mode(mode);
  if (left.shape() != right.shape()) throw Error("stereo: the two views differ in size");
  const int64_t h = left.H(), w = left.W(), plane = h * w;
  const float* l = left.data();
  const float* r = right.data();
  if (mode == "anaglyph") {
    Tensor out = right.clone();
    std::copy(l, l + plane, out.data());  // red from the left eye
    return out;
  }
  Tensor out = Tensor::empty({1, 3, h, 2 * w});
  float* o = out.data();
  for (int64_t c = 0; c < 3; ++c)
    for (int64_t y = 0; y < h; ++y) {
      std::copy(l + c * plane + y * w, l + c * plane + (y + 1) * w, o + (c * h + y) * 2 * w);
      std::copy(r + c * plane + y * w, r + c * plane + (y + 1) * w, o + (c * h + y) * 2 * w + w);
    }
  return out;
}

}  // namespace app
}  // namespace ds
