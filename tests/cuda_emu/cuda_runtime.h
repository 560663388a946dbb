// cuda_emu: a stand-in for <cuda_runtime.h> that runs cuda/*.cu as host C++ (scripts/cuda-emulate,
// docs/gpu-validation.md "Before a device run: the emulator"). A test tool, not a backend:
// device memory is host memory, every call is synchronous, kernels run on one host thread.
//
// What it adds over running the CPU twins: the CUDA code's own indexing, launch sizes, block
// reductions (warp shuffles and barriers emulated with one fibre per thread) and its calls of
// the runtime, cuDNN and cuBLAS (cudnn.h, cublas_v2.h here), whose arguments are checked
// against the libraries' documented rules. Only what cuda/ uses is declared.
#pragma once
#include <math.h>  // the device maths (expf, tanhf, isnan, INFINITY ...) is the host's

#include <cstddef>
#include <cstdint>
#include <type_traits>

// ---- the runtime API (tests/cuda_emu/emu_runtime.cpp) --------------------------------------
// Error codes as in the CUDA 13 headers, so messages show the same numbers as on a device.
enum cudaError_t {
  cudaSuccess = 0,
  cudaErrorInvalidValue = 1,
  cudaErrorMemoryAllocation = 2,
  cudaErrorInvalidConfiguration = 9,
  cudaErrorInvalidDevicePointer = 17,
  cudaErrorInvalidDevice = 101,
  cudaErrorInvalidResourceHandle = 400,
  cudaErrorLaunchFailure = 719,
};
enum cudaMemcpyKind {
  cudaMemcpyHostToHost = 0,
  cudaMemcpyHostToDevice = 1,
  cudaMemcpyDeviceToHost = 2,
  cudaMemcpyDeviceToDevice = 3,
  cudaMemcpyDefault = 4
};
struct CUstream_st;
using cudaStream_t = CUstream_st*;
constexpr unsigned cudaStreamDefault = 0, cudaStreamNonBlocking = 1;

// The fields cuda/ reads, and a few a reader would expect; values of an H100 SXM.
struct cudaDeviceProp {
  char name[256];
  size_t totalGlobalMem;
  size_t sharedMemPerBlock;
  int warpSize;
  int maxThreadsPerBlock;
  int maxThreadsDim[3];
  int maxGridSize[3];
  int major, minor;
  int multiProcessorCount;
};

cudaError_t cudaGetDeviceCount(int* count);
cudaError_t cudaGetDevice(int* device);
cudaError_t cudaSetDevice(int device);
cudaError_t cudaGetDeviceProperties(cudaDeviceProp* prop, int device);
cudaError_t cudaGetLastError();
cudaError_t cudaPeekAtLastError();
const char* cudaGetErrorString(cudaError_t e);
cudaError_t cudaMalloc(void** p, size_t bytes);
cudaError_t cudaFree(void* p);
cudaError_t cudaMemGetInfo(size_t* free_bytes, size_t* total_bytes);
cudaError_t cudaMemcpy(void* dst, const void* src, size_t bytes, cudaMemcpyKind kind);
cudaError_t cudaMemcpyAsync(void* dst, const void* src, size_t bytes, cudaMemcpyKind kind, cudaStream_t s = nullptr);
cudaError_t cudaMemset(void* p, int value, size_t bytes);
cudaError_t cudaMemsetAsync(void* p, int value, size_t bytes, cudaStream_t s = nullptr);
// Events record the host clock: work is synchronous, so an elapsed time is the host's.
struct CUevent_st;
using cudaEvent_t = CUevent_st*;
cudaError_t cudaEventCreate(cudaEvent_t* e);
cudaError_t cudaEventDestroy(cudaEvent_t e);
cudaError_t cudaEventRecord(cudaEvent_t e, cudaStream_t s = nullptr);
cudaError_t cudaEventSynchronize(cudaEvent_t e);
cudaError_t cudaEventElapsedTime(float* ms, cudaEvent_t start, cudaEvent_t end);
cudaError_t cudaStreamCreateWithFlags(cudaStream_t* s, unsigned flags);
cudaError_t cudaStreamSynchronize(cudaStream_t s);
cudaError_t cudaDeviceSynchronize();

