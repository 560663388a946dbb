#include "apps/photo3d/photo3d_inputs.h"

#include <cmath>
#include <cstdio>

#include "apps/depth/depth.h"
#include "apps/photo3d/photo3d_options.h"
#include "weights/depth_map.h"
#include "nn/resize.h"
#include "tensor/file_util.h"
#include "tensor/image_io.h"

namespace ds {
namespace app {

bool is_nyu_depth_file(const std::string& path) {
  std::string e = lower_extension(path);
  return e == ".mat" || e == ".pgm";
}

namespace {

std::string size_text(int64_t w, int64_t h) { return std::to_string(w) + "x" + std::to_string(h); }

DepthGrid grid_of(const Tensor& metres) {
  DepthGrid g{static_cast<int>(metres.W()), static_cast<int>(metres.H()), metres.to_vector()};
  for (float& z : g.z)
    // Estimates come clamped (estimate_depth) and measured depths filled with positive values;
    // this keeps anything else that is not a depth from reaching the mesh, at `depth`'s 1 mm floor.
    if (!(z > 0) || !std::isfinite(z)) z = static_cast<float>(kPngNearestMetres);
  return g;
}

}  // namespace

PhotoInput load_photo_input(const PhotoInputSpec& spec, const Content& c, const DepthEstimator* depth_net, Device dev) {
  const int64_t limit = static_cast<int64_t>(kMax3dSide) * kMax3dSide;
  PhotoInput in;
  if (!spec.image.empty()) {
    ImageReadOptions ro;
    ro.max_pixels = limit;
    try {
      in.image = load_image_rgb(spec.image, ro);
    } catch (const Error& e) {
      throw Error(std::string(e.what()) + " (a 3D photo is at most " + std::to_string(kMax3dSide) + " px on its long side)");
    }
    double a_img = static_cast<double>(in.image.W()) / static_cast<double>(in.image.H());
    double a_con = static_cast<double>(c.image.W()) / static_cast<double>(c.image.H());
    if (std::fabs(a_img / a_con - 1) > 0.01)
      throw Error(spec.image + " is " + size_text(in.image.W(), in.image.H()) + " but the content is " +
                  size_text(c.image.W(), c.image.H()) +
                  ": their aspect ratios differ (more than 1%), so the result is not a stylisation of this content");
    if (std::max(in.image.W(), in.image.H()) > kMax3dSide)
      throw Error(spec.image + " is " + size_text(in.image.W(), in.image.H()) + ": a 3D photo is at most " +
                  std::to_string(kMax3dSide) + " px on its long side");
  } else {
    auto [h, w] = fit_long_side(c.image.H(), c.image.W(), spec.long_side);
    in.image = resize_image(c.image, h, w);
  }
  const int h = static_cast<int>(in.image.H()), w = static_cast<int>(in.image.W());
  in.content = resize_image(c.image, h, w);
  if (c.depth.defined()) {
    in.depth = grid_of(resize_depth_to(c.depth, h, w));
  } else {
    std::printf("depth: estimated by %s\n", depth_net->name().c_str());
    DepthEstimate d = estimate_depth(*depth_net, in.content, dev);  // clamped to 1 mm .. 65.535 m as `depth` writes it
    print_depth_clamp_notes(d);
    in.depth = grid_of(d.metres);
  }
  if (spec.fov > 0) {
    in.K = intrinsics_from_fov(w, h, spec.fov);
    char source[64];
    std::snprintf(source, sizeof source, "--fov %g degrees", spec.fov);
    in.camera_source = source;
  } else if (is_nyu_depth_file(spec.depth_path)) {
    in.K = nyu_kinect_intrinsics(w, h);
    in.camera_source = "NYU Kinect intrinsics";
  } else {
    in.K = intrinsics_from_fov(w, h, kDefaultFovDeg);
    in.camera_source = "default field of view 53.13 degrees";
  }
  return in;
}

}  // namespace app
}  // namespace ds
