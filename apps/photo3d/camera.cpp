#include "apps/photo3d/camera.h"

#include <cmath>
#include <cstdio>
#include <sstream>
#include <vector>

#include "tensor/error.h"

namespace ds {
namespace app {

namespace {
constexpr double kPi = 3.14159265358979323846;
double rad(double deg) { return deg * kPi / 180.0; }
}  // namespace

Intrinsics Intrinsics::resized(int w, int h) const {
  double sx = static_cast<double>(w) / width, sy = static_cast<double>(h) / height;
  return {w, h, fx * sx, fy * sy, cx * sx, cy * sy};
}

double Intrinsics::vertical_fov_deg() const { return 2 * std::atan(height / (2 * fy)) * 180.0 / kPi; }

Intrinsics intrinsics_from_fov(int width, int height, double fov_deg) {
  if (width < 1 || height < 1) throw Error("camera: empty image (" + std::to_string(width) + "x" +
                                           std::to_string(height) + ")");
  if (!(fov_deg >= kMinFovDeg && fov_deg <= kMaxFovDeg)) {
    // Args::number's words for the same range, so --fov is refused alike wherever it is checked.
    char msg[120];
    std::snprintf(msg, sizeof msg, "option --fov: %g is out of range [%g, %g] (degrees across the long side)", fov_deg,
                  kMinFovDeg, kMaxFovDeg);
    throw Error(msg);
  }
  double f = 0.5 * std::max(width, height) / std::tan(rad(fov_deg) / 2);
  return {width, height, f, f, width / 2.0, height / 2.0};
}

Intrinsics nyu_kinect_intrinsics(int width, int height) {
  double aspect = static_cast<double>(width) / height;
  if (std::fabs(aspect / (4.0 / 3.0) - 1) > 0.01)
    throw Error("NYU Kinect intrinsics are for 4:3 images (640x480); this one is " + std::to_string(width) + "x" +
                std::to_string(height) + ": give --fov instead");
  Intrinsics k{640, 480, 5.1885790117450188e+02, 5.1946961112127485e+02, 3.2558244941119034e+02 + 0.5,
               2.5373616633400465e+02 + 0.5};
  return k.resized(width, height);
}

Vec3 Mat3::operator*(Vec3 v) const {
  return {m[0][0] * v.x + m[0][1] * v.y + m[0][2] * v.z, m[1][0] * v.x + m[1][1] * v.y + m[1][2] * v.z,
          m[2][0] * v.x + m[2][1] * v.y + m[2][2] * v.z};
}

Vec3 Mat3::transposed_times(Vec3 v) const {
  return {m[0][0] * v.x + m[1][0] * v.y + m[2][0] * v.z, m[0][1] * v.x + m[1][1] * v.y + m[2][1] * v.z,
          m[0][2] * v.x + m[1][2] * v.y + m[2][2] * v.z};
}

Mat3 Pose::rotation() const {
  // Ry(yaw) = [c 0 s; 0 1 0; -s 0 c] turns the forward axis to (sin, 0, cos): right for yaw > 0.
  // Rx(pitch) = [1 0 0; 0 c -s; 0 s c] turns it to (0, -sin, cos): up (y is down) for pitch > 0.
  double cy = std::cos(rad(yaw_deg)), sy = std::sin(rad(yaw_deg));
  double cp = std::cos(rad(pitch_deg)), sp = std::sin(rad(pitch_deg));
  Mat3 r;
  r.m[0][0] = cy, r.m[0][1] = sy * sp, r.m[0][2] = sy * cp;
  r.m[1][0] = 0, r.m[1][1] = cp, r.m[1][2] = -sp;
  r.m[2][0] = -sy, r.m[2][1] = cy * sp, r.m[2][2] = cy * cp;
  return r;
}

Pose parse_view(const std::string& text) {
  std::vector<double> v;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    char* end = nullptr;
    double x = std::strtod(item.c_str(), &end);
    if (item.empty() || *end != '\0' || !std::isfinite(x))
      throw Error("--view '" + text + "': '" + item + "' is not a number (expected tx,ty,tz,yaw,pitch)");
    v.push_back(x);
  }
  if (v.size() != 5)
    throw Error("--view '" + text + "': expected five numbers tx,ty,tz,yaw,pitch (metres, degrees), got " +
                std::to_string(v.size()));
  if (std::fabs(v[3]) >= 90 || std::fabs(v[4]) >= 90)
    throw Error("--view '" + text + "': yaw and pitch must be within (-90, 90) degrees");
  Pose p;
  p.t = {v[0], v[1], v[2]};
  p.yaw_deg = v[3], p.pitch_deg = v[4];
  return p;
}

Vec3 unproject(const Intrinsics& K, double u, double v, double z) {
  return {(u - K.cx) * z / K.fx, (v - K.cy) * z / K.fy, z};
}

}  // namespace app
}  // namespace ds
