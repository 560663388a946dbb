// libFuzzer target: ds::load_weights (any architecture) on a file named *.h5. Every value of a
// loaded parameter is read, so a buffer shorter than its shape is an ASan report.
#include "tests/fuzz/fuzz_file.h"
#include "weights/weights.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string path = ds::fuzz::write_input(data, size, ".h5");
  ds::fuzz::allow_error([&] {
    ds::WeightFile w = ds::load_weights(path, "");
    volatile float sum = 0;
    for (const auto& [name, t] : w.params)
      for (int64_t i = 0; i < t.numel(); ++i) sum = sum + t.data()[i];
  });
  return 0;
}
