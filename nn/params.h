// Named parameters of a network: name -> Var, as in a PyTorch state_dict.
// Parameters are frozen (requires_grad false) unless set_trainable(true): frozen networks
// (loss networks, depth networks) then cost nothing in backward beyond the input gradient.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "autograd/var.h"

namespace ds {

class ParamSet {
 public:
  ParamSet() = default;
  explicit ParamSet(const std::map<std::string, Tensor>& tensors, std::string source = "");

  // The parameter called `name`; a clear error naming the source and the parameter if absent.
  const Var& get(const std::string& name) const;
  const Var& get_shaped(const std::string& name, const Shape& shape) const;  // also checks the shape
  bool has(const std::string& name) const { return params_.count(name) != 0; }
  void set(const std::string& name, Tensor value);
  void erase(const std::string& name) { params_.erase(name); }

  ParamSet to(Device d) const;  // copies every parameter to `d`
  void set_trainable(bool on);
  std::vector<Var> all() const;
  const std::map<std::string, Var>& items() const { return params_; }
  std::map<std::string, Tensor> tensors() const;  // current values (for saving)
  int64_t count() const;                          // total number of scalars
  const std::string& source() const { return source_; }

 private:
  std::map<std::string, Var> params_;
  std::string source_;
};

// Deterministic synthetic weights for golden tests, computed identically by
// tests/golden/make_golden.py: value[i] = a * sin(0.618034 * i + 0.1 * seed(name)),
// seed(name) = sum((k+1) * byte_k) mod 9973, with a and an offset set by the parameter's role:
//   4-D weights: a = 2/sqrt(numel/shape[0]); running_var: 0.75 + 0.25*sin(...);
//   other 1-D "weight" (norm scales): 1 + 0.2*sin(...); biases, running_mean, the rest: 0.1*sin(...).
Tensor synthetic_param(const std::string& name, const Shape& shape);
// Parameter names and shapes, in a network's order.
using ParamShapes = std::vector<std::pair<std::string, Shape>>;
// A parameter set of synthetic_param for every (name, shape), described as "synthetic".
ParamSet synthetic_params(const ParamShapes& shapes);

}  // namespace ds
