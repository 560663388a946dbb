// Shared by the libFuzzer targets in this folder (docs/reliability.md). Each target hands the
// fuzzer's bytes to one file reader by writing them to a temporary file whose extension is the
// one that reader is chosen by, then calls the reader.
//
// A ds::Error is the expected outcome of a malformed file and is swallowed. Everything else is
// a finding that libFuzzer reports and saves: a crash, a sanitizer report (ASan, UBSan), any
// other exception (it escapes and aborts), a run longer than -timeout, memory above
// -rss_limit_mb or a single allocation above -malloc_limit_mb.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

#include "tensor/tensor.h"

namespace ds {
namespace fuzz {

// Writes data to this process's input file, "DIR/ds-fuzz-<pid><ext>", and returns its path.
// DIR is $DS_FUZZ_DIR when set (scripts/fuzz sets it), else /dev/shm when writable (memory:
// rewriting a file on a disk can cost milliseconds, as ext4 flushes a truncated-and-rewritten
// file), else $TMPDIR, else /tmp. The same file is rewritten for every input and removed at
// exit (not after a crash).
std::string write_input(const uint8_t* data, size_t size, const char* ext);

// Runs f(); a ds::Error it throws is the reader's clear refusal of a bad file, so it is ignored.
template <class F>
void allow_error(F&& f) {
  try {
    f();
  } catch (const ds::Error&) {
  }
}

}  // namespace fuzz
}  // namespace ds
