// conv2d and conv_transpose2d: forward and backward side by side.
#include <algorithm>

#include "autograd/op_util.h"

namespace ds {

static void check_params(const char* op, const Conv2dParams& p) {
  if (p.stride_h < 1 || p.stride_w < 1 || p.dil_h < 1 || p.dil_w < 1 || p.groups < 1 || p.out_pad_h < 0 ||
      p.out_pad_w < 0)
    throw Error(std::string(op) + ": invalid parameters (" + p.str() + ")");
}

// Checks x, w, b of a convolution; `w_in_dim` is the weight dim holding input channels per group.
static void check_conv(const char* op, const Var& x, const Var& w, const Var& b, const Conv2dParams& p,
                       bool transposed) {
  check_inputs(op, {&x, &w, &b});
  check_params(op, p);
  check_4d(op, x);
  if (w.value().ndim() != 4) throw Error(std::string(op) + ": weight must be 4-D, got " + shape_str(w.shape()));
  const Shape& xs = x.shape();
  const Shape& ws = w.shape();
  int64_t cin = xs[1];
  int64_t cout = transposed ? ws[1] * p.groups : ws[0];
  bool ok = transposed ? (ws[0] == cin && cin % p.groups == 0)
                       : (ws[1] * p.groups == cin && ws[0] % p.groups == 0);
  if (!ok)
    throw Error(std::string(op) + ": input " + shape_str(xs) + " and weight " + shape_str(ws) +
                " do not match with groups=" + std::to_string(p.groups));
  if (b.defined() && b.shape() != Shape{cout})
    throw Error(std::string(op) + ": bias shape " + shape_str(b.shape()) + " should be [" + std::to_string(cout) + "]");
}

// Gradient of a per-channel bias: sum of dy over N, H, W.
static Tensor bias_grad(const Tensor& gy) {
  Tensor db = Tensor::empty({1, gy.shape()[1], 1, 1}, gy.device());
  DS_DISPATCH(gy.device(), reduce_sum_to, gy, db);
  return db.reshape({gy.shape()[1]});
}

Var conv2d(const Var& x, const Var& w, const Var& b, const Conv2dParams& p) {
  const char* op = "conv2d";
  ProfileOp prof(op);
  check_conv(op, x, w, b, p, false);
  const Shape& xs = x.shape();
  const Shape& ws = w.shape();
  int64_t ho = (xs[2] + p.pad_top + p.pad_bottom - p.dil_h * (ws[2] - 1) - 1) / p.stride_h + 1;
  int64_t wo = (xs[3] + p.pad_left + p.pad_right - p.dil_w * (ws[3] - 1) - 1) / p.stride_w + 1;
  if (xs[2] + p.pad_top + p.pad_bottom < p.dil_h * (ws[2] - 1) + 1 ||
      xs[3] + p.pad_left + p.pad_right < p.dil_w * (ws[3] - 1) + 1)
    throw Error("conv2d: input " + shape_str(xs) + " is smaller than the kernel " + shape_str(ws) + " (" + p.str() + ")");
  Tensor y = empty_like_dev({xs[0], ws[0], ho, wo}, x.value());
  DS_DISPATCH(y.device(), conv2d_forward, x.value(), w.value(), b.defined() ? b.value() : Tensor(), y, p);

  bool gx = needs_grad(x), gw = needs_grad(w), gb = needs_grad(b);
  Tensor xk = gw ? x.value() : Tensor();  // x is only read by the weight gradient
  Tensor wk = gx ? w.value() : Tensor();  // w is only read by the input gradient
  Shape xshape = xs, wshape = ws;
  return Var::make_result(y, op, {x, w, b}, [=](const Tensor& gy) -> Grads {
    Grads g(3);
    if (gx) {
      g[0] = empty_like_dev(xshape, gy);
      DS_DISPATCH(gy.device(), conv2d_backward_data, gy, wk, g[0], p);
    }
    if (gw) {
      g[1] = empty_like_dev(wshape, gy);
      DS_DISPATCH(gy.device(), conv2d_backward_filter, gy, xk, g[1], p);
    }
    if (gb) g[2] = bias_grad(gy);
    return g;
  });
}

Var conv_transpose2d(const Var& x, const Var& w, const Var& b, const Conv2dParams& p) {
  const char* op = "conv_transpose2d";
  ProfileOp prof(op);
  check_conv(op, x, w, b, p, true);
  const Shape& xs = x.shape();
  const Shape& ws = w.shape();
  int64_t ho = (xs[2] - 1) * p.stride_h - p.pad_top - p.pad_bottom + p.dil_h * (ws[2] - 1) + 1 + p.out_pad_h;
  int64_t wo = (xs[3] - 1) * p.stride_w - p.pad_left - p.pad_right + p.dil_w * (ws[3] - 1) + 1 + p.out_pad_w;
  if (ho < 1 || wo < 1)
    throw Error("conv_transpose2d: output would be empty for input " + shape_str(xs) + " (" + p.str() + ")");
  if (p.out_pad_h >= std::max(p.stride_h, p.dil_h) || p.out_pad_w >= std::max(p.stride_w, p.dil_w))
    throw Error("conv_transpose2d: output padding must be smaller than stride or dilation (" + p.str() + ")");
  Tensor y = empty_like_dev({xs[0], ws[1] * p.groups, ho, wo}, x.value());
  DS_DISPATCH(y.device(), conv_transpose2d_forward, x.value(), w.value(), b.defined() ? b.value() : Tensor(), y, p);

  bool gx = needs_grad(x), gw = needs_grad(w), gb = needs_grad(b);
  Tensor xk = gw ? x.value() : Tensor();
  Tensor wk = gx ? w.value() : Tensor();
  Shape xshape = xs, wshape = ws;
  return Var::make_result(y, op, {x, w, b}, [=](const Tensor& gy) -> Grads {
    Grads g(3);
    if (gx) {
      g[0] = empty_like_dev(xshape, gy);
      DS_DISPATCH(gy.device(), conv_transpose2d_backward_data, gy, wk, g[0], p);
    }
    if (gw) {
      g[1] = empty_like_dev(wshape, gy);
      DS_DISPATCH(gy.device(), conv_transpose2d_backward_filter, gy, xk, g[1], p);
    }
    if (gb) g[2] = bias_grad(gy);
    return g;
  });
}

}  // namespace ds
