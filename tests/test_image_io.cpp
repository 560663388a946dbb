// Image reading and writing (tensor/image_io.h). The oracle for decoding is the samples the
// test put in the file: PNG and PNM are built byte by byte (tests/image_bytes.h) and must decode
// exactly; JPEG is made with libjpeg from blocky images and must decode within the bound
// kJpegTol derived below. Hostile files (decompression bombs, corrupt tables, truncation)
// must give a ds::Error naming the file, quickly.
#include <doctest/doctest.h>

#include "tests/check.h"
#include "tests/image_bytes.h"

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <iterator>

#include "tensor/file_util.h"
#include "tensor/image_io.h"
#include "tensor/random.h"

using ds::Error;
using ds::Tensor;
namespace fs = std::filesystem;

namespace {

// JPEG error model for the blocky test images: every 8x8 block is one colour, so its DCT has
// only the DC term, which quality 100 quantises with step 1 (error <= 1/16 level per sample);
// without chroma subsampling the remaining error is the rounding of RGB -> YCbCr -> RGB in
// 8-bit integers, at most about 1.5 levels per channel. Bound: 3 levels.
const float kJpegTol = 3.0f / 255.0f;

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// Sets an environment variable for one scope.
struct EnvVar {
  std::string name, old;
  bool had;
  EnvVar(const char* n, const char* value) : name(n), had(std::getenv(n) != nullptr) {
    if (had) old = std::getenv(n);
    setenv(n, value, 1);
  }
  ~EnvVar() {
    if (had) setenv(name.c_str(), old.c_str(), 1);
    else unsetenv(name.c_str());
  }
};

// Block (by, bx) of the blocky image gets a distinct colour, channels from {40, 128, 220}.
std::vector<uint8_t> blocky(int w, int h, int ch) {
  static const uint8_t level[3] = {40, 128, 220};
  std::vector<uint8_t> px;
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      int b = (y / 8) * (w / 8) + x / 8;
      for (int c = 0; c < ch; ++c) px.push_back(level[(b / (c == 0 ? 1 : c == 1 ? 3 : 9)) % 3]);
    }
  return px;
}

// Checks t[0, c, y, x] against 8-bit interleaved `px` (w x h, ch channels; grey checks all of t's channels).
void check_pixels(const Tensor& t, const std::vector<uint8_t>& px, int w, int h, int ch, float tol) {
  REQUIRE(t.shape() == ds::Shape{1, 3, h, w});
  float worst = 0;
  for (int c = 0; c < 3; ++c)
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x) {
        float want = px[static_cast<size_t>((y * w + x) * ch + (ch == 1 ? 0 : c))] / 255.0f;
        worst = std::max(worst, std::fabs(t.at({0, c, y, x}) - want));
      }
  CHECK_MESSAGE(worst <= tol, "worst error " << worst * 255 << " levels");
}

std::string temp_file(const std::string& name, const std::string& bytes) {
  std::string p = dst::temp_path(name);
  dst::write_file(p, bytes);
  return p;
}

}  // namespace

// ---- PNG ----------------------------------------------------------------------------

