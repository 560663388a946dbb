// CUDA whole-tensor reductions: sum, mean-squared error and its gradient, dot product.
// CPU twin: tensor/cpu/pointwise.cpp (sum_all, mse_forward, mse_backward, dot).
// Sums run in double through sum_terms (cuda/launch.cuh), as the CPU's do.
#include "cuda/launch.cuh"
#include "tensor/kernels.h"

namespace ds {
namespace cuda {

void sum_all(const Tensor& x, Tensor& out) {
  const float* p = x.data();
  sum_terms("sum_all", x.numel(), [=] __device__(int64_t i) { return static_cast<double>(p[i]); }, 1.0, out.data());
}

void mse_forward(const Tensor& a, const Tensor& b, Tensor& out) {
  const float* pa = a.data();
  const float* pb = b.data();
  int64_t n = a.numel();
  auto sq = [=] __device__(int64_t i) {
    double d = static_cast<double>(pa[i]) - pb[i];
    return d * d;
  };
  sum_terms("mse_forward", n, sq, 1.0 / static_cast<double>(n), out.data());
}

// The incoming gradient stays on the device: read by each thread, no host sync.
void mse_backward(const Tensor& a, const Tensor& b, const Tensor& dout, Tensor& da) {
  const float* pa = a.data();
  const float* pb = b.data();
  const float* g = dout.data();
  float* pd = da.data();
  float n = static_cast<float>(a.numel());
  for_each("mse_backward", a.numel(), [=] __device__(int64_t i) {
    float k = 2.0f * g[0] / n;  // as the CPU rounds it
    pd[i] = k * (pa[i] - pb[i]);
  });
}

float dot(const Tensor& a, const Tensor& b) {
  const float* pa = a.data();
  const float* pb = b.data();
  DeviceBuffer r(sizeof(float));
  sum_terms("dot", a.numel(), [=] __device__(int64_t i) { return static_cast<double>(pa[i]) * pb[i]; }, 1.0,
            r.as<float>());
  float v = 0;
  copy_to_host(&v, r.as<float>(), sizeof(float));
  return v;
}

}  // namespace cuda
}  // namespace ds
