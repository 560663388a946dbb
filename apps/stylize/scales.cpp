#include "apps/stylize/scales.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace ds {
namespace app {

namespace {

// A whole number in [lo, hi] from one list item; ds::Error naming the option otherwise.
int list_integer(const std::string& item, const std::string& option, int lo, int hi) {
  errno = 0;
  char* end = nullptr;
  long v = std::strtol(item.c_str(), &end, 10);
  if (item.empty() || *end != '\0' || errno != 0 || v < lo || v > hi)
    throw Error(option + ": '" + item + "' is not a whole number between " + std::to_string(lo) + " and " +
                std::to_string(hi));
  return static_cast<int>(v);
}

std::vector<int> long_sides(const Args& a, int min_side, int max_side) {
  if (a.has("--scales") && a.has("--multires"))
    throw Error("--scales and --multires given together: give one (--multires N means N scales ending at --size)");
  int size = a.integer("--size", min_side, max_side);
  if (a.has("--multires")) {
    int n = a.integer("--multires", 1, 8);
    std::vector<int> sides;
    for (int k = n - 1; k >= 0; --k) sides.push_back(static_cast<int>(std::lround(size / std::pow(2.0, k))));
    if (sides[0] < min_side)
      throw Error("--multires " + std::to_string(n) + " at --size " + std::to_string(size) + " starts at " +
                  std::to_string(sides[0]) + " px, below the minimum " + std::to_string(min_side) +
                  ": give fewer scales or a larger --size");
    return sides;
  }
  if (!a.has("--scales")) return {size};
  std::vector<int> sides;
  for (const std::string& item : a.list("--scales")) {
    sides.push_back(list_integer(item, "--scales", min_side, max_side));
    if (sides.size() > 1 && sides.back() <= sides[sides.size() - 2])
      throw Error("--scales " + a.str("--scales") + ": the long sides must increase (coarse to fine), but " +
                  std::to_string(sides.back()) + " follows " + std::to_string(sides[sides.size() - 2]));
  }
  if (sides.empty()) throw Error("--scales: expected long sides in px, e.g. 256,512,1024");
  if (a.has("--size") && size != sides.back())
    throw Error("--size " + std::to_string(size) + " conflicts with --scales " + a.str("--scales") +
                ": the last scale is the output size; leave out --size or make it " + std::to_string(sides.back()));
  return sides;
}

}  // namespace

std::vector<ScaleStep> scale_schedule(const Args& a, int min_side, int max_side) {
  std::vector<int> sides = long_sides(a, min_side, max_side);
  std::vector<std::string> iters = a.list("--iters");
  if (iters.size() != 1 && iters.size() != sides.size())
    throw Error("--iters " + a.str("--iters") + ": expected one count for every scale or one per scale (" +
                std::to_string(sides.size()) + " scale" + (sides.size() == 1 ? "" : "s") + "), got " +
                std::to_string(iters.size()));
  std::vector<ScaleStep> steps;
  for (size_t k = 0; k < sides.size(); ++k)
    steps.push_back({sides[k], list_integer(iters[iters.size() == 1 ? 0 : k], "--iters", 1, 1000000)});
  return steps;
}

std::string frame_path(const std::string& base, int long_side, int iteration) {
  char buf[48];
  if (long_side > 0) std::snprintf(buf, sizeof buf, "_s%d_iter%05d.png", long_side, iteration);
  else std::snprintf(buf, sizeof buf, "_iter%05d.png", iteration);
  return base + buf;
}

}  // namespace app
}  // namespace ds
