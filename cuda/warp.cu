// CUDA warping (bilinear sampling by a flow field), forward and backward. CPU twin:
// tensor/cpu/warp.cpp; both take their taps from tensor/warp_taps.h.
//
// Forward and the flow gradient: one thread per output pixel (looping over channels). The
// image gradient: one thread per output element adding into its four taps with atomicAdd, as
// PyTorch's grid_sample backward does (the inverse map of a flow has no bounded form to gather
// from), so its summation order, unlike the CPU's, varies from run to run by a few ulps.
#include "cuda/launch.cuh"
#include "tensor/kernels.h"
#include "tensor/warp_taps.h"

namespace ds {
namespace cuda {

void warp_forward(const Tensor& x, const Tensor& flow, Tensor& y) {
  const int64_t N = x.N(), C = x.C(), H = x.H(), W = x.W(), plane = H * W;
  const float* px = x.data();
  const float* pf = flow.data();
  float* py = y.data();
  for_each("warp_forward", N * plane, [=] __device__(int64_t k) {
    int64_t n = k / plane, i = k % plane;
    WarpTap t = warp_tap(i / W, i % W, pf[n * 2 * plane + i], pf[(n * 2 + 1) * plane + i], H, W);
    for (int64_t c = 0; c < C; ++c) py[(n * C + c) * plane + i] = warp_sample(px + (n * C + c) * plane, W, t);
  });
}

void warp_backward(const Tensor& x, const Tensor& flow, const Tensor& dy, Tensor& dx, Tensor& dflow) {
  const int64_t N = dy.N(), C = dy.C(), H = dy.H(), W = dy.W(), plane = H * W;
  const float* pf = flow.data();
  const float* g = dy.data();
  if (dx.defined()) {
    float* d = dx.data();
    DS_CUDA_CHECK(cudaMemsetAsync(d, 0, static_cast<size_t>(dx.numel()) * sizeof(float), stream()));
    for_each("warp_backward_image", N * C * plane, [=] __device__(int64_t k) {
      int64_t nc = k / plane, i = k % plane, n = nc / C;
      WarpTap t = warp_tap(i / W, i % W, pf[n * 2 * plane + i], pf[(n * 2 + 1) * plane + i], H, W);
      float gi = g[k];
      float* dp = d + nc * plane;
      atomicAdd(dp + t.y0 * W + t.x0, (1.0f - t.fy) * (1.0f - t.fx) * gi);
      atomicAdd(dp + t.y0 * W + t.x1, (1.0f - t.fy) * t.fx * gi);
      atomicAdd(dp + t.y1 * W + t.x0, t.fy * (1.0f - t.fx) * gi);
      atomicAdd(dp + t.y1 * W + t.x1, t.fy * t.fx * gi);
    });
  }
  if (dflow.defined()) {
    const float* px = x.data();
    float* df = dflow.data();
    for_each("warp_backward_flow", N * plane, [=] __device__(int64_t k) {
      int64_t n = k / plane, i = k % plane;
      WarpTap t = warp_tap(i / W, i % W, pf[n * 2 * plane + i], pf[(n * 2 + 1) * plane + i], H, W);
      float su = 0.0f, sv = 0.0f;
      for (int64_t c = 0; c < C; ++c) {
        float du, dv;
        warp_sample_grad(px + (n * C + c) * plane, W, t, du, dv);
        su += g[(n * C + c) * plane + i] * du;
        sv += g[(n * C + c) * plane + i] * dv;
      }
      df[n * 2 * plane + i] = su;
      df[(n * 2 + 1) * plane + i] = sv;
    });
  }
}

}  // namespace cuda
}  // namespace ds
