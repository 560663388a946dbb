// Style-transfer losses: values against float64 loops written from the formulas, the masked
// Gram's invariants, and gradients of the masked losses against finite differences.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

#include "losses/losses.h"
#include "tensor/random.h"
#include "tests/check.h"

using ds::Shape;
using ds::Tensor;
using ds::Var;

namespace {

double content_ref(const Tensor& f, const Tensor& p, const Tensor* mask) {
  double s = 0;
  int64_t hw = f.shape()[2] * f.shape()[3];
  for (int64_t i = 0; i < f.numel(); ++i) {
    double m = mask ? mask->data()[i % hw] : 1.0;
    double d = m * (static_cast<double>(f.data()[i]) - p.data()[i]);
    s += d * d;
  }
  return 0.5 * s;
}

// E = 1/(4 N^2 M^2) sum (G - A)^2 with G = F F^T of the (masked, /eta) features, unnormalised.
double style_ref(const Tensor& f, const Tensor& a_feat, const Tensor* mask) {
  int64_t c = f.shape()[1], m = f.shape()[2] * f.shape()[3];
  double eta = 1.0;
  if (mask) {
    eta = 0;
    for (int64_t k = 0; k < m; ++k) eta += static_cast<double>(mask->data()[k]) * mask->data()[k];
    eta /= static_cast<double>(m);
  }
  double e = 0;
  for (int64_t i = 0; i < c; ++i)
    for (int64_t j = 0; j < c; ++j) {
      double g = 0, a = 0;
      for (int64_t k = 0; k < m; ++k) {
        double mk = mask ? mask->data()[k] : 1.0;
        g += mk * f.data()[i * m + k] * mk * f.data()[j * m + k];
        a += static_cast<double>(a_feat.data()[i * m + k]) * a_feat.data()[j * m + k];
      }
      e += (g / eta - a) * (g / eta - a);
    }
  return e / (4.0 * static_cast<double>(c * c) * static_cast<double>(m * m));
}

}  // namespace

TEST_CASE("content and style losses match their formulas") {
  ds::Rng rng(1);
  Tensor f = rng.normal_tensor({1, 5, 6, 7}), p = rng.normal_tensor({1, 5, 6, 7}), a = rng.normal_tensor({1, 5, 6, 7});
  Tensor mask = rng.uniform_tensor({1, 1, 6, 7}, 0, 1);
  CHECK(ds::content_loss(Var(f), Var(p)).value().item() == doctest::Approx(content_ref(f, p, nullptr)).epsilon(1e-5));
  CHECK(ds::masked_content_loss(Var(f), Var(p), Var(mask)).value().item() ==
        doctest::Approx(content_ref(f, p, &mask)).epsilon(1e-5));
  Var target = ds::gram_over_m(Var(a));
  CHECK(ds::style_loss_from_grams(ds::gram_over_m(Var(f)), target).value().item() ==
        doctest::Approx(style_ref(f, a, nullptr)).epsilon(1e-4));
  CHECK(ds::style_loss_from_grams(ds::masked_gram_over_m(Var(f), Var(mask)), target).value().item() ==
        doctest::Approx(style_ref(f, a, &mask)).epsilon(1e-4));
  // The fused path (gram_mse) from the features, plain and masked.
  CHECK(ds::style_loss_from_features(Var(f), Var(), 1.0f, target).value().item() ==
        doctest::Approx(style_ref(f, a, nullptr)).epsilon(1e-4));
  CHECK(ds::style_loss_from_features(Var(f), Var(mask), ds::style_mask_eta(mask), target).value().item() ==
        doctest::Approx(style_ref(f, a, &mask)).epsilon(1e-4));
  // A batch of two against one target Gram (the fallback path): the sum of both items' losses.
  Tensor f2 = rng.normal_tensor({1, 5, 6, 7});
  Tensor both = Tensor::empty({2, 5, 6, 7});
  std::copy(f.data(), f.data() + f.numel(), both.data());
  std::copy(f2.data(), f2.data() + f2.numel(), both.data() + f.numel());
  CHECK(ds::style_loss_from_features(Var(both), Var(), 1.0f, target).value().item() ==
        doctest::Approx(style_ref(f, a, nullptr) + style_ref(f2, a, nullptr)).epsilon(1e-4));
}

