// Temporal terms of video style transfer: the temporal loss of the optimisation method, the
// blind temporal consistency of per-frame (feed-forward) results, and the stability measure.
// Images are [1,C,H,W] in [0,1]; `warped_prev` is the previous frame's result brought into this
// frame by warp(prev, flow(frame_t, frame_{t-1})) (autograd/ops.h, apps/media/optical_flow.h);
// weights are [1,1,H,W] in [0,1] (the flow's reliability c, 0 where occluded or unknown).
#pragma once
#include "autograd/ops.h"

namespace ds {

// The short-term temporal loss of Ruder et al. 2016, "Artistic style transfer for videos":
//   L_temporal(x, w, c) = (1/D) sum_k c_k (x_k - w_k)^2,   D = C*H*W,
// c broadcast over the channels. Their images are in 0..255 (Caffe VGG), ours in 0..1, so a
// weight of theirs (e.g. 1e3 at a style weight of 1e2 there) corresponds to a 255^2 times larger one
// here relative to the other terms. [1]. Errors: shapes that do not fit (ds::Error naming them).
Var temporal_loss(const Var& x, const Tensor& warped_prev, const Tensor& weight);

// The warping error E_warp of Lai et al., "Learning Blind Video Temporal Consistency", ECCV 2018
// (their measure of short-term stability): sum_x M(x) ||O_t(x) - warped_prev(x)||^2 / sum_x M(x), the squared norm over the
// channels, for values in [0,1]; M = the non-occluded pixels (weight > 0.5). 0 when no pixel is.
double warping_error(const Tensor& out, const Tensor& warped_prev, const Tensor& weight);
// mean_x |a(x) - b(x)| over pixels with weight > 0.5 (the flicker of a mask or depth map).
double masked_mean_abs_diff(const Tensor& a, const Tensor& b, const Tensor& weight);

// Blind temporal consistency after Bonneel et al., "Blind Video Temporal Consistency", SIGGRAPH
// Asia 2015: the output O keeps the gradients of the per-frame result P and follows the warped
// previous output where the flow is reliable, per channel:
//   O = argmin  sum_edges ((O_p - O_q) - (P_p - P_q))^2 + sum_p w_p (O_p - warped_p)^2 + eps sum_p (O_p - P_p)^2
// (4-neighbour edges; eps = 0.1 keeps pixels no reliable flow reaches tied to P, and a drift of
// the low frequencies away from P in check). The minimum solves the
// screened Poisson system (L + diag(w + eps)) O = L P + w warped + eps P (L the graph Laplacian),
// here by conjugate gradients with a Jacobi preconditioner, started from the blend
// (w warped + P) / (w + 1), until the residual falls below `tolerance` times the right-hand
// side's norm or after `max_iterations`. CPU tensors; returns O.
struct ConsistencyOptions {
  float eps = 0.1f;
  float tolerance = 1e-3f;
  int max_iterations = 200;
};
struct ConsistencyStats {
  int iterations = 0;
  double relative_residual = 0;
};
Tensor blind_temporal_consistency(const Tensor& processed, const Tensor& warped_prev, const Tensor& weight,
                                  const ConsistencyOptions& o = {}, ConsistencyStats* stats = nullptr);

// The per-pixel weight w of blind_temporal_consistency: lambda * c * exp(-||I_t - warped I_{t-1}||^2 / sigma^2),
// i.e. the flow's reliability c, lowered where the input frames themselves disagree after warping
// (a change of light, or a flow error the consistency check missed), as Bonneel et al. weigh
// their temporal term by the input's warping residual. [1,1,H,W].
Tensor consistency_weight(const Tensor& reliability, const Tensor& frame, const Tensor& warped_prev_frame, float lambda,
                          float sigma = 0.1f);

}  // namespace ds
