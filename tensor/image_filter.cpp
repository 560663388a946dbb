#include "tensor/image_filter.h"

#include <algorithm>
#include <vector>

namespace ds {

Tensor median_filter(const Tensor& img, int size) {
  if (size < 1 || size > 15) throw Error("median filter: size " + std::to_string(size) + " is not from 1 to 15");
  if (!img.defined() || img.ndim() != 4) throw Error("median filter: expected an image [N,C,H,W]");
  Tensor in = img.device() == Device::CPU ? img : img.to(Device::CPU);
  Tensor out = Tensor::empty(in.shape());
  const int64_t h = in.H(), w = in.W(), planes = in.N() * in.C(), before = (size - 1) / 2;
  std::vector<float> window(static_cast<size_t>(size * size));
  for (int64_t p = 0; p < planes; ++p) {
    const float* src = in.data() + p * h * w;
    float* dst = out.data() + p * h * w;
    for (int64_t y = 0; y < h; ++y)
      for (int64_t x = 0; x < w; ++x) {
        size_t k = 0;
        for (int64_t dy = -before; dy < size - before; ++dy)
          for (int64_t dx = -before; dx < size - before; ++dx)
            window[k++] = src[std::clamp<int64_t>(y + dy, 0, h - 1) * w + std::clamp<int64_t>(x + dx, 0, w - 1)];
        auto mid = window.begin() + static_cast<int64_t>((window.size() - 1) / 2);  // the lower middle
        std::nth_element(window.begin(), mid, window.end());
        dst[y * w + x] = *mid;
      }
  }
  return out;
}

}  // namespace ds
