// The pinhole camera of a 3D photo and the views it is rendered from.
//
// Frames and units (used by every file of apps/photo3d/):
//   - The scene frame is the original camera's: origin at its centre, x right, y down, z along
//     the optical axis (forward), in metres (OpenCV's convention).
//   - Pixel coordinates are continuous: pixel (x, y) covers [x, x+1) x [y, y+1) and its centre
//     is (x + 0.5, y + 0.5). A point (X, Y, Z) projects to u = fx X / Z + cx, v = fy Y / Z + cy.
//   - Depth is Z (the distance along the optical axis, what a Kinect or FastDepth reports),
//     not the distance along the ray.
//   - A view is a camera at position t (scene frame, metres) turned by yaw, then pitch (degrees):
//     yaw > 0 turns it right (towards +x), pitch > 0 up (towards -y). Its rotation
//     R = Ry(yaw) Rx(pitch) holds the view's axes as columns in the scene frame, and a scene
//     point p is at R^T (p - t) in the view's frame.
#pragma once
#include <string>

namespace ds {
namespace app {

struct Vec3 {
  double x = 0, y = 0, z = 0;
};
inline Vec3 operator+(Vec3 a, Vec3 b) { return {a.x + b.x, a.y + b.y, a.z + b.z}; }
inline Vec3 operator-(Vec3 a, Vec3 b) { return {a.x - b.x, a.y - b.y, a.z - b.z}; }
inline Vec3 operator*(double s, Vec3 a) { return {s * a.x, s * a.y, s * a.z}; }

struct Intrinsics {
  int width = 0, height = 0;  // pixels
  double fx = 0, fy = 0;      // focal lengths, pixels
  double cx = 0, cy = 0;      // principal point, continuous pixel coordinates (centre: W/2, H/2)
  // The same camera for an image resized to w x h (the focal lengths and principal point scale
  // with each side).
  Intrinsics resized(int w, int h) const;
  // Vertical field of view in degrees (2 atan(H / 2 fy)).
  double vertical_fov_deg() const;
};

// The field of view --fov takes, degrees, both ends included (the command checks it with
// Args::number, whose ranges are closed): at 180 the focal length (W/2) / tan(fov/2) is 0.
constexpr double kMinFovDeg = 1, kMaxFovDeg = 179;

// A centred pinhole camera whose field of view across the image's long side is fov_deg
// (square pixels). Errors: fov outside [kMinFovDeg, kMaxFovDeg], an empty image.
Intrinsics intrinsics_from_fov(int width, int height, double fov_deg);

// The NYU Depth v2 colour camera (Kinect v1), from the NYU toolbox's camera_params.m
// (fx 518.86, fy 519.47, cx 325.58, cy 253.74 at 640x480, calibrated with Bouguet's toolbox,
// whose pixel centres are whole numbers: so cx, cy are moved by +0.5 into our convention),
// scaled to width x height. Lens distortion (k1 = 0.21) is ignored, as NYU's own
// point-cloud code does. Errors: an aspect ratio more than 1% away from 4:3.
Intrinsics nyu_kinect_intrinsics(int width, int height);

struct Mat3 {
  double m[3][3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
  Vec3 operator*(Vec3 v) const;
  Vec3 transposed_times(Vec3 v) const;  // R^T v
};

struct Pose {
  Vec3 t;                    // camera centre in the scene frame, metres
  double yaw_deg = 0, pitch_deg = 0;
  Mat3 rotation() const;     // Ry(yaw) Rx(pitch)
  Vec3 to_view(Vec3 p) const { return rotation().transposed_times(p - t); }
};

// "tx,ty,tz,yaw,pitch" (metres, degrees; all zero = the original camera). Errors: not five
// finite numbers, |yaw| or |pitch| >= 90.
Pose parse_view(const std::string& text);

// A camera to render: where it is, and its intrinsics (the output image's size).
struct View {
  Pose pose;
  Intrinsics K;
};

// The scene point seen at continuous pixel (u, v) at depth z.
Vec3 unproject(const Intrinsics& K, double u, double v, double z);

}  // namespace app
}  // namespace ds
