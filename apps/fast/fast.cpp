#include "apps/fast/fast.h"

#include <chrono>
#include <cmath>
#include <cstdio>

#include "tensor/file_util.h"
#include "tensor/image_filter.h"
#include "tensor/image_io.h"

namespace ds {
namespace app {

int run_fast_jobs(const FastStyleNet& net, const std::vector<ImageJob>& jobs, int long_side, int median) {
  int failed = 0, n = static_cast<int>(jobs.size());
  for (int k = 0; k < n; ++k) {
    const ImageJob& j = jobs[static_cast<size_t>(k)];
    try {
      Tensor img = load_image_rgb(j.input);
      auto t0 = std::chrono::steady_clock::now();
      Tensor y = stylize_fast(net, img, long_side);  // on the CPU like img, so the time includes the device's work
      double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      if (median > 1) y = median_filter(y, median);
      ensure_parent_dir(j.output);
      save_image(j.output, y);
      std::printf("[%d/%d] %s %lldx%lld -> %s %lldx%lld, %.2f s\n", k + 1, n, j.input.c_str(),
                  static_cast<long long>(img.W()), static_cast<long long>(img.H()), j.output.c_str(),
                  static_cast<long long>(y.W()), static_cast<long long>(y.H()), secs);
    } catch (const std::exception& e) {
      ++failed;
      std::string why = e.what();  // the readers' errors already name the file
      if (why.find(j.input) == std::string::npos) why = j.input + ": " + why;
      // Not "skipped: ", which ctest reads as a skipped test.
      std::fprintf(stderr, "[%d/%d] warning: %s (image skipped)\n", k + 1, n, why.c_str());
    }
    std::fflush(stdout);
  }
  return failed;
}

}  // namespace app
}  // namespace ds
