#include "apps/photo3d/camera_path.h"

#include <cmath>

#include "tensor/error.h"

namespace ds {
namespace app {

namespace {
constexpr double kPi = 3.14159265358979323846;
}

void check_camera_path(const std::string& name) {
  if (name != "swing" && name != "circle" && name != "zoom" && name != "dolly-zoom" && name != "ken-burns")
    throw Error("--camera '" + name + "': expected swing, circle, zoom, dolly-zoom or ken-burns");
}

std::vector<View> camera_path(const std::string& name, int frames, double amplitude, const Intrinsics& K,
                              double centre_depth) {
  check_camera_path(name);
  if (frames < 1) throw Error("--frames must be at least 1");
  if (!(amplitude > 0) || !std::isfinite(amplitude)) throw Error("--amplitude must be a positive number of metres");
  const double a = amplitude, z = 2.5 * amplitude;
  const bool loop = name == "swing" || name == "circle";
  std::vector<View> views;
  for (int k = 0; k < frames; ++k) {
    // s in [0, 1): looping paths; [0, 1] (both ends): one-way paths.
    double s = loop ? static_cast<double>(k) / frames : (frames == 1 ? 0.0 : static_cast<double>(k) / (frames - 1));
    View v{Pose{}, K};
    if (loop) {
      double t = 4 * s - 2;
      v.pose.t = {a * std::cos(kPi * t), name == "circle" ? a * std::sin(kPi * t) : 0.0,
                  z * (std::cos(kPi * t / 2) + 1) / 2};
    } else if (name == "ken-burns") {
      v.pose.t = {a * (2 * s - 1), a * (2 * s - 1), z * s};
    } else {
      v.pose.t = {0, 0, z * s};
      if (name == "dolly-zoom") {
        if (!(centre_depth > z)) throw Error("--camera dolly-zoom: the forward travel " + std::to_string(z) +
                                             " m reaches the centre of the scene (" + std::to_string(centre_depth) +
                                             " m away): give a smaller --amplitude");
        double shrink = (centre_depth - v.pose.t.z) / centre_depth;
        v.K.fx *= shrink, v.K.fy *= shrink;
      }
    }
    views.push_back(v);
  }
  return views;
}

}  // namespace app
}  // namespace ds
