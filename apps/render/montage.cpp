#include "apps/render/montage.h"

#include <algorithm>
#include <cmath>

#include "apps/render/canvas.h"
#include "apps/render/font.h"
#include "autograd/ops.h"

namespace ds {
namespace app {
namespace {

int label_scale(int panel_height) { return panel_height >= 256 ? 2 : 1; }

// A panel as CPU [1,3,panel_height,w] keeping its aspect ratio.
Tensor prepare_panel(const Tensor& p, int panel_height, size_t index) {
  if (!p.defined() || p.ndim() != 4 || p.N() != 1 || (p.C() != 1 && p.C() != 3) || p.numel() == 0)
    throw Error("montage: panel " + std::to_string(index) + " must be [1,1,H,W] or [1,3,H,W], got " +
                (p.defined() ? shape_str(p.shape()) : std::string("an undefined tensor")));
  if (!all_finite(p)) throw Error("montage: panel " + std::to_string(index) + " has NaN or infinite values");
  Tensor rgb = p.to(Device::CPU);
  if (p.C() == 1) {
    Tensor grey = rgb;
    rgb = Tensor::empty({1, 3, p.H(), p.W()});
    for (int c = 0; c < 3; ++c) std::copy(grey.data(), grey.data() + grey.numel(), rgb.data() + c * grey.numel());
  }
  int w = std::max(1, static_cast<int>(std::lround(static_cast<double>(p.W()) * panel_height / p.H())));
  if (w == p.W() && panel_height == p.H()) return rgb;
  NoGradGuard no_grad;
  return resize_bilinear(Var(rgb), panel_height, w).value();
}

// Control points of the depth colormap, near to far, evenly spaced (written for this project).
const float kDepthColours[][3] = {{1.00f, 0.96f, 0.62f}, {0.99f, 0.72f, 0.28f}, {0.92f, 0.38f, 0.20f},
                                  {0.66f, 0.16f, 0.40f}, {0.36f, 0.10f, 0.50f}, {0.08f, 0.05f, 0.25f}};

}  // namespace

int montage_label_height(int panel_height) { return label_scale(panel_height) * (kGlyphH + 6); }

Tensor montage(const std::vector<Tensor>& panels, const std::vector<std::string>& labels, int panel_height) {
  if (panels.empty()) throw Error("montage: no panels");
  if (!labels.empty() && labels.size() != panels.size())
    throw Error("montage: " + std::to_string(labels.size()) + " labels for " + std::to_string(panels.size()) +
                " panels");
  if (panel_height < 1 || panel_height > 8192)
    throw Error("montage: panel height " + std::to_string(panel_height) + " is invalid");
  std::vector<Tensor> ready;
  int width = -kMontageGap;
  for (size_t i = 0; i < panels.size(); ++i) {
    ready.push_back(prepare_panel(panels[i], panel_height, i));
    width += static_cast<int>(ready.back().W()) + kMontageGap;
  }
  const int scale = label_scale(panel_height), strip = montage_label_height(panel_height);
  Canvas c(width, panel_height + strip, {1, 1, 1});
  int x = 0;
  for (size_t i = 0; i < ready.size(); ++i) {
    const int w = static_cast<int>(ready[i].W());
    c.paste(ready[i], x, 0);
    if (!labels.empty()) {
      std::string s = labels[i];
      while (!s.empty() && text_width(s, scale) > w) s.pop_back();  // clip to the panel
      c.text(x + (w - text_width(s, scale)) / 2, panel_height + 3 * scale, s, {0.1f, 0.1f, 0.1f}, scale);
    }
    x += w + kMontageGap;
  }
  return c.image();
}

Tensor colormap_depth(const Tensor& d01) {
  if (!d01.defined() || d01.ndim() != 4 || d01.N() != 1 || d01.C() != 1)
    throw Error("colormap_depth: expected a [1,1,H,W] map, got " +
                (d01.defined() ? shape_str(d01.shape()) : std::string("an undefined tensor")));
  std::vector<float> d = d01.to_vector();
  const int64_t plane = static_cast<int64_t>(d.size());
  const int segments = static_cast<int>(sizeof kDepthColours / sizeof kDepthColours[0]) - 1;
  Tensor out = Tensor::empty({1, 3, d01.H(), d01.W()});
  float* o = out.data();
  for (int64_t i = 0; i < plane; ++i) {
    float rgb[3] = {0.5f, 0.5f, 0.5f};
    if (!std::isnan(d[i])) {
      float t = std::min(1.0f, std::max(0.0f, d[i])) * segments;
      int k = std::min(segments - 1, static_cast<int>(t));
      float f = t - k;
      for (int ch = 0; ch < 3; ++ch)
        rgb[ch] = kDepthColours[k][ch] + f * (kDepthColours[k + 1][ch] - kDepthColours[k][ch]);
    }
    for (int ch = 0; ch < 3; ++ch) o[ch * plane + i] = rgb[ch];
  }
  return out;
}

}  // namespace app
}  // namespace ds
