#include "nn/optim.h"

#include <cmath>

#include "tensor/kernels.h"

namespace ds {

Adam::Adam(std::vector<Var> params, AdamParams p) : params_(std::move(params)), p_(p) {
  for (const Var& v : params_) {
    if (!v.requires_grad() || !v.is_leaf()) throw Error("Adam: every parameter must be a leaf that requires a gradient");
    m_.push_back(Tensor::zeros(v.shape(), v.device()));
    v_.push_back(Tensor::zeros(v.shape(), v.device()));
  }
}

void Adam::step() {
  ++t_;
  for (size_t i = 0; i < params_.size(); ++i) {
    const Tensor& g = params_[i].grad();
    if (!g.defined()) continue;
    DS_DISPATCH(g.device(), adam_update, params_[i].value_mut(), g, m_[i], v_[i], p_, t_);
  }
}

int64_t first_nonfinite_gradient(const std::vector<Var>& params) {
  for (size_t i = 0; i < params.size(); ++i) {
    const Tensor& g = params[i].grad();
    if (g.defined() && !std::isfinite(DS_DISPATCH(g.device(), dot, g, g))) return static_cast<int64_t>(i);
  }
  return -1;
}

void Adam::restore(int64_t steps, const std::vector<Tensor>& m, const std::vector<Tensor>& v) {
  if (steps < 0) throw Error("Adam::restore: negative step count " + std::to_string(steps));
  if (m.size() != m_.size() || v.size() != v_.size())
    throw Error("Adam::restore: " + std::to_string(m.size()) + " and " + std::to_string(v.size()) + " moments for " +
                std::to_string(m_.size()) + " parameters");
  for (size_t i = 0; i < m_.size(); ++i)
    if (m[i].shape() != m_[i].shape() || v[i].shape() != v_[i].shape())
      throw Error("Adam::restore: parameter " + std::to_string(i) + " has shape " + shape_str(m_[i].shape()) +
                  ", the saved moments " + shape_str(m[i].shape()) + " and " + shape_str(v[i].shape()));
  for (size_t i = 0; i < m_.size(); ++i) m_[i].copy_from(m[i]), v_[i].copy_from(v[i]);
  t_ = steps;
}

void Adam::zero_grad() {
  for (Var& v : params_) v.zero_grad();
}

float step_decay_lr(float lr0, float gamma, int every, int iteration) {
  if (every <= 0) return lr0;
  return lr0 * std::pow(gamma, static_cast<float>(iteration / every));
}

// ---- L-BFGS -------------------------------------------------------------------
// Vectors are lists of tensors (one per parameter); these helpers work on such lists.
using Vec = std::vector<Tensor>;

static float dot(const Vec& a, const Vec& b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i) s += DS_DISPATCH(a[i].device(), dot, a[i], b[i]);
  return static_cast<float>(s);
}

static void axpy(Vec& y, float a, const Vec& x) {  // y += a x
  for (size_t i = 0; i < y.size(); ++i) DS_DISPATCH(y[i].device(), add_inplace, y[i], x[i], a);
}

static Vec scaled(const Vec& x, float a) {
  Vec out;
  for (const Tensor& t : x) {
    out.push_back(Tensor::empty(t.shape(), t.device()));
    DS_DISPATCH(t.device(), scale_add, t, a, 0.0f, out.back());
  }
  return out;
}

LBFGS::LBFGS(std::vector<Var> params, float lr, int history, int max_evals)
    : params_(std::move(params)), lr_(lr), history_(history), max_evals_(max_evals) {
  if (history < 1 || max_evals < 1) throw Error("LBFGS: history and max_evals must be at least 1");
  for (const Var& v : params_)
    if (!v.requires_grad() || !v.is_leaf()) throw Error("LBFGS: every parameter must be a leaf that requires a gradient");
}

float LBFGS::evaluate(const std::function<float()>& closure) {
  float f = closure();
  ++evals_;
  g_new_.clear();
  for (const Var& v : params_) {
    if (!v.grad().defined()) throw Error("LBFGS: a parameter received no gradient from the closure");
    g_new_.push_back(v.grad().clone());
  }
  return f;
}

float LBFGS::step(const std::function<float()>& closure) {
  if (!started_) {
    f_ = evaluate(closure);
    if (!std::isfinite(f_)) throw Error("LBFGS: the loss is not finite (" + std::to_string(f_) + ")");
    g_ = g_new_;
    started_ = true;
  }
  // Two-loop recursion: d = -H g, with H0 = (s'y / y'y) I.
  Vec d = scaled(g_, -1.0f);
  std::vector<float> alpha(s_.size());
  for (size_t k = s_.size(); k-- > 0;) {
    alpha[k] = rho_[k] * dot(s_[k], d);
    axpy(d, -alpha[k], y_[k]);
  }
  if (!s_.empty()) d = scaled(d, dot(s_.back(), y_.back()) / dot(y_.back(), y_.back()));
  for (size_t k = 0; k < s_.size(); ++k) axpy(d, alpha[k] - rho_[k] * dot(y_[k], d), s_[k]);
  float gd = dot(g_, d);
  if (!(gd < 0)) {  // not a descent direction (bad curvature pairs): restart from steepest descent
    s_.clear(), y_.clear(), rho_.clear();
    d = scaled(g_, -1.0f);
    gd = dot(g_, d);
  }
  // First direction: a step of length lr at most, since its scale is unknown.
  float t = lr_;
  if (s_.empty()) t = lr_ * std::min(1.0f, 1.0f / std::sqrt(std::max(-gd, 1e-30f)));

  Vec x0;
  for (const Var& v : params_) x0.push_back(v.value().clone());
  float f0 = f_, f = f0;
  bool accepted = false;
  for (int e = 0; e < max_evals_ && !accepted; ++e, t *= 0.5f) {
    for (size_t i = 0; i < params_.size(); ++i) {
      params_[i].value_mut().copy_from(x0[i]);
      DS_DISPATCH(d[i].device(), add_inplace, params_[i].value_mut(), d[i], t);
    }
    f = evaluate(closure);
    accepted = std::isfinite(f) && f <= f0 + 1e-4f * t * gd;  // Armijo sufficient decrease
    if (accepted) break;
  }
  accepted_ = accepted;
  if (!accepted) {  // no acceptable step: stay put and forget the curvature history
    for (size_t i = 0; i < params_.size(); ++i) params_[i].value_mut().copy_from(x0[i]);
    s_.clear(), y_.clear(), rho_.clear();
    return f0;
  }
  Vec s = scaled(d, t), y = scaled(g_new_, 1.0f);  // y = g_new - g, in fresh tensors
  axpy(y, -1.0f, g_);
  float ys = dot(y, s);
  if (ys > 1e-10f) {
    if (static_cast<int>(s_.size()) == history_) s_.pop_front(), y_.pop_front(), rho_.pop_front();
    s_.push_back(std::move(s));
    y_.push_back(std::move(y));
    rho_.push_back(1.0f / ys);
  }
  f_ = f;
  g_ = g_new_;
  return f0;
}

}  // namespace ds
