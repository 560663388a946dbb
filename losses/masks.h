// Depth masks γ for the masked content and style losses (losses/losses.h), made from a
// normalised depth map d in [0,1] (near 0, far 1; see weights/depth_map.h, normalise_depth).
//
//   sigmoid:k=K,t=T      γ = σ(K (d − T))        weights far pixels (K > 0)
//   inv-sigmoid:k=K,t=T  γ = 1 − σ(K (d − T))    weights near pixels
//   linear:a=A,b=B       γ = A + (B − A) d       the linear map of [0,1] onto [A,B]; A, B in [0,1],
//                                                so no clamping is needed
//   image:PATH           γ = grey value of the image file / 255 (mean of R, G, B; 16-bit files
//                        scale to [0,1] too), resized to the depth's size under weights/depth_map.h's
//                        aspect-ratio policy (fit_depth_to)
//   constant:v=V         γ = V everywhere (V in [0,1]; constant:v=1 is "no mask")
//
// Keys may be left out (sigmoid/inv-sigmoid: k=10, t=0.5; linear: a=0, b=1; constant: v=1).
// Invariants: every mask is a CPU [1,1,H,W] tensor with values in [0,1]; make_mask refuses a mask
// that is zero everywhere (its η = mean(γ²) would be 0; see mask_eta in losses.h).
#pragma once
#include <string>

#include "tensor/tensor.h"

namespace ds {

struct MaskSpec {
  enum class Kind { Sigmoid, InvSigmoid, Linear, Image, Constant };
  Kind kind = Kind::Constant;
  double k = 10.0, t = 0.5;  // sigmoid, inv-sigmoid
  double a = 0.0, b = 1.0;   // linear
  double v = 1.0;            // constant
  std::string path;          // image
};

// Parses the forms above; throws ds::Error quoting the spec and saying what is accepted. A
// spec whose mask stays below kMaskFloor at every normalised depth in [0,1] (sigmoid:k=12,t=2
// is at most 6e-6) is refused too: it would weight nothing, and saying so before any image or
// network is loaded beats an η = 0 error afterwards.
MaskSpec parse_mask_spec(const std::string& spec);
constexpr double kMaskFloor = 1e-3;
// The largest value the mask takes over normalised depths d in [0,1] (the functions above are
// monotone in d, so at d = 0 or 1); NaN for an image mask (known once it is read).
double mask_max(const MaskSpec& s);
// Canonical text of a spec (parse_mask_spec(mask_spec_str(s)) gives s back), for logs.
std::string mask_spec_str(const MaskSpec& s);

// The mask for a normalised depth map depth01 [1,1,H,W] (values in [0,1], no NaN) -> [1,1,H,W].
// An image mask is read here and fitted to depth01's size under fit_depth_to's aspect-ratio
// policy; when `image` is given (an image mask's grey values already fitted to the content's
// own size, see load_mask_image) it is resized to depth01's size instead, without a check.
// Fit image masks to the content's own size, as depth files are: at a small working size the
// rounding of its sides (a 712x474 mask against 40x27) moves the aspect ratio past the 1%.
Tensor make_mask(const MaskSpec& s, const Tensor& depth01, const Tensor& image = Tensor());

// The grey values of an image mask file: [1,1,H,W] in [0,1], the mean of R, G and B.
// Errors: those of load_image_rgb, naming the file.
Tensor load_mask_image(const std::string& path);

// The mask at a layer's size: bilinear, align_corners=False (the project's resize op, no
// autograd), on the mask's device. Same size returns the mask itself.
Tensor resize_mask(const Tensor& m, int h, int w);

}  // namespace ds
