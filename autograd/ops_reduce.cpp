// Sum, mean, Gram matrix, mean-squared error and gradient normalisation: forward and backward
// side by side.
#include <cmath>

#include "autograd/op_util.h"

namespace ds {

// Spreads a [1] gradient over `shape`, times `scale`.
static Tensor spread(const Tensor& g1, const Shape& shape, float scale) {
  Tensor out = Tensor::empty(shape, g1.device());
  Shape ones(shape.size(), 1);
  DS_DISPATCH(g1.device(), broadcast_to, g1.reshape(ones), out);
  if (scale != 1.0f) DS_DISPATCH(g1.device(), scale_add, out, scale, 0.0f, out);
  return out;
}

static Var sum_scaled(const char* op, const Var& x, float scale) {
  ProfileOp prof(op);
  check_inputs(op, {&x});
  Tensor y = Tensor::empty({1}, x.device());
  DS_DISPATCH(y.device(), sum_all, x.value(), y);
  if (scale != 1.0f) DS_DISPATCH(y.device(), scale_add, y, scale, 0.0f, y);
  Shape xs = x.shape();
  return Var::make_result(y, op, {x}, [xs, scale](const Tensor& gy) -> Grads { return {spread(gy, xs, scale)}; });
}

Var sum(const Var& x) { return sum_scaled("sum", x, 1.0f); }
Var mean(const Var& x) { return sum_scaled("mean", x, x.defined() ? 1.0f / static_cast<float>(x.value().numel()) : 1.0f); }

Var gram(const Var& f, float scale) {
  ProfileOp prof("gram");
  check_inputs("gram", {&f});
  check_4d("gram", f);
  const Shape& s = f.shape();
  Tensor g = empty_like_dev({s[0], s[1], s[1]}, f.value());
  DS_DISPATCH(g.device(), gram_forward, f.value(), scale, g);
  Tensor fk = f.value();
  return Var::make_result(g, "gram", {f}, [fk, scale](const Tensor& gg) -> Grads {
    Tensor df = empty_like(fk);
    DS_DISPATCH(gg.device(), gram_backward, fk, gg, scale, df);
    return {df};
  });
}

Var mse_loss(const Var& a, const Var& b) {
  ProfileOp prof("mse_loss");
  check_inputs("mse_loss", {&a, &b});
  check_same_shape("mse_loss", a.value(), b.value());
  Tensor out = Tensor::empty({1}, a.device());
  DS_DISPATCH(out.device(), mse_forward, a.value(), b.value(), out);
  bool ga = needs_grad(a), gb = needs_grad(b);
  Tensor ak = a.value(), bk = b.value();
  return Var::make_result(out, "mse_loss", {a, b}, [=](const Tensor& gy) -> Grads {
    Grads g(2);
    Tensor da = empty_like(ak);
    DS_DISPATCH(gy.device(), mse_backward, ak, bk, gy, da);
    if (gb) {
      g[1] = empty_like(da);
      DS_DISPATCH(gy.device(), scale_add, da, -1.0f, 0.0f, g[1]);
    }
    if (ga) g[0] = da;
    return g;
  });
}

// mean((G - t)^2) scaled by coef * numel is the sum; its gradient, mse_backward's
// 2 (G - t) gy / numel, carries the same factor into gram_backward's scale.
Var gram_mse(const Var& f, const Var& t, float scale, float coef) {
  ProfileOp prof("gram_mse");
  check_inputs("gram_mse", {&f, &t});
  check_4d("gram_mse", f);
  const Shape& s = f.shape();
  if (t.shape() != Shape{s[0], s[1], s[1]})
    throw Error("gram_mse: target Gram " + shape_str(t.shape()) + " does not fit features " + shape_str(s) +
                " (expected " + shape_str({s[0], s[1], s[1]}) + ")");
  Tensor g = empty_like_dev({s[0], s[1], s[1]}, f.value());
  DS_DISPATCH(g.device(), gram_forward, f.value(), scale, g);
  Tensor out = Tensor::empty({1}, f.device());
  DS_DISPATCH(out.device(), mse_forward, g, t.value(), out);
  const float k = coef * static_cast<float>(g.numel());
  DS_DISPATCH(out.device(), scale_add, out, k, 0.0f, out);
  Tensor fk = f.value(), tk = t.value();
  return Var::make_result(out, "gram_mse", {f, t}, [fk, tk, g, scale, k](const Tensor& gy) -> Grads {
    Tensor dg = empty_like(g), df = empty_like(fk);
    DS_DISPATCH(gy.device(), mse_backward, g, tk, gy, dg);
    DS_DISPATCH(gy.device(), gram_backward, fk, dg, scale * k, df);
    return {df, Tensor()};
  });
}

Var normalize_gradient(const Var& x, float weight) {
  check_inputs("normalize_gradient", {&x});
  if (!(weight >= 0) || !std::isfinite(weight))
    throw Error("normalize_gradient: weight " + std::to_string(weight) + " must be a finite number >= 0");
  return Var::make_result(x.value(), "normalize_gradient", {x}, [weight](const Tensor& g) -> Grads {
    if (weight == 0) return {Tensor::zeros(g.shape(), g.device())};
    // ||g||_1 = sum relu(g) + sum relu(-g): no |x| kernel is needed.
    Tensor pos = empty_like(g), neg = empty_like(g), flipped = empty_like(g);
    Tensor sp = Tensor::empty({1}, g.device()), sn = Tensor::empty({1}, g.device()), den = Tensor::empty({1}, g.device());
    DS_DISPATCH(g.device(), activation_forward, Act::Relu, 0.0f, g, pos);
    DS_DISPATCH(g.device(), scale_add, g, -1.0f, 0.0f, flipped);
    DS_DISPATCH(g.device(), activation_forward, Act::Relu, 0.0f, flipped, neg);
    DS_DISPATCH(g.device(), sum_all, pos, sp);
    DS_DISPATCH(g.device(), sum_all, neg, sn);
    DS_DISPATCH(g.device(), binary_forward, BinOp::Add, sp, sn, den);
    DS_DISPATCH(g.device(), scale_add, den, 1.0f / weight, 1e-8f, den);  // ||d||_1 + 1e-8 = ||g||_1 / weight + 1e-8
    Tensor gx = empty_like(g);
    DS_DISPATCH(g.device(), binary_forward, BinOp::Div, g, den.reshape(Shape(g.shape().size(), 1)), gx);
    return {gx};
  });
}

}  // namespace ds
