// Host-side interface to the CUDA runtime used by tensor/ (memory, copies, device query).
// Implemented in cuda/runtime.cu; only compiled when DEPTHSTYLE_HAVE_CUDA is defined.
#pragma once
#include <cstddef>

namespace ds {
namespace cuda {

bool device_present();                 // a usable CUDA device exists (never throws)
void* alloc(size_t bytes);             // caching allocator; throws ds::Error on OOM with the size asked
void release(void* p);                 // returns the block to the cache
void empty_cache();                    // frees cached blocks back to the driver
void copy_to_device(void* dst, const void* src, size_t bytes);
void copy_to_host(void* dst, const void* src, size_t bytes);
void copy_on_device(void* dst, const void* src, size_t bytes);
void synchronize();

}  // namespace cuda
}  // namespace ds
