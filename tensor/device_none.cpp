// The device runtime (tensor/device.h) of a build without CUDA: no device is present, so
// allocating or copying device memory is an error that says how to get a CUDA build.
// Compiled instead of cuda/runtime.cpp when DEPTHSTYLE_HAVE_CUDA is not defined.
#include <string>

#include "tensor/device.h"
#include "tensor/error.h"

namespace ds {
namespace cuda {
namespace {
[[noreturn]] void no_cuda(const char* what) {
  throw Error(std::string(what) + ": this build of depthstyle has no CUDA support (configure with -DDEPTHSTYLE_CUDA=ON)");
}
bool tf32 = false;
}  // namespace

bool device_present() { return false; }
int device_count() { return 0; }
void select_device(int index) { no_cuda(("device cuda:" + std::to_string(index)).c_str()); }
void* alloc(size_t) { no_cuda("tensor allocation"); }
void release(void*) {}
void empty_cache() {}
void copy_to_device(void*, const void*, size_t) { no_cuda("tensor copy"); }
void copy_to_host(void*, const void*, size_t) { no_cuda("tensor copy"); }
void copy_on_device(void*, const void*, size_t) { no_cuda("tensor copy"); }
void synchronize() {}
AllocStats alloc_stats() { return {}; }
void set_allow_tf32(bool on) { tf32 = on; }
bool allow_tf32() { return tf32; }

}  // namespace cuda
}  // namespace ds
