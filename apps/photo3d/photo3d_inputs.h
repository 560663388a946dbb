// The inputs of a 3D photo, at its working size: the picture it shows (the stylised result,
// or the content itself), the content, the depth in metres, and the camera.
#pragma once
#include <string>

#include "apps/photo3d/camera.h"
#include "apps/photo3d/depth_edges.h"
#include "apps/stylize/stylize_inputs.h"
#include "nn/pretrained.h"

namespace ds {
namespace app {

struct PhotoInput {
  Tensor image;      // [1,3,H,W] in [0,1]: what the 3D photo shows (the content until it is stylised)
  Tensor content;    // [1,3,H,W]: the content at the same size
  DepthGrid depth;   // metres, H x W, every value finite and > 0
  Intrinsics K;      // W x H
  std::string camera_source;  // for the report: "--fov 60", "NYU Kinect intrinsics", "default 53.1 degrees"
};

struct PhotoInputSpec {
  std::string depth_path;      // the measured depth's file ("": estimated)
  std::string image;           // an existing stylised result, --stylized ("": the content, resized)
  int long_side = 256;         // working long side when image is ""
  double fov = 0;              // 0: NYU intrinsics for NYU depth files, else kDefaultFovDeg
};

// True for depth files of the NYU Kinect (a labeled .mat, a raw Kinect .pgm), whose camera's
// intrinsics are known.
bool is_nyu_depth_file(const std::string& path);

// The inputs at the working size from the content `c` (load_content: image and measured depth,
// or none). spec.image is read with a pixel limit of kMax3dSide^2 (refused before its pixels
// are allocated); its aspect ratio must match the content's within 1%. Without a measured
// depth, depth_net estimates it from the content at the working size. Errors: ds::Error naming
// the file and what was wrong.
PhotoInput load_photo_input(const PhotoInputSpec& spec, const Content& c, const DepthEstimator* depth_net, Device dev);

}  // namespace app
}  // namespace ds
