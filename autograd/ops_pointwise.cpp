// Activations, broadcasting binary ops, scale_add and reshape: forward and backward side by side.
#include <algorithm>

#include "autograd/op_util.h"

namespace ds {

const char* act_name(Act a) {
  switch (a) {
    case Act::Relu: return "relu";
    case Act::Relu6: return "relu6";
    case Act::Elu: return "elu";
    case Act::Sigmoid: return "sigmoid";
    case Act::Tanh: return "tanh";
  }
  return "?";
}

const char* binop_name(BinOp op) {
  switch (op) {
    case BinOp::Add: return "add";
    case BinOp::Sub: return "sub";
    case BinOp::Mul: return "mul";
    case BinOp::Div: return "div";
  }
  return "?";
}

// ReLU keeps its sign mask (1 bit per element), not its output, for backward.
static Var relu_masked(const Var& x) {
  Tensor y = empty_like(x.value());
  Tensor mask = empty_like_dev({relu_mask_numel(y.numel())}, y);
  DS_DISPATCH(y.device(), relu_mask_forward, x.value(), y, mask);
  return Var::make_result(y, "relu", {x}, [mask](const Tensor& gy) -> Grads { return {relu_mask_grad(mask, gy)}; });
}

// The activation of x written into y (a new tensor, or x's own storage: ops.h).
static Var activation_into(const Var& x, Act act, float alpha, bool consume) {
  const char* op = act_name(act);
  ProfileOp prof(op);
  check_inputs(op, {&x});
  if (act == Act::Relu && needs_grad(x)) return relu_masked(x);
  Tensor y = consume ? consumable_output(x, {&x}) : empty_like(x.value());
  DS_DISPATCH(y.device(), activation_forward, act, alpha, x.value(), y);
  return Var::make_result(y, op, {x}, [y, act, alpha](const Tensor& gy) -> Grads {
    Tensor gx = empty_like(gy);
    DS_DISPATCH(gy.device(), activation_backward, act, alpha, y, gy, gx);
    return {gx};
  });
}

Var activation(const Var& x, Act act, float alpha) { return activation_into(x, act, alpha, false); }
Var activation(Var&& x, Act act, float alpha) {
  Var y = activation_into(x, act, alpha, true);
  x = Var();  // moved from: it no longer holds the storage it may share with y
  return y;
}

// ---- broadcasting ----------------------------------------------------------

// Left-pads a shape with 1s to `rank` dims.
static Shape pad_rank(const Shape& s, size_t rank) {
  Shape r(rank - s.size(), 1);
  r.insert(r.end(), s.begin(), s.end());
  return r;
}

// Sums a gradient of the broadcast output shape down to an input's shape.
static Tensor reduce_to_shape(const Tensor& g, const Shape& shape) {
  if (g.shape() == shape) return g;
  Tensor r = Tensor::empty(pad_rank(shape, g.shape().size()), g.device());
  DS_DISPATCH(g.device(), reduce_sum_to, g, r);
  return r.reshape(shape);
}

static Tensor binary_tensor(BinOp op, const Tensor& a, const Tensor& b) {
  Tensor y = empty_like(a);
  DS_DISPATCH(a.device(), binary_forward, op, a, b, y);
  return y;
}

Var binary(BinOp op, const Var& a, const Var& b) {
  const char* name = binop_name(op);
  ProfileOp prof(name);
  check_inputs(name, {&a, &b});
  const Shape& as = a.shape();
  const Shape& bs = b.shape();
  size_t rank = std::max(as.size(), bs.size());
  if (rank > 4)
    throw Error(std::string(name) + ": broadcasting supports at most 4 dims, got " + shape_str(as) + " and " + shape_str(bs));
  Shape ap = pad_rank(as, rank), bp = pad_rank(bs, rank), ys(rank);
  for (size_t i = 0; i < rank; ++i) {
    if (ap[i] != bp[i] && ap[i] != 1 && bp[i] != 1)
      throw Error(std::string(name) + ": shapes " + shape_str(as) + " and " + shape_str(bs) + " cannot be broadcast");
    ys[i] = std::max(ap[i], bp[i]);
  }
  Tensor av = a.value().reshape(ap), bv = b.value().reshape(bp);
  Tensor y = empty_like_dev(ys, av);
  DS_DISPATCH(y.device(), binary_forward, op, av, bv, y);

  bool ga = needs_grad(a), gb = needs_grad(b);
  // Keep only what the needed gradients read.
  Tensor ak = (op == BinOp::Mul && gb) ? av : Tensor();
  Tensor bk = ((op == BinOp::Mul && ga) || op == BinOp::Div) ? bv : Tensor();
  Tensor yk = (op == BinOp::Div && gb) ? y : Tensor();
  return Var::make_result(y, name, {a, b}, [=](const Tensor& gy) -> Grads {
    Grads g(2);
    switch (op) {
      case BinOp::Add:
      case BinOp::Sub:
        if (ga) g[0] = reduce_to_shape(gy, as);
        if (gb) {
          g[1] = reduce_to_shape(gy, bs);
          if (op == BinOp::Sub) {
            Tensor n = empty_like(g[1]);
            DS_DISPATCH(n.device(), scale_add, g[1], -1.0f, 0.0f, n);
            g[1] = n;
          }
        }
        break;
      case BinOp::Mul:
        if (ga) g[0] = reduce_to_shape(binary_tensor(BinOp::Mul, gy, bk), as);
        if (gb) g[1] = reduce_to_shape(binary_tensor(BinOp::Mul, gy, ak), bs);
        break;
      case BinOp::Div:
        if (ga) g[0] = reduce_to_shape(binary_tensor(BinOp::Div, gy, bk), as);
        if (gb) {  // d(a/b)/db = -y/b
          Tensor t = binary_tensor(BinOp::Div, binary_tensor(BinOp::Mul, gy, yk), bk);
          DS_DISPATCH(t.device(), scale_add, t, -1.0f, 0.0f, t);
          g[1] = reduce_to_shape(t, bs);
        }
        break;
    }
    return g;
  });
}

Var scale_add(const Var& x, float alpha, float beta) {
  ProfileOp prof("scale_add");
  check_inputs("scale_add", {&x});
  Tensor y = empty_like(x.value());
  DS_DISPATCH(y.device(), scale_add, x.value(), alpha, beta, y);
  return Var::make_result(y, "scale_add", {x}, [alpha](const Tensor& gy) -> Grads {
    Tensor gx = empty_like(gy);
    DS_DISPATCH(gy.device(), scale_add, gy, alpha, 0.0f, gx);
    return {gx};
  });
}

Var reshape(const Var& x, const Shape& s) {
  ProfileOp prof("reshape");
  if (!x.defined()) throw Error("reshape: undefined input");
  Tensor y = x.value().reshape(s);
  Shape old = x.shape();
  return Var::make_result(y, "reshape", {x}, [old](const Tensor& gy) -> Grads { return {gy.reshape(old)}; });
}

}  // namespace ds
