// Colour spaces for colour preservation (`stylize --original-colors`, Gatys et al. 2016,
// "Preserving Color in Neural Artistic Style Transfer", arXiv:1606.05897, which works in YIQ).
//
// YIQ with BT.601 luma, on RGB in [0,1]:
//   Y = 0.299 R + 0.587 G + 0.114 B                     (ITU-R BT.601 luma)
//   U = 0.492111 (B - Y),  V = 0.877283 (R - Y)          (BT.601 colour differences, as in PAL/NTSC)
//   I = V cos 33° - U sin 33°,  Q = V sin 33° + U cos 33°  (the NTSC chroma axes: UV turned by 33°)
// which gives, to 4 digits, the FCC NTSC matrix (e.g. Wikipedia, "YIQ"):
//   [Y I Q] = [[0.299, 0.587, 0.114], [0.5959, -0.2746, -0.3213], [0.2115, -0.5227, 0.3112]] [R G B].
// The matrix is built from the definition above and inverted in double. Since the Y row sums
// to 1 and the I and Q rows to 0, the inverse's first column is (1, 1, 1): RGB = Y + chroma part.
#pragma once
#include "tensor/tensor.h"

namespace ds {

// [N,3,H,W] RGB -> [N,3,H,W] with channels Y, I, Q (I in about ±0.596, Q in ±0.523 for RGB in
// [0,1]), and back. Any device in, CPU out. Errors: not [N,3,H,W].
Tensor rgb_to_yiq(const Tensor& rgb);
Tensor yiq_to_rgb(const Tensor& yiq);

// The luminance Y of [N,3,H,W] RGB, repeated in the three channels (a grey RGB image), so
// features and Gram matrices of it carry no colour. Any device in, CPU out.
Tensor luminance_rgb(const Tensor& rgb);

// The luminance of `result` with the chrominance (I, Q) of `content`, both [N,3,H,W] of the
// same shape; RGB out, on the CPU. Where the result's Y with the content's I, Q would leave
// [0,1] in some channel, Y is limited to the range that keeps all three in [0,1] (never empty,
// as it holds the content's own Y), so the chroma stays exactly the content's instead of
// being clipped. Errors: shapes that differ or are not [N,3,H,W].
Tensor with_content_chroma(const Tensor& result, const Tensor& content);

}  // namespace ds
