// Reverse-mode automatic differentiation over a dynamic graph ("tape").
//
// A Var holds a Tensor value and, when it needs a gradient, a Node. Leaves are created by the
// user (parameters, the image being optimised); every op on Vars records a Node holding a
// backward function and its inputs' Nodes. backward() on a scalar visits the Nodes in
// reverse creation order (each Node has a sequence number, so this is the tape order),
// accumulates gradients into the leaves, and frees the graph as it goes.
//
// Invariants
//   - A Var needs a gradient iff it has a Node: a leaf marked requires_grad, or the result of
//     an op with at least one input needing a gradient while grad mode is on.
//   - Frozen parameters (requires_grad false) get no Node: no gradient is computed for them
//     and ops keep alive only the tensors that the gradients actually needed will read.
//   - A gradient tensor is modified in place (by accumulation, or by a backward function such as
//     ReLU's writing into its incoming gradient) only while nothing else holds its storage
//     (storage_use_count() == 1): tensors that anyone else can see are never modified.
//   - After backward(), every non-leaf Node reached is freed (closures, saved tensors, edges);
//     calling backward() through it again is an error. Leaf gradients accumulate across
//     backward() calls until zero_grad().
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "tensor/tensor.h"

namespace ds {

struct Node;
using Grads = std::vector<Tensor>;  // one per op input; undefined where not needed
using BackwardFn = std::function<Grads(const Tensor& grad_out)>;

class Var {
 public:
  Var() = default;
  explicit Var(Tensor value, bool requires_grad = false);  // a leaf

  bool defined() const { return impl_ != nullptr; }
  const Tensor& value() const;
  Tensor& value_mut();  // in-place updates by optimisers; never on a Var inside a live graph
  const Shape& shape() const { return value().shape(); }
  Device device() const { return value().device(); }

  bool requires_grad() const;
  bool is_leaf() const;
  void set_requires_grad(bool on);  // leaves only
  const Tensor& grad() const;       // leaf gradient; undefined until a backward reaches it
  void zero_grad();

  // Backpropagates from this scalar (numel 1) and frees the graph behind it.
  // Throws if the graph was already freed, or, with check_finite, if the value is not finite:
  // that check reads the value on the host, which on CUDA waits for the forward pass. A caller
  // that checks the loss itself after queuing the backward passes false (gradients of a
  // non-finite loss are then non-finite, and must not be used).
  void backward(bool check_finite = true) const;

  // True when this is the only Var of its value and no other Tensor shares the value's
  // storage: an op given such a Var as an rvalue may write its result over it (ops.h).
  bool sole_holder() const;

  // Used by the op layer.
  static Var make_result(Tensor value, const char* op, const std::vector<Var>& inputs, BackwardFn fn);
  const std::shared_ptr<Node>& node() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

// True when grad mode is on and x needs a gradient: the op layer asks this before deciding
// which tensors its backward function must keep.
bool needs_grad(const Var& x);

// Grad mode is on by default; a NoGradGuard turns it off for its scope (thread-local).
bool grad_mode_enabled();
class NoGradGuard {
 public:
  NoGradGuard();
  ~NoGradGuard();
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

 private:
  bool prev_;
};

// Number of Nodes currently alive (for tests of graph freeing).
int64_t live_node_count();

}  // namespace ds
