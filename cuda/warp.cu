// CUDA warping (bilinear sampling by a flow field), forward and backward. CPU twin:
// tensor/cpu/warp.cpp; both run the per-pixel steps of tensor/warp_taps.h.
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
  const int64_t C = x.C(), H = x.H(), W = x.W(), plane = H * W;
  const float* px = x.data();
  const float* pf = flow.data();
  float* py = y.data();
  for_each("warp_forward", x.N() * plane,
           [=] __device__(int64_t k) { warp_forward_pixel(px, pf, py, k / plane, k % plane, C, H, W); });
}

void warp_backward(const Tensor& x, const Tensor& flow, const Tensor& dy, Tensor& dx, Tensor& dflow) {
  const float* g = dy.data();
  const float* pf = flow.data();
  const int64_t C = dy.C(), H = dy.H(), W = dy.W(), plane = H * W;
  if (dx.defined()) {
    float* d = dx.data();  // zeroed, then every output adds into its four taps
    DS_CUDA_CHECK(cudaMemsetAsync(d, 0, static_cast<size_t>(dx.numel()) * sizeof(float), stream()));
    for_each("warp_backward_image", dy.numel(), [=] __device__(int64_t k) {
      warp_scatter_pixel(pf, d + (k / plane) * plane, g[k], k / plane / C, k % plane, H, W,
                         [] __device__(float* a, float v) { atomicAdd(a, v); });
    });
  }
  if (dflow.defined()) {
    const float* px = x.data();
    float* df = dflow.data();
    for_each("warp_backward_flow", dy.N() * plane,
             [=] __device__(int64_t k) { warp_flow_grad_pixel(px, pf, g, df, k / plane, k % plane, C, H, W); });
  }
}

}  // namespace cuda
}  // namespace ds
