// Max, average and global average pooling: forward and backward side by side.
#include "autograd/op_util.h"

namespace ds {

static Tensor pool_output(const char* op, const Var& x, const Pool2dParams& p) {
  check_inputs(op, {&x});
  check_4d(op, x);
  if (p.kh < 1 || p.kw < 1 || p.stride_h < 1 || p.stride_w < 1 || p.pad_h < 0 || p.pad_w < 0 || 2 * p.pad_h > p.kh ||
      2 * p.pad_w > p.kw)
    throw Error(std::string(op) + ": invalid parameters (" + p.str() + "); padding may be at most half the kernel");
  const Shape& s = x.shape();
  if (s[2] + 2 * p.pad_h < p.kh || s[3] + 2 * p.pad_w < p.kw)
    throw InputTooSmall(std::string(op) + ": input " + shape_str(s) + " is smaller than the window (" + p.str() + ")");
  return empty_like_dev({s[0], s[1], p.out_h(static_cast<int>(s[2])), p.out_w(static_cast<int>(s[3]))}, x.value());
}

// Keeps the window offset of each maximum (y's size), not the input.
Var max_pool2d(const Var& x, const Pool2dParams& p) {
  ProfileOp prof("max_pool2d");
  Tensor y = pool_output("max_pool2d", x, p);
  Tensor argmax = needs_grad(x) ? empty_like(y) : Tensor();
  DS_DISPATCH(y.device(), max_pool2d_forward, x.value(), y, argmax, p);
  Shape xs = x.shape();
  return Var::make_result(y, "max_pool2d", {x}, [argmax, xs, p](const Tensor& gy) -> Grads {
    Tensor gx = empty_like_dev(xs, gy);
    DS_DISPATCH(gy.device(), max_pool2d_backward, argmax, gy, gx, p);
    return {gx};
  });
}

Var avg_pool2d(const Var& x, const Pool2dParams& p) {
  ProfileOp prof("avg_pool2d");
  Tensor y = pool_output("avg_pool2d", x, p);
  DS_DISPATCH(y.device(), avg_pool2d_forward, x.value(), y, p);
  Shape xs = x.shape();
  return Var::make_result(y, "avg_pool2d", {x}, [xs, p](const Tensor& gy) -> Grads {
    Tensor gx = empty_like_dev(xs, gy);
    DS_DISPATCH(gy.device(), avg_pool2d_backward, gy, gx, p);
    return {gx};
  });
}

Var global_avg_pool(const Var& x) {
  ProfileOp prof("global_avg_pool");  // avg_pool2d inside counts as global_avg_pool
  check_inputs("global_avg_pool", {&x});
  check_4d("global_avg_pool", x);
  Pool2dParams p;
  p.kh = p.stride_h = static_cast<int>(x.shape()[2]);
  p.kw = p.stride_w = static_cast<int>(x.shape()[3]);
  return avg_pool2d(x, p);
}

}  // namespace ds
