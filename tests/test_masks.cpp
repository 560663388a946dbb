// Depth masks (losses/masks.h): values against hand-computed numbers, spec parsing and its
// errors, image masks, and resizing to layer sizes against align_corners=False by hand.
#include <doctest/doctest.h>

#include "tests/check.h"

#include <cmath>
#include <filesystem>

#include "losses/masks.h"
#include "losses/losses.h"
#include "tensor/image_io.h"

using ds::Error;
using ds::Tensor;

namespace {

std::vector<float> mask_of(const std::string& spec, const Tensor& depth01) {
  return ds::make_mask(ds::parse_mask_spec(spec), depth01).to_vector();
}

}  // namespace

TEST_CASE("masks: sigmoid, inv-sigmoid, linear and constant match hand-computed values") {
  Tensor d = Tensor::from_vector({1, 1, 1, 3}, {0.0f, 0.5f, 0.7f});
  // σ(10(0 − 0.5)) = 1/(1+e^5) = 0.0066928509, σ(0) = 0.5, σ(10(0.7 − 0.5)) = σ(2) = 0.8807970780.
  std::vector<double> sig = {0.0066928509, 0.5, 0.8807970780};
  std::vector<float> s = mask_of("sigmoid:k=10,t=0.5", d), inv = mask_of("inv-sigmoid:k=10,t=0.5", d);
  for (size_t i = 0; i < 3; ++i) {
    CHECK(s[i] == doctest::Approx(sig[i]).epsilon(1e-6));
    CHECK(inv[i] == doctest::Approx(1.0 - sig[i]).epsilon(1e-6));
  }
  // σ(4(0.7 − 0.2)) = σ(2) again, with other k and t.
  CHECK(mask_of("sigmoid:k=4,t=0.2", d)[2] == doctest::Approx(0.8807970780).epsilon(1e-6));
  std::vector<float> lin = mask_of("linear:a=0.2,b=0.8", d);  // 0.2 + 0.6 d
  CHECK(lin[0] == doctest::Approx(0.2));
  CHECK(lin[1] == doctest::Approx(0.5));
  CHECK(lin[2] == doctest::Approx(0.62));
  std::vector<float> down = mask_of("linear:a=1,b=0", d);  // near weighted: 1 − d
  CHECK(down[2] == doctest::Approx(0.3));
  for (float v : mask_of("constant:v=0.3", d)) CHECK(v == doctest::Approx(0.3));
  CHECK(ds::make_mask(ds::parse_mask_spec("sigmoid"), d).shape() == ds::Shape{1, 1, 1, 3});
}

TEST_CASE("mask spec parsing: forms, defaults and canonical text round trip") {
  ds::MaskSpec s = ds::parse_mask_spec("sigmoid");
  CHECK(s.kind == ds::MaskSpec::Kind::Sigmoid);
  CHECK(s.k == 10.0);
  CHECK(s.t == 0.5);
  s = ds::parse_mask_spec("inv_sigmoid:t=0.25");
  CHECK(s.kind == ds::MaskSpec::Kind::InvSigmoid);
  CHECK(s.k == 10.0);
  CHECK(s.t == 0.25);
  s = ds::parse_mask_spec("linear:b=0.75");
  CHECK(s.kind == ds::MaskSpec::Kind::Linear);
  CHECK(s.a == 0.0);
  CHECK(s.b == 0.75);
  s = ds::parse_mask_spec("image:dir/with:colon,comma.png");
  CHECK(s.kind == ds::MaskSpec::Kind::Image);
  CHECK(s.path == "dir/with:colon,comma.png");
  for (const char* spec :
       {"sigmoid:k=12.5,t=0.1", "inv-sigmoid:k=3,t=0.9", "linear:a=0.1,b=1", "image:a.png", "constant:v=0.5"})
    CHECK(ds::mask_spec_str(ds::parse_mask_spec(spec)) == spec);
  s = ds::parse_mask_spec("sigmoid:k=0.1,t=0.3");
  ds::MaskSpec back = ds::parse_mask_spec(ds::mask_spec_str(s));
  CHECK(back.k == s.k);
  CHECK(back.t == s.t);
}

