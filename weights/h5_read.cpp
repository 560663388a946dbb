// h5::Reader: each call forks a reader process (weights/sandbox.h) that opens the file with
// the HDF5 library and sends back records; this process decodes them, checking every count
// against the limits before allocating.
//
// Records (after sandbox's framing; strings are u32 length + bytes):
//   'a' attribute: name, u8 kind, u8 integer, u8 scalar, u64 n, then n strings or n f64
//   'o' object:    name, u8 Object::Type, u32 rank, rank x u64 dims
//   'v' values:    name, u64 n, then n float32 (a dataset announced by an earlier 'o')
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <new>

#include "weights/h5.h"
#include "weights/h5_lib.h"
#include "weights/sandbox.h"

namespace ds {
namespace h5 {

namespace {

using sandbox::ChildError;
using sandbox::Sink;
using sandbox::Source;

// Kinds of error the reader process reports (sandbox::ChildError codes); 0 is a plain ds::Error.
enum Code : int { kPlain = 0, kCorrupt = 1, kNotHdf5 = 2 };
enum Tag : uint8_t { kAttrTag = 'a', kObjectTag = 'o', kValuesTag = 'v' };

// Bounds on what a file may hold, checked on both sides of the pipe.
constexpr size_t kMaxName = 1 << 16, kMaxString = 1 << 20;
constexpr size_t kMaxAttrs = 4096, kMaxObjects = 1 << 16, kMaxAttrValues = 1 << 16;
constexpr uint32_t kMaxRank = 32;  // H5S_MAX_RANK

std::string quoted(const std::string& kind, const std::string& name) { return kind + " '" + name + "'"; }

// ---- reader process ---------------------------------------------------------------------

// The library failed: corruption, or an allocation refused by the memory limit.
[[noreturn]] void corrupt(const std::string& what) {
  if (library_out_of_memory()) throw std::bad_alloc();
  std::string detail = library_message();
  throw ChildError(kCorrupt, what + (detail.empty() ? "" : "; HDF5: " + detail));
}

Handle checked(hid_t id, Handle::Closer closer, const std::string& what) {
  if (id < 0) corrupt(what);
  return Handle(id, closer);
}

Handle open_file(const std::string& path) {
  keep_handles_open = true;  // this is a reader process
  silence_errors();
  htri_t is = H5Fis_hdf5(path.c_str());
  if (is == 0) throw ChildError(kNotHdf5, "");
  if (is < 0) corrupt("the file cannot be read");
  return checked(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose,
                 "the file cannot be opened (truncated or damaged)");
}

std::string version() {
  unsigned major = 0, minor = 0, release = 0;
  H5get_libversion(&major, &minor, &release);
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(release);
}

// Describes the filters of a dataset's pipeline that this library lacks ("" when none). Every
// filter h5py and H5Pset_deflate add is flagged optional (skipped when it fails on writing),
// so a missing one only matters when a read fails: the chunks may have been stored unfiltered.
std::string missing_filters(hid_t d, const std::string& name) {
  Handle dcpl = checked(H5Dget_create_plist(d), H5Pclose, "cannot read the storage of " + quoted("dataset", name));
  int n = H5Pget_nfilters(dcpl.get());
  if (n < 0) corrupt("cannot read the filters of " + quoted("dataset", name));
  std::string missing;
  for (int i = 0; i < n; ++i) {
    unsigned flags = 0, config = 0;
    size_t values = 0;
    char fname[64] = {};
    H5Z_filter_t id = H5Pget_filter2(dcpl.get(), static_cast<unsigned>(i), &flags, &values, nullptr, sizeof fname,
                                     fname, &config);
    if (id < 0) corrupt("cannot read the filters of " + quoted("dataset", name));
    if (H5Zfilter_avail(id) > 0) continue;
    std::string label = fname[0] ? " (" + std::string(fname, strnlen(fname, sizeof fname)) + ")" : "";
    missing += (missing.empty() ? "" : ", ") + std::to_string(id) + label;
  }
  if (missing.empty()) return "";
  return quoted("dataset", name) + " needs HDF5 filter " + missing + ", which this HDF5 library (" + version() +
         ") does not have. This is a missing compression filter, not corruption: re-save the dataset without "
         "compression or with gzip, or install the filter's plugin (HDF5_PLUGIN_PATH)";
}

Object describe(hid_t file, const std::string& name) {
  Object o;
  o.name = name;
  Handle obj = checked(H5Oopen(file, name.c_str(), H5P_DEFAULT), H5Oclose, "cannot open " + quoted("object", name));
  if (H5Iget_type(obj.get()) != H5I_DATASET) return o;
  const std::string what = quoted("dataset", name);
  Handle type = checked(H5Dget_type(obj.get()), H5Tclose, "cannot read the type of " + what);
  Handle space = checked(H5Dget_space(obj.get()), H5Sclose, "cannot read the shape of " + what);
  H5T_class_t cls = H5Tget_class(type.get());
  H5S_class_t sc = H5Sget_simple_extent_type(space.get());
  o.type = sc == H5S_NULL ? Object::Type::Other
           : cls == H5T_FLOAT ? Object::Type::Float
           : cls == H5T_INTEGER ? Object::Type::Integer
                                : Object::Type::Other;
  int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank < 0 || static_cast<uint32_t>(rank) > kMaxRank) corrupt("cannot read the shape of " + what);
  std::vector<hsize_t> dims(static_cast<size_t>(rank));
  if (rank > 0 && H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr) < 0)
    corrupt("cannot read the shape of " + what);
  for (hsize_t x : dims) {
    if (x > static_cast<hsize_t>(std::numeric_limits<int64_t>::max()))
      throw Error(what + " declares a dimension of " + std::to_string(x) + ", more than a 64-bit count can hold");
    o.shape.push_back(static_cast<int64_t>(x));
  }
  try {
    shape_numel(o.shape);
  } catch (const Error& e) {
    throw Error(what + ": " + e.what());
  }
  return o;
}

// The values of an attribute, within kMaxAttrValues values and kMaxString bytes per string.
AttrValue read_attr(hid_t file, const std::string& name) {
  const std::string what = quoted("attribute", name);
  Handle a = checked(H5Aopen(file, name.c_str(), H5P_DEFAULT), H5Aclose, "cannot open " + what);
  Handle type = checked(H5Aget_type(a.get()), H5Tclose, "cannot read the type of " + what);
  Handle space = checked(H5Aget_space(a.get()), H5Sclose, "cannot read the shape of " + what);
  AttrValue v;
  v.scalar = H5Sget_simple_extent_type(space.get()) == H5S_SCALAR;
  const hssize_t n = H5Sget_simple_extent_npoints(space.get());
  if (n < 0) corrupt("cannot read the shape of " + what);
  if (static_cast<size_t>(n) > kMaxAttrValues)
    throw Error(what + " holds " + std::to_string(n) + " values, more than " + std::to_string(kMaxAttrValues));
  const size_t count = static_cast<size_t>(n);
  H5T_class_t cls = H5Tget_class(type.get());
  if (cls == H5T_STRING) {
    v.kind = AttrValue::Kind::Strings;
    if (H5Tis_variable_str(type.get()) > 0) {
      Handle mem = checked(H5Tcopy(H5T_C_S1), H5Tclose, "cannot read " + what);
      H5Tset_size(mem.get(), H5T_VARIABLE);
      H5Tset_cset(mem.get(), H5Tget_cset(type.get()));
      std::vector<char*> buf(count, nullptr);
      if (count > 0 && H5Aread(a.get(), mem.get(), buf.data()) < 0) corrupt("cannot read " + what);
      for (char* s : buf) v.strings.push_back(s ? std::string(s, strnlen(s, kMaxString)) : "");
#if H5_VERSION_GE(1, 12, 0)
      if (count > 0) H5Treclaim(mem.get(), space.get(), H5P_DEFAULT, buf.data());
#else
      if (count > 0) H5Dvlen_reclaim(mem.get(), space.get(), H5P_DEFAULT, buf.data());
#endif
    } else {
      size_t size = H5Tget_size(type.get());
      if (size == 0 || size > kMaxString || size * count > kMaxString * 16)
        throw Error(what + " holds strings of " + std::to_string(size) + " bytes, too long for an attribute");
      std::vector<char> buf(size * count + 1, '\0');
      if (count > 0 && H5Aread(a.get(), type.get(), buf.data()) < 0) corrupt("cannot read " + what);
      bool spacepad = H5Tget_strpad(type.get()) == H5T_STR_SPACEPAD;
      for (size_t i = 0; i < count; ++i) {
        const char* s = buf.data() + i * size;
        std::string str(s, strnlen(s, size));
        if (spacepad) str.erase(str.find_last_not_of(' ') + 1);
        v.strings.push_back(str);
      }
    }
  } else if (cls == H5T_INTEGER || cls == H5T_FLOAT) {
    v.kind = AttrValue::Kind::Numbers;
    v.integer = cls == H5T_INTEGER;
    v.numbers.resize(count);
    if (count > 0 && H5Aread(a.get(), H5T_NATIVE_DOUBLE, v.numbers.data()) < 0) corrupt("cannot read " + what);
  }
  return v;
}

void send_attr(Sink& out, const std::string& name, const AttrValue& v) {
  out.u8(kAttrTag);
  out.str(name);
  out.u8(static_cast<uint8_t>(v.kind));
  out.u8(v.integer);
  out.u8(v.scalar);
  out.u64(v.kind == AttrValue::Kind::Strings ? v.strings.size() : v.numbers.size());
  for (const std::string& s : v.strings) out.str(s);
  for (double x : v.numbers) out.f64(x);
}

void send_object(Sink& out, const Object& o) {
  out.u8(kObjectTag);
  out.str(o.name);
  out.u8(static_cast<uint8_t>(o.type));
  out.u32(static_cast<uint32_t>(o.shape.size()));
  for (int64_t d : o.shape) out.u64(static_cast<uint64_t>(d));
}

// Reads the box [start, start + count) of a numeric dataset (all of it when start is empty)
// as float32 and sends it.
void send_values(Sink& out, hid_t file, const Object& o, const Shape& start, const Shape& count) {
  const std::string what = quoted("dataset", o.name);
  Handle d = checked(H5Dopen2(file, o.name.c_str(), H5P_DEFAULT), H5Dclose, "cannot open " + what);
  const std::string missing = missing_filters(d.get(), o.name);
  const int64_t n = shape_numel(count);
  std::vector<float> v(static_cast<size_t>(n));
  if (n > 0) {
    herr_t r;
    if (start.empty()) {
      r = H5Dread(d.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data());
    } else {
      Handle fspace = checked(H5Dget_space(d.get()), H5Sclose, "cannot read the shape of " + what);
      std::vector<hsize_t> st(start.begin(), start.end()), ct(count.begin(), count.end());
      Handle mspace = checked(H5Screate_simple(static_cast<int>(ct.size()), ct.data(), nullptr), H5Sclose,
                              "cannot read " + what);
      if (H5Sselect_hyperslab(fspace.get(), H5S_SELECT_SET, st.data(), nullptr, ct.data(), nullptr) < 0)
        corrupt("cannot select part of " + what);
      r = H5Dread(d.get(), H5T_NATIVE_FLOAT, mspace.get(), fspace.get(), H5P_DEFAULT, v.data());
    }
    if (r < 0 && !missing.empty()) throw Error(missing);
    if (r < 0) corrupt("cannot read " + what);
  }
  out.u8(kValuesTag);
  out.str(o.name);
  out.u64(static_cast<uint64_t>(n));
  out.raw(v.data(), v.size() * sizeof(float));
}

std::string limit_str(int64_t max) {
  return "; the limit is " + std::to_string(max) + " elements per read (raise it with DEPTHSTYLE_H5_MAX_ELEMENTS)";
}

void child_root(const std::string& path, bool values, int64_t max_elements, Sink& out) {
  Handle f = open_file(path);
  std::vector<std::string> names;
  hsize_t idx = 0;
  herr_t r = H5Aiterate2(
      f.get(), H5_INDEX_NAME, H5_ITER_INC, &idx,
      [](hid_t, const char* name, const H5A_info_t*, void* data) -> herr_t {
        auto* v = static_cast<std::vector<std::string>*>(data);
        v->push_back(std::string(name, strnlen(name, kMaxName)));
        return v->size() > kMaxAttrs ? 1 : 0;
      },
      &names);
  if (r < 0) corrupt("cannot list the root attributes");
  if (names.size() > kMaxAttrs) throw Error("more than " + std::to_string(kMaxAttrs) + " root attributes");
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) send_attr(out, name, read_attr(f.get(), name));

