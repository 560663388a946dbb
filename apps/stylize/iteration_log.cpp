#include "apps/stylize/iteration_log.h"

#include <cstdio>

#include "apps/bench/bench.h"
#include "tensor/image_io.h"

namespace ds {
namespace app {

int total_iters(const std::vector<ScaleStep>& steps) {
  int n = 0;
  for (const ScaleStep& s : steps) n += s.iters;
  return n;
}

std::map<int, std::string> frame_files(const std::string& base, const std::vector<ScaleStep>& steps, int save_every) {
  std::map<int, std::string> frames;
  int done = 0, total = total_iters(steps);
  for (const ScaleStep& s : steps) {
    for (int g = done + 1; save_every > 0 && g <= done + s.iters; ++g)
      if (g % save_every == 0 && g != total) frames[g] = frame_path(base, steps.size() > 1 ? s.long_side : 0, g);
    done += s.iters;
  }
  return frames;
}

namespace {

std::vector<std::string> columns(const std::vector<std::string>& names) {
  std::vector<std::string> c = {"iteration", "seconds", "scale"};
  c.insert(c.end(), names.begin(), names.end());
  return c;
}

}  // namespace

IterationLog::IterationLog(const std::string& base, const std::vector<std::string>& names,
                           const std::vector<ScaleStep>& steps, int save_every)
    : base_(base), csv_(base + "_losses.csv", columns(names)), curves_(names.size()), steps_(steps),
      frames_(frame_files(base, steps, save_every)), t0_(std::chrono::steady_clock::now()) {}

void IterationLog::begin_scale(size_t k, std::function<Tensor(const Tensor&)> shown) {
  progress_ = std::make_unique<Progress>(steps_[k].iters);
  if (steps_.size() > 1)
    progress_->set_label("scale " + std::to_string(k + 1) + "/" + std::to_string(steps_.size()) + " (" +
                         std::to_string(steps_[k].long_side) + " px)");
  scale_ = k, shown_ = std::move(shown), scale_t0_ = seconds();
}

void IterationLog::add(int it, const std::vector<double>& terms, const Tensor& image) {
  int g = global(it);
  std::vector<double> row = {static_cast<double>(g), seconds(), static_cast<double>(steps_[scale_].long_side)};
  row.insert(row.end(), terms.begin(), terms.end());
  csv_.row(row);
  for (size_t i = 0; i < terms.size(); ++i) curves_[i].push_back(terms[i]);
  progress_->update(it, {{"loss", terms[0]}});
  auto frame = frames_.find(g);
  if (frame != frames_.end()) save_image(frame->second, shown_(image));
}

void IterationLog::end_scale(int done, Device dev) {
  progress_->finish();
  if (steps_.size() > 1)
    std::printf("scale %zu/%zu (%d px): %d iterations in %.1fs, loss %.4g -> %.4g, peak memory %.0f MiB (%s)\n",
                scale_ + 1, steps_.size(), steps_[scale_].long_side, done, seconds() - scale_t0_,
                curves_[0][curves_[0].size() - static_cast<size_t>(done)], curves_[0].back(), peak_memory_mb(dev),
                dev == Device::CPU ? "the process's peak RSS so far" : "device allocator peak so far");
  offset_ += done;
}

}  // namespace app
}  // namespace ds
