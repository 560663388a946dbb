// One `depthstyle stylize` command: its options read once, the networks and style images
// loaded once, then one run per content image (one image, or each image of a folder:
// apps/stylize/stylize_batch.h). A run optimises at each scale of its schedule (apps/stylize/scales.h):
// at every scale the loss reference (content and style features, depth, masks, depth target)
// is rebuilt at that size, and the start is the previous scale's best image, upsampled
// bilinearly (the first scale starts from --init).
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "apps/common/args.h"
#include "apps/common/outputs.h"
#include "apps/stylize/scales.h"
#include "apps/stylize/stylize.h"
#include "apps/stylize/stylize_inputs.h"

namespace ds {
namespace app {

struct StylizeJob {
  std::string content;        // the content image (or NYU .mat)
  std::string depth;          // its depth file; "": estimated by the depth network
  std::string out;            // the result; OUT_losses.csv, OUT_losses.png, OUT_montage.png beside it
  std::string depth_problem;  // batch: why no depth file matched (the job then fails with it)
};

struct StylizeResult {
  double seconds = 0, first_loss = 0, last_loss = 0;  // the first and last logged totals
  int iterations = 0;                                 // over all scales
};

// The options of stylize (--help), declared on `a`; without -o when `with_output` is false (for
// a command that runs a stylize job but names its outputs its own way: `depthstyle 3d`).
void declare_stylize_options(Args& a, bool with_output = true);

struct StylizeScale;  // one scale of a run: its content, depth, masks, loss and optimiser
class IterationLog;   // the CSV, progress line and snapshots of a run

class StylizeCommand {
 public:
  // Reads and checks every option (errors: ds::Error naming the option); loads nothing.
  explicit StylizeCommand(const Args& a);
  ~StylizeCommand();
  // Reads the style images and, for one image (not a folder batch, where each file's errors are
  // reported per file), the content and its depth file, so that a bad or missing image is reported
  // before any network is looked for or loaded. Errors: ds::Error naming the file.
  void check_images(const std::vector<StylizeJob>& jobs, bool batch) const;
  // Declares the images common to every job and each job's inputs and outputs.
  void plan(OutputPlan& plan, const std::vector<StylizeJob>& jobs) const;
  // Declares the networks' weight files (ds::Error when one cannot be found).
  void plan_networks(OutputPlan& plan, const std::vector<StylizeJob>& jobs) const;
  // Loads the feature network, the depth network when a job has no depth file or the loss or
  // --report-depth needs it, and the style images, checking their size at every scale.
  void load(const std::vector<StylizeJob>& jobs);
  // Runs one job: writes its result and side files and prints a line per scale (time, loss,
  // peak memory) and a summary. Errors: ds::Error for a file that cannot be read or is too
  // small, and for a diverged run (after writing its best iterate; see kStylizeAbout).
  StylizeResult run(const StylizeJob& job) const;
  const std::vector<ScaleStep>& steps() const { return steps_; }

 private:
  bool needs_depth_net(const std::vector<StylizeJob>& jobs) const;
  std::vector<StyleImage> styles_at(int long_side, const Tensor& depth01) const;
  void prepare(StylizeScale& s, const Content& c, size_t k, const Tensor& start) const;
  Tensor shown(const StylizeScale& s, const Tensor& image) const;  // --original-colors applied
  StylizeResult finish(const StylizeJob& job, const StylizeScale& s, IterationLog& log) const;
  Error divergence_error(const StylizeScale& s, const std::string& out) const;
  const Args& a_;
  Device dev_;
  LossSpec spec_;
  StylizeConfig cfg_;
  std::vector<ScaleStep> steps_;
  int save_every_ = 0, min_side_ = 0;
  std::vector<std::string> taps_;  // the loss network's layers the loss reads
  std::string colors_;  // --original-colors
  DepthOptions depth_options_;
  FeatureNet net_;
  std::unique_ptr<DepthEstimator> depth_net_;
  std::vector<StyleImage> style_files_;  // at their own size; resized per scale
};

}  // namespace app
}  // namespace ds
