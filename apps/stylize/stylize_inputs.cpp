#include "apps/stylize/stylize_inputs.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "losses/depth_map.h"
#include "nn/resize.h"
#include "tensor/file_util.h"
#include "tensor/image_io.h"

namespace ds {
namespace app {

// fit_long_side rounds short * L / long, so L = ceil(min_side * long / short) suffices.
std::string size_hint(const std::string& opt, int64_t h, int64_t w, int min_side) {
  auto need = static_cast<int64_t>(std::ceil(static_cast<double>(min_side) * static_cast<double>(std::max(h, w)) /
                                             static_cast<double>(std::max<int64_t>(1, std::min(h, w)))));
  if (need <= kMaxSide) return "give " + opt + " " + std::to_string(need) + " or more";
  return "the image is too elongated: it would need " + opt + " " + std::to_string(need) + ", above the maximum " +
         std::to_string(kMaxSide);
}

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

Tensor working_depth(const Content& c, const Tensor& content, const DepthEstimator* depth_net, Device dev) {
  if (c.depth.defined())
    return normalise_depth(resize_depth_to(c.depth, static_cast<int>(content.H()), static_cast<int>(content.W())));
  NoGradGuard ng;
  std::printf("depth: estimated by %s\n", depth_net->name().c_str());
  return normalise_depth(depth_net->predict(Var(content.to(dev))).value().to(Device::CPU));
}

int style_long_side(const Args& a, int size) {
  if (a.has("--style-scale") && a.has("--style-size"))
    throw Error("--style-scale and --style-size given together: give one (F means a long side of F x --size)");
  if (a.has("--style-size")) return a.integer("--style-size", 16, kMaxSide);
  if (!a.has("--style-scale")) return size;
  double px = std::ceil(a.number("--style-scale", 1e-3, 1e3) * size - 1e-6);  // 1e-6: 0.3 * 100 is 30, not 31
  if (px < 16 || px > kMaxSide)
    throw Error("--style-scale " + a.str("--style-scale") + " gives the style images a long side of " +
                std::to_string(static_cast<long long>(px)) + " px at --size " + std::to_string(size) +
                ": it must be between 16 and " + std::to_string(kMaxSide));
  return static_cast<int>(px);
}

}  // namespace app
}  // namespace ds
