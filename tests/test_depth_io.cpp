// Depth readers and the depth PNG writer (weights/depth_io.h), hole filling, normalisation and
// resizing (weights/depth_map.h). Each reader is checked on a file the test writes byte by byte
// (PGM, PNG) or with the HDF5 C API in the NYU layout; expected metres come from the documented
// formulas. The writer is checked by reading back; the depth command by running it.
#include <doctest/doctest.h>

#include "tests/check.h"
#include <hdf5.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <vector>

#include "autograd/var.h"
#include "weights/depth_map.h"
#include "nn/pretrained.h"
#include "weights/depth_io.h"
#include "tensor/image_io.h"
#include "tensor/random.h"
#include "tests/image_bytes.h"

using ds::Error;
using ds::Tensor;

namespace {

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// P5 header + 16-bit samples, little-endian (or big-endian, to show the reader does not use it).
std::string pgm16(const std::string& header, const std::vector<int>& raw, bool little = true) {
  std::string s = header;
  for (int r : raw) {
    char lo = static_cast<char>(r & 0xff), hi = static_cast<char>(r >> 8);
    s += little ? std::string{lo, hi} : std::string{hi, lo};
  }
  return s;
}

double kinect_metres(int raw) { return 351.3 / (1092.5 - raw); }

// Writes one dataset with the HDF5 C API (independent of the reader under test). A 512-byte
// user block mimics MATLAB v7.3 files, whose HDF5 data starts after a MATLAB header.
template <typename T>
void h5_write(const std::string& path, const std::string& name, const std::vector<hsize_t>& dims, hid_t type,
              const std::vector<T>& data, bool create, bool user_block = false) {
  hid_t f;
  if (create) {
    hid_t fcpl = H5Pcreate(H5P_FILE_CREATE);
    if (user_block) H5Pset_userblock(fcpl, 512);
    f = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, fcpl, H5P_DEFAULT);
    H5Pclose(fcpl);
  } else {
    f = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  }
  REQUIRE(f >= 0);
  hid_t space = H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr);
  hid_t d = H5Dcreate2(f, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  REQUIRE(d >= 0);
  REQUIRE(H5Dwrite(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data()) >= 0);
  H5Dclose(d), H5Sclose(space), H5Fclose(f);
}

// NYU labeled layout: depths [frames, W, H] float32, images [frames, 3, W, H] uint8.
// Depth of frame f at row y, column x is 1 + f + 0.1 x + 0.01 y; colour is f*50 + c*20 + 5x + y.
const int kFrames = 2, kW = 4, kH = 3;
float nyu_depth(int f, int x, int y) { return 1.0f + f + 0.1f * x + 0.01f * y; }
int nyu_colour(int f, int c, int x, int y) { return f * 50 + c * 20 + 5 * x + y; }

std::string write_nyu_mat() {
  std::string p = dst::temp_path("nyu_like.mat");
  std::vector<float> depths;
  std::vector<uint8_t> images;
  for (int f = 0; f < kFrames; ++f)
    for (int x = 0; x < kW; ++x)
      for (int y = 0; y < kH; ++y) depths.push_back(nyu_depth(f, x, y));  // last h5 axis = H
  for (int f = 0; f < kFrames; ++f)
    for (int c = 0; c < 3; ++c)
      for (int x = 0; x < kW; ++x)
        for (int y = 0; y < kH; ++y) images.push_back(static_cast<uint8_t>(nyu_colour(f, c, x, y)));
  h5_write(p, "depths", {kFrames, kW, kH}, H5T_NATIVE_FLOAT, depths, true, true);
  h5_write(p, "images", {kFrames, 3, kW, kH}, H5T_NATIVE_UINT8, images, false);
  return p;
}

// The data folder: $DEPTHSTYLE_DATA, else $DEPTHSTYLE_SOURCE_DIR/../shared/data (environment,
// then the compile definition); empty when it does not exist.
std::string data_dir() {
  std::string dir;
  if (const char* e = std::getenv("DEPTHSTYLE_DATA"))
    dir = e;
  else if (const char* s = std::getenv("DEPTHSTYLE_SOURCE_DIR"))
    dir = std::string(s) + "/../shared/data";
  else
    dir = std::string(DEPTHSTYLE_SOURCE_DIR) + "/../shared/data";
  return std::filesystem::is_directory(dir) ? dir : "";
}

}  // namespace

