// The inputs of `depthstyle stylize` that come from files: the content image with its measured
// depth, and the sizes of the content and style images at a working size.
#pragma once
#include <cstdint>
#include <string>

#include "apps/common/args.h"
#include "nn/pretrained.h"
#include "weights/depth_io.h"

namespace ds {
namespace app {

constexpr int kMaxSide = 4096;  // the largest --size, scale and --style-size (px)

// What to give `opt` (--size, --style-size) so an h x w image gets a short side of at least
// min_side, or why no value can.
std::string size_hint(const std::string& opt, int64_t h, int64_t w, int min_side);

// The content at its own size ([1,3,H,W] in [0,1]) and its measured depth ([1,1,H,W] metres,
// invalid pixels filled), or an undefined depth when depth_path is "".
struct Content {
  Tensor image, depth;
  std::string depth_path;
};
// content_path: PNG, JPEG, PPM, or an NYU .mat (frame o.frame). depth_path: any file
// load_depth_metres reads, or "". Errors: unreadable files, a depth map without a valid
// pixel, a depth map of another aspect ratio (beyond 1%). With `report`, prints how many depth
// pixels are valid (once per run: the check before any work passes false).
Content load_content(const std::string& content_path, const std::string& depth_path, const DepthOptions& o,
                     bool report = true);

// The normalised depth ([1,1,h,w], near 0, far 1) of `content` (the content at its working
// size h x w): the measured one resized, else estimated by depth_net on `dev`.
Tensor working_depth(const Content& c, const Tensor& content, const DepthEstimator* depth_net, Device dev);

// The style images' long side at working size `size`: --style-size (fixed), else --style-scale
// F times `size` (rounded up, as neural-style's -style_scale), else `size`. Errors: both
// given, a long side outside [16, kMaxSide].
int style_long_side(const Args& a, int size);

}  // namespace app
}  // namespace ds
