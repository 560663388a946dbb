// CUDA optimiser step: bias-corrected Adam. CPU twin: tensor/cpu/pointwise.cpp (adam_update).
#include <cmath>

#include "cuda/launch.cuh"
#include "tensor/kernels.h"

namespace ds {
namespace cuda {

void adam_update(Tensor& param, const Tensor& grad, Tensor& m, Tensor& v, const AdamParams& p, int64_t step) {
  float* w = param.data();
  const float* g = grad.data();
  float* pm = m.data();
  float* pv = v.data();
  // Bias corrections on the host, exactly as the CPU computes them.
  float bc1 = 1.0f - std::pow(p.beta1, static_cast<float>(step));
  float bc2 = 1.0f - std::pow(p.beta2, static_cast<float>(step));
  float step_size = p.lr / bc1;
  float b1 = p.beta1, b2 = p.beta2, eps = p.eps;
  for_each("adam_update", param.numel(), [=] __device__(int64_t i) {
    float mi = b1 * pm[i] + (1.0f - b1) * g[i];
    float vi = b2 * pv[i] + (1.0f - b2) * g[i] * g[i];
    pm[i] = mi;
    pv[i] = vi;
    w[i] -= step_size * mi / (sqrtf(vi / bc2) + eps);
  });
}

}  // namespace cuda
}  // namespace ds