TEST_CASE("png decoding: every colour type and bit depth gives the samples written") {
  const int w = 5, h = 3;
  std::vector<int> grey16, rgb8, rgba16, ga8, idx, grey2;
  for (int i = 0; i < w * h; ++i) {
    grey16.push_back((i * 4099) % 65536);
    for (int c = 0; c < 3; ++c) rgb8.push_back((i * 37 + c * 71) % 256);
    for (int c = 0; c < 4; ++c) rgba16.push_back((i * 5003 + c * 999) % 65536);
    ga8.push_back(i * 17), ga8.push_back(255 - i);
    idx.push_back(i % 3);
    grey2.push_back(i % 4);
  }
  auto rgb = [](const std::string& name, const std::string& bytes) { return ds::load_image_rgb(temp_file(name, bytes)); };

  Tensor g16 = ds::load_image_raw_gray(temp_file("g16.png", dst::png_file(w, h, 16, 0, dst::png_rows(grey16, w, h, 1, 16))));
  REQUIRE(g16.shape() == ds::Shape{1, 1, h, w});
  for (int i = 0; i < w * h; ++i) CHECK(g16.data()[i] == static_cast<float>(grey16[static_cast<size_t>(i)]));

  Tensor t = rgb("rgb8.png", dst::png_file(w, h, 8, 2, dst::png_rows(rgb8, w, h, 3, 8)));
  REQUIRE(t.shape() == ds::Shape{1, 3, h, w});
  for (int i = 0; i < w * h; ++i)
    for (int c = 0; c < 3; ++c) CHECK(t.at({0, c, i / w, i % w}) == doctest::Approx(rgb8[static_cast<size_t>(i * 3 + c)] / 255.0));

  t = rgb("rgba16.png", dst::png_file(w, h, 16, 6, dst::png_rows(rgba16, w, h, 4, 16)));  // alpha dropped
  for (int i = 0; i < w * h; ++i)
    for (int c = 0; c < 3; ++c)
      CHECK(t.at({0, c, i / w, i % w}) == doctest::Approx(rgba16[static_cast<size_t>(i * 4 + c)] / 65535.0).epsilon(1e-6));

  Tensor ga = ds::load_image_raw_gray(temp_file("ga8.png", dst::png_file(w, h, 8, 4, dst::png_rows(ga8, w, h, 2, 8))));
  for (int i = 0; i < w * h; ++i) CHECK(ga.data()[i] == static_cast<float>(ga8[static_cast<size_t>(i * 2)]));

  // Palette: three entries; RGB is the entry's colour.
  std::string plte = dst::png_chunk("PLTE", std::string("\x0a\x14\x1e\x80\x90\xa0\xff\x00\x7f", 9));
  t = rgb("pal.png", dst::png_file(w, h, 8, 3, dst::png_rows(idx, w, h, 1, 8), plte));
  const int pal[3][3] = {{10, 20, 30}, {128, 144, 160}, {255, 0, 127}};
  for (int i = 0; i < w * h; ++i)
    for (int c = 0; c < 3; ++c) CHECK(t.at({0, c, i / w, i % w}) == doctest::Approx(pal[i % 3][c] / 255.0));

  // 2-bit grey: the PNG specification scales a sample s of depth b to s / (2^b - 1) of full range.
  t = rgb("g2.png", dst::png_file(w, h, 2, 0, dst::png_rows(grey2, w, h, 1, 2)));
  for (int i = 0; i < w * h; ++i)
    for (int c = 0; c < 3; ++c) CHECK(t.at({0, c, i / w, i % w}) == doctest::Approx(grey2[static_cast<size_t>(i)] / 3.0));
}

TEST_CASE("png writing: 8-bit RGB within half a level, 16-bit grey exact, bytes big-endian in the file") {
  Tensor img = ds::Rng(1).uniform_tensor({1, 3, 7, 11}, 0, 1);
  std::string p = dst::temp_path("rt8.png");
  ds::save_image(p, img);
  Tensor back = ds::load_image_rgb(p);
  REQUIRE(back.shape() == img.shape());
  for (int64_t i = 0; i < img.numel(); ++i) CHECK(std::fabs(back.data()[i] - img.data()[i]) <= 0.5f / 255 + 1e-6f);

  Tensor g = ds::Rng(2).uniform_tensor({1, 1, 5, 9}, 0, 1);
  std::string p16 = dst::temp_path("rt16.PNG");  // extensions are case-insensitive
  ds::save_image(p16, g, {16});
  Tensor raw = ds::load_image_raw_gray(p16);
  REQUIRE(raw.shape() == g.shape());
  for (int64_t i = 0; i < g.numel(); ++i) CHECK(raw.data()[i] == std::round(g.data()[i] * 65535.0f));

  // A 1x1 16-bit grey image: whatever filter the encoder picks, the first pixel's predictor is 0,
  // so the inflated IDAT is {filter, 0x12, 0x34} for the sample 0x1234 (PNG is big-endian).
  std::string one = dst::temp_path("one16.png");
  ds::save_image(one, Tensor::full({1, 1, 1, 1}, 0x1234 / 65535.0f), {16});
  std::vector<uint8_t> b = ds::read_file_bytes(one);
  std::string s(b.begin(), b.end());
  size_t at = s.find("IDAT");
  REQUIRE(at != std::string::npos);
  uint32_t len = static_cast<uint32_t>(b[at - 4] << 24 | b[at - 3] << 16 | b[at - 2] << 8 | b[at - 1]);
  uint8_t out[8];
  uLongf n = sizeof out;
  REQUIRE(uncompress(out, &n, b.data() + at + 4, len) == Z_OK);
  REQUIRE(n == 3);
  CHECK(out[1] == 0x12);
  CHECK(out[2] == 0x34);
  CHECK(s.substr(12, 4) == "IHDR");
  CHECK(b[24] == 16);  // bit depth
  CHECK(b[25] == 0);   // grey
}

