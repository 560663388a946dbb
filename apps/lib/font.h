// A tiny built-in bitmap font for labels in plots and montages: 5x7 glyphs for printable
// ASCII (32..126) on a 6x9 cell: one column of spacing, and two rows below the glyph box that
// only the descenders of g, p, q and y reach. Characters outside that range are drawn as '?'.
#pragma once
#include <string>

namespace ds {
namespace app {

constexpr int kGlyphW = 5, kGlyphH = 7;  // glyph box (capitals and digits fill it)
constexpr int kDescent = 2;              // rows below the box used by descenders
constexpr int kCellW = 6, kCellH = 9;    // advance per character and per line (scale 1)

// Whether pixel (x, y) of character c is ink; (0,0) is the top-left of the glyph box,
// y runs to kGlyphH + kDescent - 1; false outside.
bool glyph_pixel(char c, int x, int y);

// Width in pixels of s drawn at `scale` (kCellW * scale per character, no trailing gap).
int text_width(const std::string& s, int scale);

}  // namespace app
}  // namespace ds
