// Filters applied to an image after a network made it (`depthstyle fast --median-filter`).
#pragma once
#include "tensor/tensor.h"

namespace ds {

// The size x size median of each channel of img [N,C,H,W] (any values; CPU out): every output
// pixel is the median of the window centred on it, the image's edge replicated outwards, so the
// size stays. For an even count (even size) the lower of the two middle values, as Torch's
// median (jcjohnson/fast-neural-style smooths its outputs with size 3 by default; it drops the
// edge instead, so its images are size-1 pixels smaller). size 1 returns a copy. Errors: a size
// outside 1..15, an image that is not 4-D.
Tensor median_filter(const Tensor& img, int size);

}  // namespace ds
