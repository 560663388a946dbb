#include "weights/h5_slab.h"

#include <fstream>
#include <type_traits>

#include "tensor/tensor.h"
#include "weights/h5.h"

static_assert(std::is_same<hid_t, int64_t>::value, "h5_slab.h stores hid_t as int64_t (HDF5 >= 1.10)");

namespace ds {

using h5::Handle;

H5SlabReader::H5SlabReader(const std::string& path, const std::string& kind) : path_(path) {
  if (!std::ifstream(path, std::ios::binary)) throw Error(path + ": cannot open file (missing or unreadable)");
  h5::silence_errors();  // we report failures ourselves
  if (H5Fis_hdf5(path.c_str()) <= 0) throw Error(path + ": not an HDF5 file; expected " + kind);
  file_ = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (file_ < 0) throw Error(path + ": HDF5 file could not be opened (corrupt or truncated?); expected " + kind);
}

H5SlabReader::~H5SlabReader() {
  if (file_ >= 0) H5Fclose(file_);
}

bool H5SlabReader::has(const std::string& dataset) const {
  if (H5Lexists(file_, dataset.c_str(), H5P_DEFAULT) <= 0) return false;
  Handle d(H5Dopen2(file_, dataset.c_str(), H5P_DEFAULT), H5Dclose);  // fails for a group
  return d.valid();
}

std::vector<int64_t> H5SlabReader::dims(const std::string& dataset) const {
  if (!has(dataset)) throw Error(path_ + ": no dataset '" + dataset + "' in the file");
  Handle d(H5Dopen2(file_, dataset.c_str(), H5P_DEFAULT), H5Dclose);
  Handle type(d.valid() ? H5Dget_type(d.get()) : -1, H5Tclose);
  Handle space(d.valid() ? H5Dget_space(d.get()) : -1, H5Sclose);
  if (!space.valid() || !type.valid())
    throw Error(path_ + ": dataset '" + dataset + "' cannot be read (corrupt file?)");
  H5T_class_t cls = H5Tget_class(type.get());
  if (cls != H5T_INTEGER && cls != H5T_FLOAT)
    throw Error(path_ + ": dataset '" + dataset + "' is not numeric; expected integer or float samples");
  int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank < 0) throw Error(path_ + ": dataset '" + dataset + "' has no simple shape");
  std::vector<hsize_t> ext(static_cast<size_t>(rank));
  H5Sget_simple_extent_dims(space.get(), ext.data(), nullptr);
  return std::vector<int64_t>(ext.begin(), ext.end());
}

std::vector<float> H5SlabReader::read(const std::string& dataset, const std::vector<int64_t>& start,
                                      const std::vector<int64_t>& count) const {
  std::vector<int64_t> ext = dims(dataset);
  if (start.size() != ext.size() || count.size() != ext.size())
    throw Error(path_ + ": dataset '" + dataset + "': slab rank does not match the dataset's rank " +
                std::to_string(ext.size()));
  int64_t n = 1;
  for (size_t i = 0; i < ext.size(); ++i) {
    if (start[i] < 0 || count[i] < 1 || start[i] + count[i] > ext[i])
      throw Error(path_ + ": dataset '" + dataset + "': slab outside its shape " + shape_str(ext));
    n *= count[i];
  }
  Handle d(H5Dopen2(file_, dataset.c_str(), H5P_DEFAULT), H5Dclose);
  Handle file_space(d.valid() ? H5Dget_space(d.get()) : -1, H5Sclose);
  std::vector<hsize_t> st(start.begin(), start.end()), ct(count.begin(), count.end());
  Handle mem_space(H5Screate_simple(static_cast<int>(ct.size()), ct.data(), nullptr), H5Sclose);
  std::vector<float> out(static_cast<size_t>(n));
  bool ok = file_space.valid() && mem_space.valid() &&
            H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, st.data(), nullptr, ct.data(), nullptr) >= 0 &&
            H5Dread(d.get(), H5T_NATIVE_FLOAT, mem_space.get(), file_space.get(), H5P_DEFAULT, out.data()) >= 0;
  if (!ok) throw Error(path_ + ": reading dataset '" + dataset + "' failed (truncated or corrupt file?)");
  return out;
}

}  // namespace ds