TEST_CASE("total variation of a hand-computed image") {
  // [[0, 1], [3, 5]]: vertical (3-0)^2 + (5-1)^2 = 25, horizontal (1-0)^2 + (5-3)^2 = 5.
  CHECK(ds::tv_loss(Var(Tensor::from_vector({1, 1, 2, 2}, {0, 1, 3, 5}))).value().item() == doctest::Approx(30.0));
  CHECK_THROWS_AS(ds::tv_loss(Var(Tensor::zeros({1, 3, 1, 5}))), ds::Error);
}

TEST_CASE("masked gram with an all-ones mask equals the plain gram") {
  Tensor f = ds::Rng(2).normal_tensor({1, 6, 9, 5});
  std::vector<float> plain = ds::gram_over_m(Var(f)).value().to_vector();
  std::vector<float> masked = ds::masked_gram_over_m(Var(f), Var(Tensor::full({1, 1, 9, 5}, 1.0f))).value().to_vector();
  REQUIRE(plain.size() == masked.size());
  for (size_t i = 0; i < plain.size(); ++i) CHECK(masked[i] == doctest::Approx(plain[i]).epsilon(1e-6));
  // A constant mask c gives the same Gram too: (c F)(c F)^T / c^2.
  std::vector<float> half = ds::masked_gram_over_m(Var(f), Var(Tensor::full({1, 1, 9, 5}, 0.5f))).value().to_vector();
  for (size_t i = 0; i < plain.size(); ++i) CHECK(half[i] == doctest::Approx(plain[i]).epsilon(1e-5));
}

TEST_CASE("mask eta is the mean squared mask and a zero mask is an error") {
  Tensor m = Tensor::from_vector({1, 1, 2, 2}, {0.0f, 0.5f, 1.0f, 1.0f});
  CHECK(ds::mask_eta(m) == doctest::Approx((0.0 + 0.25 + 1 + 1) / 4));
  CHECK_THROWS_WITH_AS(ds::masked_gram_over_m(Var(Tensor::full({1, 2, 2, 2}, 1.0f)), Var(Tensor::zeros({1, 1, 2, 2}))),
                       doctest::Contains("zero everywhere"), ds::Error);
}

TEST_CASE("masked losses and tv gradients match finite differences") {
  ds::Rng rng(3);
  Tensor f0 = rng.normal_tensor({1, 3, 4, 5}), p = rng.normal_tensor({1, 3, 4, 5}), a = rng.normal_tensor({1, 3, 4, 5});
  Tensor mask = rng.uniform_tensor({1, 1, 4, 5}, 0.1f, 1.0f);
  Var target = ds::gram_over_m(Var(a));
  auto total = [&](const Var& f) {
    return ds::masked_content_loss(f, Var(p), Var(mask)) +
           ds::style_loss_from_grams(ds::masked_gram_over_m(f, Var(mask)), target) * 10.0f + ds::tv_loss(f) * 0.1f +
           ds::style_loss_from_features(f, Var(mask), ds::style_mask_eta(mask), target) * 5.0f;  // the fused gram_mse path
  };
  Var f(f0.clone(), true);
  total(f).backward();
  dst::DTensor fd(f0.shape());
  for (int64_t i = 0; i < f0.numel(); ++i) {
    ds::NoGradGuard ng;
    Tensor up = f0.clone(), dn = f0.clone();
    up.data()[i] += 1e-2f;
    dn.data()[i] -= 1e-2f;
    fd.v[static_cast<size_t>(i)] = (total(Var(up)).value().item() - total(Var(dn)).value().item()) / 2e-2;
  }
  dst::check_close("masked loss gradient", f.grad(), fd, 2e-3, 1e-2);
}
