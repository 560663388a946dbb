// OpenMP helpers for CPU kernels: loops with less work than kMinParallelWork elements run
// on one thread, since forking costs more than it saves there.
#pragma once
#include <cstdint>

namespace ds {
namespace cpu {

constexpr int64_t kMinParallelWork = 1 << 15;

// Calls f(i) for i in [0, n); in parallel when n * work_per_item is large.
template <class F>
inline void parallel_for(int64_t n, int64_t work_per_item, F f) {
  if (n * work_per_item >= kMinParallelWork && n > 1) {
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < n; ++i) f(i);
  } else {
    for (int64_t i = 0; i < n; ++i) f(i);
  }
}

}  // namespace cpu
}  // namespace ds
