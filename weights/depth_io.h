// Depth maps from files (the map in memory, its check and processing: weights/depth_map.h).
//
// Invariants
//   - A depth map is a CPU tensor [1,1,H,W] of metres; invalid pixels (no measurement) are NaN.
//   - Readers never return 0x0 maps and never put 0, negative or infinite values in a map:
//     those become NaN.
//   - Every failure is a ds::Error naming the file, what was wrong and what was expected.
//
// File types, chosen by extension (case-insensitive):
//   .png        16-bit grey PNG of millimetres, 0 = invalid (Redwood, TUM, ...; and what
//               save_depth_png_mm and `depthstyle depth` write: 1..65535 = 1 mm .. 65.535 m).
//               An 8-bit or colour PNG is an error.
//   .pgm        raw Kinect disparity in a binary PGM (P5) with maxval > 255, whose 16-bit samples
//               are LITTLE-endian (as the NYU frames in the data folder are, though the PGM
//               standard says big-endian). metres = 351.3 / (1092.5 − raw); raw >= 1092
//               (including 2047, the Kinect's "no reading") is invalid.
//   .mat        NYU Depth v2 labeled file (MATLAB v7.3 = HDF5). Dataset `depths` holds metres
//               as h5 shape [frames, W, H] (MATLAB is column-major, so each frame is stored
//               transposed); frame DepthOptions::frame is read and transposed to H×W.
//   .h5 .hdf5   float depth in metres, dataset DepthOptions::dataset, shape [H,W] or [1,1,H,W].
//   .mat and .h5 files are read through h5::Reader (weights/h5.h): in a separate process with
//   time and memory limits, and refused above its element limit from the declared shape.
#pragma once
#include <string>

#include "tensor/tensor.h"

namespace ds {

struct DepthOptions {
  int frame = 0;                  // .mat: index into the frames axis
  std::string dataset = "depth";  // .h5/.hdf5: dataset path inside the file
};

Tensor load_depth_metres(const std::string& path, const DepthOptions& o = DepthOptions());

// Writes metric depth as a 16-bit grey PNG of millimetres that load_depth_metres reads back:
// each pixel is round(metres * 1000) clamped to 1..65535 (so 1 mm .. 65.535 m), and NaN,
// infinite or <= 0 pixels are written as 0, the "no reading" value. `metres` is [1,1,H,W];
// `path` must end in .png (save_image, through AtomicFile). Round trip error <= 0.5 mm inside
// the clamped range.
void save_depth_png_mm(const std::string& path, const Tensor& metres);

// The colour image of frame `frame` of an NYU labeled .mat: `images` has h5 shape
// [frames, 3, W, H] uint8; returns [1,3,H,W] in [0,1].
Tensor load_nyu_mat_rgb(const std::string& path, int frame);

}  // namespace ds
