// When an optimisation of an image has diverged, judged from its total loss per iteration
// (depthstyle stylize). L1 is the loss of the first iteration (the starting image):
//   - a loss that is not finite: diverged at once;
//   - a loss above kFarFactor * L1 (1000x) for kFarIterations (10) iterations in a row: diverged
//     (stopped early rather than wasting the remaining iterations);
//   - at the end, a last loss above L1: the run made the image worse than its start.
// Why these numbers (measured with Adam on SqueezeNet at 64 pixels, three content/style pairs,
// content and noise starts, 300 iterations): Adam's first step moves every pixel by the
// learning rate, so even runs that end far below L1 jump at iteration 2 (lr 0.3: 27x; lr 1:
// 2,700x, back under L1 after ~45 iterations); those spent at most 3 iterations in a row above
// 1000x. Runs that never recovered (lr 2 to 10, ending 1.2x to 1,340x above L1) spent 17 or more.
// When L1 <= 0 only the first rule applies (no ratio can be formed). Nor do the ratio rules apply
// with --normalize-gradients (finite_only): each term's gradient is then rescaled to its weight,
// so the optimiser no longer descends the logged total, which may rise legitimately (a gallery
// run went from 2.95e5 to 9.09e7 while the picture improved).
#pragma once
#include <string>

namespace ds {
namespace app {

class DivergenceWatch {
 public:
  static constexpr double kFarFactor = 1000;
  static constexpr int kFarIterations = 10;

  explicit DivergenceWatch(bool finite_only = false) : finite_only_(finite_only) {}

  // Feed the total loss of each iteration in order. Returns "" while the run is sound, else
  // why it diverged, e.g. "the loss became nan at iteration 12" or "the loss stayed above
  // 1000x its start (9.67e+06) for 10 iterations (1.2e+13 at iteration 11)".
  std::string update(int iteration, double total);
  // After the last iteration: "" or "the loss ended above its start (...)".
  std::string at_end() const;

 private:
  double start_ = 0, last_ = 0;
  bool started_ = false, finite_only_ = false;
  int far_ = 0, last_iteration_ = 0;
};

}  // namespace app
}  // namespace ds
