// The coarse-to-fine schedule of `depthstyle stylize`: the long side of each scale and its
// iterations, from --scales A,B,C (or --multires N), --size and --iters.
#pragma once
#include <string>
#include <vector>

#include "apps/common/args.h"

namespace ds {
namespace app {

struct ScaleStep {
  int long_side = 0;  // px
  int iters = 0;
};

// Without --scales/--multires: one step {--size, --iters}. --scales A,B,C: strictly
// increasing long sides in [min_side, max_side]; the last is the output size, so a --size
// that differs from it is an error. --multires N (1..8): N scales ending at --size, each half
// the next (rounded), the smallest at least min_side. --iters: one count for every scale, or
// one per scale ("300,150,50"), each 1..1000000.
// Errors (ds::Error naming the option and what was expected): both --scales and --multires,
// a scale that is not an integer, out of range or not above the one before, an --iters list of
// another length, a --size other than the last scale.
std::vector<ScaleStep> scale_schedule(const Args& a, int min_side, int max_side);

// "OUT_s512_iter00040.png": the --save-every frame at iteration `iteration` (counted over all
// scales) at scale `long_side`; long_side 0 (a single scale): "OUT_iter00040.png".
std::string frame_path(const std::string& base, int long_side, int iteration);

}  // namespace app
}  // namespace ds
