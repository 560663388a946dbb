#include "weights/h5.h"

#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <sstream>

namespace ds {
namespace h5 {

void silence_errors() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }

namespace {

// The innermost description on HDF5's current error stack (the most specific one).
std::string hdf5_message() {
  std::string msg;
  H5Ewalk2(
      H5E_DEFAULT, H5E_WALK_DOWNWARD,
      [](unsigned, const H5E_error2_t* e, void* out) -> herr_t {
        if (e->desc && *e->desc) *static_cast<std::string*>(out) = e->desc;
        return 0;
      },
      &msg);
  return msg;
}

// An error naming the file and what failed, with HDF5's message (read before any other call).
Error error(const std::string& file, const std::string& what) {
  std::string detail = hdf5_message();
  return Error("HDF5 file '" + file + "': " + what + (detail.empty() ? "" : " (HDF5: " + detail + ")"));
}

[[noreturn]] void fail(const std::string& file, const std::string& what) { throw error(file, what); }

std::string quoted(const std::string& kind, const std::string& name) { return kind + " '" + name + "'"; }

Handle check(hid_t id, Handle::Closer closer, const std::string& file, const std::string& what) {
  if (id < 0) fail(file, what);
  return Handle(id, closer);
}

Handle make_space(const std::vector<hsize_t>& dims, bool scalar) {
  hid_t s = scalar ? H5Screate(H5S_SCALAR) : H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr);
  if (s < 0) throw Error("HDF5: cannot create a dataspace");
  return Handle(s, H5Sclose);
}

int64_t space_points(hid_t space) { return static_cast<int64_t>(H5Sget_simple_extent_npoints(space)); }

void check_name(const std::string& file, const std::string& kind, const std::string& name) {
  if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..")
    throw Error("HDF5 file '" + file + "': invalid " + kind + " name '" + name + "' (must be non-empty, without '/')");
}

}  // namespace

// ---- Handle ---------------------------------------------------------------------------
Handle& Handle::operator=(Handle&& o) noexcept {
  if (this != &o) {
    reset();
    id_ = o.id_;
    closer_ = o.closer_;
    o.id_ = -1;
  }
  return *this;
}

void Handle::reset() {
  if (id_ >= 0 && closer_) closer_(id_);
  id_ = -1;
}

herr_t Handle::close() {
  herr_t r = 0;
  if (id_ >= 0 && closer_) r = closer_(id_);
  id_ = -1;
  return r;
}

// ---- AttrValue ------------------------------------------------------------------------
AttrValue AttrValue::string(std::string s) {
  AttrValue v;
  v.kind = Kind::Strings;
  v.strings.push_back(std::move(s));
  return v;
}

AttrValue AttrValue::number(double x) {
  AttrValue v;
  v.kind = Kind::Numbers;
  v.numbers.push_back(x);
  return v;
}

AttrValue AttrValue::integer_value(int64_t x) {
  AttrValue v = number(static_cast<double>(x));
  v.integer = true;
  return v;
}

AttrValue AttrValue::array(std::vector<double> x) {
  AttrValue v;
  v.kind = Kind::Numbers;
  v.numbers = std::move(x);
  v.scalar = false;
  return v;
}

bool AttrValue::operator==(const AttrValue& o) const {
  return kind == o.kind && strings == o.strings && numbers == o.numbers;
}

std::string AttrValue::str() const {
  std::ostringstream os;
  os.precision(9);
  if (kind == Kind::Other) return "<unsupported type>";
  size_t n = kind == Kind::Strings ? strings.size() : numbers.size();
  if (n != 1 || !scalar) os << "[";
  for (size_t i = 0; i < n; ++i) {
    if (i) os << ", ";
    if (kind == Kind::Strings)
      os << strings[i];
    else
      os << numbers[i];
  }
  if (n != 1 || !scalar) os << "]";
  return os.str();
}

// ---- Dataset --------------------------------------------------------------------------
Shape Dataset::shape() const {
  Handle space = check(H5Dget_space(h_.get()), H5Sclose, file_, "cannot read the shape of " + quoted("dataset", name_));
  int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank < 0) fail(file_, "cannot read the rank of " + quoted("dataset", name_));
  std::vector<hsize_t> dims(static_cast<size_t>(rank));
  if (rank > 0 && H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr) < 0)
    fail(file_, "cannot read the shape of " + quoted("dataset", name_));
  return Shape(dims.begin(), dims.end());
}

bool Dataset::is_float() const {
  Handle type = check(H5Dget_type(h_.get()), H5Tclose, file_, "cannot read the type of " + quoted("dataset", name_));
  return H5Tget_class(type.get()) == H5T_FLOAT;
}

