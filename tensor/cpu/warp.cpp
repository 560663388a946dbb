// CPU warping (bilinear sampling by a flow field), forward and backward. Mirrors cuda/warp.cu;
// both run the per-pixel steps of tensor/warp_taps.h.
//
// Forward and the flow gradient run one output row per task. The image gradient scatters each
// output's gradient onto its four taps, which other outputs share, so it runs one (n, c) plane
// per task: each task owns its plane of dx and accumulation is race-free and in a fixed order.
#include "tensor/cpu/parallel.h"
#include "tensor/kernels.h"
#include "tensor/warp_taps.h"

namespace ds {
namespace cpu {

void warp_forward(const Tensor& x, const Tensor& flow, Tensor& y) {
  const int64_t C = x.C(), H = x.H(), W = x.W();
  const float* px = x.data();
  const float* pf = flow.data();
  float* py = y.data();
  parallel_for(x.N() * H, W * C, [&](int64_t nh) {
    for (int64_t i = (nh % H) * W, end = i + W; i < end; ++i) warp_forward_pixel(px, pf, py, nh / H, i, C, H, W);
  });
}

void warp_backward(const Tensor& x, const Tensor& flow, const Tensor& dy, Tensor& dx, Tensor& dflow) {
  const int64_t C = dy.C(), H = dy.H(), W = dy.W(), plane = H * W;
  const float* pf = flow.data();
  const float* g = dy.data();
  if (dx.defined()) {
    float* d = dx.data();
    parallel_for(dy.N() * C, plane, [&](int64_t nc) {
      float* dp = d + nc * plane;
      for (int64_t i = 0; i < plane; ++i) dp[i] = 0.0f;
      for (int64_t i = 0; i < plane; ++i)
        warp_scatter_pixel(pf, dp, g[nc * plane + i], nc / C, i, H, W, [](float* a, float v) { *a += v; });
    });
  }
  if (dflow.defined()) {
    const float* px = x.data();
    float* df = dflow.data();
    parallel_for(dy.N() * H, W * C, [&](int64_t nh) {
      for (int64_t i = (nh % H) * W, end = i + W; i < end; ++i) warp_flow_grad_pixel(px, pf, g, df, nh / H, i, C, H, W);
    });
  }
}

}  // namespace cpu
}  // namespace ds