  H5G_info_t info;
  if (H5Gget_info(f.get(), &info) < 0) corrupt("cannot list the root group");
  if (info.nlinks > kMaxObjects)
    throw Error("the root group holds " + std::to_string(info.nlinks) + " objects, more than " +
                std::to_string(kMaxObjects));
  std::vector<Object> objects;
  std::vector<char> name(kMaxName + 1, '\0');
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    if (H5Lget_name_by_idx(f.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(), name.size(), H5P_DEFAULT) < 0)
      corrupt("cannot list the root group");
    objects.push_back(describe(f.get(), name.data()));
    send_object(out, objects.back());
  }
  if (!values) return;
  int64_t total = 0;
  for (const Object& o : objects) {
    if (o.type != Object::Type::Float) continue;
    int64_t n = shape_numel(o.shape);
    total += n;  // no overflow: each n fits in int64 and the sum stops at the first above the limit
    if (total > max_elements)
      throw Error(quoted("dataset", o.name) + " declares shape " + shape_str(o.shape) + " (" + std::to_string(n) +
                  " elements)" + (total > n ? ", bringing the file's float datasets to " + std::to_string(total) : "") +
                  limit_str(max_elements));
  }
  for (const Object& o : objects)
    if (o.type == Object::Type::Float) send_values(out, f.get(), o, {}, o.shape);
}

