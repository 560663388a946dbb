// Internal to cuda/*.cu: launch helpers shared by the hand-written kernels.
//   for_each(name, n, f)   f(i) for i in [0, n): grid-stride loop, 256-thread blocks
//   for_each_block(...)    one block per item (block-level reductions)
//   block_sum(v)           sum of v over the block, in the same tree order every run
// Device lambdas need nvcc's --extended-lambda (set in CMakeLists.txt).
// DEPTHSTYLE_CUDA_EMULATE (tests/cuda_emu, scripts/cuda-emulate): the same kernels, compiled as
// host C++, are run by the emulator's launch instead of <<<...>>>; nothing else differs.
#pragma once
#include <algorithm>
#include <cstdint>

#include "cuda/check.h"

namespace ds {
namespace cuda {

constexpr int kThreads = 256;
constexpr int64_t kMaxBlocks = int64_t(1) << 16;  // past this, loops stride over the grid

// Enough blocks to cover n (the grid-stride loop does the rest past the cap).
inline unsigned blocks_for(int64_t n) {
  return static_cast<unsigned>(std::min<int64_t>((n + kThreads - 1) / kThreads, kMaxBlocks));
}

template <class F>
__global__ void each_kernel(int64_t n, F f) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n; i += int64_t(blockDim.x) * gridDim.x) f(i);
}

template <class F>
void for_each(const char* name, int64_t n, F f) {
  if (n <= 0) return;
#ifdef DEPTHSTYLE_CUDA_EMULATE
  cuda_emu::launch(name, blocks_for(n), kThreads, false, [&] { each_kernel(n, f); });
#else
  each_kernel<<<blocks_for(n), kThreads, 0, stream()>>>(n, f);
#endif
  DS_CHECK_LAUNCH(name);
}

// f(item) is called by all kThreads threads of a block; blocks stride over the items.
template <class F>
__global__ void block_kernel(int64_t items, F f) {
  for (int64_t item = blockIdx.x; item < items; item += gridDim.x) f(item);
}

template <class F>
void for_each_block(const char* name, int64_t items, F f) {
  if (items <= 0) return;
  unsigned blocks = static_cast<unsigned>(std::min(items, kMaxBlocks));
#ifdef DEPTHSTYLE_CUDA_EMULATE  // cooperative: the block's threads meet at barriers and shuffles
  cuda_emu::launch(name, blocks, kThreads, true, [&] { block_kernel(items, f); });
#else
  block_kernel<<<blocks, kThreads, 0, stream()>>>(items, f);
#endif
  DS_CHECK_LAUNCH(name);
}

// Sum over the block's kThreads threads; every thread gets the total. Warp shuffles, then
// one value per warp through shared memory: a fixed order, so results are reproducible.
template <class T>
__device__ T block_sum(T v) {
  __shared__ T warp_sums[kThreads / 32];
  __shared__ T total;
  for (int off = 16; off > 0; off /= 2) v += __shfl_down_sync(0xffffffffu, v, off);
  int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
  if (lane == 0) warp_sums[warp] = v;
  __syncthreads();
  if (warp == 0) {
    v = lane < kThreads / 32 ? warp_sums[lane] : T(0);
    for (int off = 16; off > 0; off /= 2) v += __shfl_down_sync(0xffffffffu, v, off);
    if (lane == 0) total = v;
  }
  __syncthreads();
  T r = total;
  __syncthreads();  // the shared slots may be reused by the caller's next block_sum
  return r;
}

// Sum of term(i) over [0, n) into *out as float, times scale, accumulated in double (as the
// CPU does). Two deterministic stages: per-block partial sums, then one block over them.
template <class F>
void sum_terms(const char* name, int64_t n, F term, double scale, float* out) {
  constexpr int64_t kMaxPartials = 1024;
  int64_t parts = std::max<int64_t>(1, std::min<int64_t>((n + kThreads - 1) / kThreads, kMaxPartials));
  DeviceBuffer partial(static_cast<size_t>(parts) * sizeof(double));
  double* pp = partial.as<double>();
  for_each_block(name, parts, [=] __device__(int64_t b) {
    double s = 0;
    for (int64_t i = b * kThreads + threadIdx.x; i < n; i += parts * kThreads) s += term(i);
    s = block_sum(s);
    if (threadIdx.x == 0) pp[b] = s;
  });
  for_each_block(name, 1, [=] __device__(int64_t) {
    double s = 0;
    for (int64_t i = threadIdx.x; i < parts; i += kThreads) s += pp[i];
    s = block_sum(s);
    if (threadIdx.x == 0) *out = static_cast<float>(s * scale);
  });
}

}  // namespace cuda
}  // namespace ds
