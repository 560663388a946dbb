// A small RGB raster for charts and montages: rectangles, lines, text (stb_easy_font, font.h)
// and pasted images, held directly as a [1,3,H,W] tensor in [0,1] ready for save_image.
// Drawing outside the canvas is clipped silently (charts draw near their edges).
#pragma once
#include <string>

#include "tensor/tensor.h"

namespace ds {
namespace app {

struct Rgb {
  float r, g, b;  // each in [0,1]
};

class Canvas {
 public:
  Canvas(int width, int height, Rgb background);
  int width() const { return w_; }
  int height() const { return h_; }

  void set(int x, int y, Rgb c);
  Rgb get(int x, int y) const;  // (x, y) must be inside
  void fill_rect(int x, int y, int w, int h, Rgb c);
  void rect_outline(int x, int y, int w, int h, Rgb c);
  // Segment from (x0,y0) to (x1,y1) inclusive (Bresenham), `thickness` pixels wide.
  void line(int x0, int y0, int x1, int y1, Rgb c, int thickness = 1);
  // Text with its top-left at (x, y); each font pixel becomes a scale×scale block.
  void text(int x, int y, const std::string& s, Rgb c, int scale = 1);
  // Pastes a [1,3,h,w] image (values clamped to [0,1]) with its top-left at (x, y).
  void paste(const Tensor& rgb, int x, int y);

  const Tensor& image() const { return img_; }

 private:
  int w_, h_;
  Tensor img_;
};

}  // namespace app
}  // namespace ds
