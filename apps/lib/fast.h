// Feed-forward style transfer with the pretrained fast-style transformers (nn/models.h,
// FastStyleNet): the core of `depthstyle fast`, kept here so the tests can call it directly.
#pragma once
#include <string>
#include <vector>

#include "nn/models.h"
#include "tensor/tensor.h"

namespace ds {

// The pretrained styles scripts/setup prepares as <prepared>/weights/fast_style_<name>.h5.
const std::vector<std::string>& fast_style_names();
std::string fast_style_list();  // the names comma-separated, for messages

// model_or_name: a project HDF5 file of architecture fast_style_tf, or one of
// fast_style_names(). Errors: an unknown name (listing the known ones), a prepared file that
// is missing (saying to run scripts/setup), a file of another architecture (naming it), a
// file whose parameters differ from FastStyleNet::param_shapes().
FastStyleNet load_fast_style(const std::string& model_or_name, Device device);
// The file load_fast_style reads (a name's prepared file, not checked to exist); an unknown
// name is the same error.
std::string fast_style_file(const std::string& model_or_name);

// The size stylize_fast runs at: (h, w) scaled so that the longer side is long_side, aspect
// kept (rounded, at least 4, the transformer's minimum); long_side <= 0 keeps (h, w).
std::pair<int64_t, int64_t> fast_size(int64_t h, int64_t w, int long_side);

// Stylises RGB [1,3,H,W] in [0,1] (bilinear resize to fast_size first). Returns the image on
// the input's device, at the resized size, NOT clamped: the transformer's range is
// [-0.09, 1.09], and save_image clamps. Runs without recording gradients.
Tensor stylize_fast(const FastStyleNet& net, const Tensor& rgb01, int long_side);

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

}  // namespace ds
