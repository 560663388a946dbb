// Depth maps in memory, for the depth masks and the depth loss: their check, filling holes,
// normalising to [0,1], resizing to the content, and comparing two maps. A depth map is a CPU
// tensor [1,1,H,W] of metres (or, after normalise_depth, of [0,1]); NaN marks a pixel without
// a measurement (weights/depth_io.h reads and writes maps in files that way). Every failure is
// a ds::Error. Here in weights/, beside the files, so that readers, writers and processing
// share one check and nothing above (losses/, apps/) redefines what a depth map is.
#pragma once
#include <string>
#include <vector>

#include "tensor/tensor.h"

namespace ds {

// Throws ds::Error "OP: expected a [1,1,H,W] depth map, got SHAPE" unless `d` is a defined,
// non-empty [1,1,H,W] tensor (every function taking a depth map calls it).
void check_depth_map(const char* op, const Tensor& d);

// Fraction of pixels that are not NaN (0 for an empty tensor).
double valid_fraction(const Tensor& depth);

// Fills NaN pixels by "onion peeling": in each pass every invalid pixel that has at least one
// valid 8-neighbour takes the mean of those neighbours (as they were before the pass), and
// the filled pixels count as valid in the next pass. So a hole inside a constant region gets
// that constant, and values are interpolated inwards from the hole's rim. Linear time.
// Valid pixels are never changed. Throws if no pixel is valid.
Tensor fill_invalid(const Tensor& depth_with_nan);

// Maps metres to [0,1], near = 0, far = 1: (d − min) / (max − min) over the valid pixels;
// NaN pixels stay NaN. A constant map (max − min <= 1e-6·max(1,|max|)) becomes all 0.5 and
// sets *was_constant (when given), so the caller can warn. An all-NaN map is an error.
Tensor normalise_depth(const Tensor& metres, bool* was_constant = nullptr);

// Bilinear resize (align_corners=False: the CPU kernel of the project's resize op) of a [1,1,H,W]
// map. NaN pixels would smear into their neighbours, so a map with NaN is an error: call
// fill_invalid first.
Tensor resize_depth_to(const Tensor& d, int h, int w);

// Policy for a depth (or mask image) whose size differs from the content image's: when the
// aspect ratios W/H agree within 1% (relative), the map is resized to h×w with
// resize_depth_to; otherwise it is an error naming both sizes (`what` says which map, e.g.
// "depth map x.png"), since stretching would misalign depth and content.
Tensor fit_depth_to(const Tensor& d, int h, int w, const std::string& what);

// How well two depth maps (same number of values) agree: root mean squared difference (in
// the maps' unit) and Pearson's correlation coefficient (0 when either map is constant).
// Throws when the sizes differ or the maps are empty.
struct DepthAgreement {
  double rmse = 0, pearson = 0;
};
DepthAgreement depth_agreement(const std::vector<float>& a, const std::vector<float>& b);

}  // namespace ds
