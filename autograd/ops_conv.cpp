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
  if (p.upsample != 1 && (transposed || p.upsample < 1 || p.upsample > 64 || p.stride_h != 1 || p.stride_w != 1 ||
                          p.dil_h != 1 || p.dil_w != 1 || p.groups != 1))
    throw Error(std::string(op) + ": upsample must be 1 .. 64, and is for convolutions of stride 1 without dilation or "
                "groups only (" + p.str() + ")");
  if (p.pad_mode == PadMode::Reflect) {
    if (transposed) throw Error(std::string(op) + ": reflection padding is for convolutions only (" + p.str() + ")");
    check_reflection_pad(std::string(op) + " with reflection padding", p.padding(),
                         {xs[0], xs[1], xs[2] * p.upsample, xs[3] * p.upsample});
  }
}

// Gradient of a per-channel bias: sum of dy over N, H, W.
static Tensor bias_grad(const Tensor& gy) {
  Tensor db = Tensor::empty({1, gy.shape()[1], 1, 1}, gy.device());
  DS_DISPATCH(gy.device(), reduce_sum_to, gy, db);
  return db.reshape({gy.shape()[1]});
}

Tensor relu_mask_grad(const Tensor& mask, const Tensor& gy) {
  Tensor gx = grad_output_buffer(gy);
  DS_DISPATCH(gy.device(), relu_mask_backward, mask, gy, gx);
  return gx;
}

// The activation after a convolution, in place on its output y. What backward reads: a ReLU's sign
// mask, any other activation's output, which is y itself (no copy).
struct InPlaceAct {
  bool on = false;
  Act act = Act::Relu;
  float alpha = 1.0f;
  Tensor mask;

  void forward(Tensor& y, bool needs_backward) {
    if (!on) return;
    if (act == Act::Relu && needs_backward) {
      mask = empty_like_dev({relu_mask_numel(y.numel())}, y);
      DS_DISPATCH(y.device(), relu_mask_forward, y, y, mask);
    } else {
      DS_DISPATCH(y.device(), activation_forward, act, alpha, y, y);
    }
  }
  Tensor backward(const Tensor& y, const Tensor& gy) const {
    if (!on) return gy;
    if (act == Act::Relu) return relu_mask_grad(mask, gy);
    Tensor g = grad_output_buffer(gy);
    DS_DISPATCH(gy.device(), activation_backward, act, alpha, y, gy, g);
    return g;
  }
};

static Var conv2d_impl(const char* op, const Var& x, const Var& w, const Var& b, const Conv2dParams& p,
                       InPlaceAct act) {
  check_conv(op, x, w, b, p, false);
  // An upsampled input (Conv2dParams::upsample) is read in place only by the CPU forward without
  // gradients (inference); with gradients or on CUDA the enlarged copy is made here, and autograd
  // takes the gradient through upsample_nearest as for the two ops written out.
  if (p.upsample > 1 && (x.device() != Device::CPU || needs_grad(x) || needs_grad(w) || needs_grad(b)))
    return conv2d_impl(op, upsample_nearest(x, p.upsample), w, b, p.not_upsampled(), act);
  ProfileOp prof(op);
  const int64_t f = p.upsample;
  const Shape xs{x.shape()[0], x.shape()[1], x.shape()[2] * f, x.shape()[3] * f};  // the enlarged input's
  const Shape& ws = w.shape();
  int64_t ho = (xs[2] + p.pad_top + p.pad_bottom - p.dil_h * (ws[2] - 1) - 1) / p.stride_h + 1;
  int64_t wo = (xs[3] + p.pad_left + p.pad_right - p.dil_w * (ws[3] - 1) - 1) / p.stride_w + 1;
  if (xs[2] + p.pad_top + p.pad_bottom < p.dil_h * (ws[2] - 1) + 1 ||
      xs[3] + p.pad_left + p.pad_right < p.dil_w * (ws[3] - 1) + 1)
    throw InputTooSmall(std::string(op) + ": input " + shape_str(xs) + " is smaller than the kernel " + shape_str(ws) + " (" +
                p.str() + ")");
  Tensor y = empty_like_dev({xs[0], ws[0], ho, wo}, x.value());
  DS_DISPATCH(y.device(), conv2d_forward, x.value(), w.value(), b.defined() ? b.value() : Tensor(), y, p);
  const double flops = 2.0 * static_cast<double>(y.numel()) * static_cast<double>(ws[1] * ws[2] * ws[3]);
  profile_flops(flops);

  bool gx = needs_grad(x), gw = needs_grad(w), gb = needs_grad(b);
  act.forward(y, gx || gw || gb);
  Tensor xk = gw ? x.value() : Tensor();  // x is only read by the weight gradient
  Tensor wk = gx ? w.value() : Tensor();  // w is only read by the input gradient
  // Only an activation other than ReLU reads the output back: the result's own storage, no copy.
  Tensor yk = act.on && act.act != Act::Relu ? y : Tensor();
  Shape xshape = x.shape(), wshape = ws;
  return Var::make_result(y, op, {x, w, b}, [=](const Tensor& gy_out) -> Grads {
    Tensor gy = act.backward(yk, gy_out);
    Grads g(3);
    if (gx) {
      g[0] = empty_like_dev(xshape, gy);
      DS_DISPATCH(gy.device(), conv2d_backward_data, gy, wk, g[0], p);
    }
    if (gw) {
      g[1] = empty_like_dev(wshape, gy);
      DS_DISPATCH(gy.device(), conv2d_backward_filter, gy, xk, g[1], p);
    }
    profile_flops(flops * ((gx ? 1 : 0) + (gw ? 1 : 0)));
    if (gb) g[2] = bias_grad(gy);
    return g;
  });
}

Var conv2d(const Var& x, const Var& w, const Var& b, const Conv2dParams& p) {
  return conv2d_impl("conv2d", x, w, b, p, InPlaceAct{});
}

Var conv2d_act(const Var& x, const Var& w, const Var& b, const Conv2dParams& p, Act act, float alpha) {
  return conv2d_impl(act == Act::Relu ? "conv2d_relu" : "conv2d_act", x, w, b, p, InPlaceAct{true, act, alpha, {}});
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
  const double flops = 2.0 * static_cast<double>(shape_numel(xs)) * static_cast<double>(ws[1] * ws[2] * ws[3]);
  profile_flops(flops);

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
    profile_flops(flops * ((gx ? 1 : 0) + (gw ? 1 : 0)));
    if (gb) g[2] = bias_grad(gy);
    return g;
  });
}

}  // namespace ds
