// Rendering and reporting helpers of the stylize app: the font (stb_easy_font), loss plots (decoded back
// with libspng), montages, the depth colormap, progress lines and the CSV log.
#include <doctest/doctest.h>

#include "tests/check.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "apps/common/csv.h"
#include "apps/render/font.h"
#include "apps/render/montage.h"
#include "apps/render/plot.h"
#include "apps/common/progress.h"
#include "tensor/image_io.h"
#include "tensor/random.h"

using ds::Error;
using ds::Tensor;
namespace app = ds::app;

namespace {

struct Px {
  float r, g, b;
};
Px pixel(const Tensor& img, int64_t y, int64_t x) {
  return {img.at({0, 0, y, x}), img.at({0, 1, y, x}), img.at({0, 2, y, x})};
}
bool near(Px p, Px q, float tol) {
  return std::fabs(p.r - q.r) <= tol && std::fabs(p.g - q.g) <= tol && std::fabs(p.b - q.b) <= tol;
}

// Mean row of the pixels of colour c within columns [x0, x1); -1 when there are none.
double mean_row_of(const Tensor& img, Px c, int64_t x0, int64_t x1) {
  double sum = 0;
  int64_t n = 0;
  for (int64_t y = 0; y < img.H(); ++y)
    for (int64_t x = x0; x < x1; ++x)
      if (near(pixel(img, y, x), c, 2.0f / 255)) sum += static_cast<double>(y), ++n;
  return n ? sum / static_cast<double>(n) : -1.0;
}

}  // namespace

namespace {

// The ink of s at scale 1 as rows of '#' and '.', kLineH rows of text_width(s, 1) columns.
std::string ink(const std::string& s) {
  int w = app::text_width(s, 1);
  std::string bits(static_cast<size_t>(app::kLineH * w), '.');
  for (const app::TextRect& r : app::text_rects(s, 1))
    for (int y = r.y; y < r.y + r.h; ++y)
      for (int x = r.x; x < r.x + r.w; ++x) {
        REQUIRE((x >= 0 && x < w && y >= 0 && y < app::kLineH));  // ink stays inside the advance and the line
        bits[static_cast<size_t>(y * w + x)] = '#';
      }
  return bits;
}

}  // namespace

TEST_CASE("font (stb_easy_font): printable glyphs have ink inside their box and look different") {
  std::map<std::string, char> seen;
  for (int c = 33; c <= 126; ++c) {
    std::string glyph(1, static_cast<char>(c)), bits = ink(glyph);
    CHECK_MESSAGE(bits.find('#') != std::string::npos, "glyph " << glyph << " is empty");
    // stb_easy_font draws 'l' and '|' alike (one full-height bar); every other pair differs.
    auto [it, fresh] = seen.emplace(bits, static_cast<char>(c));
    CHECK_MESSAGE((fresh || (it->second == 'l' && c == '|')), "glyph " << glyph << " repeats " << it->second);
  }
  CHECK(app::text_rects(" ", 1).empty());
  CHECK(ink("\x01") == ink("?"));  // unknown characters are shown as '?'
  // Capitals and digits fill the glyph rows; only descenders reach the rows below them.
  for (const char* s : {"E", "8", "a"}) CHECK(ink(s).find('#', static_cast<size_t>(app::kGlyphH * app::text_width(s, 1))) == std::string::npos);
  CHECK(ink("g").find('#', static_cast<size_t>(app::kGlyphH * app::text_width("g", 1))) != std::string::npos);
  // Digits and the space share one advance (stb_easy_font 1.0), so numbers line up; widths
  // and ink scale with the scale.
  for (char d = '1'; d <= '9'; ++d) CHECK(app::text_width(std::string(1, d), 1) == app::text_width("0", 1));
  CHECK(app::text_width(" ", 1) == app::text_width("0", 1));
  CHECK(app::text_width("2e-05", 3) == 3 * app::text_width("2e-05", 1));
  std::vector<app::TextRect> r1 = app::text_rects("Ag", 1), r2 = app::text_rects("Ag", 2);
  REQUIRE(r1.size() == r2.size());
  for (size_t i = 0; i < r1.size(); ++i)
    CHECK((r2[i].x == 2 * r1[i].x && r2[i].y == 2 * r1[i].y && r2[i].w == 2 * r1[i].w && r2[i].h == 2 * r1[i].h));
}

TEST_CASE("nice_ticks: steps of 1, 2 or 5 times a power of ten, inside the range") {
  CHECK(app::nice_ticks(0, 10, 5) == std::vector<double>{0, 2, 4, 6, 8, 10});
  CHECK_FALSE(std::signbit(app::nice_ticks(0, 10, 5)[0]));  // +0, not -0 (which prints "-0")
  CHECK(app::nice_ticks(0.13, 0.61, 5) == std::vector<double>{0.2, 0.3, 0.4, 0.5, 0.6});
  std::vector<double> t = app::nice_ticks(-3.7, 1234, 6);
  CHECK(t.front() == 0);
  CHECK(t[1] == 500);  // 1237.7 / 6 = 206 rounds up to a step of 500
  CHECK(t.back() == 1000);
}

