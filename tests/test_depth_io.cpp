// Depth readers, hole filling, normalisation and resizing (weights/depth_io.h, losses/depth_map.h). Each reader is
// checked on a file the test writes byte by byte (PGM), with the project's PNG writer, or with
// the HDF5 C API in the NYU layout; expected metres come from the documented formulas.
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

#include "losses/depth_map.h"
#include "weights/depth_io.h"
#include "tensor/image_io.h"

using ds::Error;
using ds::Tensor;
namespace app = ds;  // the depth readers were in ds::app before they moved to weights/

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
  Tensor d = app::load_depth_metres(p);
  REQUIRE(d.shape() == ds::Shape{1, 1, 2, 3});
  for (int i = 0; i < 6; ++i) {
    float got = d.data()[i];
    if (raw[static_cast<size_t>(i)] >= 1092)
      CHECK_MESSAGE(std::isnan(got), "raw " << raw[static_cast<size_t>(i)]);
    else
      CHECK(got == doctest::Approx(kinect_metres(raw[static_cast<size_t>(i)])).epsilon(1e-6));
  }
  CHECK(d.at({0, 0, 0, 1}) == doctest::Approx(0.592911).epsilon(1e-5));  // 351.3 / 592.5, row-major order
  CHECK(app::valid_fraction(d) == doctest::Approx(4.0 / 6.0));

  // The same samples big-endian read as other numbers: 500 = 0x01F4 becomes 0xF401 (invalid).
  write_bytes(p, pgm16("P5 3 2 65535\n", raw, false));
  CHECK(std::isnan(app::load_depth_metres(p).at({0, 0, 0, 1})));
}

TEST_CASE("depth pgm errors: bad magic, 8-bit maxval, truncated, trailing bytes, 0x0, corrupt header") {
  std::string p = dst::temp_path("bad.pgm");
  auto check_error = [&](const std::string& bytes, const char* phrase) {
    write_bytes(p, bytes);
    CHECK_THROWS_WITH_AS(app::load_depth_metres(p), doctest::Contains(phrase), Error);
    CHECK_THROWS_WITH_AS(app::load_depth_metres(p), doctest::Contains("bad.pgm"), Error);
  };
  check_error("P2 2 1 65535\n1 2", "no 'P5' magic");
  check_error("P5 2 1 255\n\x01\x02", "maxval 255");
  check_error(pgm16("P5 2 2 65535\n", {1, 2, 3}), "truncated PGM: 6 bytes of samples, expected 8");
  check_error(pgm16("P5 2 1 65535\n", {1, 2, 3}), "2 bytes after");
  check_error("P5 0 4 65535\n", "no pixels");
  check_error("P5 2 x 65535\n", "expected the height");
  CHECK_THROWS_WITH_AS(app::load_depth_metres(dst::temp_path("missing.pgm")), doctest::Contains("cannot open"), Error);
}

TEST_CASE("depth png: 16-bit millimetres via the project's PNG writer, 0 is NaN, 8-bit is an error") {
  std::vector<float> mm = {0, 1000, 2500, 65535, 1, 345};
  std::vector<float> unit(mm.size());
  for (size_t i = 0; i < mm.size(); ++i) unit[i] = mm[i] / 65535.0f;
  std::string p = dst::temp_path("depth_mm.png");
  ds::save_png(p, Tensor::from_vector({1, 1, 2, 3}, unit), 16);
  Tensor d = app::load_depth_metres(p);
  REQUIRE(d.shape() == ds::Shape{1, 1, 2, 3});
  CHECK(std::isnan(d.data()[0]));
  for (size_t i = 1; i < mm.size(); ++i) CHECK(d.data()[i] == doctest::Approx(mm[i] / 1000.0).epsilon(1e-6));

  std::string p8 = dst::temp_path("depth_8bit.png");
  ds::save_png(p8, Tensor::from_vector({1, 1, 2, 3}, unit), 8);
  CHECK_THROWS_WITH_AS(app::load_depth_metres(p8), doctest::Contains("expected a 16-bit grey PNG"), Error);
  std::string rgb = dst::temp_path("depth_rgb.png");
  ds::save_png(rgb, Tensor::zeros({1, 3, 2, 2}), 16);
  CHECK_THROWS_WITH_AS(app::load_depth_metres(rgb), doctest::Contains("colour type 2"), Error);
}

