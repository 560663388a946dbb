#include "apps/photo3d/photo3d_views.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "apps/photo3d/camera_path.h"
#include "apps/photo3d/ldi.h"
#include "apps/photo3d/mesh.h"
#include "apps/photo3d/rasterizer.h"
#include "apps/photo3d/stereo.h"
#include "tensor/error.h"

namespace ds {
namespace app {

std::vector<View> Photo3dViews::all() const {
  std::vector<View> v = path;
  for (const NamedView& s : singles()) v.push_back(s.view);
  return v;
}

std::vector<NamedView> Photo3dViews::singles() const {
  if (!rendered_view) return {};
  if (!stereo) return {{"--view", view}};
  return {{"the left eye of --stereo", stereo_eye(view, baseline, false)},
          {"the right eye of --stereo", stereo_eye(view, baseline, true)}};
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
  v.rendered_view = o.writes({Output3d::View, Output3d::Stereo});
  v.stereo = !o.stereo.empty();
  v.baseline = o.baseline;
  for (size_t k = 0; k < v.path.size(); ++k)
    check_camera_outside(depth, K, v.path[k],
                         "frame " + std::to_string(k + 1) + " of --camera " + o.camera + " (--amplitude " +
                             std::to_string(v.amplitude).substr(0, 6) + " m)");
  for (const NamedView& s : v.singles()) check_camera_outside(depth, K, s.view, s.name);
  return v;
}

namespace {

// Why `view` sees none of the photo, from where the photo's pixels land: in front of the
// camera or not, inside its frame or not.
std::string why_unseen(const DepthGrid& depth, const Intrinsics& K, const View& view) {
  long long in_front = 0, in_frame = 0;
  for (int y = 0; y < depth.height; ++y)
    for (int x = 0; x < depth.width; ++x) {
      Vec3 p = view.pose.to_view(unproject(K, x + 0.5, y + 0.5, depth.at(x, y)));
      if (!(p.z >= kNearPlane)) continue;
      ++in_front;
      double u = view.K.fx * p.x / p.z + view.K.cx, v = view.K.fy * p.y / p.z + view.K.cy;
      in_frame += u >= 0 && v >= 0 && u < view.K.width && v < view.K.height;
    }
  if (!in_front) return "everything the photo shows is behind it (it looks away from the scene)";
  if (!in_frame) return "the photo is outside its field of view (the camera is too far to the side, or turned away)";
  return "the photo is smaller than a pixel from there (the camera is too far away)";
}

}  // namespace

void check_views_see_photo(const Photo3dViews& views, const Tensor& image, const DepthGrid& depth,
                           const Intrinsics& K, double edge_threshold) {
  const std::vector<NamedView> singles = views.singles();
  if (singles.empty()) return;
  LdiOptions lo;
  lo.edge_threshold = edge_threshold;
  lo.band = 0;  // the visible layer alone (see the header)
  const PhotoMesh mesh = build_mesh(build_ldi(image, depth, K, lo));
  for (const NamedView& s : singles) {
    if (render(mesh, s.view, false).hole_fraction < 1) continue;
    const Pose& p = s.view.pose;
    char where[200];
    std::snprintf(where, sizeof where, "the camera at (%g, %g, %g) m, turned yaw %g, pitch %g degrees,", p.t.x, p.t.y,
                  p.t.z, p.yaw_deg, p.pitch_deg);
    throw Error(s.name + ": " + where + " sees none of the photo: " + why_unseen(depth, K, s.view) +
                "; its picture would be fill alone. " + (views.stereo ? "Give a smaller --baseline, or move --view" : "Move it") +
                " nearer the photo's camera or turn it towards the scene "
                "(--view 0,0,0,0,0 is the photo's own camera; metres and degrees)");
  }
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
