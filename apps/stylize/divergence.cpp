#include "apps/stylize/divergence.h"

#include <cmath>
#include <cstdio>

namespace ds {
namespace app {

namespace {
std::string fmt(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}
}  // namespace

std::string DivergenceWatch::update(int iteration, double total) {
  if (!std::isfinite(total)) return "the loss became " + fmt(total) + " at iteration " + std::to_string(iteration);
  if (finite_only_) return "";
  if (!started_) start_ = total, started_ = true;
  last_ = total, last_iteration_ = iteration;
  far_ = start_ > 0 && total > kFarFactor * start_ ? far_ + 1 : 0;
  if (far_ >= kFarIterations)
    return "the loss stayed above " + fmt(kFarFactor) + "x its start (" + fmt(start_) + ") for " +
           std::to_string(kFarIterations) + " iterations (" + fmt(total) + " at iteration " + std::to_string(iteration) + ")";
  return "";
}

std::string DivergenceWatch::at_end() const {
  if (!started_ || start_ <= 0 || last_ <= start_) return "";
  return "the loss ended above its start (" + fmt(start_) + " -> " + fmt(last_) + " at iteration " +
         std::to_string(last_iteration_) + ")";
}

}  // namespace app
}  // namespace ds
