// The part of the device runtime (tensor/device.h) that needs no device: error messages.
#include "tensor/device.h"

namespace ds {
namespace cuda {

std::string error_message(const char* library, const char* call, const char* file, int line, int code,
                          const char* detail) {
  std::string f = file ? file : "?";
#ifdef DEPTHSTYLE_SOURCE_DIR
  const std::string root = std::string(DEPTHSTYLE_SOURCE_DIR) + "/";
  if (f.compare(0, root.size(), root) == 0) f.erase(0, root.size());  // repo-relative paths read better
#endif
  return std::string(library) + " error at " + f + ":" + std::to_string(line) + ": " + call + " failed (code " +
         std::to_string(code) + ": " + (detail ? detail : "unknown error") + ")";
}

}  // namespace cuda
}  // namespace ds
