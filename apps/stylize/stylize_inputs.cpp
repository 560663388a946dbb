#include "apps/stylize/stylize_inputs.h"

#include <cstdio>

#include "tensor/file_util.h"
#include "tensor/image_io.h"
#include "weights/depth_map.h"

namespace ds {
namespace app {

Content load_content(const std::string& content_path, const std::string& depth_path, const DepthOptions& o) {
  Content c;
  c.image = lower_extension(content_path) == ".mat" ? load_nyu_mat_rgb(content_path, o.frame)
                                                    : load_image_rgb(content_path);
  c.depth_path = depth_path;
  if (depth_path.empty()) return c;
  Tensor metres = load_depth_metres(depth_path, o);
  double valid = valid_fraction(metres);
  if (valid == 0) throw Error(depth_path + ": the depth map has no valid pixel");
  c.depth = fit_depth_to(fill_invalid(metres), static_cast<int>(c.image.H()), static_cast<int>(c.image.W()),
                         "depth map " + depth_path);
  std::printf("depth: %s, %.1f%% valid pixels (the rest filled from neighbours)\n", depth_path.c_str(), 100 * valid);
  return c;
}

}  // namespace app
}  // namespace ds
