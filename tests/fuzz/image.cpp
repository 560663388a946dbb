// libFuzzer target: ds::load_image_rgb on a file named *FUZZ_EXT (.png, .jpg or .ppm, one
// target each, so each format keeps its own corpus whether the decoder goes by content or by
// extension). A decoded image must be [1,3,H,W] with values in [0,1].
#include <cmath>
#include <cstdlib>

#include "tensor/image_io.h"
#include "tests/fuzz/fuzz_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string path = ds::fuzz::write_input(data, size, FUZZ_EXT);
  ds::fuzz::allow_error([&] {
    ds::Tensor t = ds::load_image_rgb(path);
    if (t.ndim() != 4 || t.N() != 1 || t.C() != 3 || t.numel() == 0) std::abort();
    for (int64_t i = 0; i < t.numel(); ++i)
      if (!(t.data()[i] >= 0.0f && t.data()[i] <= 1.0f)) std::abort();  // also catches NaN
  });
  return 0;
}
