// Whether the content and style images are large enough for the loss network at every
// scale of a stylize run, reported all at once and in terms of what the user set: the
// working sizes come from --size, --scales or --multires, the style images follow them
// unless --style-size or --style-scale says otherwise (apps/stylize/scales.h).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "apps/stylize/scales.h"

namespace ds {
namespace app {

// The images of a run and the smallest input the loss network's tapped layers accept.
class SizeCheck {
 public:
  // min_side: nn/pretrained.h min_input_side; `net` names the network and its layers.
  SizeCheck(const SizePlan& plan, int min_side, std::string net);
  // An image [h x w at its own size] as content (sized by the scales) or as a style image.
  void content(const std::string& what, int64_t h, int64_t w);
  void style(const std::string& what, int64_t h, int64_t w);
  // "" when every image is large enough at every scale, else one message: each image too
  // small, at which scale and size, then what to give instead, naming the options set.
  std::string message() const;
  void check() const;  // throws ds::Error(message()) when there is a problem

 private:
  struct Problem {
    std::string what;
    int64_t h, w;    // the working size that is too small
    int scale;       // its scale's long side
    int need;        // the long side this image needs
  };
  std::string working_hint(int need_long_side) const;
  std::string style_hint(int need_long_side) const;
  SizePlan plan_;
  int min_side_;
  std::string net_;
  std::vector<Problem> content_, style_;
};

}  // namespace app
}  // namespace ds