TEST_CASE("loss plot: a PNG of the documented size that decodes, with the series' colour and dark text") {
  std::vector<double> total, style;
  for (int i = 0; i < 200; ++i) total.push_back(1e5 * std::exp(-i / 40.0) + 10), style.push_back(5e3 / (1 + i));
  std::string p = dst::temp_path("loss.png");
  app::save_loss_plot(p, {"total", "style"}, {total, style}, true);
  Tensor img = ds::load_image_rgb(p);
  REQUIRE(img.shape() == ds::Shape{1, 3, app::kPlotHeight, app::kPlotWidth});
  int64_t non_white = 0, dark = 0;
  for (int64_t y = 0; y < img.H(); ++y)
    for (int64_t x = 0; x < img.W(); ++x) {
      Px q = pixel(img, y, x);
      non_white += !near(q, {1, 1, 1}, 0.01f);
      dark += q.r + q.g + q.b < 0.5f;
    }
  CHECK(non_white > 2000);
  CHECK(dark > 500);  // axes, ticks, numbers, title

  // The first series' colour is present, and a falling series sits higher on the left than
  // on the right (columns away from the legend in the top-right corner).
  Px blue{0.15f, 0.35f, 0.80f};
  double left = mean_row_of(img, blue, 100, 300), right = mean_row_of(img, blue, 400, 600);
  REQUIRE(left > 0);
  REQUIRE(right > 0);
  CHECK(left < right);
}

TEST_CASE("loss plot: skips NaN and non-positive values on a log axis, empty series, name count checked") {
  Tensor img = app::render_loss_plot({"a", "b"}, {{1, NAN, 0, -1, 5, INFINITY, 3}, {}}, true);
  CHECK(img.shape() == ds::Shape{1, 3, app::kPlotHeight, app::kPlotWidth});
  CHECK(ds::all_finite(img));
  CHECK(ds::all_finite(app::render_loss_plot({}, {}, false)));
  CHECK(ds::all_finite(app::render_loss_plot({"flat"}, {{2, 2, 2}}, false)));
  CHECK_THROWS_WITH_AS(app::render_loss_plot({"a"}, {{1}, {2}}, false), doctest::Contains("1 names for 2 series"),
                       Error);
}

TEST_CASE("montage geometry: equal heights, widths keep aspect, gaps and a label strip") {
  Tensor red = Tensor::zeros({1, 3, 10, 20});
  std::fill(red.data(), red.data() + 200, 1.0f);  // channel 0
  Tensor grey = Tensor::full({1, 1, 20, 10}, 0.5f);
  const int ph = 40, strip = app::montage_label_height(ph);
  Tensor m = app::montage({red, grey}, {"content", "depth"}, ph);
  REQUIRE(m.shape() == ds::Shape{1, 3, ph + strip, 80 + app::kMontageGap + 20});
  CHECK(near(pixel(m, 20, 40), {1, 0, 0}, 1e-6f));
  CHECK(near(pixel(m, 20, 80 + 1), {1, 1, 1}, 1e-6f));  // the gap
  CHECK(near(pixel(m, 20, 80 + app::kMontageGap + 10), {0.5f, 0.5f, 0.5f}, 1e-6f));
  int64_t ink = 0;
  for (int64_t y = ph; y < ph + strip; ++y)
    for (int64_t x = 0; x < 80; ++x) ink += pixel(m, y, x).r < 0.5f;
  CHECK(ink > 20);  // "content" is written under the first panel
  CHECK(app::montage_label_height(256) == 2 * app::montage_label_height(255));
  CHECK(app::montage({red}, {}, 5).shape() == ds::Shape{1, 3, 5 + app::montage_label_height(5), 10});
  CHECK_THROWS_WITH_AS(app::montage({red, grey}, {"one"}, ph), doctest::Contains("1 labels for 2 panels"), Error);
  CHECK_THROWS_AS(app::montage({Tensor::full({1, 3, 4, 4}, NAN)}, {}, ph), Error);
}

TEST_CASE("colormap_depth: near bright and warm, far dark, luminance falling with depth, NaN grey") {
  std::vector<float> d;
  for (int i = 0; i <= 50; ++i) d.push_back(i / 50.0f);
  d.push_back(NAN);
  Tensor c = app::colormap_depth(Tensor::from_vector({1, 1, 1, static_cast<int64_t>(d.size())}, d));
  REQUIRE(c.shape() == ds::Shape{1, 3, 1, static_cast<int64_t>(d.size())});
  auto luma = [&](int64_t x) {
    Px q = pixel(c, 0, x);
    return 0.2126 * q.r + 0.7152 * q.g + 0.0722 * q.b;
  };
  for (int64_t x = 1; x <= 50; ++x) CHECK(luma(x) < luma(x - 1));
  Px nearest = pixel(c, 0, 0), farthest = pixel(c, 0, 50);
  CHECK(nearest.r > nearest.b);    // warm
  CHECK(farthest.b > farthest.r);  // cool
  CHECK(luma(0) > 0.8);
  CHECK(luma(50) < 0.15);
  CHECK(near(pixel(c, 0, 51), {0.5f, 0.5f, 0.5f}, 1e-6f));
}

