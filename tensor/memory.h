// How much memory a run has used, for the progress lines of long commands (stylize's line per
// scale) and for `depthstyle bench`.
#pragma once
#include "tensor/tensor.h"

namespace ds {

// The peak memory so far in MiB: on the CPU the program's peak resident set (VmHWM of
// /proc/self/status; getrusage's ru_maxrss where there is none), on CUDA the caching allocator's peak of bytes handed out
// (cuda::alloc_stats, tensor/device.h). Either way a high-water mark since the start of the
// process, never lowered: a peak so far, not of the last step alone. Never throws.
double peak_memory_mb(Device device);

// The process's resident memory now (VmRSS of /proc/self/status) in bytes, or 0 where it cannot
// be read. Never throws.
int64_t resident_bytes();

}  // namespace ds
