#include "apps/lib/csv.h"

#include "tensor/tensor.h"

namespace ds {
namespace app {

CsvWriter::CsvWriter(const std::string& path, const std::vector<std::string>& columns)
    : path_(path), columns_(columns.size()) {
  if (columns.empty()) throw Error(path + ": a CSV log needs at least one column");
  for (const auto& c : columns)
    if (c.find_first_of(",\"\n\r") != std::string::npos)
      throw Error(path + ": CSV column name '" + c + "' must not contain a comma, quote or newline");
  f_ = std::fopen(path.c_str(), "w");
  if (!f_) throw Error(path + ": cannot create the CSV file");
  for (size_t i = 0; i < columns.size(); ++i) std::fprintf(f_, "%s%s", i ? "," : "", columns[i].c_str());
  std::fprintf(f_, "\n");
  std::fflush(f_);
}

CsvWriter::~CsvWriter() {
  if (f_) std::fclose(f_);
}

void CsvWriter::row(const std::vector<double>& values) {
  if (values.size() != columns_)
    throw Error(path_ + ": CSV row has " + std::to_string(values.size()) + " values for " + std::to_string(columns_) +
                " columns");
  for (size_t i = 0; i < values.size(); ++i) std::fprintf(f_, "%s%.9g", i ? "," : "", values[i]);
  std::fprintf(f_, "\n");
  if (std::fflush(f_) != 0) throw Error(path_ + ": writing the CSV file failed (disk full?)");
}

}  // namespace app
}  // namespace ds
