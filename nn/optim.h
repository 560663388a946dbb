// Optimisers over a list of leaf Vars (parameters, or the pixels of an image).
//   Adam  — bias-corrected Adam (Kingma & Ba 2015, Algorithm 1); kernel adam_update
//           (tensor/cpu/pointwise.cpp, cuda/). Its state can be saved and restored.
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

  // The state a checkpoint saves: the first and second moment estimates m and v (one per
  // parameter, of its shape and on its device) and the step count t (bias correction uses
  // 1 − β^t). restore() copies saved values in; it throws ds::Error when the number of
  // tensors or a shape differs from the parameters' or steps < 0.
  const std::vector<Tensor>& first_moments() const { return m_; }
  const std::vector<Tensor>& second_moments() const { return v_; }
  void restore(int64_t steps, const std::vector<Tensor>& m, const std::vector<Tensor>& v);

 private:
  std::vector<Var> params_;
  std::vector<Tensor> m_, v_;
  AdamParams p_;
  int64_t t_ = 0;
};

// Index of the first parameter whose gradient is not finite, or -1 when all are (parameters
// without a gradient count as finite). Found as dot(g, g), which is not finite exactly when
// some element is not or when |g| exceeds ~1.8e19 (float overflow of g²), itself a blown-up
// step; either device. Callers stop before an optimiser carries it into every weight.
int64_t first_nonfinite_gradient(const std::vector<Var>& params);

// Step decay: lr0 * gamma^floor(iteration / every) (every <= 0: constant).
float step_decay_lr(float lr0, float gamma, int every, int iteration);

class LBFGS {
 public:
  // history: number of (s, y) pairs kept; lr: scale of the trial step (1 is the natural
  // L-BFGS step); max_evals: closure evaluations allowed per step() by the line search.
  LBFGS(std::vector<Var> params, float lr = 1.0f, int history = 10, int max_evals = 8);
  // closure: zero the gradients, compute the loss, call backward(), return the loss value.
  // One iteration: direction by the two-loop recursion, then a backtracking (Armijo) line
  // search along it. Returns the loss before the step. The first call evaluates the closure
  // once more to get the starting gradient.
  float step(const std::function<float()>& closure);
  int64_t evaluations() const { return evals_; }
  // False when the last step()'s line search found no acceptable point (the parameters were
  // left where they were and the curvature history dropped, so the next step is steepest descent).
  bool last_step_accepted() const { return accepted_; }

 private:
  float evaluate(const std::function<float()>& closure);  // loss, and the gradient into g_new_
  std::vector<Var> params_;
  float lr_;
  int history_, max_evals_;
  std::deque<std::vector<Tensor>> s_, y_;
  std::deque<float> rho_;
  std::vector<Tensor> g_, g_new_;  // gradient at the current point, and at the last evaluation
  float f_ = 0;
  bool started_ = false, accepted_ = true;
  int64_t evals_ = 0;
};

}  // namespace ds
