// CPU warping (bilinear sampling by a flow field), forward and backward. Mirrors cuda/warp.cu;
// both take their taps from tensor/warp_taps.h.
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
  const int64_t N = x.N(), C = x.C(), H = x.H(), W = x.W(), plane = H * W;
  const float* px = x.data();
  const float* pf = flow.data();
  float* py = y.data();
  parallel_for(N * H, W * C, [&](int64_t nh) {
    int64_t n = nh / H, h = nh % H;
    const float* u = pf + (n * 2) * plane + h * W;
    const float* v = u + plane;
    for (int64_t w = 0; w < W; ++w) {
      WarpTap t = warp_tap(h, w, u[w], v[w], H, W);
      for (int64_t c = 0; c < C; ++c) py[(n * C + c) * plane + h * W + w] = warp_sample(px + (n * C + c) * plane, W, t);
    }
  });
}

void warp_backward(const Tensor& x, const Tensor& flow, const Tensor& dy, Tensor& dx, Tensor& dflow) {
  const int64_t N = dy.N(), C = dy.C(), H = dy.H(), W = dy.W(), plane = H * W;
  const float* pf = flow.data();
  const float* g = dy.data();
  if (dx.defined()) {
    float* d = dx.data();
    parallel_for(N * C, plane, [&](int64_t nc) {
      int64_t n = nc / C;
      float* dp = d + nc * plane;
      const float* gp = g + nc * plane;
      for (int64_t i = 0; i < plane; ++i) dp[i] = 0.0f;
      for (int64_t h = 0; h < H; ++h)
        for (int64_t w = 0; w < W; ++w) {
          int64_t i = h * W + w;
          WarpTap t = warp_tap(h, w, pf[n * 2 * plane + i], pf[(n * 2 + 1) * plane + i], H, W);
          float gi = gp[i];
          dp[t.y0 * W + t.x0] += (1.0f - t.fy) * (1.0f - t.fx) * gi;
          dp[t.y0 * W + t.x1] += (1.0f - t.fy) * t.fx * gi;
          dp[t.y1 * W + t.x0] += t.fy * (1.0f - t.fx) * gi;
          dp[t.y1 * W + t.x1] += t.fy * t.fx * gi;
        }
    });
  }
  if (dflow.defined()) {
    const float* px = x.data();
    float* df = dflow.data();
    parallel_for(N * H, W * C, [&](int64_t nh) {
      int64_t n = nh / H, h = nh % H;
      for (int64_t w = 0; w < W; ++w) {
        int64_t i = h * W + w;
        WarpTap t = warp_tap(h, w, pf[n * 2 * plane + i], pf[(n * 2 + 1) * plane + i], H, W);
        float su = 0.0f, sv = 0.0f;
        for (int64_t c = 0; c < C; ++c) {
          float du, dv;
          warp_sample_grad(px + (n * C + c) * plane, W, t, du, dv);
          su += g[(n * C + c) * plane + i] * du;
          sv += g[(n * C + c) * plane + i] * dv;
        }
        df[n * 2 * plane + i] = su;
        df[(n * 2 + 1) * plane + i] = sv;
      }
    });
  }
}

}  // namespace cpu
}  // namespace ds
