// `depthstyle depth`: monocular depth as the 16-bit PNG of millimetres that `stylize --depth`
// reads back (weights/depth_io.h), and its colour preview.
#pragma once
#include <cstdint>
#include <string>

#include "nn/pretrained.h"

namespace ds {
namespace app {

// What the PNG holds: 1 .. 65535 mm (0 means "no reading", which an estimate never is).
constexpr double kPngNearestMetres = 0.001, kPngFarthestMetres = 65.535;

struct DepthEstimate {
  Tensor metres;                  // [1,1,H,W] CPU, every pixel within [kPngNearestMetres, kPngFarthestMetres]
  float raw_min = 0, raw_max = 0;  // the network's own range (metres), before clamping
  int64_t raised = 0, lowered = 0;  // pixels clamped up to 1 mm (estimates <= 0 m among them), down to 65.535 m
};

// The depth `net` estimates for `rgb` ([1,3,H,W] in [0,1]) on `dev`, at the image's size
// (DepthEstimator::predict), clamped to what the PNG holds: FastDepth gives <= 0 m on some
// images (the nearest blob of chicago.jpg), which the PNG would otherwise store as "no reading".
// Throws ds::Error naming the network when an estimate is NaN or infinite (broken weights).
DepthEstimate estimate_depth(const DepthEstimator& net, const Tensor& rgb, Device dev);

// Prints a note for each kind of clamped pixel of `d` (none when nothing was clamped):
// "note: N pixels estimated nearer than 1 mm taken as 1 mm (...)". `depth` and `3d` both say it,
// so that a depth `3d` estimates is the one `depth` writes and says the same about it.
void print_depth_clamp_notes(const DepthEstimate& d);

// DEPTH.png -> DEPTH_preview.png (the name `depth` gives its preview).
std::string depth_preview_path(const std::string& out);

// Writes d.metres to `out` (save_depth_png_mm: round(metres * 1000) mm) and its colour map,
// normalised over the image, to depth_preview_path(out); both through AtomicFile.
void write_depth_outputs(const DepthEstimate& d, const std::string& out);

}  // namespace app
}  // namespace ds
