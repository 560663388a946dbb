#include "tensor/memory.h"

#include <sys/resource.h>

#include <cstring>
#include <fstream>
#include <string>

#include "tensor/device.h"

namespace ds {

namespace {

// A "Vm...:  N kB" field of /proc/self/status in kB, or -1 where there is none.
double status_kb(const char* field) {
  std::ifstream status("/proc/self/status");
  std::string line;
  const size_t n = std::strlen(field);
  while (std::getline(status, line))
    if (line.compare(0, n, field) == 0 && line.size() > n && line[n] == ':') return std::stod(line.substr(n + 1));
  return -1;
}

}  // namespace

int64_t resident_bytes() {
  double kb = status_kb("VmRSS");
  return kb < 0 ? 0 : static_cast<int64_t>(kb) * 1024;
}

double peak_memory_mb(Device device) {
  if (device != Device::CPU) return static_cast<double>(cuda::alloc_stats().peak_bytes_in_use) / (1024.0 * 1024.0);
  // VmHWM, the peak of this program's own address space. getrusage's ru_maxrss also keeps the
  // peak of the process that exec'd us: run from a Python script holding 1 GB, a program that
  // used 1 MB reported 987 MB.
  double hwm = status_kb("VmHWM");
  if (hwm >= 0) return hwm / 1024.0;
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_maxrss) / 1024.0;  // Linux: KiB
}

}  // namespace ds