TEST_CASE("depth pgm: little-endian Kinect disparity becomes metres, raw >= 1092 is NaN") {
  std::string p = dst::temp_path("kinect.pgm");
  std::vector<int> raw = {0, 500, 1000, 1091, 1092, 2047};
  write_bytes(p, pgm16("P5\n# a comment line\n3 2\n65535\n", raw));
  Tensor d = ds::load_depth_metres(p);
  REQUIRE(d.shape() == ds::Shape{1, 1, 2, 3});
  for (int i = 0; i < 6; ++i) {
    float got = d.data()[i];
    if (raw[static_cast<size_t>(i)] >= 1092)
      CHECK_MESSAGE(std::isnan(got), "raw " << raw[static_cast<size_t>(i)]);
    else
      CHECK(got == doctest::Approx(kinect_metres(raw[static_cast<size_t>(i)])).epsilon(1e-6));
  }
  CHECK(d.at({0, 0, 0, 1}) == doctest::Approx(0.592911).epsilon(1e-5));  // 351.3 / 592.5, row-major order
  CHECK(ds::valid_fraction(d) == doctest::Approx(4.0 / 6.0));

  // The same samples big-endian read as other numbers: 500 = 0x01F4 becomes 0xF401 (invalid).
  write_bytes(p, pgm16("P5 3 2 65535\n", raw, false));
  CHECK(std::isnan(ds::load_depth_metres(p).at({0, 0, 0, 1})));
}

TEST_CASE("depth pgm errors: bad magic, 8-bit maxval, truncated, trailing bytes, 0x0, corrupt header") {
  std::string p = dst::temp_path("bad.pgm");
  auto check_error = [&](const std::string& bytes, const char* phrase) {
    write_bytes(p, bytes);
    CHECK_THROWS_WITH_AS(ds::load_depth_metres(p), doctest::Contains(phrase), Error);
    CHECK_THROWS_WITH_AS(ds::load_depth_metres(p), doctest::Contains("bad.pgm"), Error);
  };
  check_error("P2 2 1 65535\n1 2", "no 'P5' magic");
  check_error("P5 2 1 255\n\x01\x02", "maxval 255");
  check_error(pgm16("P5 2 2 65535\n", {1, 2, 3}), "truncated PGM: 6 bytes of samples, expected 8");
  check_error(pgm16("P5 2 1 65535\n", {1, 2, 3}), "2 bytes after");
  check_error("P5 0 4 65535\n", "no pixels");
  check_error("P5 2 x 65535\n", "expected the height");
  CHECK_THROWS_WITH_AS(ds::load_depth_metres(dst::temp_path("missing.pgm")), doctest::Contains("cannot open"), Error);
}

TEST_CASE("depth png: 16-bit millimetres (a PNG built byte by byte), 0 is NaN, 8-bit is an error") {
  std::vector<int> mm = {0, 1000, 2500, 65535, 1, 345};
  std::string p = dst::temp_path("depth_mm.png");
  dst::write_file(p, dst::png_file(3, 2, 16, 0, dst::png_rows(mm, 3, 2, 1, 16)));
  Tensor d = ds::load_depth_metres(p);
  REQUIRE(d.shape() == ds::Shape{1, 1, 2, 3});
  CHECK(std::isnan(d.data()[0]));
  for (size_t i = 1; i < mm.size(); ++i) CHECK(d.data()[i] == doctest::Approx(mm[i] / 1000.0).epsilon(1e-6));

  std::string p8 = dst::temp_path("depth_8bit.png");
  dst::write_file(p8, dst::png_file(3, 2, 8, 0, dst::png_rows({0, 1, 2, 3, 4, 5}, 3, 2, 1, 8)));
  CHECK_THROWS_WITH_AS(ds::load_depth_metres(p8), doctest::Contains("expected a 16-bit grey PNG"), Error);
  std::string rgb = dst::temp_path("depth_rgb.png");
  dst::write_file(rgb, dst::png_file(2, 2, 16, 2, dst::png_rows(std::vector<int>(12, 7), 2, 2, 3, 16)));
  CHECK_THROWS_WITH_AS(ds::load_depth_metres(rgb), doctest::Contains("colour type 2"), Error);
}

