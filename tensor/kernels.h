// Kernel declarations for both backends, and the one-line dispatch used by the op layer.
//
//   DS_DISPATCH(device, relu_forward, x, y)
// calls ds::cpu::relu_forward(x, y) or ds::cuda::relu_forward(x, y).
// The kernels themselves live in tensor/cpu/*.cpp and cuda/*.cu; kernel_list.inc
// is the single list of their names and signatures.
#pragma once
#include "tensor/params.h"
#include "tensor/tensor.h"

namespace ds {
namespace cpu {
#include "tensor/kernel_list.inc"
}
#ifdef DEPTHSTYLE_HAVE_CUDA
namespace cuda {
#include "tensor/kernel_list.inc"
}
#endif

[[noreturn]] void throw_no_cuda(const char* kernel);

// Floats of storage that relu_mask_forward needs for n elements' sign bits (32 per float).
inline int64_t relu_mask_numel(int64_t n) { return (n + 31) / 32; }
}  // namespace ds

#ifdef DEPTHSTYLE_HAVE_CUDA
#define DS_DISPATCH(dev, fn, ...) \
  ((dev) == ::ds::Device::CUDA ? ::ds::cuda::fn(__VA_ARGS__) : ::ds::cpu::fn(__VA_ARGS__))
#else
#define DS_DISPATCH(dev, fn, ...) \
  ((dev) == ::ds::Device::CUDA ? (::ds::throw_no_cuda(#fn), ::ds::cpu::fn(__VA_ARGS__)) : ::ds::cpu::fn(__VA_ARGS__))
#endif