// ---- the device language, on the host --------------------------------------------------------
#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
// One instance per kernel body: blocks run one after another, so per-block shared memory is
// a static (thread_local in case two host threads ever launch).
#define __shared__ static thread_local

struct uint3 {
  unsigned x = 0, y = 0, z = 0;
};
struct dim3 {
  unsigned x = 1, y = 1, z = 1;
  dim3(unsigned a = 1, unsigned b = 1, unsigned c = 1) : x(a), y(b), z(c) {}
};
// Set by the emulated scheduler before it resumes each thread's fibre.
extern thread_local uint3 threadIdx, blockIdx;
extern thread_local dim3 blockDim, gridDim;

// CUDA's min/max are overloaded for every arithmetic pair at global scope; std::min is not.
template <class A, class B, class = std::enable_if_t<std::is_arithmetic<A>::value && std::is_arithmetic<B>::value>>
inline std::common_type_t<A, B> min(A a, B b) {
  return b < a ? b : a;
}
template <class A, class B, class = std::enable_if_t<std::is_arithmetic<A>::value && std::is_arithmetic<B>::value>>
inline std::common_type_t<A, B> max(A a, B b) {
  return a < b ? b : a;
}

namespace cuda_emu {

// A kernel's grid: body() once per (block, thread), with blockIdx/threadIdx set.
//   independent: threads run one after another on the host stack (fast); a barrier or a
//                shuffle inside stops the process with a message (it would need `cooperative`);
//   cooperative: every thread of a block is a fibre, switched at __syncthreads and shuffles,
//                so block reductions run as written; a thread that never reaches a barrier its
//                block waits at (a divergent barrier) stops the process with a message.
// Blocks and threads run in index order, or last first with CUDA_EMU_ORDER=reverse (a kernel
// whose threads race on each other's elements then gives another result).
// An invalid grid (0 or over the device's limits) sets cudaErrorInvalidConfiguration for
// cudaGetLastError and runs nothing, as a real launch does.
void launch(const char* kernel, dim3 grid, dim3 block, bool cooperative, void (*body)(void*), void* ctx);

template <class F>
void launch(const char* kernel, dim3 grid, dim3 block, bool cooperative, F&& f) {
  launch(kernel, grid, block, cooperative, [](void* c) { (*static_cast<F*>(c))(); }, &f);
}

void sync_block();                                // __syncthreads
uint64_t shuffle_down(unsigned mask, uint64_t bits, unsigned delta);  // __shfl_down_sync's exchange

// Whether [p, p + bytes) lies inside one live cudaMalloc block (the libraries' stand-ins check
// every pointer they are given with it).
bool is_device_range(const void* p, size_t bytes);

}  // namespace cuda_emu

inline void __syncthreads() { cuda_emu::sync_block(); }

template <class T>
T __shfl_down_sync(unsigned mask, T v, unsigned delta) {
  static_assert(sizeof(T) <= sizeof(uint64_t) && std::is_trivially_copyable<T>::value, "cuda_emu: shuffle of a large type");
  uint64_t bits = 0;
  __builtin_memcpy(&bits, &v, sizeof(T));
  bits = cuda_emu::shuffle_down(mask, bits, delta);
  __builtin_memcpy(&v, &bits, sizeof(T));
  return v;
}

// Threads run one at a time, so an atomic add is a plain one (returns the old value).
inline float atomicAdd(float* a, float v) {
  float old = *a;
  *a = old + v;
  return old;
}
inline double atomicAdd(double* a, double v) {
  double old = *a;
  *a = old + v;
  return old;
}
