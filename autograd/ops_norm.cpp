// Batch norm (inference form) and instance norm: forward and backward side by side.
#include <cmath>

#include "autograd/op_util.h"

namespace ds {

static void check_channel_vec(const char* op, const Var& v, int64_t c, const char* what) {
  if (v.defined() && v.shape() != Shape{c})
    throw Error(std::string(op) + ": " + what + " shape " + shape_str(v.shape()) + " should be [" + std::to_string(c) + "]");
}

// y = x * scale[c] + shift[c], scale = gamma / sqrt(var + eps), shift = beta - mean * scale.
// Built from broadcasting ops so that gamma and beta get gradients when they need them.
Var batch_norm(const Var& x, const Var& gamma, const Var& beta, const Tensor& running_mean, const Tensor& running_var,
               float eps) {
  const char* op = "batch_norm";
  ProfileOp prof(op);  // its sub-ops count as batch_norm
  check_inputs(op, {&x, &gamma, &beta});
  check_4d(op, x);
  int64_t c = x.shape()[1];
  check_channel_vec(op, gamma, c, "gamma");
  check_channel_vec(op, beta, c, "beta");
  check_defined(op, running_mean, "running_mean");
  check_defined(op, running_var, "running_var");
  Var rm(running_mean), rv(running_var);
  check_channel_vec(op, rm, c, "running_mean");
  check_channel_vec(op, rv, c, "running_var");
  // rstd = 1/sqrt(var + eps) on the host: C values, computed once per call.
  std::vector<float> var = running_var.to_vector(), rstd(var.size());
  for (size_t i = 0; i < var.size(); ++i) {
    if (!(var[i] + eps > 0)) throw Error("batch_norm: running_var + eps must be positive (channel " + std::to_string(i) + ")");
    rstd[i] = 1.0f / std::sqrt(var[i] + eps);
  }
  Shape cs{1, c, 1, 1};
  Var rstd_v(Tensor::from_vector(cs, rstd, x.device()));
  Var xhat = (x - reshape(rm, cs)) * rstd_v;
  Var y = gamma.defined() ? xhat * reshape(gamma, cs) : xhat;
  return beta.defined() ? y + reshape(beta, cs) : y;
}

// Instance norm of x written into a new tensor, or over x itself with `consume` (ops.h).
static Var instance_norm_into(const Var& x, const Var& gamma, const Var& beta, float eps, bool consume) {
  const char* op = "instance_norm";
  ProfileOp prof(op);
  check_inputs(op, {&x, &gamma, &beta});
  check_4d(op, x);
  const Shape& s = x.shape();
  check_channel_vec(op, gamma, s[1], "gamma");
  check_channel_vec(op, beta, s[1], "beta");
  if (gamma.defined() != beta.defined()) throw Error("instance_norm: give both gamma and beta, or neither");
  if (!(eps > 0)) throw Error("instance_norm: eps must be positive");
  Tensor y = consume ? consumable_output(x, {&x, &gamma, &beta}) : empty_like(x.value());
  Tensor mean = empty_like_dev({s[0] * s[1]}, y), rstd = empty_like_dev({s[0] * s[1]}, y);
  Tensor gv = gamma.defined() ? gamma.value() : Tensor();
  DS_DISPATCH(y.device(), instance_norm_forward, x.value(), gv, beta.defined() ? beta.value() : Tensor(), eps, y, mean,
              rstd);
  bool gg = needs_grad(gamma), gb = needs_grad(beta);
  Tensor xk = x.value();
  return Var::make_result(y, op, {x, gamma, beta}, [=](const Tensor& gy) -> Grads {
    Grads g(3);
    g[0] = empty_like(xk);
    if (gg) g[1] = empty_like(gv);
    if (gb) g[2] = empty_like_dev({xk.shape()[1]}, xk);
    DS_DISPATCH(gy.device(), instance_norm_backward, xk, gv, mean, rstd, gy, g[0], g[1], g[2]);
    return g;
  });
}

Var instance_norm(const Var& x, const Var& gamma, const Var& beta, float eps) {
  return instance_norm_into(x, gamma, beta, eps, false);
}
Var instance_norm(Var&& x, const Var& gamma, const Var& beta, float eps) {
  Var y = instance_norm_into(x, gamma, beta, eps, true);
  x = Var();  // moved from: it no longer holds the storage it may share with y
  return y;
}

}  // namespace ds
