#include "tensor/tensor.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <sstream>

#include "tensor/device.h"
#include "tensor/host_blocks.h"

namespace ds {

const char* device_name(Device d) { return d == Device::CPU ? "cpu" : "cuda"; }

DeviceSpec parse_device_spec(const std::string& s) {
  if (s == "cpu") return {Device::CPU, 0};
  if (s == "cuda") return {Device::CUDA, 0};
  const std::string prefix = "cuda:";
  if (s.compare(0, prefix.size(), prefix) != 0)
    throw Error("unknown device '" + s + "': expected 'cpu', 'cuda' or 'cuda:N' (N = GPU index from 0)");
  std::string n = s.substr(prefix.size());
  // At most 4 digits: no machine has 10000 GPUs, and std::stoi cannot overflow.
  bool digits = !n.empty() && n.size() <= 4 &&
                std::all_of(n.begin(), n.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
  if (!digits) throw Error("device '" + s + "': '" + n + "' is not a GPU index (expected cuda:0, cuda:1, ...)");
  return {Device::CUDA, std::stoi(n)};
}

Device parse_device(const std::string& s) {
  DeviceSpec d = parse_device_spec(s);
  if (d.device == Device::CUDA) cuda::select_device(d.index);
  return d.device;
}

bool cuda_available() { return cuda::device_present(); }

std::string shape_str(const Shape& s) {
  std::ostringstream o;
  o << '[';
  for (size_t i = 0; i < s.size(); ++i) o << (i ? ", " : "") << s[i];
  o << ']';
  return o.str();
}

int64_t shape_numel(const Shape& s) {
  bool empty = false;
  for (int64_t d : s) {
    if (d < 0) throw Error("shape " + shape_str(s) + " has a negative dimension");
    empty = empty || d == 0;
  }
  if (empty) return 0;  // before multiplying: [2^32, 2^32, 0] holds no element, without overflow
  int64_t n = 1;
  for (int64_t d : s)
    if (__builtin_mul_overflow(n, d, &n))
      throw Error("shape " + shape_str(s) + " has more elements than a 64-bit count can hold");
  return n;
}

// ---- Storage ---------------------------------------------------------------

Storage::Storage(int64_t n, Device d) : numel(n), device(d) {
  if (n < 0) throw Error("tensor: negative element count " + std::to_string(n));
  if (static_cast<uint64_t>(n) > SIZE_MAX / sizeof(float) - 64)
    throw Error("tensor: " + std::to_string(n) + " elements do not fit in the address space");
  size_t bytes = static_cast<size_t>(n > 0 ? n : 1) * sizeof(float);
  if (d == Device::CPU) {
    data = static_cast<float*>(host_alloc(bytes));
    if (!data) throw OutOfMemory("tensor: out of host memory allocating " + std::to_string(bytes) + " bytes");
  } else {
    data = static_cast<float*>(cuda::alloc(bytes));
  }
}

Storage::~Storage() {
  if (device == Device::CPU) {
    host_free(data, static_cast<size_t>(numel > 0 ? numel : 1) * sizeof(float));
  } else {
    cuda::release(data);
  }
}

// Copies bytes between any two devices.
static void copy_bytes(void* dst, Device dd, const void* src, Device sd, size_t bytes) {
  if (bytes == 0) return;
  if (dd == Device::CPU && sd == Device::CPU) {
    std::memcpy(dst, src, bytes);
    return;
  }
  if (dd == Device::CUDA && sd == Device::CPU) cuda::copy_to_device(dst, src, bytes);
  else if (dd == Device::CPU && sd == Device::CUDA) cuda::copy_to_host(dst, src, bytes);
  else cuda::copy_on_device(dst, src, bytes);
}

// ---- Tensor ----------------------------------------------------------------

static void check_shape_valid(const Shape& s) {
  for (int64_t d : s)
    if (d < 0) throw Error("tensor: negative dimension in shape " + shape_str(s));
}

Tensor Tensor::empty(const Shape& shape, Device d) {
  check_shape_valid(shape);
  Tensor t;
  t.shape_ = shape;
  t.storage_ = std::make_shared<Storage>(shape_numel(shape), d);
  return t;
}

Tensor Tensor::zeros(const Shape& shape, Device d) { return full(shape, 0.0f, d); }

Tensor Tensor::full(const Shape& shape, float value, Device d) {
  Tensor t = empty(shape, Device::CPU);
  float* p = t.data();
  for (int64_t i = 0, n = t.numel(); i < n; ++i) p[i] = value;
  return d == Device::CPU ? t : t.to(d);
}

Tensor Tensor::from_vector(const Shape& shape, const std::vector<float>& v, Device d) {
  check_shape_valid(shape);
  if (static_cast<int64_t>(v.size()) != shape_numel(shape))
    throw Error("from_vector: " + std::to_string(v.size()) + " values do not fill shape " + shape_str(shape));
  Tensor t = empty(shape, d);
  copy_bytes(t.data(), d, v.data(), Device::CPU, v.size() * sizeof(float));
  return t;
}

int64_t Tensor::dim(int64_t i) const {
  int64_t nd = ndim();
  if (i < 0) i += nd;
  if (i < 0 || i >= nd) throw Error("tensor: dim " + std::to_string(i) + " out of range for shape " + shape_str(shape_));
  return shape_[static_cast<size_t>(i)];
}

int64_t Tensor::dim4(int64_t i) const {
  if (ndim() != 4) throw Error("tensor: expected a 4-D NCHW tensor, got shape " + shape_str(shape_));
  return shape_[static_cast<size_t>(i)];
}

Device Tensor::device() const {
  if (!storage_) throw Error("tensor: use of an undefined tensor");
  return storage_->device;
}

float* Tensor::data() {
  if (!storage_) throw Error("tensor: use of an undefined tensor");
  return storage_->data + offset_;
}

const float* Tensor::data() const {
  if (!storage_) throw Error("tensor: use of an undefined tensor");
  return storage_->data + offset_;
}

Tensor Tensor::reshape(const Shape& s) const {
  check_shape_valid(s);
  if (shape_numel(s) != numel())
    throw Error("reshape: cannot view shape " + shape_str(shape_) + " as " + shape_str(s));
  Tensor t = *this;
  t.shape_ = s;
  return t;
}

Tensor Tensor::view_batch(int64_t n0, int64_t n1) const {
  if (ndim() < 1 || n0 < 0 || n1 > shape_[0] || n0 > n1)
    throw Error("view_batch: range [" + std::to_string(n0) + ", " + std::to_string(n1) + ") invalid for shape " +
                shape_str(shape_));
  Tensor t = *this;
  int64_t per = shape_[0] ? numel() / shape_[0] : 0;
  t.offset_ += n0 * per;
  t.shape_[0] = n1 - n0;
  return t;
}

Tensor Tensor::clone() const { return to(device()); }

Tensor Tensor::to(Device d) const {
  Tensor t = empty(shape_, d);
  copy_bytes(t.data(), d, data(), device(), static_cast<size_t>(bytes()));
  return t;
}

void Tensor::copy_from(const Tensor& src) {
  if (src.numel() != numel())
    throw Error("copy_from: source shape " + shape_str(src.shape()) + " and destination shape " + shape_str(shape_) +
                " differ in size");
  copy_bytes(data(), device(), src.data(), src.device(), static_cast<size_t>(bytes()));
}

std::vector<float> Tensor::to_vector() const {
  std::vector<float> v(static_cast<size_t>(numel()));
  copy_bytes(v.data(), Device::CPU, data(), device(), static_cast<size_t>(bytes()));
  return v;
}

int64_t Tensor::flat_index(std::initializer_list<int64_t> idx) const {
  if (device() != Device::CPU) throw Error("at: element access needs a CPU tensor; call to(Device::CPU) first");
  if (static_cast<int64_t>(idx.size()) != ndim())
    throw Error("at: " + std::to_string(idx.size()) + " indices for shape " + shape_str(shape_));
  int64_t flat = 0, k = 0;
  for (int64_t i : idx) {
    int64_t n = shape_[static_cast<size_t>(k++)];
    if (i < 0 || i >= n) throw Error("at: index " + std::to_string(i) + " out of range for shape " + shape_str(shape_));
    flat = flat * n + i;
  }
  return flat;
}

float Tensor::at(std::initializer_list<int64_t> idx) const { return data()[flat_index(idx)]; }
void Tensor::set(std::initializer_list<int64_t> idx, float v) { data()[flat_index(idx)] = v; }

float Tensor::item() const {
  if (numel() != 1) throw Error("item: tensor of shape " + shape_str(shape_) + " is not a single value");
  float v = 0;
  copy_bytes(&v, Device::CPU, data(), device(), sizeof(float));
  return v;
}

// ---- checks ----------------------------------------------------------------

void check_defined(const char* op, const Tensor& t, const char* what) {
  if (!t.defined()) throw Error(std::string(op) + ": " + what + " is undefined");
}

void check_nonempty(const char* op, const Tensor& t) {
  check_defined(op, t, "input");
  if (t.numel() == 0) throw Error(std::string(op) + ": empty input of shape " + shape_str(t.shape()));
}

void check_ndim(const char* op, const Tensor& t, int64_t nd) {
  check_defined(op, t, "input");
  if (t.ndim() != nd)
    throw Error(std::string(op) + ": expected a " + std::to_string(nd) + "-D tensor, got shape " + shape_str(t.shape()));
}

void check_same_shape(const char* op, const Tensor& a, const Tensor& b) {
  if (a.shape() != b.shape())
    throw Error(std::string(op) + ": shape mismatch " + shape_str(a.shape()) + " vs " + shape_str(b.shape()));
}

void check_same_device(const char* op, const Tensor& a, const Tensor& b) {
  if (a.device() != b.device())
    throw Error(std::string(op) + ": tensors on different devices (" + device_name(a.device()) + " and " +
                device_name(b.device()) + "); move one with to()");
}

bool all_finite(const Tensor& t) {
  std::vector<float> v = t.to_vector();
  for (float x : v)
    if (!std::isfinite(x)) return false;
  return true;
}

}  // namespace ds
