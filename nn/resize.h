// Sizing images for the networks: the size with a given long side, and resizing that does
// not alias when it shrinks.
#pragma once
#include <cstdint>
#include <utility>

#include "tensor/tensor.h"

namespace ds {

// The size (h, w) with long side `long_side` and the aspect ratio of h x w, each side rounded
// and at least 1.
std::pair<int64_t, int64_t> fit_long_side(int64_t h, int64_t w, int long_side);

// Resizes an image [1,C,H,W] (any device) to [1,C,h,w]: area averaging by the whole factor
// k = min(H/h, W/w) first when k >= 2 (so downscaled photos do not alias), then bilinear
// (align_corners=False) to the exact size. No gradient is recorded.
Tensor resize_image(const Tensor& img, int64_t h, int64_t w);

}  // namespace ds
