// Depth maps for the stylize app: reading them from files, filling holes, normalising, resizing.
//
// Invariants
//   - A depth map is a CPU tensor [1,1,H,W] of metres; invalid pixels (no measurement) are NaN.
//   - Readers never return 0x0 maps and never put 0, negative or infinite values in a map:
//     those become NaN.
//   - Every failure is a ds::Error naming the file, what was wrong and what was expected.
//
// File types, chosen by extension (case-insensitive):
//   .png        16-bit grey PNG of millimetres, 0 = invalid (Redwood, TUM, ...). An 8-bit or
//               colour PNG is an error.
//   .pgm        raw Kinect disparity in a binary PGM (P5) with maxval > 255, whose 16-bit samples
//               are LITTLE-endian (as the NYU frames in the data folder are, though the PGM
//               standard says big-endian). metres = 351.3 / (1092.5 − raw); raw >= 1092
//               (including 2047, the Kinect's "no reading") is invalid.
//   .mat        NYU Depth v2 labeled file (MATLAB v7.3 = HDF5). Dataset `depths` holds metres
//               as h5 shape [frames, W, H] (MATLAB is column-major, so each frame is stored
//               transposed); frame DepthOptions::frame is read and transposed to H×W.
//   .h5 .hdf5   float depth in metres, dataset DepthOptions::dataset, shape [H,W] or [1,1,H,W].
#pragma once
#include <string>

#include "tensor/tensor.h"

namespace ds {

struct DepthOptions {
  int frame = 0;                  // .mat: index into the frames axis
  std::string dataset = "depth";  // .h5/.hdf5: dataset path inside the file
};

Tensor load_depth_metres(const std::string& path, const DepthOptions& o = DepthOptions());

// The colour image of frame `frame` of an NYU labeled .mat: `images` has h5 shape
// [frames, 3, W, H] uint8; returns [1,3,H,W] in [0,1].
Tensor load_nyu_mat_rgb(const std::string& path, int frame);

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

// Bilinear resize (align_corners=False, the project's resize op, no autograd) of a [1,1,H,W]
// map. NaN pixels would smear into their neighbours, so a map with NaN is an error: call
// fill_invalid first.
Tensor resize_depth_to(const Tensor& d, int h, int w);

// Policy for a depth (or mask image) whose size differs from the content image's: when the
// aspect ratios W/H agree within 1% (relative), the map is resized to h×w with
// resize_depth_to; otherwise it is an error naming both sizes (`what` says which map, e.g.
// "depth map x.png"), since stretching would misalign depth and content.
Tensor fit_depth_to(const Tensor& d, int h, int w, const std::string& what);

}  // namespace ds
