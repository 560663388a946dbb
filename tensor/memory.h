// How much memory a run has used, for the progress lines of long commands (stylize's line per
// scale) and for `depthstyle bench`.
#pragma once
#include "tensor/tensor.h"

namespace ds {

// The peak memory so far in MiB: on the CPU the process's peak resident set (getrusage
// ru_maxrss, Linux: KiB), on CUDA the caching allocator's peak of bytes handed out
// (cuda::alloc_stats, tensor/device.h). Either way a high-water mark since the start of the
// process, never lowered: a peak so far, not of the last step alone. Never throws.
double peak_memory_mb(Device device);

}  // namespace ds
