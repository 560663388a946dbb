// libFuzzer target: ds::load_depth_metres on a file named *FUZZ_EXT (.png, .pgm, .mat or
// .h5: the reader is chosen by extension, so one target per reader). A map that is returned
// must keep depth_io.h's invariants: [1,1,H,W], every pixel NaN or finite and > 0. For .mat the
// target also reads the colour frame (load_nyu_mat_rgb), the other reader of those files.
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "weights/depth_io.h"
#include "tests/fuzz/fuzz_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string path = ds::fuzz::write_input(data, size, FUZZ_EXT);
  ds::fuzz::allow_error([&] {
    ds::Tensor d = ds::load_depth_metres(path);
    if (d.ndim() != 4 || d.N() != 1 || d.C() != 1 || d.numel() == 0) std::abort();
    for (int64_t i = 0; i < d.numel(); ++i) {
      float v = d.data()[i];
      if (!std::isnan(v) && !(std::isfinite(v) && v > 0.0f)) std::abort();
    }
  });
  if (std::strcmp(FUZZ_EXT, ".mat") == 0)
    ds::fuzz::allow_error([&] {
      ds::Tensor rgb = ds::load_nyu_mat_rgb(path, 0);
      if (rgb.ndim() != 4 || rgb.C() != 3) std::abort();
    });
  return 0;
}
