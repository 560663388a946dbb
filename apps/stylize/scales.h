// The coarse-to-fine size plan of `depthstyle stylize`: the long side of each scale and its
// iterations, where those came from (for messages that name what the user set), and the size
// of the style images at each scale. Parsed from --size, --scales, --multires, --iters,
// --style-size and --style-scale by apps/stylize/stylize_options.h.
#pragma once
#include <string>
#include <vector>

namespace ds {
namespace app {

constexpr int kMaxSide = 4096;  // the largest --size, scale and --style-size (px)
constexpr int kMinSide = 16;    // the smallest
constexpr int kDefaultSize = 256;  // --size when not given

struct ScaleStep {
  int long_side = 0;  // px
  int iters = 0;
};

struct SizePlan {
  std::vector<ScaleStep> steps;  // coarse to fine; the last long side is the output's
  std::string origin;            // what set the sizes: "--size 256", "--scales 128,256", "--multires 3 --size 64"
  int multires = 0;              // --multires N (0: not given)
  int style_size = 0;            // --style-size PX: the style images' long side at every scale (0: not given)
  double style_scale = 0;        // --style-scale F: F x each scale's size, rounded up (0: not given)

  // The style images' long side at working size `size`: style_size, else ceil(style_scale *
  // size) (as neural-style's -style_scale), else `size`.
  int style_long_side(int size) const;
  // What set the style images' size: "--style-size 40", "--style-scale 0.5", or "" when they
  // follow the working size.
  std::string style_origin() const;
  int total_iters() const;
  bool multi() const { return steps.size() > 1; }
};

// "OUT_s512_iter00040.png": the --save-every frame at iteration `iteration` (counted over all
// scales) at scale `long_side`; long_side 0 (a single scale): "OUT_iter00040.png".
std::string frame_path(const std::string& base, int long_side, int iteration);

}  // namespace app
}  // namespace ds
