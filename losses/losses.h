// Style-transfer losses, built from differentiable ops (so each has a CPU and a CUDA path).
// Notation (Gatys et al.): F = features of the pastiche at a layer, P = content features,
// N = channels, M = height*width of the layer. Masks are [1,1,h,w] (or [N,1,h,w]) tensors
// in the layer's spatial size; see masks.h for making them from depth.
#pragma once
#include "autograd/ops.h"

namespace ds {

// ½ Σ (F − P)².
Var content_loss(const Var& f, const Var& p);
// Masked content: ½ Σ (γc ⊙ (F − P))², the mask broadcast over channels.
Var masked_content_loss(const Var& f, const Var& p, const Var& mask);

// Gram matrix normalised by M (G/M = F Fᵀ / M), the form style targets are stored in.
Var gram_over_m(const Var& f);
// Masked Gram: gram_over_m(γs ⊙ F) / η with η = mean(γs²) over the layer's pixels, so an
// all-ones mask gives the plain Gram. Throws if the mask is all zero (η = 0).
Var masked_gram_over_m(const Var& f, const Var& mask);
float mask_eta(const Tensor& mask);
// Style: (1/(4N²M²)) Σ (G − A)² with G, A unnormalised Grams, computed as
// (1/(4N²)) Σ (G/M − A/M)² from Grams already divided by M.
Var style_loss_from_grams(const Var& g_over_m, const Var& a_over_m);
// η of a style mask (mask_eta), refusing an all-zero mask with a ds::Error. Reads the mask on
// the host: compute it once per mask, not per iteration.
float style_mask_eta(const Tensor& mask);
// The same style loss from the features F [N,C,H,W] (masked by γs when `mask` is defined, as
// masked_gram_over_m, with eta = style_mask_eta(mask) computed by the caller) against A/M,
// through the fused gram_mse op when A/M is [N,C,C], else (a target shared by a batch,
// [1,C,C]) through gram_over_m and style_loss_from_grams.
Var style_loss_from_features(const Var& f, const Var& mask, float eta, const Var& a_over_m);

// Total variation: Σ (x[h+1,w] − x[h,w])² + Σ (x[h,w+1] − x[h,w])².
Var tv_loss(const Var& x);

// Depth loss: (1/HW) ‖φ(content) − φ(pastiche)‖², i.e. the mean squared difference of two depth maps.
Var depth_loss(const Var& depth_content, const Var& depth_pastiche);

}  // namespace ds
