// What `depthstyle stylize` records per iteration over its scales (apps/stylize/scales.h): the
// losses CSV (iteration counted over all scales, seconds, scale in px, then the loss terms),
// the loss curves, a progress line per scale ("scale 2/3 (512 px) ...", apps/common/progress.h),
// --print-every lines of every term, the --save-every snapshots, and a line per scale with
// its time and peak memory. It is the engine's observer (apps/stylize/engine.h).
#pragma once
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "apps/common/csv.h"
#include "apps/common/progress.h"
#include "apps/stylize/engine.h"
#include "tensor/tensor.h"

namespace ds {
namespace app {

// The --save-every snapshots by iteration (counted over all scales): every multiple of
// save_every but the last iteration (that image is OUT), named by frame_path (by scale when
// there are several). Empty when save_every is 0.
std::map<int, std::string> frame_files(const std::string& base, const SizePlan& plan, int save_every);

class IterationLog : public StylizeObserver {
 public:
  // base: OUT without its extension (the CSV is base_losses.csv); peak memory is `dev`'s.
  IterationLog(const std::string& base, const SizePlan& plan, int save_every, int print_every, Device dev);
  void message(const std::string& line) override;
  void begin_scale(const Scale& s) override;
  void iteration(int it, const LossTerms& terms, const Tensor& image) override;
  // With several scales prints the scale's time, losses and peak memory (tensor/memory.h: a
  // peak since the start of the process).
  void end_scale(int done) override;

  int iterations() const { return offset_; }  // over all scales, those ended
  double seconds() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count(); }
  const std::vector<std::string>& names() const { return names_; }
  const std::vector<std::vector<double>>& curves() const { return curves_; }  // per term, over all iterations
  void save() const;  // the CSV, written whole (apps/common/csv.h)
  // Keep the interrupt note (tensor/file_util.h) saying where the run is, so that Ctrl-C during
  // a single image says which iteration it stopped at and that no result was written (batches
  // keep their own table there instead: apps/common/batch_summary.h). `stage` names the work
  // when the command does more than stylise ("the stylisation": "interrupted at iteration 47 of
  // 3000 of the stylisation (46 done, ...").
  void say_on_interrupt(std::string stage = "") {
    interrupt_note_ = true;
    stage_ = std::move(stage);
  }

 private:
  std::string base_;
  SizePlan plan_;
  int print_every_;
  Device dev_;
  std::unique_ptr<CsvWriter> csv_;
  std::vector<std::string> names_;
  std::vector<std::vector<double>> curves_;
  std::map<int, std::string> frames_;
  std::unique_ptr<Progress> progress_;
  Scale scale_;
  int offset_ = 0;
  double scale_t0_ = 0;
  bool interrupt_note_ = false;
  std::string stage_;
  std::string last_frame_;  // the latest --save-every snapshot written
  std::chrono::steady_clock::time_point t0_;
};

}  // namespace app
}  // namespace ds
