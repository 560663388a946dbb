#include "apps/render/plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "apps/render/canvas.h"
#include "apps/render/font.h"
#include "tensor/image_io.h"

namespace ds {
namespace app {
namespace {

const Rgb kPaper{1, 1, 1}, kInk{0.1f, 0.1f, 0.1f}, kGrid{0.88f, 0.88f, 0.88f}, kFrame{0.55f, 0.55f, 0.55f};
const Rgb kPalette[] = {{0.15f, 0.35f, 0.80f}, {0.95f, 0.50f, 0.05f}, {0.10f, 0.60f, 0.20f}, {0.85f, 0.10f, 0.15f},
                        {0.55f, 0.25f, 0.75f}, {0.55f, 0.35f, 0.15f}, {0.00f, 0.60f, 0.60f}, {0.40f, 0.40f, 0.40f}};

std::string tick_label(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", v);
  return buf;
}

// Maps data values to pixels along one axis; lo/hi are in the axis's space (log10 for a log axis).
struct Axis {
  bool log = false;
  double lo = 0, hi = 1;
  int p0 = 0, p1 = 1;  // pixel of lo and of hi (p1 < p0 for the y axis)
  bool drawable(double v) const { return std::isfinite(v) && (!log || v > 0); }
  double space(double v) const { return log ? std::log10(v) : v; }
  int pixel(double v) const { return static_cast<int>(std::lround(p0 + (space(v) - lo) / (hi - lo) * (p1 - p0))); }
};

// Fits the y axis's range to the drawable values with a 5% margin.
void fit_range(Axis& a, const std::vector<std::vector<double>>& series) {
  double lo = INFINITY, hi = -INFINITY;
  for (const auto& s : series)
    for (double v : s)
      if (a.drawable(v)) lo = std::min(lo, a.space(v)), hi = std::max(hi, a.space(v));
  if (lo > hi) lo = 0, hi = 1;
  double span = hi - lo;
  double pad =
      span > 1e-12 * std::max(1.0, std::fabs(hi)) ? 0.05 * span : (a.log ? 0.5 : std::max(0.1 * std::fabs(hi), 1e-3));
  a.lo = lo - pad, a.hi = hi + pad;
}

std::vector<double> y_ticks(const Axis& a) {
  if (!a.log) return nice_ticks(a.lo, a.hi, 6);
  std::vector<double> t;
  if (a.hi - a.lo >= 1.5) {  // whole decades, thinned to at most about 8
    int step = std::max(1, static_cast<int>(std::ceil((a.hi - a.lo) / 8)));
    for (int k = static_cast<int>(std::ceil(a.lo)); k <= std::floor(a.hi); k += step) t.push_back(std::pow(10.0, k));
    return t;
  }
  for (double v : nice_ticks(std::pow(10.0, a.lo), std::pow(10.0, a.hi), 5))
    if (v > 0) t.push_back(v);
  return t;
}

void draw_legend(Canvas& c, const std::vector<std::string>& names, int right, int top) {
  if (names.empty()) return;
  int text_w = 0;
  for (const auto& n : names) text_w = std::max(text_w, text_width(n, 1));
  const int w = 30 + text_w, h = 6 + kLineH * 2 * static_cast<int>(names.size()) - kLineH + 2, x = right - w - 8;
  c.fill_rect(x, top + 8, w, h, kPaper);
  c.rect_outline(x, top + 8, w, h, kFrame);
  for (size_t i = 0; i < names.size(); ++i) {
    Rgb col = kPalette[i % (sizeof kPalette / sizeof kPalette[0])];
    int y = top + 8 + 4 + static_cast<int>(i) * 2 * kLineH;
    c.line(x + 5, y + 3, x + 21, y + 3, col, 2);
    c.text(x + 26, y, names[i], col);
  }
}

void draw_series(Canvas& c, const std::vector<double>& s, const Axis& x, const Axis& y, Rgb col) {
  for (size_t i = 0; i < s.size(); ++i) {
    if (!y.drawable(s[i])) continue;
    int px = x.pixel(static_cast<double>(i)), py = y.pixel(s[i]);
    bool next = i + 1 < s.size() && y.drawable(s[i + 1]), prev = i > 0 && y.drawable(s[i - 1]);
    if (next)
      c.line(px, py, x.pixel(static_cast<double>(i + 1)), y.pixel(s[i + 1]), col, 2);
    else if (!prev)
      c.fill_rect(px - 1, py - 1, 3, 3, col);  // an isolated point
  }
}

}  // namespace

std::vector<double> nice_ticks(double lo, double hi, int target) {
  if (!(hi > lo) || !std::isfinite(lo) || !std::isfinite(hi)) return {lo};
  double raw = (hi - lo) / std::max(1, target), mag = std::pow(10.0, std::floor(std::log10(raw)));
  double f = raw / mag, mult = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10, step = mult * mag;
  // Each tick is computed from its index (no drift from repeated adds), and below 1 by dividing
  // by a power of ten so that e.g. 0.3 is the double nearest 0.3, not 3 * 0.1.
  double inv = mag < 1 ? std::round(1 / mag) : 0;
  std::vector<double> t;
  for (double k = std::ceil(lo / step - 1e-9); k * step <= hi + 1e-9 * step; ++k) {
    double v = inv > 0 ? k * mult / inv : k * step;
    t.push_back(v == 0 ? 0.0 : v);  // ceil(-1e-9) is -0, which would print as "-0"
  }
  return t;
}

Tensor render_loss_plot(const std::vector<std::string>& series_names, const std::vector<std::vector<double>>& series,
                        bool log_y, const std::string& title) {
  if (series_names.size() != series.size())
    throw Error("loss plot: " + std::to_string(series_names.size()) + " names for " + std::to_string(series.size()) +
                " series");
  Canvas c(kPlotWidth, kPlotHeight, kPaper);
  Axis y;
  y.log = log_y;
  fit_range(y, series);
  std::vector<double> yt = y_ticks(y);
  int label_w = 0;
  for (double v : yt) label_w = std::max(label_w, text_width(tick_label(v), 1));

  const int left = 14 + label_w, right = kPlotWidth - 16, top = 36, bottom = kPlotHeight - 40;
  size_t n = 0;
  for (const auto& s : series) n = std::max(n, s.size());
  Axis x;
  x.hi = std::max(1.0, static_cast<double>(n) - 1.0);
  x.p0 = left, x.p1 = right, y.p0 = bottom, y.p1 = top;

  for (double v : yt) {
    int py = y.pixel(v);
    c.line(left, py, right, py, kGrid);
    std::string s = tick_label(v);
    c.text(left - 6 - text_width(s, 1), py - kGlyphH / 2, s, kInk);
  }
  for (double v : nice_ticks(x.lo, x.hi, 8)) {
    if (v != std::floor(v)) continue;  // iterations are whole numbers
    int px = x.pixel(v);
    c.line(px, top, px, bottom, kGrid);
    c.line(px, bottom, px, bottom + 4, kInk);
    std::string s = tick_label(v);
    c.text(px - text_width(s, 1) / 2, bottom + 8, s, kInk);
  }
  c.rect_outline(left, top, right - left + 1, bottom - top + 1, kInk);
  for (size_t i = 0; i < series.size(); ++i)
    draw_series(c, series[i], x, y, kPalette[i % (sizeof kPalette / sizeof kPalette[0])]);

  std::string full_title = title + (log_y ? " (log scale)" : "");
  c.text((kPlotWidth - text_width(full_title, 2)) / 2, 8, full_title, kInk, 2);
  c.text((left + right - text_width("iteration", 1)) / 2, bottom + 22, "iteration", kInk);
  draw_legend(c, series_names, right, top);
  return c.image();
}

void save_loss_plot(const std::string& png, const std::vector<std::string>& series_names,
                    const std::vector<std::vector<double>>& series, bool log_y, const std::string& title) {
  save_image(png, render_loss_plot(series_names, series, log_y, title));
}

}  // namespace app
}  // namespace ds
