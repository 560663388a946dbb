#include "apps/stylize/iteration_log.h"

#include <cstdio>

#include "tensor/file_util.h"
#include "tensor/image_io.h"
#include "tensor/memory.h"

namespace ds {
namespace app {

std::map<int, std::string> frame_files(const std::string& base, const SizePlan& plan, int save_every) {
  std::map<int, std::string> frames;
  int done = 0, total = plan.total_iters();
  for (const ScaleStep& s : plan.steps) {
    for (int g = done + 1; save_every > 0 && g <= done + s.iters; ++g)
      if (g % save_every == 0 && g != total) frames[g] = frame_path(base, plan.multi() ? s.long_side : 0, g);
    done += s.iters;
  }
  return frames;
}

IterationLog::IterationLog(const std::string& base, const SizePlan& plan, int save_every, int print_every, Device dev)
    : base_(base), plan_(plan), print_every_(print_every), dev_(dev), frames_(frame_files(base, plan, save_every)),
      t0_(std::chrono::steady_clock::now()) {}

void IterationLog::message(const std::string& line) { std::printf("%s\n", line.c_str()); }

void IterationLog::begin_scale(const Scale& s) {
  if (!csv_) {
    names_ = s.term_names;
    std::vector<std::string> columns = {"iteration", "seconds", "scale"};
    columns.insert(columns.end(), names_.begin(), names_.end());
    csv_ = std::make_unique<CsvWriter>(base_ + "_losses.csv", columns);
    curves_.assign(names_.size(), {});
  }
  progress_ = std::make_unique<Progress>(s.step.iters);
  if (s.n > 1)
    progress_->set_label("scale " + std::to_string(s.k + 1) + "/" + std::to_string(s.n) + " (" +
                         std::to_string(s.step.long_side) + " px)");
  scale_ = s, scale_t0_ = seconds();
  std::fflush(stdout);  // before the progress lines on stderr
}

void IterationLog::iteration(int it, const LossTerms& terms, const Tensor& image) {
  int g = offset_ + it;
  std::vector<double> values = terms.values();
  std::vector<double> row = {static_cast<double>(g), seconds(), static_cast<double>(scale_.step.long_side)};
  row.insert(row.end(), values.begin(), values.end());
  csv_->row(row);
  for (size_t i = 0; i < values.size(); ++i) curves_[i].push_back(values[i]);
  progress_->update(it, {{"loss", terms.total}});
  if (print_every_ > 0 && g % print_every_ == 0) {
    std::string line = "iteration " + std::to_string(g) + ":";
    for (size_t i = 0; i < values.size(); ++i) {
      char v[48];
      std::snprintf(v, sizeof v, " %s %.6g", names_[i].c_str(), values[i]);
      line += v;
    }
    progress_->finish();  // the in-place line ends; the next update starts a new one
    std::printf("%s\n", line.c_str());
    std::fflush(stdout);
  }
  auto frame = frames_.find(g);
  if (frame != frames_.end()) save_image(frame->second, scale_.shown(image)), last_frame_ = frame->second;
  if (interrupt_note_) {
    char head[256];
    std::snprintf(head, sizeof head, "\ninterrupted at iteration %d of %d%s%s (%d done, loss %.4g); ", g + 1,
                  plan_.total_iters(), stage_.empty() ? "" : " of ", stage_.c_str(), g, terms.total);
    set_interrupt_note(head + (last_frame_.empty() ? std::string("nothing written")
                                                   : "no result written; the --save-every snapshots are kept, the "
                                                     "latest " + last_frame_) + "\n");
  }
}

void IterationLog::end_scale(int done) {
  progress_->finish();
  if (scale_.n > 1)
    std::printf("scale %zu/%zu (%d px): %d iterations in %.1fs, loss %.4g -> %.4g, peak memory %.0f MiB (%s)\n",
                scale_.k + 1, scale_.n, scale_.step.long_side, done, seconds() - scale_t0_,
                curves_[0][curves_[0].size() - static_cast<size_t>(done)], curves_[0].back(), peak_memory_mb(dev_),
                dev_ == Device::CPU ? "the process's peak RSS so far" : "device allocator peak so far");
  offset_ += done;
}

void IterationLog::save() const {
  if (csv_) csv_->save();
}

}  // namespace app
}  // namespace ds
