// The clock of the benchmarks (depthstyle bench, bench_conv, roofline): the wall clock, or this
// process's CPU time (user + system time of all its threads, CLOCK_PROCESS_CPUTIME_ID). With one
// thread and OMP_WAIT_POLICY=passive (no spinning while waiting) the CPU time is the work itself,
// which other processes on a busy machine do not inflate; they still share the caches and the
// memory bus, so it is robust, not exact.
#pragma once

#include <time.h>

#include <chrono>

namespace ds {
namespace app {

// Seconds since an arbitrary start on the chosen clock: only differences mean anything.
inline double bench_clock_seconds(bool cpu_time) {
  if (!cpu_time)
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + ts.tv_nsec * 1e-9;
}

}  // namespace app
}  // namespace ds