TEST_CASE("depth png: a 30000x30000 16-bit PNG (a few KB) is refused before decoding, naming the limit") {
  std::string p = dst::temp_path("depth_bomb.png");
  dst::write_file(p, dst::png_file(30000, 30000, 16, 0, std::string(50 * 60001, '\0')));
  auto t0 = std::chrono::steady_clock::now();
  std::string want = p + ": image declares 30000x30000 = 900000000 pixels, more than the limit";
  CHECK_THROWS_WITH_AS(ds::load_depth_metres(p), doctest::Contains(want.c_str()), Error);
  CHECK(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() < 1.0);
}

TEST_CASE("save_depth_png_mm: metres round-trip through load_depth_metres within the 0.5 mm quantisation") {
  // Random depths over the whole 1 mm .. 65.535 m range, plus the edge cases.
  ds::Rng rng(7);
  Tensor r = rng.uniform_tensor({1, 1, 9, 13}, 0.001f, 65.5f);
  std::vector<float> m = r.to_vector();
  const float special[] = {NAN, -1.0f, 0.0f, INFINITY, 0.0004f, 70.0f, 0.0005f, 65.535f, 1.2345f};
  std::copy(std::begin(special), std::end(special), m.begin());
  std::string p = dst::temp_path("metric/depth.png");  // the folder is created
  std::filesystem::remove_all(dst::temp_path("metric"));
  ds::save_depth_png_mm(p, Tensor::from_vector({1, 1, 9, 13}, m));
  Tensor back = ds::load_depth_metres(p);
  REQUIRE(back.shape() == ds::Shape{1, 1, 9, 13});
  for (size_t i = 0; i < m.size(); ++i) {
    float got = back.data()[i], want = m[i];
    CAPTURE(i);
    CAPTURE(want);
    if (!std::isfinite(want) || want <= 0) {
      CHECK(std::isnan(got));  // written as 0, the reserved "no reading"
    } else {
      double clamped = std::min(65.535, std::max(0.001, static_cast<double>(want)));
      // 0.5 mm quantisation, plus float32 rounding of the metres read back (65.5 m * 2^-24).
      CHECK(std::fabs(got - clamped) <= 0.0005 + 65.6 * 6e-8);
    }
  }
  CHECK(back.data()[4] == doctest::Approx(0.001));   // 0.4 mm is clamped up to 1 mm, not made invalid
  CHECK(back.data()[5] == doctest::Approx(65.535));  // 70 m is clamped to the largest value
  CHECK_THROWS_WITH_AS(ds::save_depth_png_mm(dst::temp_path("d.jpg"), back), doctest::Contains("8-bit samples only"),
                       Error);
  CHECK_THROWS_WITH_AS(ds::save_depth_png_mm(dst::temp_path("d.tiff"), back), doctest::Contains("cannot write"), Error);
}

