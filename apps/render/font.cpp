#include "apps/render/font.h"

#include <cmath>

// A single-file library whose functions are all static: included in this file only.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wshadow"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wunused-function"
#include <stb_easy_font.h>
#pragma GCC diagnostic pop

namespace ds {
namespace app {
namespace {

// stb_easy_font indexes its tables by c - 32 without checks: keep to printable ASCII.
std::string printable(const std::string& s) {
  std::string p = s;
  for (char& c : p)
    if (c < 32 || c > 126) c = '?';
  return p;
}

}  // namespace

std::vector<TextRect> text_rects(const std::string& s, int scale) {
  std::string p = printable(s);
  // Each quad is 4 vertices of 16 bytes (x, y, z as floats, then RGBA); a glyph has at most a
  // dozen quads.
  std::vector<char> buf(64 * 16 * (p.size() + 1));
  int quads = stb_easy_font_print(0, 0, p.data(), nullptr, buf.data(), static_cast<int>(buf.size()));
  std::vector<TextRect> rects;
  for (int q = 0; q < quads; ++q) {
    const float* v0 = reinterpret_cast<const float*>(buf.data() + 64 * q);       // top-left vertex
    const float* v2 = reinterpret_cast<const float*>(buf.data() + 64 * q + 32);  // bottom-right vertex
    int x0 = static_cast<int>(std::lround(v0[0])), y0 = static_cast<int>(std::lround(v0[1]));
    int x1 = static_cast<int>(std::lround(v2[0])), y1 = static_cast<int>(std::lround(v2[1]));
    rects.push_back({x0 * scale, y0 * scale, (x1 - x0) * scale, (y1 - y0) * scale});
  }
  return rects;
}

int text_width(const std::string& s, int scale) {
  std::string p = printable(s);
  return stb_easy_font_width(p.data()) * scale;
}

}  // namespace app
}  // namespace ds
