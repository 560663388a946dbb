// A small RAII wrapper over the HDF5 1.10 C API, for the project's weight files: flat files
// whose root group holds float datasets and scalar / 1-D attributes.
//
// Every handle is closed in its destructor. HDF5's automatic error printing is turned off;
// every failure is a ds::Error naming the file and the object, with HDF5's own message
// appended when it has one.
#pragma once
#include <hdf5.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "tensor/tensor.h"

namespace ds {
namespace h5 {

// Turns off HDF5's automatic printing of error stacks (once per process; idempotent).
void silence_errors();

// Owns one hid_t and closes it with the matching H5?close function. Move-only.
class Handle {
 public:
  using Closer = herr_t (*)(hid_t);
  Handle() = default;
  Handle(hid_t id, Closer closer) : id_(id), closer_(closer) {}
  ~Handle() { reset(); }
  Handle(Handle&& o) noexcept : id_(o.id_), closer_(o.closer_) { o.id_ = -1; }
  Handle& operator=(Handle&& o) noexcept;
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;

  hid_t get() const { return id_; }
  bool valid() const { return id_ >= 0; }
  void reset();    // closes now, ignoring errors
  herr_t close();  // closes now; returns HDF5's status

 private:
  hid_t id_ = -1;
  Closer closer_ = nullptr;
};

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

class Dataset {
 public:
  const std::string& name() const { return name_; }
  Shape shape() const;
  bool is_float() const;
  void read(float* dst) const;  // all elements, converted to float32; dst holds shape_numel(shape())

 private:
  friend class File;
  Dataset(Handle h, std::string file, std::string name) : h_(std::move(h)), file_(std::move(file)), name_(std::move(name)) {}
  Handle h_;
  std::string file_, name_;
};

class File {
 public:
  // Opens an existing file read-only: distinct errors for a missing file, a file that is not
  // HDF5 and an HDF5 file that cannot be opened (truncated or corrupt).
  static File open(const std::string& path);
  static File create(const std::string& path);  // creates or truncates, read-write

  const std::string& path() const { return path_; }
  std::vector<std::string> names() const;  // links in the root group, in name order
  bool is_dataset(const std::string& name) const;
  Dataset dataset(const std::string& name) const;
  void write(const std::string& name, const Shape& shape, const float* data);  // float32 dataset

  std::vector<std::string> attr_names() const;  // root attributes, in name order
  bool has_attr(const std::string& name) const;
  AttrValue attr(const std::string& name) const;
  void set_attr(const std::string& name, const AttrValue& v);

  void close();  // flushes and closes, throwing on failure (the destructor closes silently)

 private:
  File(Handle h, std::string path) : h_(std::move(h)), path_(std::move(path)) {}
  Handle h_;
  std::string path_;
};

}  // namespace h5
}  // namespace ds