// ---- JPEG ---------------------------------------------------------------------------

TEST_CASE("jpeg decoding: blocky RGB and grey images within the stated bound") {
  const int w = 24, h = 16;
  for (int ch : {3, 1}) {
    std::vector<uint8_t> px = blocky(w, h, ch);
    std::string p = temp_file("blocky" + std::to_string(ch) + ".jpg", dst::jpeg_file(w, h, ch, px, 100));
    check_pixels(ds::load_image_rgb(p), px, w, h, ch, kJpegTol);
    if (ch == 1) {
      Tensor g = ds::load_image_raw_gray(p);
      REQUIRE(g.shape() == ds::Shape{1, 1, h, w});
      for (int i = 0; i < w * h; ++i) CHECK(std::fabs(g.data()[i] - px[static_cast<size_t>(i)]) <= 3.0f);
    } else {
      CHECK(contains(error_of([&] { ds::load_image_raw_gray(p); }), "expected a single-channel"));
    }
  }
}

TEST_CASE("jpeg EXIF orientation 1..8 is applied on read (TIFF 6.0's row-0 / column-0 sides)") {
  // The stored image is 24 x 16 with six distinct 8x8 blocks. TIFF 6.0 describes orientation
  // by where the stored row 0 and column 0 appear in the displayed picture.
  enum Side { Top, Bottom, Left, Right };
  const Side row0[9] = {Top, Top, Top, Bottom, Bottom, Left, Right, Right, Left};
  const Side col0[9] = {Left, Left, Right, Right, Left, Top, Top, Bottom, Bottom};
  const int w = 24, h = 16;
  std::vector<uint8_t> px = blocky(w, h, 3);
  for (int o = 1; o <= 8; ++o)
    for (bool big_endian : {true, false}) {
      CAPTURE(o);
      CAPTURE(big_endian);
      std::string p = temp_file("orient.jpg", dst::jpeg_file(w, h, 3, px, 100, dst::exif_orientation_app1(o, big_endian)));
      Tensor t = ds::load_image_rgb(p);
      const bool rows_vertical = row0[o] == Top || row0[o] == Bottom;
      const int dh = rows_vertical ? h : w, dw = rows_vertical ? w : h;
      REQUIRE(t.shape() == ds::Shape{1, 3, dh, dw});
      CHECK(ds::image_size(p) == std::make_pair(int64_t{dh}, int64_t{dw}));  // from the header alone
      float worst = 0;
      for (int r = 0; r < h; ++r)
        for (int q = 0; q < w; ++q) {
          int y, x;
          if (rows_vertical) {
            y = row0[o] == Top ? r : h - 1 - r;
            x = col0[o] == Left ? q : w - 1 - q;
          } else {
            x = row0[o] == Left ? r : h - 1 - r;
            y = col0[o] == Top ? q : w - 1 - q;
          }
          for (int c = 0; c < 3; ++c)
            worst = std::max(worst, std::fabs(t.at({0, c, y, x}) - px[static_cast<size_t>((r * w + q) * 3 + c)] / 255.0f));
        }
      CHECK_MESSAGE(worst <= kJpegTol, "worst error " << worst * 255 << " levels");
    }
  // An orientation outside 1..8 is ignored.
  std::string p = temp_file("orient9.jpg", dst::jpeg_file(w, h, 3, px, 100, dst::exif_orientation_app1(9, true)));
  check_pixels(ds::load_image_rgb(p), px, w, h, 3, kJpegTol);
}

