#include "apps/common/batch_summary.h"

#include <cstdio>

#include "tensor/file_util.h"

namespace ds {
namespace app {

BatchSummary::BatchSummary(std::vector<std::string> files, std::string done, std::string detail)
    : files_(std::move(files)), done_(std::move(done)), detail_(std::move(detail)), rows_(files_.size()) {
  publish();
}

BatchSummary::~BatchSummary() { set_interrupt_note(""); }

void BatchSummary::start(size_t k) {
  running_ = k, any_running_ = true;
  publish();
}

void BatchSummary::finish(size_t k, bool ok, double seconds, const std::string& detail) {
  rows_.at(k) = {ok ? "ok" : "FAILED", detail, seconds};
  ++finished_;
  if (!ok) ++failed_;
  any_running_ = false;
  publish();
}

std::string BatchSummary::table(const std::string& heading) const {
  const int n = static_cast<int>(files_.size());
  std::string out = heading + ": " + std::to_string(finished_ - failed_) + " of " + std::to_string(n) + " images " + done_ +
                    ", " + std::to_string(failed_) + " failed\n";
  char line[512];
  std::snprintf(line, sizeof line, "%-40s %-7s %9s  %s\n", "file", "status", "seconds", detail_.c_str());
  out += line;
  for (size_t k = 0; k < files_.size(); ++k) {
    const Row& r = rows_[k];
    if (r.status.empty()) continue;
    std::snprintf(line, sizeof line, "%-40s %-7s %9.1f  ", files_[k].c_str(), r.status.c_str(), r.seconds);
    out += line + r.detail + "\n";
  }
  return out;
}

void BatchSummary::publish() const {
  std::string note = "\n" + table("interrupted");
  std::vector<std::string> waiting;
  for (size_t k = 0; k < files_.size(); ++k)
    if (rows_[k].status.empty() && !(any_running_ && k == running_)) waiting.push_back(files_[k]);
  if (any_running_) note += "interrupted while running " + files_[running_] + " (its result is not written)\n";
  if (!waiting.empty()) {
    note += std::to_string(waiting.size()) + " not started:";
    for (size_t i = 0; i < waiting.size() && i < 10; ++i) note += " " + waiting[i];
    note += waiting.size() > 10 ? " ...\n" : "\n";
  }
  set_interrupt_note(note);
}

}  // namespace app
}  // namespace ds
