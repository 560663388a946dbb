// HDF5 files: reading user-supplied ones safely (h5::Reader) and writing the project's own
// (h5::Writer), over the HDF5 1.10 C API. hdf5.h stays out of this header.
//
// Reading. Debian's libhdf5 1.10.8 overflows the heap, crashes or loops forever on some
// corrupt files, so every Reader call runs the library in a child process
// (weights/sandbox.h) that reads what was asked (attributes, dataset shapes, whole datasets
// or hyperslabs, converted to float32) and sends it back over a pipe; this process checks
// every size in the reply before allocating. Limits, from the environment at each Reader's
// construction (an invalid value is an error naming the variable):
//   DEPTHSTYLE_H5_TIMEOUT_S     wall-clock seconds one call may take, also its CPU time
//                               (default by the file's size: 5 s + 1 s per 20 MB, Limits below)
//   DEPTHSTYLE_H5_MEMORY_MB     MiB the reading process may allocate beyond what it starts with (2048)
//   DEPTHSTYLE_H5_MAX_ELEMENTS  elements one call may return, all its datasets together
//                               (268435456 = 2^28, 1 GiB of float32; VGG16 holds 138e6)
// Shapes are checked against the element limit (and for int64 overflow) from the declared
// dataspace, before any data is read, so a 1 KB file declaring 65536 x 65536 is refused at once.
//
// Errors: ds::Error whose message starts with the file's path, then one of
//   "not found" | "is a directory" | "not an HDF5 file (no HDF5 signature)[; expected KIND]"
//   "corrupt or unsupported HDF5 file (WHAT)": the library reported an error, or its process
//       crashed ("signal 11 (Segmentation fault)"), hung ("timed out after 5 s") or ran out of
//       its memory ("ran out of the 2048 MiB memory limit")
//   "dataset 'x' needs HDF5 filter N (NAME), which this HDF5 library does not have ...": a
//       compression this build cannot decode, which is not corruption
//   "dataset 'x' declares shape [...] (N elements) ...; the limit is L elements ..."
//   "no dataset 'x'", "'x' is not a dataset", "dataset 'x' is not numeric ...", ...
//
// Writing stays in this process (the files are our own) and goes through ds::AtomicFile, so a
// failed or interrupted write never leaves half a file at the destination.
#pragma once
#include <cmath>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "tensor/file_util.h"
#include "tensor/tensor.h"

namespace ds {
namespace sandbox {
class Sink;
class Source;
}  // namespace sandbox

namespace h5 {

// The value of an attribute: strings, or numbers (any integer or float type, read as double).
// Types other than these (compound, enum, ...) read as Kind::Other.
struct AttrValue {
  enum class Kind { Strings, Numbers, Other };
  Kind kind = Kind::Other;
  std::vector<std::string> strings;
  std::vector<double> numbers;
  bool integer = false;  // numbers: stored (or to be stored) as a 64-bit integer type
  bool scalar = true;    // one value in a scalar dataspace (else a 1-D array)

  static AttrValue string(std::string s);
  static AttrValue number(double v);
  static AttrValue integer_value(int64_t v);
  static AttrValue array(std::vector<double> v);
  bool operator==(const AttrValue& o) const;
  std::string str() const;  // for messages: "RGB", "[0.485, 0.456, 0.406]", "1"
};

struct Limits {
  // Seconds one call may take; 0 (the default) means by the file's size, timeout_for_size().
  // A corrupt file can make libhdf5 loop forever (a global heap object whose size field is
  // damaged lands its parser on a zero-size free-space header, which never advances: found on
  // a 10 KB file), and every user waited the whole deadline (60 s before) for a small file.
  double timeout_s = 0;
  int64_t memory_mib = 2048;
  int64_t max_elements = int64_t{1} << 28;
  static Limits from_env();  // the defaults above, overridden by the DEPTHSTYLE_H5_* variables
  // 5 s, plus 1 s per whole 20 MB of file: a genuine read (reading, converting to float32,
  // sending through the pipe) ran at 230 MB/s on a loaded 2-core machine, so 20 MB/s leaves a
  // tenfold margin; a 1 KB file fails in 5 s, VGG16 (553 MB) in 32 s.
  static constexpr double kBaseTimeoutS = 5, kBytesPerSecond = 20e6;
  static double timeout_for_size(uint64_t file_bytes) {
    return kBaseTimeoutS + std::floor(static_cast<double>(file_bytes) / kBytesPerSecond);  // whole seconds
  }
  static std::string timeout_rule();  // "5 s + 1 s per 20 MB of file", for messages
};

// An object in a file: a dataset (with its element type and shape) or anything else (Group).
struct Object {
  enum class Type { Float, Integer, Other, Group };
  std::string name;
  Type type = Type::Group;
  Shape shape;    // datasets: the dataspace's extent, slowest axis first (h5py order); [] when scalar
  Tensor values;  // Reader::root(true): float datasets' values, a float32 CPU tensor of `shape`
};

struct Root {
  std::map<std::string, AttrValue> attrs;  // every root attribute
  std::vector<Object> objects;             // every link in the root group, in name order
};

class Reader {
 public:
  // Checks that the file exists and is not a folder. `expected` ("a MATLAB v7.3 .mat file")
  // completes the not-HDF5 message. A limits.timeout_s of 0 becomes the file's timeout_for_size.
  explicit Reader(std::string path, std::string expected = "", Limits limits = Limits::from_env());

  const std::string& path() const { return path_; }
  const Limits& limits() const { return limits_; }
  // The root group's attributes and objects; with `values`, also the values of every float
  // dataset in it (the element limit applies to their sum).
  Root root(bool values) const;
  AttrValue attr(const std::string& name) const;  // a root attribute; error when absent
  // A dataset's type and shape (`dataset` may be a path such as "group/depth").
  Object info(const std::string& dataset) const;
  // A numeric dataset's elements converted to float32, row-major: all of them, or the box
  // [start, start + count) (each of rank equal to the dataset's).
  std::vector<float> read(const std::string& dataset) const;
  std::vector<float> read(const std::string& dataset, const Shape& start, const Shape& count) const;

 private:
  // Runs child in a reader process and parent on its reply; errors name the file.
  void call(const std::function<void(sandbox::Sink&)>& child, const std::function<void(sandbox::Source&)>& parent) const;
  std::string path_, expected_;
  Limits limits_;
  bool by_size_ = false;  // the timeout came from the file's size (for the message)
};

// Writes a new HDF5 file at out.temp_path() (out.commit() then puts it in place); messages
// name out.path(). Datasets are float32 in the root group, attributes are root attributes.
class Writer {
 public:
  explicit Writer(const AtomicFile& out);
  ~Writer();  // closes silently; call close() to learn of a failure
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  void write(const std::string& name, const Shape& shape, const float* data);
  void set_attr(const std::string& name, const AttrValue& v);
  void close();  // flushes and closes, throwing on failure

 private:
  int64_t file_ = -1;  // hid_t
  std::string path_;
};

}  // namespace h5
}  // namespace ds