// ---- CMYK JPEG ------------------------------------------------------------------------
// Print colours as ink amounts 0..255 (cyan, magenta, yellow, black), one per 8x8 block, and
// the RGB each is by definition (tensor/image_io.h, and Pillow's CMYK -> RGB): light left after
// the inks, 255 (1 - c)(1 - k) per channel. The pure inks are the published primaries (cyan
// ink = RGB 0,255,255; magenta + yellow = red).
const uint8_t kInks[8][4] = {{0, 0, 0, 0},   {255, 0, 0, 0}, {0, 255, 0, 0},   {0, 0, 255, 0},
                             {0, 255, 255, 0}, {0, 0, 0, 255}, {128, 0, 0, 128}, {64, 160, 32, 40}};

std::vector<uint8_t> ink_blocks(int w, int h, bool inverted) {  // 4 x 2 blocks of 8 x 8
  std::vector<uint8_t> px;
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int c = 0; c < 4; ++c) {
        uint8_t ink = kInks[(y / 8) * 4 + x / 8][c];
        px.push_back(inverted ? static_cast<uint8_t>(255 - ink) : ink);
      }
  return px;
}

std::vector<uint8_t> ink_blocks_rgb(int w, int h) {
  std::vector<uint8_t> px;
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      const uint8_t* ink = kInks[(y / 8) * 4 + x / 8];
      for (int c = 0; c < 3; ++c)
        px.push_back(static_cast<uint8_t>(std::lround(255.0 * (1 - ink[c] / 255.0) * (1 - ink[3] / 255.0))));
    }
  return px;
}

TEST_CASE("jpeg decoding: CMYK and YCCK, with and without Adobe's inverted samples, give the inks' RGB") {
  // The error model of kJpegTol holds: flat 8x8 blocks at quality 100, and for YCCK the same
  // 8-bit colour transform as YCbCr (on C, M, Y). The RGB product of two samples each within
  // 1.5 levels is within 3 levels (1.5 (1 - k) + 1.5 (1 - c)).
  const int w = 32, h = 16;
  std::vector<uint8_t> want = ink_blocks_rgb(w, h);
  struct Case {
    const char* name;
    J_COLOR_SPACE stored;
    bool adobe;
  } cases[] = {{"adobe_cmyk.jpg", JCS_CMYK, true}, {"plain_cmyk.jpg", JCS_CMYK, false}, {"adobe_ycck.jpg", JCS_YCCK, true}};
  for (const Case& k : cases) {
    CAPTURE(k.name);
    // Adobe applications store 255 - ink; a file without their marker stores the ink itself.
    std::string p = temp_file(k.name, dst::jpeg_file(w, h, 4, ink_blocks(w, h, k.adobe), 100, "", k.stored, k.adobe));
    check_pixels(ds::load_image_rgb(p), want, w, h, 3, kJpegTol);
  }
}

TEST_CASE("jpeg decoding: a CMYK JPEG written by Pillow reads as Pillow's own RGB of it") {
  // Pillow (Debian's python3-pil) is an independent encoder and decoder: it writes CMYK
  // JPEGs the Adobe way (inverted samples, APP14 marker) and converts CMYK -> RGB itself.
  const int w = 32, h = 16;
  std::string jpg = dst::temp_path("pillow_cmyk.jpg"), ppm = dst::temp_path("pillow_rgb.ppm");
  std::string inks;
  for (uint8_t v : ink_blocks(w, h, false)) inks += std::to_string(v) + ",";
  std::string script = "from PIL import Image\n"
                       "im = Image.frombytes('CMYK', (" + std::to_string(w) + ", " + std::to_string(h) + "), bytes([" + inks +
                       "]))\nim.save('" + jpg + "', quality=100, subsampling=0)\n"
                       "Image.open('" + jpg + "').convert('RGB').save('" + ppm + "')\n";
  std::string py = dst::temp_path("pillow_cmyk.py");
  dst::write_file(py, script);
  if (std::system("/usr/bin/python3 -c 'import PIL' 2>/dev/null") != 0) {
    MESSAGE("skipped: no Pillow (Debian's python3-pil; scripts/setup installs it)");
    std::printf("skipped: no Pillow (Debian's python3-pil; scripts/setup installs it)\n");
    return;
  }
  REQUIRE(std::system(("/usr/bin/python3 " + py).c_str()) == 0);
  Tensor ours = ds::load_image_rgb(jpg);
  check_pixels(ours, ink_blocks_rgb(w, h), w, h, 3, kJpegTol);
  Tensor pillow = ds::load_image_rgb(ppm);
  REQUIRE(pillow.shape() == ours.shape());
  float worst = 0;
  for (int64_t i = 0; i < ours.numel(); ++i) worst = std::max(worst, std::fabs(ours.data()[i] - pillow.data()[i]));
  CHECK_MESSAGE(worst <= 1.0f / 255.0f, "largest difference from Pillow " << worst * 255 << " levels");  // rounding
}