TEST_CASE("depth mat: NYU [frames, W, H] layout is transposed to H x W and the frame is chosen") {
  std::string p = write_nyu_mat();
  for (int f = 0; f < kFrames; ++f) {
    app::DepthOptions o;
    o.frame = f;
    Tensor d = app::load_depth_metres(p, o);
    REQUIRE(d.shape() == ds::Shape{1, 1, kH, kW});
    for (int y = 0; y < kH; ++y)
      for (int x = 0; x < kW; ++x) CHECK(d.at({0, 0, y, x}) == doctest::Approx(nyu_depth(f, x, y)));
    Tensor rgb = app::load_nyu_mat_rgb(p, f);
    REQUIRE(rgb.shape() == ds::Shape{1, 3, kH, kW});
    for (int c = 0; c < 3; ++c)
      for (int y = 0; y < kH; ++y)
        for (int x = 0; x < kW; ++x) CHECK(rgb.at({0, c, y, x}) == doctest::Approx(nyu_colour(f, c, x, y) / 255.0));
  }
  app::DepthOptions far;
  far.frame = kFrames;
  CHECK_THROWS_WITH_AS(app::load_depth_metres(p, far), doctest::Contains("frame 2 out of range"), Error);
  CHECK_THROWS_WITH_AS(app::load_nyu_mat_rgb(p, -1), doctest::Contains("out of range"), Error);
}

TEST_CASE("depth mat errors: not HDF5, missing 'depths', wrong rank") {
  std::string text = dst::temp_path("old_matlab.mat");
  write_bytes(text, "MATLAB 5.0 MAT-file, not HDF5");
  CHECK_THROWS_WITH_AS(app::load_depth_metres(text), doctest::Contains("not an HDF5 file; expected a MATLAB v7.3"),
                       Error);
  std::string p = dst::temp_path("no_depths.mat");
  h5_write(p, "other", {2, 2}, H5T_NATIVE_FLOAT, std::vector<float>(4, 1.0f), true);
  CHECK_THROWS_WITH_AS(app::load_depth_metres(p), doctest::Contains("no dataset 'depths'"), Error);
  h5_write(p, "depths", {2, 2}, H5T_NATIVE_FLOAT, std::vector<float>(4, 1.0f), true);
  CHECK_THROWS_WITH_AS(app::load_depth_metres(p), doctest::Contains("expected [frames, W, H]"), Error);
}

TEST_CASE("depth h5: [H,W] and [1,1,H,W] float datasets, NaN, inf and <= 0 become NaN") {
  std::string p = dst::temp_path("depth.h5");
  std::vector<double> v = {1.5, NAN, INFINITY, 0.0, -2.0, 7.25};
  h5_write(p, "depth", {2, 3}, H5T_NATIVE_DOUBLE, v, true);
  h5_write(p, "pred", {1, 1, 3, 2}, H5T_NATIVE_DOUBLE, v, false);
  Tensor d = app::load_depth_metres(p);
  REQUIRE(d.shape() == ds::Shape{1, 1, 2, 3});
  CHECK(d.at({0, 0, 0, 0}) == 1.5f);
  CHECK(d.at({0, 0, 1, 2}) == 7.25f);
  for (int i = 1; i <= 4; ++i) CHECK(std::isnan(d.data()[i]));
  app::DepthOptions o;
  o.dataset = "pred";
  CHECK(app::load_depth_metres(p, o).shape() == ds::Shape{1, 1, 3, 2});
  o.dataset = "nope";
  CHECK_THROWS_WITH_AS(app::load_depth_metres(p, o), doctest::Contains("no dataset 'nope'"), Error);
  h5_write(p, "cube", {2, 2, 2}, H5T_NATIVE_FLOAT, std::vector<float>(8, 1.0f), false);
  o.dataset = "cube";
  CHECK_THROWS_WITH_AS(app::load_depth_metres(p, o), doctest::Contains("expected [H,W] or [1,1,H,W]"), Error);
  CHECK_THROWS_WITH_AS(app::load_depth_metres(dst::temp_path("depth.xyz")), doctest::Contains("unknown depth file type"),
                       Error);
}

TEST_CASE("fill_invalid: a hole in a constant region gets the constant, rims interpolate inwards") {
  Tensor d = Tensor::full({1, 1, 7, 7}, 3.0f);
  for (int y = 2; y < 5; ++y)
    for (int x = 2; x < 5; ++x) d.set({0, 0, y, x}, NAN);
  Tensor f = app::fill_invalid(d);
  for (float v : f.to_vector()) CHECK(v == doctest::Approx(3.0f));
  CHECK(std::isnan(d.at({0, 0, 3, 3})));  // the input is left alone

  // 1-D row: pass 1 fills the two rim pixels from their one valid neighbour, pass 2 the
  // middle from both: [1, 1, 3, 5, 5].
  Tensor row = Tensor::from_vector({1, 1, 1, 5}, {1, NAN, NAN, NAN, 5});
  std::vector<float> r = app::fill_invalid(row).to_vector();
  std::vector<float> want = {1, 1, 3, 5, 5};
  for (size_t i = 0; i < 5; ++i) CHECK(r[i] == doctest::Approx(want[i]));

  CHECK_THROWS_WITH_AS(app::fill_invalid(Tensor::full({1, 1, 3, 3}, NAN)), doctest::Contains("no valid pixel"), Error);
}

