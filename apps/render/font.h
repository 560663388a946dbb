// Text for the labels of plots and montages, drawn with stb_easy_font (Sean Barrett's
// public-domain bitmap font, /usr/include/stb/stb_easy_font.h from Debian's libstb-dev):
// proportional ASCII glyphs made of axis-aligned rectangles on a pixel grid. At scale 1,
// capitals and digits are kGlyphH rows high and the descenders of g, j, p, q, y reach
// kDescent rows lower. Characters outside printable ASCII (32..126) are drawn as '?'.
#pragma once
#include <string>
#include <vector>

namespace ds {
namespace app {

constexpr int kGlyphH = 7;   // rows of capitals and digits (scale 1)
constexpr int kDescent = 2;  // rows below them that descenders reach
constexpr int kLineH = kGlyphH + kDescent;

// One filled rectangle of ink, in pixels, relative to the text's top-left corner.
struct TextRect {
  int x, y, w, h;
};

// The ink of s drawn at `scale` (each font pixel a scale x scale block).
std::vector<TextRect> text_rects(const std::string& s, int scale);

// The advance of s at `scale`: where a following character would start, in pixels.
int text_width(const std::string& s, int scale);

}  // namespace app
}  // namespace ds