TEST_CASE("jpeg writing: .jpg/.jpeg hold JPEG bytes, decode within the bound, quality is honoured") {
  const int w = 24, h = 16;
  std::vector<uint8_t> px = blocky(w, h, 3);
  Tensor img = Tensor::empty({1, 3, h, w});
  for (int c = 0; c < 3; ++c)
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x) img.set({0, c, y, x}, px[static_cast<size_t>((y * w + x) * 3 + c)] / 255.0f);
  std::string p = dst::temp_path("out.JPEG");
  ds::save_image(p, img, {8, 100});
  std::vector<uint8_t> b = ds::read_file_bytes(p);
  REQUIRE(b.size() > 3);
  CHECK((b[0] == 0xff && b[1] == 0xd8 && b[2] == 0xff));
  check_pixels(ds::load_image_rgb(p), px, w, h, 3, kJpegTol);

  // Quality 10 quantises much more coarsely than 95, so a noisy image's file is smaller.
  Tensor noise = ds::Rng(3).uniform_tensor({1, 3, 32, 32}, 0, 1);
  std::string q95 = dst::temp_path("q95.jpg"), q10 = dst::temp_path("q10.jpg");
  ds::save_image(q95, noise);
  ds::save_image(q10, noise, {8, 10});
  CHECK(fs::file_size(q10) * 2 < fs::file_size(q95));
  Tensor grey = Tensor::full({1, 1, 8, 8}, 0.5f);
  ds::save_image(dst::temp_path("grey.jpg"), grey);
  CHECK(ds::load_image_raw_gray(dst::temp_path("grey.jpg")).at({0, 0, 3, 3}) == doctest::Approx(128).epsilon(0.01));
  CHECK(contains(error_of([&] { ds::save_image(dst::temp_path("q.jpg"), grey, {8, 101}); }), "quality 101"));
}

// ---- PNM ----------------------------------------------------------------------------

TEST_CASE("image_size: each format's header gives the decoded size; a bad file is the decoder's error") {
  std::string png = temp_file("size.png", dst::png_file(5, 3, 8, 2, dst::png_rows(std::vector<int>(45, 7), 5, 3, 3, 8)));
  std::string pgm = temp_file("size.pgm", "P5 4 2 255\n" + std::string(8, 'x'));
  std::string jpg = temp_file("size.jpg", dst::jpeg_file(16, 8, 3, blocky(16, 8, 3), 90));
  for (const std::string& p : {png, pgm, jpg}) {
    CAPTURE(p);
    Tensor t = ds::load_image_rgb(p);
    CHECK(ds::image_size(p) == std::make_pair(t.H(), t.W()));
  }
  std::string gif = temp_file("size.gif", "GIF89a....");
  CHECK(error_of([&] { ds::image_size(gif); }) == error_of([&] { ds::load_image_rgb(gif); }));
  EnvVar limit("DEPTHSTYLE_MAX_PIXELS", "10");
  CHECK(contains(error_of([&] { ds::image_size(png); }), "more than the limit of 10"));
}

