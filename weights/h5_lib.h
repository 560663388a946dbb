// Private to weights/h5*.cpp: RAII handles and error text over the HDF5 C API.
#pragma once
#include <hdf5.h>

#include <string>
#include <type_traits>

static_assert(std::is_same<hid_t, int64_t>::value, "weights/h5.h stores hid_t as int64_t (HDF5 >= 1.10)");

namespace ds {
namespace h5 {

// Turns off HDF5's printing of error stacks (we report failures ourselves); idempotent.
void silence_errors();

// The innermost description on HDF5's error stack (its most specific message), or "".
std::string library_message();

// True when HDF5's error stack says an allocation failed (a memory limit was hit).
bool library_out_of_memory();

// Set in reader processes (h5_read.cpp), which end with _exit: their handles are left open,
// since nothing needs flushing and closing objects of a corrupt file is where HDF5 1.10.8
// crashes (a segfault closing a corrupt attribute), which would hide the error being reported.
extern bool keep_handles_open;

// Owns one hid_t and closes it with the matching H5?close function. Move-only.
class Handle {
 public:
  using Closer = herr_t (*)(hid_t);
  Handle() = default;
  Handle(hid_t id, Closer closer) : id_(id), closer_(closer) {}
  ~Handle() { reset(); }
  Handle(Handle&& o) noexcept : id_(o.id_), closer_(o.closer_) { o.id_ = -1; }
  Handle& operator=(Handle&& o) noexcept {
    if (this != &o) reset(), id_ = o.id_, closer_ = o.closer_, o.id_ = -1;
    return *this;
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;

  hid_t get() const { return id_; }
  bool valid() const { return id_ >= 0; }
  void reset() {  // closes now, ignoring errors
    if (id_ >= 0 && closer_ && !keep_handles_open) closer_(id_);
    id_ = -1;
  }
  herr_t close() {  // closes now; returns HDF5's status
    herr_t r = id_ >= 0 && closer_ ? closer_(id_) : 0;
    id_ = -1;
    return r;
  }

 private:
  hid_t id_ = -1;
  Closer closer_ = nullptr;
};

}  // namespace h5
}  // namespace ds
