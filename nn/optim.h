// Optimisers over a list of leaf Vars (parameters, or the pixels of an image).
//   Adam  — bias-corrected Adam; kernels adam_update (tensor/cpu/pointwise.cpp, cuda/).
//   LBFGS — limited-memory BFGS (two-loop recursion) with the vector kernels dot,
//           add_inplace and scale_add, so it runs on either device.
// Both read each parameter's .grad() (set by backward) and update .value_mut() in place.
#pragma once
#include <deque>
#include <functional>
#include <vector>

#include "autograd/var.h"
#include "tensor/params.h"

namespace ds {

class Adam {
 public:
  Adam(std::vector<Var> params, AdamParams p = {});
  void step();  // one update; parameters without a gradient are left unchanged
  void zero_grad();
  void set_lr(float lr) { p_.lr = lr; }
  float lr() const { return p_.lr; }
  int64_t steps() const { return t_; }

 private:
  std::vector<Var> params_;
  std::vector<Tensor> m_, v_;
  AdamParams p_;
  int64_t t_ = 0;
};

// Step decay: lr0 * gamma^floor(iteration / every) (every <= 0: constant).
float step_decay_lr(float lr0, float gamma, int every, int iteration);

class LBFGS {
 public:
  // history: number of (s, y) pairs kept; lr: step scale (1 is the natural L-BFGS step).
  LBFGS(std::vector<Var> params, float lr = 1.0f, int history = 10);
  // closure: zero the gradients, compute the loss, call backward(), return the loss value.
  // Performs one L-BFGS iteration (one closure evaluation, more if the step is rejected)
  // and returns the loss before the step.
  float step(const std::function<float()>& closure);

 private:
  float dot_all(const std::vector<Tensor>& a, const std::vector<Tensor>& b) const;
  std::vector<Tensor> grads() const;
  std::vector<Var> params_;
  float lr_;
  int history_;
  std::deque<std::vector<Tensor>> s_, y_;
  std::deque<float> rho_;
  std::vector<Tensor> prev_grad_, prev_step_;
  float prev_loss_ = 0;
  bool have_prev_ = false;
};

}  // namespace ds