TEST_CASE("mask spec errors quote the spec and say what is wrong") {
  auto check_error = [](const char* spec, const char* phrase) {
    CHECK_THROWS_WITH_AS(ds::parse_mask_spec(spec), doctest::Contains(phrase), Error);
    CHECK_THROWS_WITH_AS(ds::parse_mask_spec(spec), doctest::Contains(("'" + std::string(spec) + "'").c_str()), Error);
  };
  check_error("gaussian:k=1", "unknown mask kind 'gaussian'");
  check_error("sigmoid:k10", "'k10' is not key=value");
  check_error("sigmoid:a=1", "unknown key 'a'");
  check_error("sigmoid:k=1,k=2", "given twice");
  check_error("sigmoid:k=ten", "not a finite number: 'ten'");
  check_error("sigmoid:k=1e999", "not a finite number");
  check_error("sigmoid:k=-3", "k must be > 0");
  check_error("linear:a=1.5", "outside [0, 1]");
  check_error("constant:v=-0.1", "outside [0, 1]");
  check_error("image:", "needs a file path");
  check_error("", "unknown mask kind ''");
}

TEST_CASE("image mask: grey /255 resized to the depth size, another aspect ratio is an error") {
  // Left half black, right half white (8-bit grey PNG, 2x4); the depth map has the same size.
  Tensor img = Tensor::from_vector({1, 1, 2, 4}, {0, 0, 1, 1, 0, 0, 1, 1});
  std::string p = dst::temp_path("mask_halves.png");
  ds::save_image(p, img);
  std::vector<float> m = mask_of("image:" + p, Tensor::full({1, 1, 2, 4}, 0.5f));
  CHECK(m == std::vector<float>{0, 0, 1, 1, 0, 0, 1, 1});

  std::string g = dst::temp_path("mask_grey.png");
  ds::save_image(g, Tensor::full({1, 3, 10, 20}, 102.0f / 255.0f));  // RGB grey: mean of channels
  for (float v : mask_of("image:" + g, Tensor::full({1, 1, 5, 10}, 0.5f))) CHECK(v == doctest::Approx(0.4f));
  CHECK_THROWS_WITH_AS(mask_of("image:" + g, Tensor::full({1, 1, 10, 10}, 0.5f)),
                       doctest::Contains("another aspect ratio"), Error);
  CHECK_THROWS_WITH_AS(mask_of("image:" + dst::temp_path("no_such_mask.png"), Tensor::full({1, 1, 2, 2}, 0.5f)),
                       doctest::Contains("cannot open"), Error);
}

TEST_CASE("make_mask rejects NaN or unnormalised depth and a mask that is zero everywhere") {
  CHECK_THROWS_WITH_AS(mask_of("sigmoid", Tensor::full({1, 1, 2, 2}, NAN)), doctest::Contains("normalised"), Error);
  CHECK_THROWS_WITH_AS(mask_of("sigmoid", Tensor::full({1, 1, 2, 2}, 3.0f)), doctest::Contains("normalised"), Error);
  CHECK_THROWS_WITH_AS(mask_of("constant:v=0", Tensor::full({1, 1, 2, 2}, 0.5f)), doctest::Contains("zero everywhere"),
                       Error);
  CHECK_THROWS_AS(mask_of("sigmoid", Tensor::full({1, 3, 2, 2}, 0.5f)), Error);
}

TEST_CASE("resize_mask: bilinear with align_corners=False to a layer's size, eta of the result") {
  // Columns 0, 1 upsampled to 4: source x = (i + 0.5)/2 − 0.5 = −0.25, 0.25, 0.75, 1.25,
  // clamped to [0, 1]: 0, 0.25, 0.75, 1.
  Tensor m = Tensor::from_vector({1, 1, 2, 2}, {0, 1, 0, 1});
  Tensor up = ds::resize_mask(m, 4, 4);
  REQUIRE(up.shape() == ds::Shape{1, 1, 4, 4});
  const float want[4] = {0, 0.25f, 0.75f, 1};
  for (int y = 0; y < 4; ++y)
    for (int x = 0; x < 4; ++x) CHECK(up.at({0, 0, y, x}) == doctest::Approx(want[x]));
  // Downsampling 4 -> 2 samples x = 0.5, 2.5: the means of column pairs.
  Tensor down = ds::resize_mask(up, 2, 2);
  CHECK(down.at({0, 0, 0, 0}) == doctest::Approx(0.125f));
  CHECK(down.at({0, 0, 1, 1}) == doctest::Approx(0.875f));
  CHECK(ds::resize_mask(m, 2, 2).data() == m.data());  // same size: the mask itself
  // η = mean(γ²) of the 4x4 mask: (0 + 0.0625 + 0.5625 + 1) / 4.
  CHECK(ds::mask_eta(up) == doctest::Approx(1.625f / 4));
}
