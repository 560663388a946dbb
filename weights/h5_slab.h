// Partial reads of HDF5 datasets for the depth loaders: dataset shapes and float hyperslabs.
// weights/h5.h reads whole datasets, which for NYU's labeled .mat (1449 frames) would mean
// gigabytes per frame; this reads one frame. Built on weights/h5.h's handles.
//
// Every failure is a ds::Error naming the file and the dataset (HDF5's own error printing is
// silenced, see h5::silence_errors).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace ds {

class H5SlabReader {
 public:
  // Throws if the file is missing or not HDF5 (`kind` names the expected format in the message).
  H5SlabReader(const std::string& path, const std::string& kind);
  ~H5SlabReader();
  H5SlabReader(const H5SlabReader&) = delete;
  H5SlabReader& operator=(const H5SlabReader&) = delete;

  bool has(const std::string& dataset) const;
  // Dataset extent, slowest axis first (h5py order). Throws if the dataset is missing or not numeric.
  std::vector<int64_t> dims(const std::string& dataset) const;
  // Elements of the box [start, start + count) converted to float by HDF5, row-major over count.
  std::vector<float> read(const std::string& dataset, const std::vector<int64_t>& start,
                          const std::vector<int64_t>& count) const;

 private:
  std::string path_;
  int64_t file_ = -1;  // hid_t
};

}  // namespace ds
