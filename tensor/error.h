// ds::Error: the one exception type of the library and the apps. Its message names what
// failed (the file, option, operation or shape), what was wrong and what was expected;
// commands print it as "depthstyle COMMAND: error: MESSAGE" and exit 1.
#pragma once
#include <stdexcept>

namespace ds {

struct Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// An input too small for an op's window (conv kernel, pooling window, reflection padding).
// Its own type so that a search for the smallest usable size (nn/pretrained.h,
// min_input_side) skips only these and passes every other error on at once.
struct InputTooSmall : Error {
  using Error::Error;
};

// An allocation the host could not make (tensor storage). Its own type so that a long run can
// say where it was (apps/video/video_run.h: the frame and its size) and what to change.
struct OutOfMemory : Error {
  using Error::Error;
};

}  // namespace ds
