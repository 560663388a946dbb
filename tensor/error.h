// ds::Error: the one exception type of the library and the apps. Its message names what
// failed (the file, option, operation or shape), what was wrong and what was expected;
// commands print it as "depthstyle COMMAND: error: MESSAGE" and exit 1.
#pragma once
#include <stdexcept>

namespace ds {

struct Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace ds