TEST_CASE("depth command: `depthstyle depth IMG -o d.png` writes metres that load_depth_metres reads back") {
  std::string bin = (std::filesystem::read_symlink("/proc/self/exe").parent_path() / "depthstyle").string();
  if (!std::filesystem::exists(bin) || !std::filesystem::exists(ds::prepared_dir() + "/weights/fastdepth.h5")) {
    MESSAGE("skipped: no data (the depthstyle binary or FastDepth weights are missing)");
    std::printf("skipped: no data (the depthstyle binary or FastDepth weights are missing)\n");
    return;
  }
  // A smooth 48x64 picture: brighter to the right, with a dark disc.
  Tensor img = Tensor::empty({1, 3, 48, 64});
  for (int c = 0; c < 3; ++c)
    for (int y = 0; y < 48; ++y)
      for (int x = 0; x < 64; ++x)
        img.set({0, c, y, x}, (x - 20) * (x - 20) + (y - 24) * (y - 24) < 100 ? 0.1f : 0.2f + 0.01f * x + 0.05f * c);
  std::string dir = dst::temp_path("depth_cli");
  std::filesystem::remove_all(dir);
  std::string in = dir + "/in.png", out = dir + "/out/d.png";
  ds::save_image(in, img);
  std::string cmd = "'" + bin + "' depth --device cpu '" + in + "' -o '" + out + "' >/dev/null 2>&1";
  REQUIRE(std::system(cmd.c_str()) == 0);
  Tensor d = ds::load_depth_metres(out);
  REQUIRE(d.shape() == ds::Shape{1, 1, 48, 64});
  CHECK(ds::valid_fraction(d) == 1.0);
  // The same network run here on the same (8-bit) input: the file holds its metres within the
  // 0.5 mm quantisation.
  std::unique_ptr<ds::DepthEstimator> net = ds::load_depth_net("", ds::Device::CPU);
  ds::NoGradGuard ng;
  std::vector<float> want = net->predict(ds::Var(ds::load_image_rgb(in))).value().to_vector();
  double worst = 0;
  for (size_t i = 0; i < want.size(); ++i)
    worst = std::max(worst, std::fabs(d.data()[i] - std::min(65.535, std::max(0.001, double(want[i])))));
  CHECK_MESSAGE(worst <= 0.0005 + 1e-4, "worst " << worst << " m");  // + float32 noise of the forward pass
  CHECK(ds::load_image_rgb(dir + "/out/d_preview.png").shape() == ds::Shape{1, 3, 48, 64});

  // A 16-bit depth cannot be a JPEG: refused before any work, and nothing is written.
  std::string jpg = dir + "/d.jpg";
  cmd = "'" + bin + "' depth --device cpu '" + in + "' -o '" + jpg + "' 2>&1";
  FILE* f = popen(cmd.c_str(), "r");
  REQUIRE(f);
  std::string text;
  char buf[256];
  while (size_t n = std::fread(buf, 1, sizeof buf, f)) text.append(buf, n);
  CHECK(pclose(f) != 0);
  CHECK_MESSAGE(text.find("JPEG holds 8-bit samples only") != std::string::npos, text);
  CHECK_FALSE(std::filesystem::exists(jpg));
}

TEST_CASE("depth mat: NYU [frames, W, H] layout is transposed to H x W and the frame is chosen") {
  std::string p = write_nyu_mat();
  for (int f = 0; f < kFrames; ++f) {
    ds::DepthOptions o;
    o.frame = f;
    Tensor d = ds::load_depth_metres(p, o);
    REQUIRE(d.shape() == ds::Shape{1, 1, kH, kW});
    for (int y = 0; y < kH; ++y)
      for (int x = 0; x < kW; ++x) CHECK(d.at({0, 0, y, x}) == doctest::Approx(nyu_depth(f, x, y)));
    Tensor rgb = ds::load_nyu_mat_rgb(p, f);
    REQUIRE(rgb.shape() == ds::Shape{1, 3, kH, kW});
    for (int c = 0; c < 3; ++c)
      for (int y = 0; y < kH; ++y)
        for (int x = 0; x < kW; ++x) CHECK(rgb.at({0, c, y, x}) == doctest::Approx(nyu_colour(f, c, x, y) / 255.0));
  }
  ds::DepthOptions far;
  far.frame = kFrames;
  CHECK_THROWS_WITH_AS(ds::load_depth_metres(p, far), doctest::Contains("frame 2 out of range"), Error);
  CHECK_THROWS_WITH_AS(ds::load_nyu_mat_rgb(p, -1), doctest::Contains("out of range"), Error);
}

TEST_CASE("depth mat errors: not HDF5, missing 'depths', wrong rank") {
  std::string text = dst::temp_path("old_matlab.mat");
  write_bytes(text, "MATLAB 5.0 MAT-file, not HDF5");
  CHECK_THROWS_WITH_AS(ds::load_depth_metres(text), doctest::Contains("not an HDF5 file"), Error);
  CHECK_THROWS_WITH_AS(ds::load_depth_metres(text), doctest::Contains("; expected a MATLAB v7.3"), Error);
  std::string p = dst::temp_path("no_depths.mat");
  h5_write(p, "other", {2, 2}, H5T_NATIVE_FLOAT, std::vector<float>(4, 1.0f), true);
  CHECK_THROWS_WITH_AS(ds::load_depth_metres(p), doctest::Contains("no dataset 'depths'"), Error);
  h5_write(p, "depths", {2, 2}, H5T_NATIVE_FLOAT, std::vector<float>(4, 1.0f), true);
  CHECK_THROWS_WITH_AS(ds::load_depth_metres(p), doctest::Contains("expected [frames, W, H]"), Error);
}