void Dataset::read(float* dst) const {
  if (shape_numel(shape()) == 0) return;
  if (H5Dread(h_.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, dst) < 0)
    fail(file_, "cannot read " + quoted("dataset", name_) + " (truncated or corrupt file?)");
}

// ---- File -----------------------------------------------------------------------------
File File::open(const std::string& path) {
  silence_errors();
  struct stat st;
  if (stat(path.c_str(), &st) != 0) throw Error("HDF5 file '" + path + "': not found");
  if (S_ISDIR(st.st_mode)) throw Error("HDF5 file '" + path + "': is a directory");
  htri_t is = H5Fis_hdf5(path.c_str());
  if (is == 0) throw Error("HDF5 file '" + path + "': not an HDF5 file (no HDF5 signature)");
  if (is < 0) fail(path, "cannot be read");
  hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) fail(path, "cannot be opened: truncated or corrupt HDF5 file");
  return File(Handle(f, H5Fclose), path);
}

File File::create(const std::string& path) {
  silence_errors();
  hid_t f = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (f < 0) fail(path, "cannot be created");
  return File(Handle(f, H5Fclose), path);
}

std::vector<std::string> File::names() const {
  H5G_info_t info;
  if (H5Gget_info(h_.get(), &info) < 0) fail(path_, "cannot list the root group");
  std::vector<std::string> out;
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    ssize_t n = H5Lget_name_by_idx(h_.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
    if (n < 0) fail(path_, "cannot list the root group");
    std::string name(static_cast<size_t>(n), '\0');
    if (H5Lget_name_by_idx(h_.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, &name[0], static_cast<size_t>(n) + 1,
                           H5P_DEFAULT) < 0)
      fail(path_, "cannot list the root group");
    out.push_back(name);
  }
  return out;
}

bool File::is_dataset(const std::string& name) const {
  htri_t exists = H5Lexists(h_.get(), name.c_str(), H5P_DEFAULT);
  if (exists <= 0) return false;
  hid_t o = H5Oopen(h_.get(), name.c_str(), H5P_DEFAULT);
  if (o < 0) fail(path_, "cannot open " + quoted("object", name));
  Handle obj(o, H5Oclose);
  return H5Iget_type(o) == H5I_DATASET;
}

Dataset File::dataset(const std::string& name) const {
  if (!is_dataset(name)) throw Error("HDF5 file '" + path_ + "': no " + quoted("dataset", name));
  Handle d = check(H5Dopen2(h_.get(), name.c_str(), H5P_DEFAULT), H5Dclose, path_, "cannot open " + quoted("dataset", name));
  return Dataset(std::move(d), path_, name);
}

