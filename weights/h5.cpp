// The common parts of weights/h5.h (attribute values, limits, error text) and the Writer.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>

#include "weights/h5.h"
#include "weights/h5_lib.h"

namespace ds {
namespace h5 {

bool keep_handles_open = false;

void silence_errors() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }

std::string library_message() {
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

bool library_out_of_memory() {
  bool oom = false;
  H5Ewalk2(
      H5E_DEFAULT, H5E_WALK_DOWNWARD,
      [](unsigned, const H5E_error2_t* e, void* out) -> herr_t {
        if (e->min_num == H5E_CANTALLOC || e->min_num == H5E_NOSPACE) *static_cast<bool*>(out) = true;
        return 0;
      },
      &oom);
  return oom;
}

namespace {

// ---- environment ------------------------------------------------------------------------
double env_number(const char* name, double fallback, bool integer) {
  const char* v = std::getenv(name);
  if (!v || !*v) return fallback;
  char* end = nullptr;
  double x = std::strtod(v, &end);
  if (*end || !(x > 0) || !std::isfinite(x) || (integer && x != std::floor(x)) || x > 9e15)
    throw Error(std::string(name) + "='" + v + "': expected a positive " + (integer ? "integer" : "number"));
  return x;
}

}  // namespace

Limits Limits::from_env() {
  Limits l;
  l.timeout_s = env_number("DEPTHSTYLE_H5_TIMEOUT_S", l.timeout_s, false);  // 0 (by size) when unset
  l.memory_mib = static_cast<int64_t>(env_number("DEPTHSTYLE_H5_MEMORY_MB", static_cast<double>(l.memory_mib), true));
  l.max_elements =
      static_cast<int64_t>(env_number("DEPTHSTYLE_H5_MAX_ELEMENTS", static_cast<double>(l.max_elements), true));
  return l;
}

std::string Limits::timeout_rule() {
  char b[64];
  std::snprintf(b, sizeof b, "%g s + 1 s per %g MB of file", kBaseTimeoutS, kBytesPerSecond / 1e6);
  return b;
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

// ---- Writer -----------------------------------------------------------------------------
namespace {

// An error naming the file and what failed, with HDF5's message (read before any other call).
[[noreturn]] void fail(const std::string& file, const std::string& what) {
  std::string detail = library_message();
  throw Error(file + ": " + what + (detail.empty() ? "" : " (HDF5: " + detail + ")"));
}

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

void check_name(const std::string& file, const std::string& kind, const std::string& name) {
  if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..")
    throw Error(file + ": invalid " + kind + " name '" + name + "' (must be non-empty, without '/')");
}

// Creates an attribute of `type` on `file` and writes `data` (in `mem` type) into it.
void write_attr(hid_t file, const std::string& path, const std::string& name, hid_t type, hid_t mem, hid_t space,
                const void* data) {
  Handle a = check(H5Acreate2(file, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose, path,
                   "cannot create " + quoted("attribute", name));
  if (H5Awrite(a.get(), mem, data) < 0) fail(path, "cannot write " + quoted("attribute", name));
}

}  // namespace

Writer::Writer(const AtomicFile& out) : path_(out.path()) {
  silence_errors();
  Handle fcpl = check(H5Pcreate(H5P_FILE_CREATE), H5Pclose, path_, "cannot be created");
  H5Pset_obj_track_times(fcpl.get(), false);  // no modification times: the same content gives the same bytes
  file_ = H5Fcreate(out.temp_path().c_str(), H5F_ACC_TRUNC, fcpl.get(), H5P_DEFAULT);
  if (file_ < 0) fail(path_, "cannot be created");
}

Writer::~Writer() {
  if (file_ >= 0) H5Fclose(file_);
}

void Writer::write(const std::string& name, const Shape& shape, const float* data) {
  check_name(path_, "dataset", name);
  int64_t n = shape_numel(shape);  // also refuses negative dimensions
  std::vector<hsize_t> dims(shape.begin(), shape.end());
  Handle space = make_space(dims, shape.empty());
  Handle dcpl = check(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, path_, "cannot create " + quoted("dataset", name));
  H5Pset_obj_track_times(dcpl.get(), false);
  Handle d = check(H5Dcreate2(file_, name.c_str(), H5T_IEEE_F32LE, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
                   H5Dclose, path_, "cannot create " + quoted("dataset", name));
  if (n > 0 && H5Dwrite(d.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0)
    fail(path_, "cannot write " + quoted("dataset", name));
  if (d.close() < 0) fail(path_, "cannot write " + quoted("dataset", name));
}

void Writer::set_attr(const std::string& name, const AttrValue& v) {
  check_name(path_, "attribute", name);
  const std::string what = quoted("attribute", name);
  htri_t exists = H5Aexists(file_, name.c_str());
  if (exists < 0 || (exists > 0 && H5Adelete(file_, name.c_str()) < 0)) fail(path_, "cannot replace " + what);
  size_t n = v.kind == AttrValue::Kind::Strings ? v.strings.size() : v.numbers.size();
  if (v.kind == AttrValue::Kind::Other) throw Error(path_ + ": " + what + " has no value to write");
  Handle space = make_space({static_cast<hsize_t>(n)}, v.scalar && n == 1);
  if (v.kind == AttrValue::Kind::Strings) {
    Handle type = check(H5Tcopy(H5T_C_S1), H5Tclose, path_, "cannot write " + what);
    H5Tset_size(type.get(), H5T_VARIABLE);
    H5Tset_cset(type.get(), H5T_CSET_UTF8);
    std::vector<const char*> ptrs;
    for (const std::string& s : v.strings) ptrs.push_back(s.c_str());
    write_attr(file_, path_, name, type.get(), type.get(), space.get(), ptrs.data());
  } else if (v.integer) {
    std::vector<int64_t> ints;
    for (double x : v.numbers) ints.push_back(static_cast<int64_t>(std::llround(x)));
    write_attr(file_, path_, name, H5T_STD_I64LE, H5T_NATIVE_INT64, space.get(), ints.data());
  } else {
    write_attr(file_, path_, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, space.get(), v.numbers.data());
  }
}

void Writer::close() {
  if (file_ < 0) return;
  hid_t f = file_;
  file_ = -1;
  if (H5Fflush(f, H5F_SCOPE_LOCAL) < 0) {
    std::string detail = library_message();
    H5Fclose(f);
    throw Error(path_ + ": cannot be written (flush failed" + (detail.empty() ? "" : "; HDF5: " + detail) + ")");
  }
  if (H5Fclose(f) < 0) fail(path_, "cannot be closed");
}

}  // namespace h5
}  // namespace ds
