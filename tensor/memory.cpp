#include "tensor/memory.h"

#include <sys/resource.h>

#include "tensor/device.h"

namespace ds {

double peak_memory_mb(Device device) {
  if (device != Device::CPU) return static_cast<double>(cuda::alloc_stats().peak_bytes_in_use) / (1024.0 * 1024.0);
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_maxrss) / 1024.0;  // Linux: KiB
}

}  // namespace ds
