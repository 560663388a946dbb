#include "apps/stylize/stylize_inputs.h"

#include <cmath>
#include <cstdio>

#include "tensor/file_util.h"
#include "tensor/image_io.h"
#include "weights/depth_map.h"

namespace ds {
namespace app {

// "n of total pixels (P%)" with as many digits as it takes for P to be neither 0 nor 100
// unless n is (1 of 12288 is 0.008%, not 0.0%).
static std::string share_of_pixels(int64_t n, int64_t total) {
  double p = 100.0 * static_cast<double>(n) / static_cast<double>(total);
  int digits = 1;
  while (digits < 12 && n != 0 && n != total && (std::round(p * std::pow(10, digits)) == 0 ||
                                                  std::round(p * std::pow(10, digits)) == 100 * std::pow(10, digits)))
    ++digits;
  char b[96];
  std::snprintf(b, sizeof b, "%lld of %lld pixels (%.*f%%)", static_cast<long long>(n), static_cast<long long>(total),
                digits, p);
  return b;
}

Content load_content(const std::string& content_path, const std::string& depth_path, const DepthOptions& o,
                     bool report) {
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
  if (report) {
    auto n = static_cast<int64_t>(std::llround(valid * static_cast<double>(metres.numel())));
    std::printf("depth: %s: %s valid%s\n", depth_path.c_str(), share_of_pixels(n, metres.numel()).c_str(),
                n < metres.numel() ? ", the rest filled from neighbours" : "");
  }
  return c;
}

}  // namespace app
}  // namespace ds
