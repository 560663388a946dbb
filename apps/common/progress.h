// Progress of a long loop on stderr (or any FILE*).
//
// On a terminal: one line redrawn in place (at most 10 times a second, and always at the end):
//   [#####.....] 120/500 loss 1.23e+04 3.4 it/s ETA 1m52s
// Otherwise (a log file, CI): a plain line every `every_n` iterations (0 = never by count)
// or every `every_s` seconds, whichever comes first, plus the first and the last one.
// The rate is iterations since the first update() over the time since then.
#pragma once
#include <chrono>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

namespace ds {
namespace app {

using NamedValues = std::vector<std::pair<std::string, double>>;

// "45s", "1m52s", "2h03m"; "?" for a negative or non-finite time.
std::string format_duration(double seconds);

// The line without any terminal control: bar of `bar_width` cells (none when 0), done/total,
// each value as "name %.3g", the rate ("%.3g UNIT") and the ETA (both left out while the rate is
// unknown, <= 0).
std::string progress_line(int done, int total, const NamedValues& values, double rate, int bar_width,
                          const std::string& unit = "it/s");

class Progress {
 public:
  explicit Progress(int total, FILE* out = stderr, int every_n = 0, double every_s = 5.0);
  ~Progress();  // finish()es
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // Text before each line ("scale 2/3 (512 px)"); none by default.
  void set_label(std::string label) { label_ = std::move(label); }
  // The rate's unit ("frames/s"); "it/s" by default.
  void set_unit(std::string unit) { unit_ = std::move(unit); }
  void update(int done, const NamedValues& values = {});
  // Ends the in-place line with a newline (terminal mode); later updates start a new line.
  void finish();
  bool interactive() const { return tty_; }

 private:
  using Clock = std::chrono::steady_clock;
  void emit(int done, const NamedValues& values, Clock::time_point now);
  int total_, every_n_;
  double every_s_;
  FILE* out_;
  std::string label_, unit_ = "it/s";
  bool tty_, started_ = false, open_line_ = false;
  int first_done_ = 0, last_done_ = -1;
  Clock::time_point first_, last_emit_;
};

}  // namespace app
}  // namespace ds