TEST_CASE("depth h5: [H,W] and [1,1,H,W] float datasets, NaN, inf and <= 0 become NaN") {
  std::string p = dst::temp_path("depth.h5");
  std::vector<double> v = {1.5, NAN, INFINITY, 0.0, -2.0, 7.25};
  h5_write(p, "depth", {2, 3}, H5T_NATIVE_DOUBLE, v, true);
  h5_write(p, "pred", {1, 1, 3, 2}, H5T_NATIVE_DOUBLE, v, false);
  Tensor d = ds::load_depth_metres(p);
  REQUIRE(d.shape() == ds::Shape{1, 1, 2, 3});
  CHECK(d.at({0, 0, 0, 0}) == 1.5f);
  CHECK(d.at({0, 0, 1, 2}) == 7.25f);
  for (int i = 1; i <= 4; ++i) CHECK(std::isnan(d.data()[i]));
  ds::DepthOptions o;
  o.dataset = "pred";
  CHECK(ds::load_depth_metres(p, o).shape() == ds::Shape{1, 1, 3, 2});
  o.dataset = "nope";
  CHECK_THROWS_WITH_AS(ds::load_depth_metres(p, o), doctest::Contains("no dataset 'nope'"), Error);
  h5_write(p, "cube", {2, 2, 2}, H5T_NATIVE_FLOAT, std::vector<float>(8, 1.0f), false);
  o.dataset = "cube";
  CHECK_THROWS_WITH_AS(ds::load_depth_metres(p, o), doctest::Contains("expected [H,W] or [1,1,H,W]"), Error);
  CHECK_THROWS_WITH_AS(ds::load_depth_metres(dst::temp_path("depth.xyz")), doctest::Contains("unknown depth file type"),
                       Error);
}

TEST_CASE("fill_invalid: a hole in a constant region gets the constant, rims interpolate inwards") {
  Tensor d = Tensor::full({1, 1, 7, 7}, 3.0f);
  for (int y = 2; y < 5; ++y)
    for (int x = 2; x < 5; ++x) d.set({0, 0, y, x}, NAN);
  Tensor f = ds::fill_invalid(d);
  for (float v : f.to_vector()) CHECK(v == doctest::Approx(3.0f));
  CHECK(std::isnan(d.at({0, 0, 3, 3})));  // the input is left alone

  // 1-D row: pass 1 fills the two rim pixels from their one valid neighbour, pass 2 the
  // middle from both: [1, 1, 3, 5, 5].
  Tensor row = Tensor::from_vector({1, 1, 1, 5}, {1, NAN, NAN, NAN, 5});
  std::vector<float> r = ds::fill_invalid(row).to_vector();
  std::vector<float> want = {1, 1, 3, 5, 5};
  for (size_t i = 0; i < 5; ++i) CHECK(r[i] == doctest::Approx(want[i]));

  CHECK_THROWS_WITH_AS(ds::fill_invalid(Tensor::full({1, 1, 3, 3}, NAN)), doctest::Contains("no valid pixel"), Error);
}

TEST_CASE("fill_invalid: one valid pixel fills a 480x640 map quickly (linear time)") {
  Tensor d = Tensor::full({1, 1, 480, 640}, NAN);
  d.set({0, 0, 100, 200}, 2.5f);
  auto t0 = std::chrono::steady_clock::now();
  std::vector<float> v = ds::fill_invalid(d).to_vector();
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  CHECK(std::all_of(v.begin(), v.end(), [](float x) { return x == 2.5f; }));
  CHECK_MESSAGE(s < 2.0, "fill_invalid took " << s << " s");
}

