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

void Adam::zero_grad() {
  for (Var& v : params_) v.zero_grad();
}

float step_decay_lr(float lr0, float gamma, int every, int iteration) {
  if (every <= 0) return lr0;
  return lr0 * std::pow(gamma, static_cast<float>(iteration / every));
}

// ---- L-BFGS -------------------------------------------------------------------

LBFGS::LBFGS(std::vector<Var> params, float lr, int history) : params_(std::move(params)), lr_(lr), history_(history) {
  if (history < 1) throw Error("LBFGS: history must be at least 1");
  for (const Var& v : params_)
    if (!v.requires_grad() || !v.is_leaf()) throw Error("LBFGS: every parameter must be a leaf that requires a gradient");
}

float LBFGS::dot_all(const std::vector<Tensor>& a, const std::vector<Tensor>& b) const {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i) s += DS_DISPATCH(a[i].device(), dot, a[i], b[i]);
  return static_cast<float>(s);
}

std::vector<Tensor> LBFGS::grads() const {
  std::vector<Tensor> g;
  for (const Var& v : params_) {
    if (!v.grad().defined()) throw Error("LBFGS: a parameter received no gradient from the closure");
    g.push_back(v.grad().clone());
  }
  return g;
}

static void axpy(std::vector<Tensor>& y, float a, const std::vector<Tensor>& x) {
  for (size_t i = 0; i < y.size(); ++i) DS_DISPATCH(y[i].device(), add_inplace, y[i], x[i], a);
}

float LBFGS::step(const std::function<float()>& closure) {
  float loss = closure();
  if (!std::isfinite(loss)) throw Error("LBFGS: the loss is not finite (" + std::to_string(loss) + ")");
  std::vector<Tensor> g = grads();

  if (have_prev_) {
    if (loss > prev_loss_ * 1.5f + 1e-12f) {
      // The last step overshot badly: undo half of it and forget the curvature pairs.
      for (size_t i = 0; i < params_.size(); ++i)
        DS_DISPATCH(g[i].device(), add_inplace, params_[i].value_mut(), prev_step_[i], -0.5f);
      s_.clear(), y_.clear(), rho_.clear();
      have_prev_ = false;
      return loss;
    }
    // New curvature pair: s = last step, y = change of gradient.
    std::vector<Tensor> yk;
    for (size_t i = 0; i < g.size(); ++i) {
      yk.push_back(g[i].clone());
      DS_DISPATCH(g[i].device(), add_inplace, yk.back(), prev_grad_[i], -1.0f);
    }
    float ys = dot_all(yk, prev_step_);
    if (ys > 1e-10f) {
      if (static_cast<int>(s_.size()) == history_) s_.pop_front(), y_.pop_front(), rho_.pop_front();
      s_.push_back(prev_step_);
      y_.push_back(yk);
      rho_.push_back(1.0f / ys);
    }
  }

  // Two-loop recursion: d = -H g.
  std::vector<Tensor> q;
  for (const Tensor& t : g) q.push_back(t.clone());
  std::vector<float> alpha(s_.size());
  for (size_t k = s_.size(); k-- > 0;) {
    alpha[k] = rho_[k] * dot_all(s_[k], q);
    axpy(q, -alpha[k], y_[k]);
  }
  float gamma = 1.0f;
  if (!s_.empty()) gamma = dot_all(s_.back(), y_.back()) / dot_all(y_.back(), y_.back());
  else {
    float gn = std::sqrt(dot_all(g, g));
    gamma = gn > 0 ? std::min(1.0f, 1.0f / gn) : 1.0f;  // first step: unit length at most
  }
  for (Tensor& t : q) DS_DISPATCH(t.device(), scale_add, t, gamma, 0.0f, t);
  for (size_t k = 0; k < s_.size(); ++k) {
    float beta = rho_[k] * dot_all(y_[k], q);
    axpy(q, alpha[k] - beta, s_[k]);
  }
  // Step: x -= lr * q.
  for (size_t i = 0; i < params_.size(); ++i) {
    DS_DISPATCH(q[i].device(), scale_add, q[i], -lr_, 0.0f, q[i]);
    DS_DISPATCH(q[i].device(), add_inplace, params_[i].value_mut(), q[i], 1.0f);
  }
  prev_step_ = std::move(q);
  prev_grad_ = std::move(g);
  prev_loss_ = loss;
  have_prev_ = true;
  return loss;
}

}  // namespace ds
