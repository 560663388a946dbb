#include "apps/render/canvas.h"

#include <algorithm>
#include <cstdlib>

#include "apps/render/font.h"

namespace ds {
namespace app {

Canvas::Canvas(int width, int height, Rgb background) : w_(width), h_(height) {
  if (width < 1 || height < 1)
    throw Error("Canvas: size " + std::to_string(width) + "x" + std::to_string(height) + " has no pixels");
  img_ = Tensor::empty({1, 3, height, width});
  fill_rect(0, 0, width, height, background);
}

void Canvas::set(int x, int y, Rgb c) {
  if (x < 0 || y < 0 || x >= w_ || y >= h_) return;
  const int64_t plane = static_cast<int64_t>(w_) * h_, i = static_cast<int64_t>(y) * w_ + x;
  float* p = img_.data();
  p[i] = c.r, p[plane + i] = c.g, p[2 * plane + i] = c.b;
}

Rgb Canvas::get(int x, int y) const {
  if (x < 0 || y < 0 || x >= w_ || y >= h_) throw Error("Canvas::get: pixel outside the canvas");
  const int64_t plane = static_cast<int64_t>(w_) * h_, i = static_cast<int64_t>(y) * w_ + x;
  const float* p = img_.data();
  return {p[i], p[plane + i], p[2 * plane + i]};
}

void Canvas::fill_rect(int x, int y, int w, int h, Rgb c) {
  for (int yy = std::max(0, y); yy < std::min(h_, y + h); ++yy)
    for (int xx = std::max(0, x); xx < std::min(w_, x + w); ++xx) set(xx, yy, c);
}

void Canvas::rect_outline(int x, int y, int w, int h, Rgb c) {
  line(x, y, x + w - 1, y, c);
  line(x, y + h - 1, x + w - 1, y + h - 1, c);
  line(x, y, x, y + h - 1, c);
  line(x + w - 1, y, x + w - 1, y + h - 1, c);
}

void Canvas::line(int x0, int y0, int x1, int y1, Rgb c, int thickness) {
  const int dx = std::abs(x1 - x0), dy = -std::abs(y1 - y0), sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1;
  const int lo = -(thickness - 1) / 2;  // square brush centred on the ideal pixel
  int err = dx + dy;
  for (;;) {
    fill_rect(x0 + lo, y0 + lo, thickness, thickness, c);
    if (x0 == x1 && y0 == y1) break;
    int e2 = 2 * err;
    if (e2 >= dy) err += dy, x0 += sx;
    if (e2 <= dx) err += dx, y0 += sy;
  }
}

void Canvas::text(int x, int y, const std::string& s, Rgb c, int scale) {
  for (const TextRect& r : text_rects(s, scale)) fill_rect(x + r.x, y + r.y, r.w, r.h, c);
}

void Canvas::paste(const Tensor& rgb, int x, int y) {
  if (rgb.ndim() != 4 || rgb.N() != 1 || rgb.C() != 3)
    throw Error("Canvas::paste: expected a [1,3,H,W] image, got " + shape_str(rgb.shape()));
  const int h = static_cast<int>(rgb.H()), w = static_cast<int>(rgb.W());
  const int64_t plane = static_cast<int64_t>(w) * h;
  std::vector<float> v = rgb.to_vector();
  auto clamp = [](float f) { return std::min(1.0f, std::max(0.0f, f)); };
  for (int yy = 0; yy < h; ++yy)
    for (int xx = 0; xx < w; ++xx) {
      const int64_t i = static_cast<int64_t>(yy) * w + xx;
      set(x + xx, y + yy, {clamp(v[i]), clamp(v[plane + i]), clamp(v[2 * plane + i])});
    }
}

}  // namespace app
}  // namespace ds
