#include "apps/photo3d/photo3d_views.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "apps/photo3d/camera_path.h"
#include "apps/photo3d/stereo.h"
#include "tensor/error.h"

namespace ds {
namespace app {

std::vector<View> Photo3dViews::all() const {
  std::vector<View> v = path;
  v.push_back(view);
  if (stereo) v.push_back(stereo_eye(view, baseline, false)), v.push_back(stereo_eye(view, baseline, true));
  return v;
}

double median_depth(const DepthGrid& depth) {
  std::vector<float> z = depth.z;
  std::nth_element(z.begin(), z.begin() + static_cast<std::ptrdiff_t>(z.size() / 2), z.end());
  return z[z.size() / 2];
}

double centre_depth(const DepthGrid& depth) {
  int rx = std::max(0, depth.width / 100), ry = std::max(0, depth.height / 100);
  double best = depth.at(depth.width / 2, depth.height / 2);
  for (int y = depth.height / 2 - ry; y <= depth.height / 2 + ry; ++y)
    for (int x = depth.width / 2 - rx; x <= depth.width / 2 + rx; ++x) best = std::min<double>(best, depth.at(x, y));
  return best;
}

Photo3dViews plan_views(const Photo3dOptions& o, const Intrinsics& K, const DepthGrid& depth, bool needs_path) {
  Photo3dViews v;
  v.amplitude = o.amplitude > 0 ? o.amplitude : 0.03 * median_depth(depth);
  if (needs_path) v.path = camera_path(o.camera, o.frames, v.amplitude, K, centre_depth(depth));
  v.view = View{o.view, K};
  v.stereo = !o.stereo.empty();
  v.baseline = o.baseline;
  for (size_t k = 0; k < v.path.size(); ++k)
    check_camera_outside(depth, K, v.path[k],
                         "frame " + std::to_string(k + 1) + " of --camera " + o.camera + " (--amplitude " +
                             std::to_string(v.amplitude).substr(0, 6) + " m)");
  check_camera_outside(depth, K, v.view, "--view");
  if (v.stereo) {
    check_camera_outside(depth, K, stereo_eye(v.view, v.baseline, false), "the left eye of --stereo");
    check_camera_outside(depth, K, stereo_eye(v.view, v.baseline, true), "the right eye of --stereo");
  }
  return v;
}

void check_camera_outside(const DepthGrid& depth, const Intrinsics& K, const View& view, const std::string& what) {
  const Vec3 t = view.pose.t;
  if (t.z <= 0) return;  // at or behind the photo's camera plane: in front of everything it saw
  double u = K.fx * t.x / t.z + K.cx, v = K.fy * t.y / t.z + K.cy;
  if (!(u >= 0 && v >= 0 && u < K.width && v < K.height)) return;  // beside the photo's field of view
  double surface = depth.at(static_cast<int>(u), static_cast<int>(v));
  if (t.z < 0.95 * surface) return;
  char msg[400];
  std::snprintf(msg, sizeof msg,
                "%s: the camera at (%.3g, %.3g, %.3g) m is inside the scene: the surface it looks through is %.3g m "
                "away from the photo's camera, and a camera must stay in front of it (z below %.3g m there); "
                "move it back or give a smaller motion",
                what.c_str(), t.x, t.y, t.z, surface, 0.95 * surface);
  throw Error(msg);
}

int auto_band(const std::vector<View>& views, const Intrinsics& K, const DepthGrid& depth, bool free_viewer) {
  double z_near = *std::min_element(depth.z.begin(), depth.z.end());
  double z_far = *std::max_element(depth.z.begin(), depth.z.end());
  double span = 1 / z_near - 1 / z_far, need = 0;
  const double half_diag = 0.5 * std::hypot(K.width, K.height);
  for (const View& v : views) {
    double sideways = K.fx * (std::fabs(v.pose.t.x) + std::fabs(v.pose.t.y));
    double forward = std::fabs(v.pose.t.z) * half_diag;  // radial parallax at the image corner
    need = std::max(need, (sideways + forward) * span);
  }
  const int long_side = std::max(K.width, K.height);
  int lo = std::max(4, static_cast<int>(std::ceil((free_viewer ? 0.08 : 0.03) * long_side)));
  int hi = std::max(lo, static_cast<int>(0.2 * long_side));
  return std::clamp(static_cast<int>(std::ceil(need)) + 2, lo, hi);
}

}  // namespace app
}  // namespace ds
