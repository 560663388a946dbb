// CUDA runtime: device query, the caching device allocator, copies, the stream and the
// library handles. Host code only (no kernels), so it is compiled by the C++ compiler.
// CPU twin: the host branch of Storage and copy_bytes in tensor/tensor.cpp.
#include <algorithm>
#include <atomic>
#include <cstring>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "cuda/check.h"
#include "tensor/tensor.h"

namespace ds {
namespace cuda {

// ---- errors (the message itself: tensor/device.cpp) ---------------------------

void throw_error(const char* library, const char* call, const char* file, int line, int code, const char* detail) {
  throw Error(error_message(library, call, file, line, code, detail));
}

// ---- device query ------------------------------------------------------------

namespace {
struct Presence {
  bool present = false;
  int count = 0;
  std::string reason;  // why not, for error messages
};

const Presence& presence() {
  static const Presence p = [] {
    Presence r;
    int n = 0;
    cudaError_t e = cudaGetDeviceCount(&n);
    if (e != cudaSuccess) {
      cudaGetLastError();  // clear it, so later calls do not report it again
      r.reason = std::string("cudaGetDeviceCount: ") + cudaGetErrorString(e);
    } else if (n == 0) {
      r.reason = "cudaGetDeviceCount found no device";
    } else {
      r.present = true;
      r.count = n;
    }
    return r;
  }();
  return p;
}

// The GPU this process started working on (its stream, handles and first cudaMalloc), -1
// before: select_device may then no longer switch to another one.
std::atomic<int> g_started_device{-1};
void note_started() {
  if (g_started_device.load() >= 0) return;
  int d = 0;
  if (cudaGetDevice(&d) == cudaSuccess) g_started_device = d;
}
}  // namespace

bool device_present() {
  try {
    return presence().present;
  } catch (...) {  // e.g. std::bad_alloc: still "no usable device", never an exception
    return false;
  }
}

int device_count() { return device_present() ? presence().count : 0; }

void select_device(int index) {
  const std::string what = "device cuda:" + std::to_string(index);
  if (!device_present()) throw Error(what + ": no usable CUDA device (" + presence().reason + ")");
  const int n = presence().count;
  if (index < 0 || index >= n)
    throw Error(what + ": this machine has " + std::to_string(n) + " CUDA device(s), cuda:0 to cuda:" +
                std::to_string(n - 1) + " (CUDA_VISIBLE_DEVICES changes which ones)");
  const int started = g_started_device.load();
  if (started >= 0 && started != index)
    throw Error(what + ": this process already works on cuda:" + std::to_string(started) +
                "; choose the GPU before the first CUDA tensor");
  DS_CUDA_CHECK(cudaSetDevice(index));
}

// ---- stream and handles ------------------------------------------------------
// Created on first use and never destroyed: destroying them from static destructors can
// run after the driver has shut down.

cudaStream_t stream() {
  static cudaStream_t s = [] {
    cudaStream_t t = nullptr;
    note_started();
    DS_CUDA_CHECK(cudaStreamCreateWithFlags(&t, cudaStreamNonBlocking));
    return t;
  }();
  return s;
}

cudnnHandle_t cudnn_handle() {
  static cudnnHandle_t h = [] {
    cudnnHandle_t t = nullptr;
    note_started();
    DS_CUDNN_CHECK(cudnnCreate(&t));
    DS_CUDNN_CHECK(cudnnSetStream(t, stream()));
    return t;
  }();
  return h;
}

cublasHandle_t cublas_handle() {
  static cublasHandle_t h = [] {
    cublasHandle_t t = nullptr;
    note_started();
    DS_CUBLAS_CHECK(cublas().create(&t));
    DS_CUBLAS_CHECK(cublas().set_stream(t, stream()));
    return t;
  }();
  return h;
}

static std::atomic<bool> g_allow_tf32{false};
void set_allow_tf32(bool on) { g_allow_tf32 = on; }
bool allow_tf32() { return g_allow_tf32; }

// ---- caching allocator ---------------------------------------------------------
// Blocks are cudaMalloc'ed in size classes and, when released, kept on a free list per
// class. A training loop asks for the same sizes every iteration, so after the first one
// every request is served from a free list: no cudaMalloc/cudaFree (each of which may
// synchronise the device) in the steady state.

namespace {

// 512-byte steps up to 1 MiB; above, four classes per power of two (at most 25% waste),
// so tensors of nearly equal size share blocks.
size_t size_class(size_t n) {
  constexpr size_t kSmall = size_t(1) << 20, kStep = 512;
  if (n <= kSmall) return (n + kStep - 1) / kStep * kStep;
  size_t top = kSmall;
  while (top <= n / 2) top *= 2;
  size_t step = top / 4;
  return (n + step - 1) / step * step;
}

struct Allocator {
  std::mutex mu;
  std::unordered_map<size_t, std::vector<void*>> free_lists;  // size class -> cached blocks
  std::unordered_map<void*, size_t> live;                      // block -> size class
  AllocStats stats;