// Sends a dataset's 'o' record and, with `read`, its values (the box start/count, or all when
// start is empty).
void child_dataset(const std::string& path, const std::string& name, bool read, const Shape& start,
                   const Shape& count, int64_t max_elements, Sink& out) {
  Handle f = open_file(path);
  if (name.empty() || H5Lexists(f.get(), name.c_str(), H5P_DEFAULT) <= 0) throw Error("no " + quoted("dataset", name));
  Object o = describe(f.get(), name);
  if (o.type == Object::Type::Group) throw Error("'" + name + "' is not a dataset");
  send_object(out, o);
  if (!read) return;
  const std::string what = quoted("dataset", name);
  if (o.type == Object::Type::Other) throw Error(what + " is not numeric; expected integer or float samples");
  const Shape& box = start.empty() ? o.shape : count;
  if (!start.empty()) {
    bool inside = start.size() == o.shape.size() && count.size() == o.shape.size();
    for (size_t i = 0; inside && i < start.size(); ++i)
      inside = start[i] >= 0 && count[i] >= 1 && count[i] <= o.shape[i] - start[i];
    if (!inside)
      throw Error(what + ": the part " + shape_str(start) + " + " + shape_str(count) + " is outside its shape " +
                  shape_str(o.shape));
  }
  int64_t n = shape_numel(box);
  if (n > max_elements)
    throw Error(what + " declares shape " + shape_str(o.shape) + " (" + std::to_string(shape_numel(o.shape)) +
                " elements)" + (start.empty() ? "" : "; the part to read, " + shape_str(count) + ", has " + std::to_string(n)) +
                limit_str(max_elements));
  send_values(out, f.get(), o, start, box);
}

