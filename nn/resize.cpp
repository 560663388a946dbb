#include "nn/resize.h"

#include <algorithm>
#include <cmath>

#include "autograd/ops.h"

namespace ds {

std::pair<int64_t, int64_t> fit_long_side(int64_t h, int64_t w, int long_side) {
  double s = static_cast<double>(long_side) / static_cast<double>(std::max(h, w));
  return {std::max<int64_t>(1, std::llround(static_cast<double>(h) * s)),
          std::max<int64_t>(1, std::llround(static_cast<double>(w) * s))};
}

Tensor resize_image(const Tensor& img, int64_t h, int64_t w) {
  NoGradGuard ng;
  Var x(img);
  int64_t k = std::min(img.shape()[2] / h, img.shape()[3] / w);
  if (k >= 2) x = avg_pool2d(x, Pool2dParams::make(static_cast<int>(k), static_cast<int>(k)));
  if (x.shape()[2] != h || x.shape()[3] != w) x = resize_bilinear(x, h, w);
  return x.value();
}

}  // namespace ds
