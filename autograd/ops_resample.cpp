// Nearest and bilinear resizing, padding and channel concatenation: forward and backward.
#include "autograd/op_util.h"

namespace ds {

static Tensor resize_output(const char* op, const Var& x, int64_t h, int64_t w) {
  check_inputs(op, {&x});
  check_4d(op, x);
  if (h < 1 || w < 1 || h > 65536 || w > 65536)
    throw Error(std::string(op) + ": output size " + std::to_string(h) + "x" + std::to_string(w) + " is invalid");
  return empty_like_dev({x.shape()[0], x.shape()[1], h, w}, x.value());
}

Var resize_nearest(const Var& x, int64_t out_h, int64_t out_w) {
  ProfileOp prof("resize_nearest");
  Tensor y = resize_output("resize_nearest", x, out_h, out_w);
  DS_DISPATCH(y.device(), resize_nearest_forward, x.value(), y);
  Shape xs = x.shape();
  return Var::make_result(y, "resize_nearest", {x}, [xs](const Tensor& gy) -> Grads {
    Tensor gx = empty_like_dev(xs, gy);
    DS_DISPATCH(gy.device(), resize_nearest_backward, gy, gx);
    return {gx};
  });
}

Var resize_bilinear(const Var& x, int64_t out_h, int64_t out_w) {
  ProfileOp prof("resize_bilinear");
  Tensor y = resize_output("resize_bilinear", x, out_h, out_w);
  DS_DISPATCH(y.device(), resize_bilinear_forward, x.value(), y);
  Shape xs = x.shape();
  return Var::make_result(y, "resize_bilinear", {x}, [xs](const Tensor& gy) -> Grads {
    Tensor gx = empty_like_dev(xs, gy);
    DS_DISPATCH(gy.device(), resize_bilinear_backward, gy, gx);
    return {gx};
  });
}

void check_reflection_pad(const std::string& op, const Pad2dParams& p, const Shape& s) {
  if (!reflection_fits(p, s[2], s[3]))
    throw InputTooSmall(op + ": " + p.str() + " must be non-negative and smaller than the input size " + shape_str(s));
}

Var pad2d(const Var& x, const Pad2dParams& p, PadMode mode) {
  const char* op = mode == PadMode::Reflect ? "reflection_pad2d" : "zero_pad2d";
  ProfileOp prof(op);
  check_inputs(op, {&x});
  check_4d(op, x);
  const Shape& s = x.shape();
  int64_t h = s[2] + p.top + p.bottom, w = s[3] + p.left + p.right;
  if (h < 1 || w < 1) throw Error(std::string(op) + ": " + p.str() + " leaves nothing of input " + shape_str(s));
  if (mode == PadMode::Reflect) check_reflection_pad(op, p, s);
  Tensor y = empty_like_dev({s[0], s[1], h, w}, x.value());
  DS_DISPATCH(y.device(), pad2d_forward, x.value(), y, p, mode);
  Shape xs = s;
  return Var::make_result(y, op, {x}, [xs, p, mode](const Tensor& gy) -> Grads {
    Tensor gx = empty_like_dev(xs, gy);
    DS_DISPATCH(gy.device(), pad2d_backward, gy, gx, p, mode);
    return {gx};
  });
}

Var concat_channels(const std::vector<Var>& xs) {
  const char* op = "concat_channels";
  ProfileOp prof(op);
  if (xs.empty()) throw Error("concat_channels: no inputs");
  int64_t c = 0;
  for (const Var& v : xs) {
    check_inputs(op, {&xs[0], &v});
    check_4d(op, v);
    const Shape& s = v.shape();
    const Shape& s0 = xs[0].shape();
    if (s[0] != s0[0] || s[2] != s0[2] || s[3] != s0[3])
      throw Error("concat_channels: shapes " + shape_str(s0) + " and " + shape_str(s) + " differ outside the channels");
    c += s[1];
  }
  const Shape& s0 = xs[0].shape();
  Tensor y = empty_like_dev({s0[0], c, s0[2], s0[3]}, xs[0].value());
  std::vector<Shape> shapes;
  int64_t c0 = 0;
  for (const Var& v : xs) {
    DS_DISPATCH(y.device(), copy_channels_in, v.value(), y, c0);
    c0 += v.shape()[1];
    shapes.push_back(v.shape());
  }
  return Var::make_result(y, op, xs, [shapes](const Tensor& gy) -> Grads {
    Grads g;
    int64_t off = 0;
    for (const Shape& s : shapes) {
      g.push_back(empty_like_dev(s, gy));
      DS_DISPATCH(gy.device(), copy_channels_out, gy, g.back(), off);
      off += s[1];
    }
    return g;
  });
}

}  // namespace ds