// ---- this process: decoding, with every count checked before allocating ------------------

[[noreturn]] void malformed(const std::string& what) {
  throw sandbox::ChildFailure(sandbox::ChildFailure::Kind::Malformed, "malformed reply from the reader process: " + what);
}

void expect_tag(Source& in, uint8_t tag) {
  if (in.tag() != tag) malformed("unexpected record");
}

Object receive_object(Source& in) {
  Object o;
  o.name = in.str(kMaxName);
  uint8_t t = in.u8();
  if (t > static_cast<uint8_t>(Object::Type::Group)) malformed("object type " + std::to_string(t));
  o.type = static_cast<Object::Type>(t);
  uint32_t rank = in.u32();
  if (rank > kMaxRank) malformed("rank " + std::to_string(rank));
  for (uint32_t i = 0; i < rank; ++i) {
    uint64_t d = in.u64();
    if (d > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) malformed("dimension");
    o.shape.push_back(static_cast<int64_t>(d));
  }
  try {
    shape_numel(o.shape);
  } catch (const Error&) {
    malformed("shape " + shape_str(o.shape));
  }
  return o;
}

AttrValue receive_attr(Source& in) {
  AttrValue v;
  uint8_t kind = in.u8();
  if (kind > static_cast<uint8_t>(AttrValue::Kind::Other)) malformed("attribute kind");
  v.kind = static_cast<AttrValue::Kind>(kind);
  v.integer = in.u8() != 0;
  v.scalar = in.u8() != 0;
  uint64_t n = in.u64();
  if (n > kMaxAttrValues) malformed("attribute of " + std::to_string(n) + " values");
  for (uint64_t i = 0; v.kind == AttrValue::Kind::Strings && i < n; ++i) v.strings.push_back(in.str(kMaxString));
  for (uint64_t i = 0; v.kind == AttrValue::Kind::Numbers && i < n; ++i) v.numbers.push_back(in.f64());
  return v;
}

