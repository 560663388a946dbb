// warp: bilinear sampling of an image by a flow field (backward warping), forward and backward.
#include "autograd/op_util.h"

namespace ds {

Var warp(const Var& x, const Var& flow) {
  const char* op = "warp";
  ProfileOp prof(op);
  check_inputs(op, {&x, &flow});
  check_4d(op, x);
  check_4d(op, flow);
  const Shape& xs = x.shape();
  const Shape& fs = flow.shape();
  if (fs[0] != xs[0] || fs[1] != 2 || fs[2] != xs[2] || fs[3] != xs[3])
    throw Error("warp: flow " + shape_str(fs) + " does not fit image " + shape_str(xs) + " (expected [" +
                std::to_string(xs[0]) + ", 2, " + std::to_string(xs[2]) + ", " + std::to_string(xs[3]) + "])");
  Tensor y = empty_like(x.value());
  DS_DISPATCH(y.device(), warp_forward, x.value(), flow.value(), y);
  bool gx = needs_grad(x), gf = needs_grad(flow);
  // Both gradients read the flow (the taps); only the flow's reads the image.
  Tensor xk = gf ? x.value() : Tensor(), fk = flow.value();
  Shape xshape = xs;
  return Var::make_result(y, op, {x, flow}, [=](const Tensor& gy) -> Grads {
    Grads g(2);
    if (gx) g[0] = empty_like_dev(xshape, gy);
    if (gf) g[1] = empty_like(fk);
    DS_DISPATCH(gy.device(), warp_backward, xk, fk, gy, g[0], g[1]);
    return g;
  });
}

}  // namespace ds
