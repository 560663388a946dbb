// The jobs of `depthstyle fast`: which images to stylise and where to write them (the
// transformer itself and its weights: nn/fast_style_weights.h).
#pragma once
#include <string>
#include <vector>

#include "nn/fast_style_weights.h"

namespace ds {
namespace app {

// One image to stylise and where its PNG goes.
struct FastJob {
  std::string input, output;
};

// IMAGE -> {IMAGE, out}. A folder -> one job per PNG/JPEG/PPM file in it (by extension,
// any case; not recursive), sorted by name, each writing out/<stem>.png (<stem>_<ext>.png
// where two inputs share a stem). Errors: `input` does not exist, a folder without images,
// a folder input whose `out` is an existing file.
std::vector<FastJob> fast_jobs(const std::string& input, const std::string& out);

// Runs every job, printing "[k/n] input WxH -> output WxH, seconds" per image to stdout.
// An image that cannot be read or written is skipped with a warning on stderr. Creates the
// output's folder when missing. Returns the number of jobs that failed.
int run_fast_jobs(const FastStyleNet& net, const std::vector<FastJob>& jobs, int long_side);

}  // namespace app
}  // namespace ds