// Reads a values record's count after its name; it must be `want`, and keep `total` within max.
int64_t receive_count(Source& in, int64_t want, int64_t& total, int64_t max) {
  uint64_t n = in.u64();
  if (n != static_cast<uint64_t>(want)) malformed("value count " + std::to_string(n) + ", expected " + std::to_string(want));
  if (want > max - total) malformed("more values than the element limit");
  total += want;
  return want;
}

}  // namespace

Reader::Reader(std::string path, std::string expected, Limits limits)
    : path_(std::move(path)), expected_(std::move(expected)), limits_(limits) {
  struct stat st;
  if (::stat(path_.c_str(), &st) != 0) {
    if (errno == ENOENT) throw Error(path_ + ": not found");
    throw Error(path_ + ": cannot be read (" + std::strerror(errno) + ")");
  }
  if (S_ISDIR(st.st_mode)) throw Error(path_ + ": is a directory");
  by_size_ = !(limits_.timeout_s > 0);
  if (by_size_) limits_.timeout_s = Limits::timeout_for_size(static_cast<uint64_t>(st.st_size));
  int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw Error(path_ + ": cannot be read (" + std::strerror(errno) + ")");
  ::close(fd);
}

namespace {

}  // namespace

void Reader::call(const std::function<void(Sink&)>& child, const std::function<void(Source&)>& parent) const {
  try {
    sandbox::run({limits_.timeout_s, limits_.memory_mib}, child, parent);
  } catch (const sandbox::ChildFailure& e) {
    using K = sandbox::ChildFailure::Kind;
    std::string hint = e.kind() == K::OutOfMemory ? "; DEPTHSTYLE_H5_MEMORY_MB raises the limit for a genuine file"
                       : e.kind() != K::TimedOut  ? ""
                       : by_size_ ? "; the limit is " + Limits::timeout_rule() + "; DEPTHSTYLE_H5_TIMEOUT_S raises it for a genuine file"
                                  : "; DEPTHSTYLE_H5_TIMEOUT_S raises the limit for a genuine file";
    throw Error(path_ + ": corrupt or unsupported HDF5 file (" + e.what() + hint + ")");
  } catch (const ChildError& e) {
    if (e.code() == kCorrupt) throw Error(path_ + ": corrupt or unsupported HDF5 file (" + e.what() + ")");
    if (e.code() == kNotHdf5)
      throw Error(path_ + ": not an HDF5 file (no HDF5 signature)" + (expected_.empty() ? "" : "; expected " + expected_));
    throw Error(path_ + ": " + e.what());
  }
}

