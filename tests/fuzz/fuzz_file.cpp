#include "tests/fuzz/fuzz_file.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>

namespace ds {
namespace fuzz {

namespace {

std::string g_path;

void remove_input() {
  if (!g_path.empty()) std::remove(g_path.c_str());
}

}  // namespace

std::string write_input(const uint8_t* data, size_t size, const char* ext) {
  if (g_path.empty()) {
    const char *own = std::getenv("DS_FUZZ_DIR"), *tmp = std::getenv("TMPDIR");
    std::string dir = own && *own                       ? own
                      : access("/dev/shm", W_OK) == 0 ? "/dev/shm"
                      : tmp && *tmp                   ? tmp
                                                      : "/tmp";
    g_path = dir + "/ds-fuzz-" + std::to_string(getpid()) + ext;
    std::atexit(remove_input);
  }
  // A failure here is the harness's, not the reader's: stop loudly rather than fuzz nothing.
  FILE* f = std::fopen(g_path.c_str(), "wb");
  if (!f || (size && std::fwrite(data, 1, size, f) != size) || std::fclose(f) != 0) {
    std::perror(g_path.c_str());
    std::abort();
  }
  return g_path;
}

}  // namespace fuzz
}  // namespace ds