TEST_CASE("normalise_depth: min to 0, max to 1, NaN kept, a constant map is 0.5 and flagged") {
  Tensor d = Tensor::from_vector({1, 1, 1, 4}, {2, 4, NAN, 10});
  bool constant = true;
  std::vector<float> n = ds::normalise_depth(d, &constant).to_vector();
  CHECK_FALSE(constant);
  CHECK(n[0] == 0.0f);
  CHECK(n[1] == doctest::Approx(0.25f));
  CHECK(std::isnan(n[2]));
  CHECK(n[3] == 1.0f);
  std::vector<float> c = ds::normalise_depth(Tensor::full({1, 1, 2, 2}, 3.0f), &constant).to_vector();
  CHECK(constant);
  for (float v : c) CHECK(v == 0.5f);
  CHECK_THROWS_AS(ds::normalise_depth(Tensor::full({1, 1, 2, 2}, NAN)), Error);
}

TEST_CASE("resize_depth_to and fit_depth_to: bilinear, aspect within 1% resized, else an error") {
  // A horizontal ramp 0..3 over 4 columns halved: align_corners=False samples x = 0.5, 2.5.
  std::vector<float> ramp;
  for (int y = 0; y < 2; ++y)
    for (int x = 0; x < 4; ++x) ramp.push_back(static_cast<float>(x));
  Tensor d = Tensor::from_vector({1, 1, 2, 4}, ramp);
  Tensor half = ds::resize_depth_to(d, 1, 2);
  CHECK(half.at({0, 0, 0, 0}) == doctest::Approx(0.5f));
  CHECK(half.at({0, 0, 0, 1}) == doctest::Approx(2.5f));

  Tensor big = Tensor::full({1, 1, 480, 640}, 1.0f);
  CHECK(ds::fit_depth_to(big, 240, 320, "depth").shape() == ds::Shape{1, 1, 240, 320});
  CHECK(ds::fit_depth_to(big, 240, 321, "depth").shape() == ds::Shape{1, 1, 240, 321});  // 0.3% off
  CHECK_THROWS_WITH_AS(ds::fit_depth_to(big, 240, 240, "depth map d.png"),
                       doctest::Contains("depth map d.png: size 640x480 has another aspect ratio"), Error);
  CHECK_THROWS_WITH_AS(ds::fit_depth_to(big, 240, 240, "depth map d.png"),
                       doctest::Contains("(more than 1% apart); crop or resize one of them to match"), Error);
  // The map of a photo turned upright by its EXIF orientation, saved from the stored pixels.
  CHECK_THROWS_WITH_AS(ds::fit_depth_to(big, 640, 480, "depth map d.png"),
                       doctest::Contains("size 640x480 has another aspect ratio than the content image 480x640 (more "
                                         "than 1% apart); it fits the content turned by a quarter: if the content is "
                                         "a photo shown upright by its EXIF orientation"), Error);
  Tensor holes = d.clone();
  holes.set({0, 0, 0, 0}, NAN);
  CHECK_THROWS_WITH_AS(ds::resize_depth_to(holes, 1, 2), doctest::Contains("fill_invalid first"), Error);
}

TEST_CASE("depth data: the NYU Kinect frame and a Redwood PNG have plausible metres") {
  std::string dir = data_dir();
  if (dir.empty()) {
    MESSAGE("skipped: no data (set DEPTHSTYLE_DATA)");
    std::printf("skipped: no data folder for the NYU depth test\n");
    return;
  }
  Tensor d;
  for (const char* name : {"nyu_depth.pgm", "redwood_depth_00000.png"}) {
    d = ds::load_depth_metres(dir + "/images/rgbd/" + name);
    REQUIRE(d.shape() == ds::Shape{1, 1, 480, 640});
    CHECK_MESSAGE(ds::valid_fraction(d) > 0.5, name);
    std::vector<float> v;
    for (float x : d.to_vector())
      if (!std::isnan(x)) v.push_back(x);
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
    float median = v[v.size() / 2];
    CHECK_MESSAGE(median > 0.5f, name << " median " << median << " m");
    CHECK_MESSAGE(median < 10.0f, name << " median " << median << " m");
  }
  Tensor filled = ds::fill_invalid(d);
  CHECK(ds::valid_fraction(filled) == 1.0);
  Tensor n = ds::normalise_depth(filled);
  auto [lo, hi] = std::minmax_element(n.data(), n.data() + n.numel());
  CHECK(*lo == 0.0f);
  CHECK(*hi == 1.0f);
}
