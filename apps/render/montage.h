// Side-by-side previews: content, style, depth, masks and results in one image with labels.
//
// Geometry (tests rely on it): every panel is resized (bilinear) to panel_height keeping its
// aspect ratio, width round(W · panel_height / H) (at least 1); panels are placed left to right
// kMontageGap pixels apart on a white background; under each panel is a label strip of
// montage_label_height(panel_height) pixels with the label centred (clipped to the panel's
// width). Result: [1,3, panel_height + label height, Σ widths + gaps].
#pragma once
#include <string>
#include <vector>

#include "tensor/tensor.h"

namespace ds {
namespace app {

constexpr int kMontageGap = 4;

// Label text is drawn at scale 2 for panels of 256 pixels or more, else at scale 1.
int montage_label_height(int panel_height);

// panels: each [1,1,H,W] (grey, expanded to RGB) or [1,3,H,W], values in [0,1] (clamped), no NaN;
// on any device. labels: one per panel, or empty for none. Returns a CPU [1,3,h,w] image.
Tensor montage(const std::vector<Tensor>& panels, const std::vector<std::string>& labels, int panel_height);

// False colour for a normalised depth map [1,1,H,W] in [0,1] -> [1,3,H,W]: near (0) is pale
// yellow, through orange, red and purple, to far (1) dark navy; luminance falls steadily with
// depth, so the map reads correctly in grey too. NaN pixels are mid grey.
Tensor colormap_depth(const Tensor& d01);

}  // namespace app
}  // namespace ds