void File::write(const std::string& name, const Shape& shape, const float* data) {
  check_name(path_, "dataset", name);
  std::vector<hsize_t> dims;
  for (int64_t d : shape) {
    if (d < 0) throw Error("HDF5 file '" + path_ + "': " + quoted("dataset", name) + " with negative shape " + shape_str(shape));
    dims.push_back(static_cast<hsize_t>(d));
  }
  Handle space = make_space(dims, shape.empty());
  Handle d = check(H5Dcreate2(h_.get(), name.c_str(), H5T_IEEE_F32LE, space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                   H5Dclose, path_, "cannot create " + quoted("dataset", name));
  if (shape_numel(shape) > 0 && H5Dwrite(d.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0)
    fail(path_, "cannot write " + quoted("dataset", name));
  if (d.close() < 0) fail(path_, "cannot write " + quoted("dataset", name));
}

std::vector<std::string> File::attr_names() const {
  std::vector<std::string> out;
  hsize_t idx = 0;
  herr_t r = H5Aiterate2(
      h_.get(), H5_INDEX_NAME, H5_ITER_INC, &idx,
      [](hid_t, const char* name, const H5A_info_t*, void* data) -> herr_t {
        static_cast<std::vector<std::string>*>(data)->push_back(name);
        return 0;
      },
      &out);
  if (r < 0) fail(path_, "cannot list the root attributes");
  std::sort(out.begin(), out.end());
  return out;
}

bool File::has_attr(const std::string& name) const {
  htri_t r = H5Aexists(h_.get(), name.c_str());
  if (r < 0) fail(path_, "cannot check " + quoted("attribute", name));
  return r > 0;
}

AttrValue File::attr(const std::string& name) const {
  if (!has_attr(name)) throw Error("HDF5 file '" + path_ + "': no " + quoted("attribute", name));
  const std::string what = quoted("attribute", name);
  Handle a = check(H5Aopen(h_.get(), name.c_str(), H5P_DEFAULT), H5Aclose, path_, "cannot open " + what);
  Handle type = check(H5Aget_type(a.get()), H5Tclose, path_, "cannot read the type of " + what);
  Handle space = check(H5Aget_space(a.get()), H5Sclose, path_, "cannot read the shape of " + what);
  AttrValue v;
  v.scalar = H5Sget_simple_extent_type(space.get()) == H5S_SCALAR;
  const int64_t n = space_points(space.get());
  if (n < 0) fail(path_, "cannot read the shape of " + what);
  H5T_class_t cls = H5Tget_class(type.get());
  if (cls == H5T_STRING) {
    v.kind = AttrValue::Kind::Strings;
    if (H5Tis_variable_str(type.get()) > 0) {
      Handle mem = check(H5Tcopy(H5T_C_S1), H5Tclose, path_, "cannot read " + what);
      H5Tset_size(mem.get(), H5T_VARIABLE);
      H5Tset_cset(mem.get(), H5Tget_cset(type.get()));
      std::vector<char*> buf(static_cast<size_t>(n), nullptr);
      if (n > 0 && H5Aread(a.get(), mem.get(), buf.data()) < 0) fail(path_, "cannot read " + what);
      for (char* s : buf) v.strings.push_back(s ? s : "");
#if H5_VERSION_GE(1, 12, 0)
      if (n > 0) H5Treclaim(mem.get(), space.get(), H5P_DEFAULT, buf.data());
#else
      if (n > 0) H5Dvlen_reclaim(mem.get(), space.get(), H5P_DEFAULT, buf.data());
#endif
    } else {
      size_t size = H5Tget_size(type.get());
      std::vector<char> buf(size * static_cast<size_t>(n) + 1, '\0');
      if (n > 0 && H5Aread(a.get(), type.get(), buf.data()) < 0) fail(path_, "cannot read " + what);
      bool spacepad = H5Tget_strpad(type.get()) == H5T_STR_SPACEPAD;
      for (int64_t i = 0; i < n; ++i) {
        const char* s = buf.data() + static_cast<size_t>(i) * size;
        std::string str(s, strnlen(s, size));
        if (spacepad) str.erase(str.find_last_not_of(' ') + 1);
        v.strings.push_back(str);
      }
    }
  } else if (cls == H5T_INTEGER || cls == H5T_FLOAT) {
    v.kind = AttrValue::Kind::Numbers;
    v.integer = cls == H5T_INTEGER;
    v.numbers.resize(static_cast<size_t>(n));
    if (n > 0 && H5Aread(a.get(), H5T_NATIVE_DOUBLE, v.numbers.data()) < 0) fail(path_, "cannot read " + what);
  }
  return v;
}

void File::set_attr(const std::string& name, const AttrValue& v) {
  check_name(path_, "attribute", name);
  const std::string what = quoted("attribute", name);
  if (has_attr(name) && H5Adelete(h_.get(), name.c_str()) < 0) fail(path_, "cannot replace " + what);
  size_t n = v.kind == AttrValue::Kind::Strings ? v.strings.size() : v.numbers.size();
  if (v.kind == AttrValue::Kind::Other) throw Error("HDF5 file '" + path_ + "': " + what + " has no value to write");
  Handle space = make_space({static_cast<hsize_t>(n)}, v.scalar && n == 1);
  if (v.kind == AttrValue::Kind::Strings) {
    Handle type = check(H5Tcopy(H5T_C_S1), H5Tclose, path_, "cannot write " + what);
    H5Tset_size(type.get(), H5T_VARIABLE);
    H5Tset_cset(type.get(), H5T_CSET_UTF8);
    Handle a = check(H5Acreate2(h_.get(), name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose,
                     path_, "cannot create " + what);
    std::vector<const char*> ptrs;
    for (const std::string& s : v.strings) ptrs.push_back(s.c_str());
    if (H5Awrite(a.get(), type.get(), ptrs.data()) < 0) fail(path_, "cannot write " + what);
  } else if (v.integer) {
    std::vector<int64_t> ints;
    for (double x : v.numbers) ints.push_back(static_cast<int64_t>(std::llround(x)));
    Handle a = check(H5Acreate2(h_.get(), name.c_str(), H5T_STD_I64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose,
                     path_, "cannot create " + what);
    if (H5Awrite(a.get(), H5T_NATIVE_INT64, ints.data()) < 0) fail(path_, "cannot write " + what);
  } else {
    Handle a = check(H5Acreate2(h_.get(), name.c_str(), H5T_IEEE_F64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose,
                     path_, "cannot create " + what);
    if (H5Awrite(a.get(), H5T_NATIVE_DOUBLE, v.numbers.data()) < 0) fail(path_, "cannot write " + what);
  }
}

void File::close() {
  if (!h_.valid()) return;
  if (H5Fflush(h_.get(), H5F_SCOPE_LOCAL) < 0) {
    Error e = error(path_, "cannot be written (flush failed)");
    h_.reset();
    throw e;
  }
  if (h_.close() < 0) fail(path_, "cannot be closed");
}

}  // namespace h5
}  // namespace ds
