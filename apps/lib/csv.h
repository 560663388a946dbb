// A CSV log of numeric columns (losses per iteration): a header row, then one row per call,
// flushed each time so a run that is stopped still leaves a readable file. Values are written
// with %.9g (float precision round-trips); NaN/inf as "nan"/"inf".
#pragma once
#include <cstdio>
#include <string>
#include <vector>

namespace ds {
namespace app {

class CsvWriter {
 public:
  // Throws ds::Error if the file cannot be created or a column name holds ',', '"' or a newline.
  CsvWriter(const std::string& path, const std::vector<std::string>& columns);
  ~CsvWriter();
  CsvWriter(const CsvWriter&) = delete;
  CsvWriter& operator=(const CsvWriter&) = delete;

  void row(const std::vector<double>& values);  // exactly one value per column

 private:
  std::string path_;
  size_t columns_;
  FILE* f_ = nullptr;
};

}  // namespace app
}  // namespace ds
