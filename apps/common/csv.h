// A CSV log of numeric columns (losses per iteration or step): a header row of names, then
// one row of numbers per iteration. Values are written with %.9g, which round-trips every
// float exactly and doubles to 9 significant digits; NaN and infinities as "nan", "inf", "-inf".
//
// The file is written whole through ds::AtomicFile at each save(): on disk it is always a
// complete log (the rows up to the last save), never half a row, even after a crash or Ctrl-C.
#pragma once
#include <string>
#include <vector>

namespace ds {
namespace app {

class CsvWriter {
 public:
  // Throws ds::Error if there is no column or a column name holds ',', '"' or a newline.
  // Nothing is written before save().
  CsvWriter(std::string path, std::vector<std::string> columns);

  void row(const std::vector<double>& values);  // exactly one value per column, kept in memory
  // Writes the header and every row so far to the path (creating its folder when missing).
  // Throws ds::Error naming the file when it cannot be written.
  void save() const;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::vector<std::string> columns_;
  std::vector<std::vector<double>> rows_;
};

// A CSV log read back: the header's names and every row's numbers.
struct CsvTable {
  std::vector<std::string> columns;
  std::vector<std::vector<double>> rows;
  // The index of a column; ds::Error listing the columns when there is none of that name.
  size_t column(const std::string& name) const;
};

// Reads a file written by CsvWriter. Errors (ds::Error naming the file and the line): the
// file cannot be opened or is empty, a row has another number of fields than the header, a
// field is not a number.
CsvTable read_csv(const std::string& path);

}  // namespace app
}  // namespace ds
