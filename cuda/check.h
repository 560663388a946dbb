// Internal to cuda/: the checks wrapped around every CUDA, cuDNN and cuBLAS call, the one
// stream all work is queued on, the library handles bound to it, and a scoped device buffer.
//
// Every failed call becomes a ds::Error naming file:line, the call as written and the
// library's own error string. Kernels run asynchronously: an error inside a kernel shows up
// at the next synchronising call; run with CUDA_LAUNCH_BLOCKING=1 to pin it to its launch.
#pragma once
#include <cuda_runtime.h>
#include <cudnn.h>

#include <string>

#include "cuda/cublas_library.h"
#include "tensor/device.h"

namespace ds {
namespace cuda {

[[noreturn]] void throw_error(const char* library, const char* call, const char* file, int line, int code,
                              const char* detail);

inline void check_cuda(cudaError_t e, const char* call, const char* file, int line) {
  if (e != cudaSuccess) throw_error("CUDA", call, file, line, static_cast<int>(e), cudaGetErrorString(e));
}
inline void check_cudnn(cudnnStatus_t s, const char* call, const char* file, int line) {
  if (s != CUDNN_STATUS_SUCCESS) throw_error("cuDNN", call, file, line, static_cast<int>(s), cudnnGetErrorString(s));
}
inline void check_cublas(cublasStatus_t s, const char* call, const char* file, int line) {
  if (s != CUBLAS_STATUS_SUCCESS) throw_error("cuBLAS", call, file, line, static_cast<int>(s), cublas().status_string(s));
}

#define DS_CUDA_CHECK(call) ::ds::cuda::check_cuda((call), #call, __FILE__, __LINE__)
#define DS_CUDNN_CHECK(call) ::ds::cuda::check_cudnn((call), #call, __FILE__, __LINE__)
#define DS_CUBLAS_CHECK(call) ::ds::cuda::check_cublas((call), #call, __FILE__, __LINE__)

// After a kernel launch: catches bad launch configurations (not errors inside the kernel).
inline void check_launch(const char* kernel, const char* file, int line) {
  cudaError_t e = cudaGetLastError();
  if (e != cudaSuccess)
    throw_error("CUDA", (std::string("launch of kernel ") + kernel).c_str(), file, line, static_cast<int>(e),
                cudaGetErrorString(e));
}
#define DS_CHECK_LAUNCH(kernel) ::ds::cuda::check_launch((kernel), __FILE__, __LINE__)

// The single stream every kernel, copy, cuDNN and cuBLAS call uses. One stream keeps the
// caching allocator simple: a block released on the host may be reused at once, because
// any later work on it is queued behind the work that used it before.
cudaStream_t stream();
cudnnHandle_t cudnn_handle();    // bound to stream()
cublasHandle_t cublas_handle();  // bound to stream()

// Scratch device memory from the caching allocator, returned when the scope ends.
class DeviceBuffer {
 public:
  explicit DeviceBuffer(size_t bytes) : p_(alloc(bytes)) {}
  ~DeviceBuffer() { release(p_); }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  template <class T>
  T* as() const { return static_cast<T*>(p_); }

 private:
  void* p_;
};

}  // namespace cuda
}  // namespace ds
