// Differentiable ops on Vars. Each op validates its inputs (clear ds::Error naming the op and
// the shapes), allocates its output on the inputs' device, calls the kernel through
// DS_DISPATCH and records a backward function that keeps only what the needed gradients read.
// Forward and backward of each op sit side by side in autograd/ops_*.cpp.
#pragma once
#include <utility>
#include <vector>

#include "autograd/var.h"
#include "tensor/params.h"

namespace ds {

// ---- convolution (ops_conv.cpp) ----
// x [N,Cin,H,W], w [Cout,Cin/groups,kh,kw], b [Cout] or an undefined Var. With
// p.pad_mode = Reflect the same values as conv2d(pad2d(x, p.padding(), Reflect), w, b,
// p.unpadded()) (PyTorch's padding_mode='reflect'); throws InputTooSmall unless every pad is
// >= 0 and smaller than x along its axis.
Var conv2d(const Var& x, const Var& w, const Var& b, const Conv2dParams& p);
// activation(conv2d(x, w, b, p), act, alpha) fused: same shapes and errors as conv2d. The
// activation runs in place on the convolution's output; for backward a ReLU keeps only its sign
// mask (1 bit per element), other activations their output (the result itself, no copy).
Var conv2d_act(const Var& x, const Var& w, const Var& b, const Conv2dParams& p, Act act, float alpha = 1.0f);
inline Var conv2d_relu(const Var& x, const Var& w, const Var& b, const Conv2dParams& p) {
  return conv2d_act(x, w, b, p, Act::Relu);
}
// x [N,Cin,H,W], w [Cin,Cout/groups,kh,kw] (PyTorch layout), b [Cout] or undefined.
Var conv_transpose2d(const Var& x, const Var& w, const Var& b, const Conv2dParams& p);

// Ops given their input as an rvalue (a temporary, or std::move) write their result over it
// when no gradient is recorded (no input needs one, e.g. under NoGradGuard) and the input is its
// storage's sole holder (Var::sole_holder): inference then keeps one buffer per layer instead of
// two (the fast-style transformer at 6000x4000: peak 2 maps, not 3). Otherwise, as the
// const& overload. The rvalue is left empty (undefined), as a moved-from Var. So far:
// activations and instance norm.

// ---- pointwise (ops_pointwise.cpp) ----
Var activation(const Var& x, Act act, float alpha = 1.0f);
Var activation(Var&& x, Act act, float alpha = 1.0f);
inline Var relu(const Var& x) { return activation(x, Act::Relu); }
inline Var relu(Var&& x) { return activation(std::move(x), Act::Relu); }
inline Var relu6(const Var& x) { return activation(x, Act::Relu6); }
inline Var elu(const Var& x, float alpha = 1.0f) { return activation(x, Act::Elu, alpha); }
inline Var sigmoid(const Var& x) { return activation(x, Act::Sigmoid); }
inline Var tanh(const Var& x) { return activation(x, Act::Tanh); }
inline Var tanh(Var&& x) { return activation(std::move(x), Act::Tanh); }

// Broadcasting binary ops: shapes are right-aligned (numpy rules, at most 4-D); each dim
// equal or 1. Per-channel broadcasting of a [C] vector onto NCHW: reshape it to [1,C,1,1].
Var binary(BinOp op, const Var& a, const Var& b);
inline Var add(const Var& a, const Var& b) { return binary(BinOp::Add, a, b); }
inline Var sub(const Var& a, const Var& b) { return binary(BinOp::Sub, a, b); }
inline Var mul(const Var& a, const Var& b) { return binary(BinOp::Mul, a, b); }
inline Var div(const Var& a, const Var& b) { return binary(BinOp::Div, a, b); }
Var scale_add(const Var& x, float alpha, float beta = 0.0f);  // alpha*x + beta
inline Var operator+(const Var& a, const Var& b) { return add(a, b); }
inline Var operator-(const Var& a, const Var& b) { return sub(a, b); }
inline Var operator*(const Var& a, const Var& b) { return mul(a, b); }
inline Var operator/(const Var& a, const Var& b) { return div(a, b); }
inline Var operator*(const Var& a, float s) { return scale_add(a, s); }
inline Var operator*(float s, const Var& a) { return scale_add(a, s); }
inline Var operator+(const Var& a, float s) { return scale_add(a, 1.0f, s); }
Var reshape(const Var& x, const Shape& s);  // a view; gradient reshaped back

// ---- pooling (ops_pool.cpp) ----
Var max_pool2d(const Var& x, const Pool2dParams& p);
Var avg_pool2d(const Var& x, const Pool2dParams& p);
Var global_avg_pool(const Var& x);  // [N,C,H,W] -> [N,C,1,1]

// ---- normalisation (ops_norm.cpp) ----
// Inference batch norm with running statistics: (x-mean)/sqrt(var+eps)*gamma + beta, all [C].
Var batch_norm(const Var& x, const Var& gamma, const Var& beta, const Tensor& running_mean,
               const Tensor& running_var, float eps);
// Instance norm over H,W; gamma/beta [C] or undefined Vars (no affine).
Var instance_norm(const Var& x, const Var& gamma, const Var& beta, float eps);
Var instance_norm(Var&& x, const Var& gamma, const Var& beta, float eps);  // in place when it may (above)

// ---- resampling, padding, concatenation (ops_resample.cpp) ----
Var resize_nearest(const Var& x, int64_t out_h, int64_t out_w);
inline Var upsample_nearest(const Var& x, int factor) { return resize_nearest(x, x.shape()[2] * factor, x.shape()[3] * factor); }
Var resize_bilinear(const Var& x, int64_t out_h, int64_t out_w);  // align_corners=False
Var pad2d(const Var& x, const Pad2dParams& p, PadMode mode);       // negative zero-padding crops
Var concat_channels(const std::vector<Var>& xs);

// ---- warping (ops_warp.cpp) ----
// Backward warping by an optical flow: x [N,C,H,W], flow [N,2,H,W] (u, v in pixels) ->
// [N,C,H,W], out[n,c,h,w] = x[n,c] sampled bilinearly at (w + u, h + v). A sample outside the
// image takes the nearest edge value (coordinates clamped; PyTorch grid_sample with
// padding_mode='border', align_corners=True), so whether it was inside is not in the result:
// callers that must know weigh it out with a validity mask (apps/media/optical_flow.h's
// occlusion mask marks every outside sample unreliable). Gradients to x and to the flow (0 along
// an axis whose coordinate was clamped; piecewise linear between pixel centres, so a flow on
// integer offsets has one-sided derivatives there). Errors: a flow of another shape.
Var warp(const Var& x, const Var& flow);

// ---- reductions and losses (ops_reduce.cpp) ----
Var sum(const Var& x);   // [1]
Var mean(const Var& x);  // [1]
// f [N,C,H,W] -> [N,C,C] = scale * F F^T over the spatial axis (scale e.g. 1/(C*H*W)).
Var gram(const Var& f, float scale);
Var mse_loss(const Var& a, const Var& b);  // [1] = mean((a-b)^2)
// Style loss against a target Gram in one autograd node: [1] = coef * sum((scale F F^T - t)^2),
// F = f[n] viewed as [C, H*W]; f [N,C,H,W], t [N,C,C] (same N; t gets no gradient). The same
// value as sum(square(gram(f, scale) - t)) * coef, with 3 kernels forward (Gram GEMM, MSE, scale)
// and 3 backward (MSE gradient, two GEMMs) instead of 5 and 7, and only the Gram kept for the
// backward. Throws ds::Error naming the op when the shapes do not fit.
Var gram_mse(const Var& f, const Var& t, float scale, float coef);

// Per-term gradient normalisation (jcjohnson/neural-style -normalize_gradients: its
// ContentLoss and StyleLoss divide their gradient by its L1 norm, then weight it).
// Forward: x itself (any shape up to 4-D). Backward: for use as weight * L(normalize_gradient(x,
// weight)), where the incoming gradient is g = weight * dL/dx, it passes
//   weight * d / (||d||_1 + 1e-8)  with d = dL/dx,  i.e.  weight * g / (||g||_1 + weight * 1e-8),
// so each term's gradient has L1 norm `weight` whatever its scale; weight 0 passes zeros. The
// norm stays on the device (no host sync). Errors: weight negative or not finite.
Var normalize_gradient(const Var& x, float weight);

}  // namespace ds
