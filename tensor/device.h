// The device runtime that tensor/ needs (memory, copies, device query), declared here and
// implemented below it: by cuda/runtime.cpp in a CUDA build, by tensor/device_none.cpp
// otherwise (no device: device_present() is false and allocations and copies throw
// ds::Error saying the build has no CUDA). Like tensor/kernel_list.inc for the kernels, this
// keeps tensor/ free of cuda/ headers. Plain C++: includes no CUDA header.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace ds {
namespace cuda {

bool device_present();                 // a usable CUDA device exists (never throws)
int device_count();                    // usable CUDA devices (0 without CUDA or a device; never throws)
// Makes GPU `index` the device of this process (cudaSetDevice), for --device cuda:N; call it
// before the first CUDA tensor. Throws ds::Error when there is no usable device (the build
// has no CUDA, or the machine no GPU), when index >= device_count(), or when this process
// already works on another GPU (its stream, handles and cached blocks belong to that one).
// CUDA keeps the current device per host thread; depthstyle calls CUDA from one thread only.
void select_device(int index);
void* alloc(size_t bytes);             // caching allocator; throws ds::Error on OOM with the size asked
void release(void* p);                 // returns the block to the cache (never throws)
void empty_cache();                    // frees cached blocks back to the driver
void copy_to_device(void* dst, const void* src, size_t bytes);
void copy_to_host(void* dst, const void* src, size_t bytes);
void copy_on_device(void* dst, const void* src, size_t bytes);
void synchronize();

// Allocator counters, for tests and for reporting memory use.
struct AllocStats {
  size_t bytes_in_use = 0;   // blocks handed out (rounded sizes)
  size_t bytes_cached = 0;   // blocks kept for reuse
  int64_t malloc_calls = 0;  // cudaMalloc calls since start (successful or not)
  size_t peak_bytes_in_use = 0;  // the highest bytes_in_use since start (a high-water mark, never lowered)
};
AllocStats alloc_stats();

// TF32 tensor-core math in cuDNN convolutions and cuBLAS GEMMs. Off by default, so CUDA
// results stay within float32 rounding of the CPU's; allowing it trades ~1e-3 relative
// accuracy for speed on Ampere and newer GPUs.
void set_allow_tf32(bool on);
bool allow_tf32();

// The message of every failed CUDA, cuDNN or cuBLAS call (see cuda/check.h), e.g.
// "CUDA error at cuda/pool.cu:42: cudaMalloc(&p, n) failed (code 2: out of memory)".
// Separate from the checks so that tests can see its format without a device.
std::string error_message(const char* library, const char* call, const char* file, int line, int code,
                          const char* detail);

}  // namespace cuda
}  // namespace ds