Root Reader::root(bool values) const {
  Root root;
  call(
      [&](Sink& out) { child_root(path_, values, limits_.max_elements, out); },
      [&](Source& in) {
        int64_t total = 0;
        for (uint8_t t = in.tag(); t != Source::kEnd; t = in.tag()) {
          if (t == kAttrTag && root.attrs.size() < kMaxAttrs) {
            std::string name = in.str(kMaxName);
            root.attrs[name] = receive_attr(in);
          } else if (t == kObjectTag && root.objects.size() < kMaxObjects) {
            root.objects.push_back(receive_object(in));
          } else if (t == kValuesTag && values) {
            std::string name = in.str(kMaxName);
            auto it = std::find_if(root.objects.begin(), root.objects.end(), [&](const Object& o) {
              return o.name == name && o.type == Object::Type::Float && !o.values.defined();
            });
            if (it == root.objects.end()) malformed("values of an unannounced dataset");
            int64_t n = receive_count(in, shape_numel(it->shape), total, limits_.max_elements);
            it->values = Tensor::empty(it->shape);
            in.raw(it->values.data(), static_cast<size_t>(n) * sizeof(float));
          } else {
            malformed("unexpected record");
          }
        }
      });
  return root;
}

AttrValue Reader::attr(const std::string& name) const {
  Root r = root(false);
  auto it = r.attrs.find(name);
  if (it == r.attrs.end()) throw Error(path_ + ": no " + quoted("attribute", name));
  return it->second;
}

Object Reader::info(const std::string& dataset) const {
  Object o;
  call(
      [&](Sink& out) { child_dataset(path_, dataset, false, {}, {}, limits_.max_elements, out); },
      [&](Source& in) {
        expect_tag(in, kObjectTag);
        o = receive_object(in);
        expect_tag(in, Source::kEnd);
      });
  return o;
}

std::vector<float> Reader::read(const std::string& dataset) const { return read(dataset, {}, {}); }

std::vector<float> Reader::read(const std::string& dataset, const Shape& start, const Shape& count) const {
  if (start.empty() != count.empty()) throw Error(path_ + ": reading " + quoted("dataset", dataset) + ": start and count differ in rank");
  std::vector<float> v;
  call(
      [&](Sink& out) { child_dataset(path_, dataset, true, start, count, limits_.max_elements, out); },
      [&](Source& in) {
        expect_tag(in, kObjectTag);
        Object o = receive_object(in);
        expect_tag(in, kValuesTag);
        if (in.str(kMaxName) != dataset) malformed("values of another dataset");
        int64_t total = 0;
        int64_t n = receive_count(in, shape_numel(start.empty() ? o.shape : count), total, limits_.max_elements);
        v.resize(static_cast<size_t>(n));
        in.raw(v.data(), v.size() * sizeof(float));
        expect_tag(in, Source::kEnd);
      });
  return v;
}

}  // namespace h5
}  // namespace ds
