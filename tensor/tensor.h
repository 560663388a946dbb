// Tensor: contiguous NCHW float32 storage with a device tag.
//
// Invariants
//   - Elements are always contiguous, row-major over shape() (N, C, H, W for 4-D).
//   - A Tensor is a cheap handle: copying it shares the storage (like a pointer).
//     reshape()/view_batch() return views on the same storage; clone()/to() copy.
//   - The device of a tensor never changes; to(device) returns a new tensor.
//   - Every failure is a ds::Error whose message names the operation and shapes.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "tensor/error.h"

namespace ds {

enum class Device { CPU, CUDA };
const char* device_name(Device d);
// A --device value: "cpu", "cuda" (= "cuda:0") or "cuda:N" with N a GPU index as CUDA numbers
// them (after CUDA_VISIBLE_DEVICES). Text only, no device needed; throws ds::Error otherwise.
struct DeviceSpec {
  Device device = Device::CPU;
  int index = 0;  // the GPU, for Device::CUDA
};
DeviceSpec parse_device_spec(const std::string& s);
// parse_device_spec, then for CUDA makes GPU N this process's device (cuda::select_device).
// Throws ds::Error when the build or the machine has no CUDA device, or N >= the device count.
Device parse_device(const std::string& s);
bool cuda_available();                       // built with CUDA and a device is present

using Shape = std::vector<int64_t>;
std::string shape_str(const Shape& s);  // "[2, 3, 5, 5]"
int64_t shape_numel(const Shape& s);

// Owned block of device or host memory; freed through the allocator of its device.
struct Storage {
  float* data = nullptr;
  int64_t numel = 0;
  Device device = Device::CPU;
  Storage(int64_t n, Device d);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;
};

class Tensor {
 public:
  Tensor() = default;  // undefined tensor: defined() == false

  static Tensor empty(const Shape& shape, Device d = Device::CPU);  // contents unspecified
  static Tensor zeros(const Shape& shape, Device d = Device::CPU);
  static Tensor full(const Shape& shape, float value, Device d = Device::CPU);
  static Tensor from_vector(const Shape& shape, const std::vector<float>& v, Device d = Device::CPU);
  static Tensor scalar(float v, Device d = Device::CPU) { return full({1}, v, d); }

  bool defined() const { return storage_ != nullptr; }
  const Shape& shape() const { return shape_; }
  int64_t ndim() const { return static_cast<int64_t>(shape_.size()); }
  int64_t dim(int64_t i) const;  // negative i counts from the end
  int64_t numel() const { return shape_numel(shape_); }
  int64_t bytes() const { return numel() * static_cast<int64_t>(sizeof(float)); }
  Device device() const;
  bool is_cuda() const { return device() == Device::CUDA; }
  // 4-D accessors; throw unless ndim() == 4.
  int64_t N() const { return dim4(0); }
  int64_t C() const { return dim4(1); }
  int64_t H() const { return dim4(2); }
  int64_t W() const { return dim4(3); }

  float* data();
  const float* data() const;

  // Views (no copy). reshape keeps numel; view_batch takes batch items [n0, n1).
  Tensor reshape(const Shape& s) const;
  Tensor view_batch(int64_t n0, int64_t n1) const;

  // Copies.
  Tensor clone() const;
  Tensor to(Device d) const;  // always a copy, also when d == device()
  void copy_from(const Tensor& src);  // same numel; any devices
  std::vector<float> to_vector() const;  // host copy of all elements

  // Element access for CPU tensors (bounds checked; slow, for tests and tools).
  float at(std::initializer_list<int64_t> idx) const;
  void set(std::initializer_list<int64_t> idx, float v);
  float item() const;  // numel() == 1; works on any device
  // Number of tensors sharing this storage (tests use it to check what autograd keeps alive).
  long storage_use_count() const { return storage_.use_count(); }

 private:
  int64_t dim4(int64_t i) const;
  int64_t flat_index(std::initializer_list<int64_t> idx) const;
  std::shared_ptr<Storage> storage_;
  int64_t offset_ = 0;
  Shape shape_;
};

// Checks used by the op layer. Each throws ds::Error naming the op and the shapes.
void check_defined(const char* op, const Tensor& t, const char* what);
void check_nonempty(const char* op, const Tensor& t);
void check_ndim(const char* op, const Tensor& t, int64_t nd);
void check_same_shape(const char* op, const Tensor& a, const Tensor& b);
void check_same_device(const char* op, const Tensor& a, const Tensor& b);
bool all_finite(const Tensor& t);  // no NaN or Inf (copies to host if needed)

}  // namespace ds