TEST_CASE("fill_invalid: one valid pixel fills a 480x640 map quickly (linear time)") {
  Tensor d = Tensor::full({1, 1, 480, 640}, NAN);
  d.set({0, 0, 100, 200}, 2.5f);
  auto t0 = std::chrono::steady_clock::now();
  std::vector<float> v = app::fill_invalid(d).to_vector();
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  CHECK(std::all_of(v.begin(), v.end(), [](float x) { return x == 2.5f; }));
  CHECK_MESSAGE(s < 2.0, "fill_invalid took " << s << " s");
}

TEST_CASE("normalise_depth: min to 0, max to 1, NaN kept, a constant map is 0.5 and flagged") {
  Tensor d = Tensor::from_vector({1, 1, 1, 4}, {2, 4, NAN, 10});
  bool constant = true;
  std::vector<float> n = app::normalise_depth(d, &constant).to_vector();
  CHECK_FALSE(constant);
  CHECK(n[0] == 0.0f);
  CHECK(n[1] == doctest::Approx(0.25f));
  CHECK(std::isnan(n[2]));
  CHECK(n[3] == 1.0f);
  std::vector<float> c = app::normalise_depth(Tensor::full({1, 1, 2, 2}, 3.0f), &constant).to_vector();
  CHECK(constant);
  for (float v : c) CHECK(v == 0.5f);
  CHECK_THROWS_AS(app::normalise_depth(Tensor::full({1, 1, 2, 2}, NAN)), Error);
}

TEST_CASE("resize_depth_to and fit_depth_to: bilinear, aspect within 1% resized, else an error") {
  // A horizontal ramp 0..3 over 4 columns halved: align_corners=False samples x = 0.5, 2.5.
  std::vector<float> ramp;
  for (int y = 0; y < 2; ++y)
    for (int x = 0; x < 4; ++x) ramp.push_back(static_cast<float>(x));
  Tensor d = Tensor::from_vector({1, 1, 2, 4}, ramp);
  Tensor half = app::resize_depth_to(d, 1, 2);
  CHECK(half.at({0, 0, 0, 0}) == doctest::Approx(0.5f));
  CHECK(half.at({0, 0, 0, 1}) == doctest::Approx(2.5f));

  Tensor big = Tensor::full({1, 1, 480, 640}, 1.0f);
  CHECK(app::fit_depth_to(big, 240, 320, "depth").shape() == ds::Shape{1, 1, 240, 320});
  CHECK(app::fit_depth_to(big, 240, 321, "depth").shape() == ds::Shape{1, 1, 240, 321});  // 0.3% off
  CHECK_THROWS_WITH_AS(app::fit_depth_to(big, 240, 240, "depth map d.png"),
                       doctest::Contains("depth map d.png: size 640x480 has another aspect ratio"), Error);
  Tensor holes = d.clone();
  holes.set({0, 0, 0, 0}, NAN);
  CHECK_THROWS_WITH_AS(app::resize_depth_to(holes, 1, 2), doctest::Contains("fill_invalid first"), Error);
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
    d = app::load_depth_metres(dir + "/images/rgbd/" + name);
    REQUIRE(d.shape() == ds::Shape{1, 1, 480, 640});
    CHECK_MESSAGE(app::valid_fraction(d) > 0.5, name);
    std::vector<float> v;
    for (float x : d.to_vector())
      if (!std::isnan(x)) v.push_back(x);
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
    float median = v[v.size() / 2];
    CHECK_MESSAGE(median > 0.5f, name << " median " << median << " m");
    CHECK_MESSAGE(median < 10.0f, name << " median " << median << " m");
  }
  Tensor filled = app::fill_invalid(d);
  CHECK(app::valid_fraction(filled) == 1.0);
  Tensor n = app::normalise_depth(filled);
  auto [lo, hi] = std::minmax_element(n.data(), n.data() + n.numel());
  CHECK(*lo == 0.0f);
  CHECK(*hi == 1.0f);
}
