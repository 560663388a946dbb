// The closing table of a batch (`stylize DIR`, `fast DIR`): one row per image with its status,
// seconds and a detail (final loss, sizes, or the error). While the batch runs, the table so far
// is the interrupt note (tensor/file_util.h set_interrupt_note), so Ctrl-C prints what finished,
// what was running (its output is not written: outputs go through AtomicFile) and what was not
// started, before the process ends with SIGINT (status 130 in a shell).
#pragma once
#include <string>
#include <vector>

namespace ds {
namespace app {

class BatchSummary {
 public:
  // files: the batch's inputs in order; done: what a finished image was ("stylised");
  // detail: the heading of the last column ("final loss or error").
  BatchSummary(std::vector<std::string> files, std::string done, std::string detail);
  ~BatchSummary();  // clears the interrupt note
  BatchSummary(const BatchSummary&) = delete;
  BatchSummary& operator=(const BatchSummary&) = delete;

  void start(size_t k);  // file k is running now
  void finish(size_t k, bool ok, double seconds, const std::string& detail);
  int failed() const { return failed_; }

  // "<heading>: N of M images <done>, F failed" and a row per finished file.
  std::string table(const std::string& heading = "summary") const;

 private:
  void publish() const;  // the interrupt note: the table so far, the running file, the rest
  struct Row {
    std::string status, detail;
    double seconds = 0;
  };
  std::vector<std::string> files_;
  std::string done_, detail_;
  std::vector<Row> rows_;  // one per file; status "" until finished
  size_t running_ = 0;
  bool any_running_ = false;
  int finished_ = 0, failed_ = 0;
};

}  // namespace app
}  // namespace ds
