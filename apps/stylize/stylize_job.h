// One `depthstyle stylize` command: its options parsed once (apps/stylize/stylize_options.h),
// the networks and style images loaded once in a StylizeEngine (apps/stylize/engine.h), then
// one run per content file (one image, or each image of a folder: apps/stylize/stylize_batch.h),
// each writing its result, its losses CSV and plot, its montage and --save-every snapshots.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "apps/common/outputs.h"
#include "apps/stylize/engine.h"
#include "apps/stylize/stylize_options.h"

namespace ds {
namespace app {

struct StylizeJob {
  std::string content;        // the content image (or NYU .mat)
  std::string depth;          // its depth file; "": estimated by the depth network
  std::string out;            // the result; OUT_losses.csv, OUT_losses.png, OUT_montage.png beside it
  std::string depth_problem;  // batch: why no depth file matched (the job then fails with it)
};

struct JobResult {
  double seconds = 0, first_loss = 0, last_loss = 0;  // the first and last logged totals
  int iterations = 0;                                 // over all scales
};

class StylizeCommand {
 public:
  explicit StylizeCommand(StylizeOptions o);
  ~StylizeCommand();
  // The jobs of the options: the CONTENT folder's images (batch), or the one CONTENT with its
  // depth (--depth, else the .mat content itself, else none: estimated) and -o (default
  // out/stylize/<stem>.png). Errors: those of batch_jobs, an -o that is not an image name.
  std::vector<StylizeJob> jobs(bool batch) const;
  // Declares the images common to every job and each job's inputs and outputs.
  void plan(OutputPlan& plan, const std::vector<StylizeJob>& jobs) const;
  // Reads the style and mask images and, for one image (not a folder batch, where each file's
  // errors are reported per file), the content and its depth file, so that a bad or missing
  // image is reported before any network is looked for or loaded. Errors: ds::Error naming
  // the file.
  void check_images(const std::vector<StylizeJob>& jobs, bool batch);
  // Declares the networks' weight files (ds::Error when one cannot be found).
  void plan_networks(OutputPlan& plan, const std::vector<StylizeJob>& jobs) const;
  // Builds the engine: the loss network, the depth network when a job needs it, the style
  // images; every image too small at some scale (the styles, and one content image) is
  // reported in one ds::Error.
  void load(const std::vector<StylizeJob>& jobs);
  // Runs one job: writes its result and side files and prints a line per scale (time, loss,
  // peak memory) and a summary. Errors: ds::Error for a file that cannot be read or is too
  // small, and for a diverged run (after writing its best iterate; see stylize --help).
  JobResult run(const StylizeJob& job) const;

 private:
  bool needs_depth_net(const std::vector<StylizeJob>& jobs) const;
  Error divergence_error(const StylizeResult& r, const std::string& out) const;
  StylizeOptions o_;
  std::unique_ptr<StylizeEngine> engine_;
  std::vector<ImageSize> content_sizes_;  // check_images: the one content image's size
};

}  // namespace app
}  // namespace ds