TEST_CASE("pnm: 8 and 16-bit P5/P6 (big-endian), any maxval, comments: the samples written") {
  auto pnm = [](const std::string& header, const std::vector<int>& s, int bytes) {
    std::string b = header;
    for (int v : s) b += bytes == 2 ? dst::be16(static_cast<unsigned>(v)) : std::string(1, static_cast<char>(v));
    return b;
  };
  std::vector<int> g = {0, 1, 256, 1000, 65535, 0x1234};
  Tensor t = ds::load_image_raw_gray(temp_file("g16.pgm", pnm("P5\n# comment\n3 2\n65535\n", g, 2)));
  REQUIRE(t.shape() == ds::Shape{1, 1, 2, 3});
  for (size_t i = 0; i < g.size(); ++i) CHECK(t.data()[i] == static_cast<float>(g[i]));

  std::vector<int> rgb = {0, 500, 1000, 999, 1, 2, 3, 4, 5, 6, 7, 8};  // 2x2, maxval 1000
  t = ds::load_image_rgb(temp_file("c16.ppm", pnm("P6 2 2 1000\n", rgb, 2)));
  REQUIRE(t.shape() == ds::Shape{1, 3, 2, 2});
  for (int i = 0; i < 4; ++i)
    for (int c = 0; c < 3; ++c) CHECK(t.at({0, c, i / 2, i % 2}) == doctest::Approx(rgb[static_cast<size_t>(i * 3 + c)] / 1000.0));

  std::vector<int> rgb8 = {10, 20, 30, 40, 50, 60};  // 2x1, maxval 100
  t = ds::load_image_rgb(temp_file("c8.ppm", pnm("P6\t2 #w\n1\r100\n", rgb8, 1)));
  for (int c = 0; c < 3; ++c) CHECK(t.at({0, c, 0, 1}) == doctest::Approx(rgb8[static_cast<size_t>(3 + c)] / 100.0));
  t = ds::load_image_rgb(temp_file("g8.pgm", pnm("P5 2 1 255\n", {7, 200}, 1)));  // grey to RGB
  for (int c = 0; c < 3; ++c) CHECK(t.at({0, c, 0, 1}) == doctest::Approx(200 / 255.0));

  std::string above = temp_file("above.pgm", pnm("P5 2 1 100\n", {7, 101}, 1));
  CHECK(contains(error_of([&] { ds::load_image_rgb(above); }), "sample 101 at pixel (1, 0) is above maxval 100"));
}

// ---- hostile files --------------------------------------------------------------------

TEST_CASE("decompression bombs are refused from the header, naming the file, the size and the limit") {
  std::string limit = std::to_string(ds::max_image_pixels());
  struct Case {
    std::string name, bytes, phrase;
  };
  // A valid 16x16 JPEG whose SOF0 is then made to declare 20000 x 20000.
  std::string jpg = dst::jpeg_file(16, 16, 3, blocky(16, 16, 3), 95);
  size_t sof = jpg.find("\xff\xc0");
  REQUIRE(sof != std::string::npos);
  jpg.replace(sof + 5, 4, dst::be16(20000) + dst::be16(20000));
  // A 16-bit grey PNG declaring 30000 x 30000 with the first rows of zeros compressed.
  std::string png = dst::png_file(30000, 30000, 16, 0, std::string(100 * 60001, '\0'));
  std::string gif = "GIF89a" + dst::le16(23000) + dst::le16(23000) + std::string("\x80\x00\x00", 3);
  gif += std::string(29 - gif.size(), '\0');
  std::string tga = std::string("\0\0\x02", 3) + std::string(9, '\0') + dst::le16(26000) + dst::le16(26000) + std::string("\x18\x00", 2);
  std::vector<Case> cases = {
      {"bomb.gif", gif, "not an accepted image format (a GIF file); accepted: PNG, JPEG or binary PGM/PPM (.png .jpg .jpeg .pgm .ppm)"},
      {"bomb.tga", tga, "not an accepted image format (unknown contents); accepted: PNG, JPEG or binary PGM/PPM"},
      {"bomb.jpg", jpg, "image declares 20000x20000 = 400000000 pixels, more than the limit of " + limit},
      {"bomb.png", png, "image declares 30000x30000 = 900000000 pixels, more than the limit of " + limit},
      {"bomb.pgm", "P5 2147483648 2147483648 255\n\x01\x02",
       "image declares 2147483648x2147483648 = 4611686018427387904 pixels, more than the limit"},
  };
  CHECK(gif.size() == 29);
  CHECK(tga.size() == 18);
  CHECK(jpg.size() < 1000);
  for (const Case& c : cases) {
    CAPTURE(c.name);
    std::string p = temp_file(c.name, c.bytes);
    auto t0 = std::chrono::steady_clock::now();
    std::string msg = error_of([&] { ds::load_image_rgb(p); });
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    CHECK_MESSAGE(contains(msg, p + ": "), msg);
    CHECK_MESSAGE(contains(msg, c.phrase), msg);
    CHECK(secs < 1.0);
  }
}

