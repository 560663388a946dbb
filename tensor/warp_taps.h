// The bilinear taps of warp_forward/warp_backward (tensor/kernel_list.inc), shared by the CPU
// kernel (tensor/cpu/warp.cpp) and the CUDA one (cuda/warp.cu) so both sample the same points.
//
// Output pixel (h, w) reads the input at (px, py) = (w + u, h + v), (u, v) = flow[n,:,h,w] in
// pixels. Border: px is clamped to [0, W-1] and py to [0, H-1] (the edge pixel repeats, as PyTorch's
// grid_sample with padding_mode='border', align_corners=True).
// Along a clamped axis the sample does not move with the flow, so its flow gradient is 0.
#pragma once
#include <cmath>
#include <cstdint>

#ifdef __CUDACC__
#define DS_HOST_DEVICE __host__ __device__
#else
#define DS_HOST_DEVICE
#endif

namespace ds {

struct WarpTap {
  int64_t x0, x1, y0, y1;  // columns and rows of the four taps, inside the image
  float fx, fy;            // weights of column x1 and row y1 (x0, y0 get 1 - fx, 1 - fy)
  bool in_x, in_y;         // the coordinate lay inside [0, W-1] ([0, H-1]): the flow gradient passes
};

// One axis: the sample at pos + d on [0, n-1]. The displacement is split into its floor and
// fraction (both exact in float), so no rounding of pos + d moves the sample, however far from
// 0 it lies. NaN and |d| >= 1e9 clamp (NaN to 0).
DS_HOST_DEVICE inline void warp_axis(int64_t pos, float d, int64_t n, int64_t& i0, int64_t& i1, float& f, bool& inside) {
  if (!(d > -1e9f && d < 1e9f)) {
    i0 = i1 = d > 0.0f ? n - 1 : 0;
    f = 0.0f;
    inside = false;
    return;
  }
  float fl = floorf(d);
  i0 = pos + static_cast<int64_t>(fl);
  f = d - fl;
  inside = i0 >= 0 && (i0 < n - 1 || (i0 == n - 1 && f == 0.0f));
  if (!inside) {
    i0 = i0 < 0 ? 0 : n - 1;
    f = 0.0f;
  }
  i1 = i0 + 1 < n ? i0 + 1 : i0;
}

DS_HOST_DEVICE inline WarpTap warp_tap(int64_t h, int64_t w, float u, float v, int64_t H, int64_t W) {
  WarpTap t;
  warp_axis(w, u, W, t.x0, t.x1, t.fx, t.in_x);
  warp_axis(h, v, H, t.y0, t.y1, t.fy, t.in_y);
  return t;
}

// The sample of one plane p (row-major, width W) at tap t.
DS_HOST_DEVICE inline float warp_sample(const float* p, int64_t W, const WarpTap& t) {
  float top = (1.0f - t.fx) * p[t.y0 * W + t.x0] + t.fx * p[t.y0 * W + t.x1];
  float bottom = (1.0f - t.fx) * p[t.y1 * W + t.x0] + t.fx * p[t.y1 * W + t.x1];
  return (1.0f - t.fy) * top + t.fy * bottom;
}

// d sample / d px and d py of plane p at t (0 along a clamped axis).
DS_HOST_DEVICE inline void warp_sample_grad(const float* p, int64_t W, const WarpTap& t, float& dpx, float& dpy) {
  float a00 = p[t.y0 * W + t.x0], a01 = p[t.y0 * W + t.x1], a10 = p[t.y1 * W + t.x0], a11 = p[t.y1 * W + t.x1];
  dpx = t.in_x ? (1.0f - t.fy) * (a01 - a00) + t.fy * (a11 - a10) : 0.0f;
  dpy = t.in_y ? (1.0f - t.fx) * (a10 - a00) + t.fx * (a11 - a01) : 0.0f;
}

// The per-pixel steps of the kernels, on raw NCHW pointers: image n's pixel i (h = i / W,
// w = i % W) of an H x W plane, C channels; flow [N,2,H,W].
DS_HOST_DEVICE inline WarpTap warp_tap_at(const float* flow, int64_t n, int64_t i, int64_t H, int64_t W) {
  const int64_t plane = H * W;
  return warp_tap(i / W, i % W, flow[n * 2 * plane + i], flow[(n * 2 + 1) * plane + i], H, W);
}

// y[n, :, i] = every channel of x sampled at the pixel's tap.
DS_HOST_DEVICE inline void warp_forward_pixel(const float* x, const float* flow, float* y, int64_t n, int64_t i,
                                              int64_t C, int64_t H, int64_t W) {
  const int64_t plane = H * W;
  WarpTap t = warp_tap_at(flow, n, i, H, W);
  for (int64_t c = 0; c < C; ++c) y[(n * C + c) * plane + i] = warp_sample(x + (n * C + c) * plane, W, t);
}

// dflow[n, :, i] = the sum over the channels of dy times the sample's derivative in u and v.
DS_HOST_DEVICE inline void warp_flow_grad_pixel(const float* x, const float* flow, const float* dy, float* dflow,
                                                int64_t n, int64_t i, int64_t C, int64_t H, int64_t W) {
  const int64_t plane = H * W;
  WarpTap t = warp_tap_at(flow, n, i, H, W);
  float gu = 0.0f, gv = 0.0f;
  for (int64_t c = 0; c < C; ++c) {
    float du, dv;
    warp_sample_grad(x + (n * C + c) * plane, W, t, du, dv);
    gu += dy[(n * C + c) * plane + i] * du;
    gv += dy[(n * C + c) * plane + i] * dv;
  }
  dflow[n * 2 * plane + i] = gu;
  dflow[(n * 2 + 1) * plane + i] = gv;
}

// The sampling's adjoint for output pixel i of plane (n, c): g into the four taps of that plane
// of dx (dx_plane), through add(ptr, v) (a plain += on the CPU, atomicAdd on CUDA).
template <class Add>
DS_HOST_DEVICE inline void warp_scatter_pixel(const float* flow, float* dx_plane, float g, int64_t n, int64_t i,
                                              int64_t H, int64_t W, Add add) {
  WarpTap t = warp_tap_at(flow, n, i, H, W);
  add(dx_plane + t.y0 * W + t.x0, (1.0f - t.fy) * (1.0f - t.fx) * g);
  add(dx_plane + t.y0 * W + t.x1, (1.0f - t.fy) * t.fx * g);
  add(dx_plane + t.y1 * W + t.x0, t.fy * (1.0f - t.fx) * g);
  add(dx_plane + t.y1 * W + t.x1, t.fy * t.fx * g);
}

}  // namespace ds
