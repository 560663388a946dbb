#include "apps/stylize/scales.h"

#include <cmath>
#include <cstdio>

namespace ds {
namespace app {

int SizePlan::style_long_side(int size) const {
  if (style_size > 0) return style_size;
  if (style_scale > 0) return static_cast<int>(std::ceil(style_scale * size - 1e-6));  // 1e-6: 0.3 * 100 is 30, not 31
  return size;
}

std::string SizePlan::style_origin() const {
  char buf[64] = "";
  if (style_size > 0) std::snprintf(buf, sizeof buf, "--style-size %d", style_size);
  else if (style_scale > 0) std::snprintf(buf, sizeof buf, "--style-scale %g", style_scale);
  return buf;
}

int SizePlan::total_iters() const {
  int n = 0;
  for (const ScaleStep& s : steps) n += s.iters;
  return n;
}

std::string frame_path(const std::string& base, int long_side, int iteration) {
  char buf[48];
  if (long_side > 0) std::snprintf(buf, sizeof buf, "_s%d_iter%05d.png", long_side, iteration);
  else std::snprintf(buf, sizeof buf, "_iter%05d.png", iteration);
  return base + buf;
}

}  // namespace app
}  // namespace ds
