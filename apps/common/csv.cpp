#include "apps/common/csv.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "tensor/file_util.h"
#include "tensor/tensor.h"

namespace ds {
namespace app {

CsvWriter::CsvWriter(std::string path, std::vector<std::string> columns)
    : path_(std::move(path)), columns_(std::move(columns)) {
  if (columns_.empty()) throw Error(path_ + ": a CSV log needs at least one column");
  for (const auto& c : columns_)
    if (c.find_first_of(",\"\n\r") != std::string::npos)
      throw Error(path_ + ": CSV column name '" + c + "' must not contain a comma, quote or newline");
}

void CsvWriter::row(const std::vector<double>& values) {
  if (values.size() != columns_.size())
    throw Error(path_ + ": CSV row has " + std::to_string(values.size()) + " values for " +
                std::to_string(columns_.size()) + " columns");
  rows_.push_back(values);
}

void CsvWriter::save() const {
  AtomicFile out(path_);
  FILE* f = std::fopen(out.temp_path().c_str(), "w");
  if (!f) throw Error(path_ + ": cannot create the CSV file");
  for (size_t i = 0; i < columns_.size(); ++i) std::fprintf(f, "%s%s", i ? "," : "", columns_[i].c_str());
  std::fprintf(f, "\n");
  for (const std::vector<double>& r : rows_) {
    for (size_t i = 0; i < r.size(); ++i) std::fprintf(f, "%s%.9g", i ? "," : "", r[i]);
    std::fprintf(f, "\n");
  }
  bool failed = std::ferror(f) != 0;
  if (std::fclose(f) != 0 || failed) throw Error(path_ + ": writing the CSV file failed (disk full?)");
  out.commit();
}

size_t CsvTable::column(const std::string& name) const {
  for (size_t i = 0; i < columns.size(); ++i)
    if (columns[i] == name) return i;
  std::string all;
  for (const std::string& c : columns) all += (all.empty() ? "" : ", ") + c;
  throw Error("no CSV column '" + name + "'; the columns are: " + all);
}

namespace {
std::vector<std::string> split_fields(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream ss(line);
  for (std::string field; std::getline(ss, field, ',');) out.push_back(field);
  if (!line.empty() && line.back() == ',') out.emplace_back();
  return out;
}
}  // namespace

CsvTable read_csv(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error(path + ": cannot open the CSV file");
  CsvTable t;
  std::string line;
  if (!std::getline(in, line) || line.empty()) throw Error(path + ": empty CSV file (expected a header line)");
  t.columns = split_fields(line);
  for (int n = 2; std::getline(in, line); ++n) {
    std::vector<std::string> fields = split_fields(line);
    if (fields.size() != t.columns.size())
      throw Error(path + ":" + std::to_string(n) + ": " + std::to_string(fields.size()) + " fields for " +
                  std::to_string(t.columns.size()) + " columns");
    std::vector<double> row;
    for (const std::string& s : fields) {
      char* end = nullptr;
      double v = std::strtod(s.c_str(), &end);
      if (s.empty() || *end != '\0') throw Error(path + ":" + std::to_string(n) + ": '" + s + "' is not a number");
      row.push_back(v);
    }
    t.rows.push_back(std::move(row));
  }
  return t;
}

}  // namespace app
}  // namespace ds