TEST_CASE("malformed files: clear errors for huge maxval, bad Huffman tables, truncation, wrong types") {
  auto msg_of = [](const std::string& name, const std::string& bytes) {
    std::string p = temp_file(name, bytes);
    std::string m = error_of([&] { ds::load_image_rgb(p); });
    CHECK_MESSAGE(contains(m, p + ": "), m);
    return m;
  };
  CHECK(contains(msg_of("maxval.pgm", "P5 1 1 99999999999\n\x01"), "PNM maxval 99999999999 is outside 1..65535"));
  CHECK(contains(msg_of("maxval0.pgm", "P5 1 1 0\n\x01"), "PNM maxval 0 is outside 1..65535"));
  CHECK(contains(msg_of("digits.pgm", "P5 1 1234567890123456789 255\n"), "has more than 18 digits"));
  CHECK(contains(msg_of("zero.ppm", "P6 0 5 255\n"), "is 0x5 (no pixels)"));
  CHECK(contains(msg_of("ascii.pgm", "P2 1 1 255\n7\n"), "PNM type P2 (ASCII (plain) PNM) is not accepted"));
  CHECK(contains(msg_of("short.ppm", "P6 2 2 65535\n" + std::string(23, '\x01')),
                 "truncated PNM: 23 bytes of samples, expected 24 (2x2, 3 channel(s), 16-bit)"));
  CHECK(contains(msg_of("hdr.pgm", "P5 4 4"), "expected the maxval as a decimal number (the file ends first)"));
  CHECK(contains(msg_of("nows.pgm", "P5 4 4 255"), "no whitespace byte after maxval"));

  // A DHT whose 16 code-length counts are all 0x20 (512 codes; at most 256 are possible).
  std::string jpg = dst::jpeg_file(16, 16, 3, blocky(16, 16, 3), 95);
  std::string dht = "\xff\xc4" + dst::be16(2 + 1 + 16 + 512) + std::string(1, '\0') + std::string(16, '\x20') +
                    std::string(512, '\x01');
  CHECK(contains(msg_of("dht.jpg", jpg.substr(0, 2) + dht + jpg.substr(2)), "corrupt or unsupported JPEG"));

  // Truncation: a JPEG cut inside its scan, and inside its header; a PNG cut inside IDAT and IHDR.
  std::vector<uint8_t> noise_px(64 * 64 * 3);
  for (size_t i = 0; i < noise_px.size(); ++i) noise_px[i] = static_cast<uint8_t>((i * 7919) % 251);
  std::string big = dst::jpeg_file(64, 64, 3, noise_px, 90);
  CHECK(contains(msg_of("cut.jpg", big.substr(0, big.size() * 2 / 3)), "Premature end of JPEG file"));
  CHECK(contains(msg_of("cuthdr.jpg", big.substr(0, 40)), "corrupt or unsupported JPEG"));
  std::vector<int> s(32 * 32 * 3);
  for (size_t i = 0; i < s.size(); ++i) s[i] = static_cast<int>((i * 7919) % 256);
  std::string png = dst::png_file(32, 32, 8, 2, dst::png_rows(s, 32, 32, 3, 8));
  size_t idat = png.find("IDAT");
  CHECK(contains(msg_of("cut.png", png.substr(0, idat + 40)), "corrupt or truncated PNG"));
  CHECK(contains(msg_of("cuthdr.png", png.substr(0, 20)), "not a readable PNG"));

  CHECK(contains(msg_of("empty.png", ""), "empty file; accepted: PNG, JPEG or binary PGM/PPM (.png .jpg .jpeg .pgm .ppm)"));
  CHECK(contains(msg_of("x.bmp", "BM" + std::string(60, '\0')), "(a BMP file)"));
  CHECK(contains(error_of([] { ds::load_image_rgb("/nonexistent/x.png"); }), "/nonexistent/x.png: cannot open"));
  std::string dir = dst::temp_path("a_folder.png");
  fs::create_directories(dir);
  CHECK(contains(error_of([&] { ds::load_image_rgb(dir); }), "is a folder"));
}