  void free_cached() {  // caller holds mu
    for (auto& [size, blocks] : free_lists)
      for (void* p : blocks) {
        cudaFree(p);  // errors here are not actionable; the memory is lost either way
        stats.bytes_cached -= size;
      }
    free_lists.clear();
  }
};

// Never destroyed: tensors released during static destruction must still find it.
Allocator& allocator() {
  static Allocator* a = new Allocator;
  return *a;
}

std::string mib(size_t bytes) { return std::to_string(bytes / (1024 * 1024)) + " MiB"; }

}  // namespace

void* alloc(size_t bytes) {
  if (!device_present()) throw Error("CUDA: cannot allocate device memory: no usable CUDA device (" + presence().reason + ")");
  size_t size = size_class(bytes > 0 ? bytes : 1);
  Allocator& a = allocator();
  std::lock_guard<std::mutex> lock(a.mu);
  auto it = a.free_lists.find(size);
  void* p = nullptr;
  if (it != a.free_lists.end() && !it->second.empty()) {
    p = it->second.back();
    it->second.pop_back();
    a.stats.bytes_cached -= size;
  } else {
    note_started();
    ++a.stats.malloc_calls;
    cudaError_t e = cudaMalloc(&p, size);
    if (e == cudaErrorMemoryAllocation) {  // give the cache back to the driver and try once more
      cudaGetLastError();
      a.free_cached();
      ++a.stats.malloc_calls;
      e = cudaMalloc(&p, size);
    }
    if (e == cudaErrorMemoryAllocation) {
      cudaGetLastError();
      size_t free_b = 0, total_b = 0;
      cudaMemGetInfo(&free_b, &total_b);
      cudaGetLastError();
      throw Error("CUDA out of memory: asked for " + std::to_string(bytes) + " bytes (" + mib(bytes) + "); depthstyle holds " +
                  std::to_string(a.stats.bytes_in_use) + " bytes in tensors, device has " + mib(free_b) + " free of " +
                  mib(total_b));
    }
    DS_CUDA_CHECK(e);
  }
  a.live[p] = size;
  a.stats.bytes_in_use += size;
  a.stats.peak_bytes_in_use = std::max(a.stats.peak_bytes_in_use, a.stats.bytes_in_use);
  return p;
}

void release(void* p) {
  if (!p) return;
  try {
    Allocator& a = allocator();
    std::lock_guard<std::mutex> lock(a.mu);
    auto it = a.live.find(p);
    if (it == a.live.end()) return;  // not ours: ignore rather than throw from a destructor
    size_t size = it->second;
    a.live.erase(it);
    a.stats.bytes_in_use -= size;
    a.free_lists[size].push_back(p);
    a.stats.bytes_cached += size;
  } catch (...) {  // std::bad_alloc from the free list: the block leaks, nothing else breaks
  }
}

void empty_cache() {
  if (!device_present()) return;
  Allocator& a = allocator();
  std::lock_guard<std::mutex> lock(a.mu);
  a.free_cached();
}

AllocStats alloc_stats() {
  Allocator& a = allocator();
  std::lock_guard<std::mutex> lock(a.mu);
  return a.stats;
}

// ---- copies ----------------------------------------------------------------------
// Host copies wait for the stream: the host buffer may be read or freed right after.

void copy_to_device(void* dst, const void* src, size_t bytes) {
  if (bytes == 0) return;
  DS_CUDA_CHECK(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyHostToDevice, stream()));
  DS_CUDA_CHECK(cudaStreamSynchronize(stream()));
}

void copy_to_host(void* dst, const void* src, size_t bytes) {
  if (bytes == 0) return;
  DS_CUDA_CHECK(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToHost, stream()));
  DS_CUDA_CHECK(cudaStreamSynchronize(stream()));
}

void copy_on_device(void* dst, const void* src, size_t bytes) {
  if (bytes == 0) return;
  DS_CUDA_CHECK(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToDevice, stream()));
}

void synchronize() {
  if (device_present()) DS_CUDA_CHECK(cudaStreamSynchronize(stream()));
}

}  // namespace cuda
}  // namespace ds
