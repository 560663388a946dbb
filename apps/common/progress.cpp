#include "apps/common/progress.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>

namespace ds {
namespace app {

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  long s = std::lround(seconds);
  char buf[32];
  if (s < 60)
    std::snprintf(buf, sizeof buf, "%lds", s);
  else if (s < 3600)
    std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
  else
    std::snprintf(buf, sizeof buf, "%ldh%02ldm", s / 3600, (s % 3600) / 60);
  return buf;
}

std::string progress_line(int done, int total, const NamedValues& values, double rate, int bar_width,
                          const std::string& unit) {
  std::string line;
  if (bar_width > 0) {
    int filled = total > 0 ? static_cast<int>(static_cast<long>(bar_width) * std::clamp(done, 0, total) / total) : 0;
    line = "[" + std::string(static_cast<size_t>(filled), '#') +
           std::string(static_cast<size_t>(bar_width - filled), '.') + "] ";
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "%d/%d", done, total);
  line += buf;
  for (const auto& [name, v] : values) {
    std::snprintf(buf, sizeof buf, " %.3g", v);
    line += " " + name + buf;
  }
  if (rate > 0 && std::isfinite(rate)) {
    std::snprintf(buf, sizeof buf, " %.3g ", rate);
    line += buf + unit;
    line += " ETA " + format_duration(std::max(0, total - done) / rate);
  }
  return line;
}

Progress::Progress(int total, FILE* out, int every_n, double every_s)
    : total_(total), every_n_(every_n), every_s_(every_s), out_(out), tty_(isatty(fileno(out)) == 1) {}

Progress::~Progress() { finish(); }

void Progress::update(int done, const NamedValues& values) {
  Clock::time_point now = Clock::now();
  if (!started_) started_ = true, first_ = now, first_done_ = done, last_emit_ = now;
  double since = std::chrono::duration<double>(now - last_emit_).count();
  bool first = last_done_ < 0, last = done >= total_;
  bool due = tty_ ? since >= 0.1 : (every_n_ > 0 && done % every_n_ == 0) || since >= every_s_;
  if ((first || due || last) && done != last_done_) emit(done, values, now);
}

void Progress::emit(int done, const NamedValues& values, Clock::time_point now) {
  double elapsed = std::chrono::duration<double>(now - first_).count();
  double rate = elapsed > 0 && done > first_done_ ? (done - first_done_) / elapsed : 0.0;
  std::string line = progress_line(done, total_, values, rate, tty_ ? 10 : 0, unit_);
  if (!label_.empty()) line = label_ + " " + line;
  if (tty_)
    std::fprintf(out_, "\r%s\x1b[K", line.c_str()), open_line_ = true;  // \x1b[K: clear the rest
  else
    std::fprintf(out_, "%s\n", line.c_str());
  std::fflush(out_);
  last_emit_ = now, last_done_ = done;
}

void Progress::finish() {
  if (open_line_) std::fprintf(out_, "\n"), std::fflush(out_);
  open_line_ = false;
}

}  // namespace app
}  // namespace ds