TEST_CASE("pixel limit: DEPTHSTYLE_MAX_PIXELS and the API option move it, a bad value is an error") {
  std::vector<int> s(4 * 3, 9);
  std::string p = temp_file("small.png", dst::png_file(4, 3, 8, 0, dst::png_rows(s, 4, 3, 1, 8)));
  if (!std::getenv("DEPTHSTYLE_MAX_PIXELS")) CHECK(ds::max_image_pixels() == ds::kDefaultMaxPixels);
  {
    EnvVar env("DEPTHSTYLE_MAX_PIXELS", "11");
    CHECK(ds::max_image_pixels() == 11);
    CHECK(contains(error_of([&] { ds::load_image_rgb(p); }), "4x3 = 12 pixels, more than the limit of 11"));
    ds::ImageReadOptions o;
    o.max_pixels = 12;  // the option wins over the environment
    CHECK(ds::load_image_rgb(p, o).shape() == ds::Shape{1, 3, 3, 4});
  }
  {
    EnvVar env("DEPTHSTYLE_MAX_PIXELS", "12");
    CHECK(ds::load_image_raw_gray(p).at({0, 0, 2, 3}) == 9.0f);
  }
  for (const char* bad : {"", "-5", "0", "1e9", "abc", "1234567890123456789"}) {
    EnvVar env("DEPTHSTYLE_MAX_PIXELS", bad);
    CHECK(contains(error_of([&] { ds::load_image_rgb(p); }), "DEPTHSTYLE_MAX_PIXELS='" + std::string(bad) + "'"));
  }
}

// ---- output names and errors -------------------------------------------------------------

TEST_CASE("output types by name: .png 8/16-bit, .jpg/.jpeg 8-bit, anything else refused before writing") {
  for (const char* ok : {"a.png", "b/c.PNG", "d.jpg", "e.JPEG"}) CHECK_NOTHROW(ds::check_image_output(ok));
  CHECK_NOTHROW(ds::check_image_output("a.png", 16));
  CHECK(contains(error_of([] { ds::check_image_output("d.jpg", 16); }),
                 "d.jpg: JPEG holds 8-bit samples only; write 16-bit images as .png"));
  for (const char* bad : {"x.bmp", "x.tif", "x", "x.png.txt", "dir.png/x"}) {
    std::string m = error_of([&] { ds::check_image_output(bad); });
    CHECK_MESSAGE(contains(m, std::string(bad) + ": cannot write images of type"), m);
    CHECK(contains(m, "name the output .png (8 or 16-bit) or .jpg/.jpeg (8-bit)"));
  }
  std::string p = dst::temp_path("never.bmp");
  CHECK_THROWS_AS(ds::save_image(p, Tensor::zeros({1, 3, 2, 2})), Error);
  CHECK_FALSE(fs::exists(p));
  CHECK(contains(error_of([] { ds::check_image_output("a.png", 12); }), "8 or 16 bits"));
}

TEST_CASE("image writing errors: NaN, wrong shape, a new folder is made and no temporary is left") {
  CHECK(contains(error_of([] { ds::save_image(dst::temp_path("nan.png"), Tensor::full({1, 3, 2, 2}, NAN)); }), "NaN"));
  CHECK_THROWS_AS(ds::save_image(dst::temp_path("bad.png"), Tensor::zeros({2, 3, 2, 2})), Error);
  CHECK_THROWS_AS(ds::save_image(dst::temp_path("empty.png"), Tensor::zeros({1, 3, 0, 2})), Error);
  CHECK_THROWS_AS(ds::save_image(dst::temp_path("two.png"), Tensor::zeros({1, 2, 2, 2})), Error);
  std::string dir = dst::temp_path("made_by_save");
  fs::remove_all(dir);
  ds::save_image(dir + "/x.jpg", Tensor::zeros({1, 3, 4, 4}));
  CHECK(std::distance(fs::directory_iterator(dir), fs::directory_iterator()) == 1);
  CHECK(fs::exists(dir + "/x.jpg"));
}
