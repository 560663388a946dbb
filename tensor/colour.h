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

// Colour histogram matching (`stylize --original-colors histogram`; Gatys, Ecker, Bethge,
// Hertzmann & Shechtman 2017, "Controlling Perceptual Factors in Neural Style Transfer", CVPR,
// sec. 5.1, "colour histogram matching"): the style image's pixels x (RGB) are transformed as
//   x' = A (x − μ_s) + μ_c,   A = Σ_c^{1/2} Σ_s^{−1/2}
// (the symmetric square roots, by eigendecomposition: the "Image Analogies" colour transfer the
// paper uses), so that the mean μ and the 3x3 covariance Σ of its RGB values equal the
// content's (population statistics over all pixels, computed in double). The style then carries
// the content's colours into the optimisation; its textures and strokes stay. Values may leave
// [0,1] (kept: clamping would change the statistics; the feature networks take any values).
// Exact when Σ_s is non-singular; a style without colour variation in some direction (a grey or
// flat image) gets Σ_s + 1e-8·I, and then matches Σ_c only along the directions it has.
// style [1,3,h,w], content [1,3,H,W], any device; CPU out. Errors: not [1,3,H,W].
Tensor match_colour_histogram(const Tensor& style, const Tensor& content);

}  // namespace ds
