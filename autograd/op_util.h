// Small helpers shared by the autograd/ops_*.cpp files (not part of the public API).
#pragma once
#include <string>

#include "autograd/ops.h"
#include "autograd/profile.h"
#include "tensor/kernels.h"

namespace ds {

// Tensor of `shape` on the same device as `like`.
inline Tensor empty_like_dev(const Shape& shape, const Tensor& like) { return Tensor::empty(shape, like.device()); }
inline Tensor empty_like(const Tensor& t) { return Tensor::empty(t.shape(), t.device()); }

// Every defined input is a non-empty tensor on the device of the first one.
inline void check_inputs(const char* op, std::initializer_list<const Var*> vars) {
  const Var* first = nullptr;
  for (const Var* v : vars) {
    if (!v->defined()) continue;
    check_nonempty(op, v->value());
    if (!first) first = v;
    else check_same_device(op, first->value(), v->value());
  }
}

// An undefined Var is named here: x.value() would throw without the op's name.
inline void check_4d(const char* op, const Var& x) {
  if (!x.defined()) throw Error(std::string(op) + ": input is undefined");
  check_ndim(op, x.value(), 4);
}

// Where an elementwise backward may write its result: into the incoming gradient itself when
// nothing else holds its storage (the engine's own buffer, autograd/var.h), else a new tensor.
inline Tensor grad_output_buffer(const Tensor& gy) { return gy.storage_use_count() == 1 ? gy : empty_like(gy); }

// Where an op given `x` as an rvalue writes its result (ops.h): over x itself when no gradient
// is recorded for any of `inputs` and x alone holds its storage, else a new tensor like x.
inline Tensor consumable_output(const Var& x, std::initializer_list<const Var*> inputs) {
  bool recorded = false;
  for (const Var* v : inputs) recorded = recorded || needs_grad(*v);
  return !recorded && x.sole_holder() ? x.value() : empty_like(x.value());
}

// gy through a ReLU whose sign mask relu_mask_forward recorded (ops_conv.cpp).
Tensor relu_mask_grad(const Tensor& mask, const Tensor& gy);
// Reflection padding p of an input of shape s [N, C, H, W]: throws InputTooSmall naming op unless
// every amount is >= 0 and smaller than the input along its axis (PyTorch's rule).
void check_reflection_pad(const std::string& op, const Pad2dParams& p, const Shape& s);

}  // namespace ds
