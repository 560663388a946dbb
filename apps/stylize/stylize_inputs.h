// The inputs of `depthstyle stylize` that come from files: the content image with its measured
// depth.
#pragma once
#include <string>

#include "tensor/tensor.h"
#include "weights/depth_io.h"

namespace ds {
namespace app {

// The content at its own size ([1,3,H,W] in [0,1]) and its measured depth ([1,1,H,W] metres,
// invalid pixels filled), or an undefined depth when depth_path is "".
struct Content {
  Tensor image, depth;
  std::string depth_path;
};
// content_path: PNG, JPEG, PPM, or an NYU .mat (frame o.frame). depth_path: any file
// load_depth_metres reads, or "". Errors: unreadable files, a depth map without a valid
// pixel, a depth map of another aspect ratio (beyond 1%).
Content load_content(const std::string& content_path, const std::string& depth_path, const DepthOptions& o);

}  // namespace app
}  // namespace ds
