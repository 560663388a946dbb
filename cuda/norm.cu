// CUDA instance normalisation, forward and backward. CPU twin: tensor/cpu/norm.cpp.
//
// One block per (n,c) plane; plane sums are block reductions in double, in a fixed order.
// The per-channel parameter gradients are then summed over the batch in order by a second
// kernel, so results are reproducible run to run (no atomics).
#include "cuda/launch.cuh"
#include "tensor/kernels.h"

namespace ds {
namespace cuda {

// Sum of f(i) over one plane's hw elements, computed by the whole block.
template <class F>
__device__ double plane_sum(int64_t hw, F f) {
  double s = 0;
  for (int64_t i = threadIdx.x; i < hw; i += kThreads) s += f(i);
  return block_sum(s);
}

// out[c] = sum over n of per_plane[n*C + c], in order of n; nothing when out is undefined.
static void sum_over_batch(const double* per_plane, int64_t N, int64_t C, Tensor& out) {
  if (!out.defined()) return;
  float* po = out.data();
  for_each("instance_norm_param_grad", C, [=] __device__(int64_t c) {
    double t = 0;
    for (int64_t n = 0; n < N; ++n) t += per_plane[n * C + c];
    po[c] = static_cast<float>(t);
  });
}

void instance_norm_forward(const Tensor& x, const Tensor& gamma, const Tensor& beta, float eps, Tensor& y,
                           Tensor& mean, Tensor& rstd) {
  int64_t C = x.shape()[1], hw = x.shape()[2] * x.shape()[3];
  const float* px = x.data();
  const float* pg = gamma.defined() ? gamma.data() : nullptr;
  const float* pb = beta.defined() ? beta.data() : nullptr;
  float* py = y.data();
  float* pm = mean.data();
  float* pr = rstd.data();
  for_each_block("instance_norm_forward", x.shape()[0] * C, [=] __device__(int64_t nc) {
    const float* in = px + nc * hw;
    double mu = plane_sum(hw, [=](int64_t i) { return static_cast<double>(in[i]); }) / static_cast<double>(hw);
    // Two passes: no cancellation when |mean| >> std.
    double ss = plane_sum(hw, [=](int64_t i) { return (in[i] - mu) * (in[i] - mu); });
    double r = 1.0 / sqrt(ss / static_cast<double>(hw) + eps);
    int64_t c = nc % C;
    double scale = r * (pg ? pg[c] : 1.0f), shift = (pb ? pb[c] : 0.0f) - mu * scale;
    float* out = py + nc * hw;
    for (int64_t i = threadIdx.x; i < hw; i += kThreads) out[i] = static_cast<float>(in[i] * scale + shift);
    if (threadIdx.x == 0) {
      pm[nc] = static_cast<float>(mu);
      pr[nc] = static_cast<float>(r);
    }
  });
}

// With xhat = (x-mean)*rstd and g = gamma[c] (1 without affine):
//   dx = g*rstd * (dy - mean(dy) - xhat * mean(dy*xhat)),
//   dgamma[c] = sum over n and pixels of dy*xhat,  dbeta[c] = sum of dy.
void instance_norm_backward(const Tensor& x, const Tensor& gamma, const Tensor& mean, const Tensor& rstd,
                            const Tensor& dy, Tensor& dx, Tensor& dgamma, Tensor& dbeta) {
  int64_t N = x.shape()[0], C = x.shape()[1], hw = x.shape()[2] * x.shape()[3];
  const float* px = x.data();
  const float* pg = gamma.defined() ? gamma.data() : nullptr;
  const float* pm = mean.data();
  const float* pr = rstd.data();
  const float* g = dy.data();
  float* d = dx.data();
  // Per-plane sums of dy and dy*xhat, kept for the parameter gradients.
  DeviceBuffer sums(static_cast<size_t>(2 * N * C) * sizeof(double));
  double* sum_dy = sums.as<double>();
  double* sum_dy_xhat = sum_dy + N * C;
  for_each_block("instance_norm_backward", N * C, [=] __device__(int64_t nc) {
    const float* in = px + nc * hw;
    const float* gin = g + nc * hw;
    double mu = pm[nc], r = pr[nc];
    double s = plane_sum(hw, [=](int64_t i) { return static_cast<double>(gin[i]); });
    double sx = plane_sum(hw, [=](int64_t i) { return gin[i] * (in[i] - mu) * r; });
    double k = r * (pg ? pg[nc % C] : 1.0f), mean_dy = s / static_cast<double>(hw),
           mean_dy_xhat = sx / static_cast<double>(hw);
    float* out = d + nc * hw;
    for (int64_t i = threadIdx.x; i < hw; i += kThreads)
      out[i] = static_cast<float>(k * (gin[i] - mean_dy - (in[i] - mu) * r * mean_dy_xhat));
    if (threadIdx.x == 0) {
      sum_dy[nc] = s;
      sum_dy_xhat[nc] = sx;
    }
  });
  sum_over_batch(sum_dy_xhat, N, C, dgamma);
  sum_over_batch(sum_dy, N, C, dbeta);
}

}  // namespace cuda
}  // namespace ds
