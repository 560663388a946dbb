// Running the jobs of `depthstyle fast` (which images: apps/common/image_jobs.h; the transformer
// itself and its weights: nn/fast_style_weights.h).
#pragma once
#include <string>
#include <vector>

#include "apps/common/image_jobs.h"
#include "nn/fast_style_weights.h"

namespace ds {
namespace app {

// Runs every job, printing "[k/n] input WxH -> output WxH, seconds" per image to stdout.
// median > 1: each output smoothed by a median x median median filter (tensor/image_filter.h)
// before it is saved. An image that cannot be read or written is skipped with a warning on
// stderr. Creates the output's folder when missing. Returns the number of jobs that failed.
int run_fast_jobs(const FastStyleNet& net, const std::vector<ImageJob>& jobs, int long_side, int median = 0);

}  // namespace app
}  // namespace ds
