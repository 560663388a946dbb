// PNG writing is checked by decoding with stb_image (an independent decoder); bad files
// give errors naming the file.
#include <doctest/doctest.h>

#include "tests/check.h"

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "tensor/image_io.h"
#include "tensor/random.h"

using ds::Error;
using ds::Tensor;

TEST_CASE("png 8-bit rgb round trip within half a grey level") {
  Tensor img = ds::Rng(1).uniform_tensor({1, 3, 7, 11}, 0, 1);
  std::string p = dst::temp_path("rt8.png");
  ds::save_png(p, img);
  Tensor back = ds::load_image_rgb(p);
  REQUIRE(back.shape() == img.shape());
  for (int64_t i = 0; i < img.numel(); ++i) CHECK(std::fabs(back.data()[i] - img.data()[i]) <= 0.5f / 255 + 1e-6f);
}

TEST_CASE("png 16-bit grey round trip keeps 16-bit precision") {
  Tensor img = ds::Rng(2).uniform_tensor({1, 1, 5, 9}, 0, 1);
  std::string p = dst::temp_path("rt16.png");
  ds::save_png(p, img, 16);
  Tensor raw = ds::load_image_raw_gray(p);
  REQUIRE(raw.shape() == img.shape());
  for (int64_t i = 0; i < img.numel(); ++i) CHECK(std::fabs(raw.data()[i] - img.data()[i] * 65535) <= 0.5f + 1e-3f);
}

TEST_CASE("image errors: missing file, corrupt file, NaN image, wrong shape") {
  CHECK_THROWS_WITH_AS(ds::load_image_rgb("/nonexistent/x.png"), doctest::Contains("/nonexistent/x.png: cannot open"),
                       Error);
  std::string bad = dst::temp_path("corrupt.png");
  {
    std::ofstream f(bad, std::ios::binary);
    f << "\x89PNG\r\n\x1a\n garbage that is not a png";
  }
  CHECK_THROWS_WITH_AS(ds::load_image_rgb(bad), doctest::Contains("corrupt.png: not a readable image"), Error);
  Tensor nan_img = Tensor::full({1, 3, 2, 2}, NAN);
  CHECK_THROWS_WITH_AS(ds::save_png(dst::temp_path("nan.png"), nan_img), doctest::Contains("NaN"), Error);
  CHECK_THROWS_AS(ds::save_png(dst::temp_path("bad.png"), Tensor::zeros({2, 3, 2, 2})), Error);
  CHECK_THROWS_AS(ds::save_png(dst::temp_path("empty.png"), Tensor::zeros({1, 3, 0, 2})), Error);
}
