// What `depthstyle stylize` records per iteration over its scales (apps/stylize/scales.h): the
// losses CSV (iteration counted over all scales, seconds, scale in px, then the loss terms),
// the loss curves, a progress line per scale ("scale 2/3 (512 px) ...", apps/common/progress.h),
// the --save-every snapshots, and a line per scale with its time and peak memory.
#pragma once
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "apps/common/csv.h"
#include "apps/common/progress.h"
#include "apps/stylize/scales.h"
#include "tensor/tensor.h"

namespace ds {
namespace app {

int total_iters(const std::vector<ScaleStep>& steps);

// The --save-every snapshots by iteration (counted over all scales): every multiple of
// save_every but the last iteration (that image is OUT), named by frame_path (by scale when
// there are several). Empty when save_every is 0.
std::map<int, std::string> frame_files(const std::string& base, const std::vector<ScaleStep>& steps, int save_every);

class IterationLog {
 public:
  // base: OUT without its extension (the CSV is base_losses.csv); names: the loss terms.
  IterationLog(const std::string& base, const std::vector<std::string>& names, const std::vector<ScaleStep>& steps,
               int save_every);
  // Starts scale k: its progress line and how its snapshots are shown (--original-colors).
  void begin_scale(size_t k, std::function<Tensor(const Tensor&)> shown);
  // Iteration `it` of the current scale (1-based): its terms and the image after it.
  void add(int it, const std::vector<double>& terms, const Tensor& image);
  // Ends the scale after `done` iterations; with several scales prints its time, losses and
  // peak memory on `dev` (apps/bench/bench.h: a peak since the start of the process).
  void end_scale(int done, Device dev);
  int global(int it) const { return offset_ + it; }  // the iteration over all scales
  double seconds() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count(); }
  const std::vector<std::vector<double>>& curves() const { return curves_; }
  void save() const { csv_.save(); }  // the CSV, written whole (apps/common/csv.h)

 private:
  std::string base_;
  CsvWriter csv_;
  std::vector<std::vector<double>> curves_;
  std::vector<ScaleStep> steps_;
  std::map<int, std::string> frames_;
  std::unique_ptr<Progress> progress_;
  size_t scale_ = 0;
  int offset_ = 0;
  double scale_t0_ = 0;
  std::chrono::steady_clock::time_point t0_;
  std::function<Tensor(const Tensor&)> shown_;
};

}  // namespace app
}  // namespace ds
