// Synthetic 3D-photo scenes with known geometry, for the photo3d tests: smooth random
// textures (so bilinear resampling and subpixel shift estimates are accurate) and depth maps
// made of fronto-parallel planes.
#pragma once
#include <cmath>
#include <vector>

#include <string>

#include "apps/photo3d/depth_edges.h"
#include "tensor/image_io.h"
#include "tensor/tensor.h"
#include "weights/depth_io.h"

namespace dst {

// A [1,3,h,w] texture in [0.1, 0.9]: white noise from a fixed LCG, blurred by a separable
// binomial filter applied `blur` times (each pass has variance 1/2 px^2 per axis).
inline ds::Tensor smooth_texture(int w, int h, unsigned seed, int blur = 6) {
  std::vector<double> v(static_cast<size_t>(3) * w * h);
  unsigned s = seed * 2654435761u + 1u;
  for (double& x : v) {
    s = s * 1664525u + 1013904223u;
    x = (s >> 8) / 16777216.0;
  }
  const size_t plane = static_cast<size_t>(w) * h;
  for (int pass = 0; pass < blur; ++pass)
    for (int c = 0; c < 3; ++c) {
      std::vector<double> t(plane);
      double* p = v.data() + c * plane;
      for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
          int l = x > 0 ? x - 1 : 0, r = x + 1 < w ? x + 1 : w - 1;
          t[static_cast<size_t>(y) * w + x] = 0.25 * p[y * w + l] + 0.5 * p[y * w + x] + 0.25 * p[y * w + r];
        }
      for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
          int u = y > 0 ? y - 1 : 0, d = y + 1 < h ? y + 1 : h - 1;
          p[static_cast<size_t>(y) * w + x] = 0.25 * t[static_cast<size_t>(u) * w + x] +
                                              0.5 * t[static_cast<size_t>(y) * w + x] +
                                              0.25 * t[static_cast<size_t>(d) * w + x];
        }
    }
  // Stretch each channel to [0.1, 0.9] so the texture has contrast after blurring.
  std::vector<float> f(v.size());
  for (int c = 0; c < 3; ++c) {
    double lo = 1e9, hi = -1e9;
    for (size_t i = 0; i < plane; ++i) lo = std::min(lo, v[c * plane + i]), hi = std::max(hi, v[c * plane + i]);
    for (size_t i = 0; i < plane; ++i)
      f[c * plane + i] = static_cast<float>(0.1 + 0.8 * (v[c * plane + i] - lo) / (hi - lo));
  }
  return ds::Tensor::from_vector({1, 3, h, w}, f);
}

// Depth z_top above row `split`, z_bottom from it on (two fronto-parallel planes).
inline ds::app::DepthGrid two_planes(int w, int h, int split, float z_top, float z_bottom) {
  ds::app::DepthGrid g{w, h, std::vector<float>(static_cast<size_t>(w) * h)};
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) g.z[static_cast<size_t>(y) * w + x] = y < split ? z_top : z_bottom;
  return g;
}

// A far plane at z_far with a near rectangle [x0, x1) x [y0, y1) at z_near.
inline ds::app::DepthGrid box_scene(int w, int h, int x0, int x1, int y0, int y1, float z_near, float z_far) {
  ds::app::DepthGrid g{w, h, std::vector<float>(static_cast<size_t>(w) * h, z_far)};
  for (int y = y0; y < y1; ++y)
    for (int x = x0; x < x1; ++x) g.z[static_cast<size_t>(y) * w + x] = z_near;
  return g;
}

// A w x h photo (a smooth texture) and its depth as a 16-bit PNG in mm: the middle third of each
// side is a box at 1.5 m before a wall at 4 m (depth edges, so a background layer to fill).
inline void write_box_scene(const std::string& content, const std::string& depth, int w, int h) {
  ds::save_image(content, smooth_texture(w, h, 7, 2));
  ds::app::DepthGrid g = box_scene(w, h, w / 3, 2 * w / 3, h / 3, 2 * h / 3, 1.5f, 4.0f);
  ds::save_depth_png_mm(depth, ds::Tensor::from_vector({1, 1, h, w}, g.z));
}

}  // namespace dst