TEST_CASE("progress: line format, durations, and plain periodic lines when not a terminal") {
  CHECK(app::format_duration(45) == "45s");
  CHECK(app::format_duration(112) == "1m52s");
  CHECK(app::format_duration(7380) == "2h03m");
  CHECK(app::format_duration(NAN) == "?");
  CHECK(app::progress_line(120, 500, {{"loss", 12345}}, 3.4, 10) ==
        "[##........] 120/500 loss 1.23e+04 3.4 it/s ETA 1m52s");  // 380 / 3.4 = 111.8 s
  CHECK(app::progress_line(0, 10, {}, 0, 0) == "0/10");

  std::string p = dst::temp_path("progress.txt");
  FILE* f = std::fopen(p.c_str(), "w");
  REQUIRE(f);
  {
    app::Progress prog(5, f, 2, 1e9);
    CHECK_FALSE(prog.interactive());
    for (int i = 0; i <= 5; ++i) prog.update(i, {{"loss", 1.0 / (i + 1)}});
  }
  std::fclose(f);
  std::ifstream in(p);
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  REQUIRE(lines.size() == 4);  // the first update, every 2nd, and the last
  CHECK(lines[0].rfind("0/5 loss 1", 0) == 0);
  CHECK(lines[1].rfind("2/5 loss 0.333", 0) == 0);
  CHECK(lines[3].rfind("5/5 loss 0.167", 0) == 0);
}

TEST_CASE("csv log: nothing on disk before save, then the whole file, wrong value count is an error") {
  std::string p = dst::temp_path("losses.csv");
  std::remove(p.c_str());
  app::CsvWriter w(p, {"iteration", "content", "style"});
  w.row({0, 1.5, 2e6});
  CHECK_FALSE(std::ifstream(p).good());  // rows are kept until save()
  w.row({1, 0.25, NAN});
  CHECK_THROWS_WITH_AS(w.row({1, 2}), doctest::Contains("2 values for 3 columns"), Error);
  w.save();
  auto text = [&] {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  };
  CHECK(text() == "iteration,content,style\n0,1.5,2000000\n1,0.25,nan\n");
  w.row({2, -INFINITY, 3});
  w.save();  // rewritten whole
  CHECK(text() == "iteration,content,style\n0,1.5,2000000\n1,0.25,nan\n2,-inf,3\n");
  CHECK_THROWS_AS(app::CsvWriter(p, {"a,b"}), Error);
}

TEST_CASE("csv log: what is written reads back with the same names and values") {
  std::string p = dst::temp_path("roundtrip.csv");
  std::vector<std::string> names = {"iteration", "seconds", "total", "style_starry_night"};
  std::vector<std::vector<double>> rows;
  ds::Rng rng(3);
  for (int i = 1; i <= 50; ++i) {
    double scale = std::pow(10.0, rng.uniform() * 40 - 20);  // 1e-20 .. 1e20
    rows.push_back({static_cast<double>(i), 0.1 * i + rng.uniform(), scale * rng.uniform(),
                    static_cast<double>(static_cast<float>(scale * rng.uniform()))});
  }
  rows.push_back({51, 0, NAN, INFINITY});
  app::CsvWriter w(p, names);
  for (const auto& r : rows) w.row(r);
  w.save();
  app::CsvTable t = app::read_csv(p);
  CHECK(t.columns == names);
  CHECK(t.column("total") == 2);
  REQUIRE(t.rows.size() == rows.size());
  for (size_t i = 0; i + 1 < rows.size(); ++i) {
    CHECK(t.rows[i][0] == rows[i][0]);  // whole numbers exactly
    // %.9g keeps 9 significant digits: a relative error of at most 5e-9.
    for (size_t c = 1; c < 3; ++c) CHECK(std::abs(t.rows[i][c] - rows[i][c]) <= 5e-9 * std::abs(rows[i][c]));
    // A float's value comes back as the same float (9 significant digits round-trip any float).
    CHECK(static_cast<float>(t.rows[i][3]) == static_cast<float>(rows[i][3]));
  }
  CHECK(std::isnan(t.rows.back()[2]));
  CHECK(t.rows.back()[3] == INFINITY);
  CHECK_THROWS_WITH_AS(t.column("depth"), doctest::Contains("the columns are: iteration, seconds"), Error);
  std::ofstream(p) << "a,b\n1,2\n3\n";
  CHECK_THROWS_WITH_AS(app::read_csv(p), doctest::Contains(":3: 1 fields for 2 columns"), Error);
  std::ofstream(p) << "a,b\n1,x2\n";
  CHECK_THROWS_WITH_AS(app::read_csv(p), doctest::Contains(":2: 'x2' is not a number"), Error);
}
