// Temporal terms (losses/temporal.h): the temporal loss against its formula and its gradient
// against finite differences of a float64 oracle; E_warp against a loop; the blind-consistency
// solver against its normal equations (float64 residual) and its limits; and a flickering
// sequence whose E_warp the solver must lower.
#include <doctest/doctest.h>

#include <cmath>

#include "losses/temporal.h"
#include "tensor/random.h"
#include "tests/check.h"

using ds::Tensor;
using ds::Var;

namespace {

// (1/D) sum c (x - w)^2 in float64.
double temporal_ref(const std::vector<double>& x, const Tensor& w, const Tensor& c) {
  const int64_t plane = c.numel();
  double s = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    double d = x[i] - w.data()[i];
    s += c.data()[static_cast<int64_t>(i) % plane] * d * d;
  }
  return s / static_cast<double>(x.size());
}

// || (L + diag(w + eps)) O - (L P + w warped + eps P) || / || rhs ||, in float64 (4-neighbour
// Laplacian with Neumann border), for one [1,C,H,W] image.
double normal_equation_residual(const Tensor& O, const Tensor& P, const Tensor& warped, const Tensor& w, double eps) {
  const int64_t C = O.C(), H = O.H(), W = O.W();
  auto lap = [&](const Tensor& t, int64_t c, int64_t h, int64_t x) {
    double v = t.at({0, c, h, x}), s = 0;
    if (x > 0) s += v - t.at({0, c, h, x - 1});
    if (x + 1 < W) s += v - t.at({0, c, h, x + 1});
    if (h > 0) s += v - t.at({0, c, h - 1, x});
    if (h + 1 < H) s += v - t.at({0, c, h + 1, x});
    return s;
  };
  double r2 = 0, b2 = 0;
  for (int64_t c = 0; c < C; ++c)
    for (int64_t h = 0; h < H; ++h)
      for (int64_t x = 0; x < W; ++x) {
        double wp = w.at({0, 0, h, x});
        double lhs = lap(O, c, h, x) + (wp + eps) * O.at({0, c, h, x});
        double rhs = lap(P, c, h, x) + wp * warped.at({0, c, h, x}) + eps * P.at({0, c, h, x});
        r2 += (lhs - rhs) * (lhs - rhs);
        b2 += rhs * rhs;
      }
  return std::sqrt(r2 / b2);
}

double max_abs_diff(const Tensor& a, const Tensor& b) {
  double m = 0;
  for (int64_t i = 0; i < a.numel(); ++i) m = std::max(m, std::fabs(static_cast<double>(a.data()[i]) - b.data()[i]));
  return m;
}

}  // namespace

TEST_CASE("temporal loss: value and gradient match the formula and finite differences") {
  ds::Rng rng(7);
  Tensor x0 = rng.uniform_tensor({1, 3, 4, 5}, 0, 1), w = rng.uniform_tensor({1, 3, 4, 5}, 0, 1);
  Tensor c = rng.uniform_tensor({1, 1, 4, 5}, 0, 1);
  std::vector<double> xd(x0.data(), x0.data() + x0.numel());
  Var x(x0.clone(), true);
  Var loss = ds::temporal_loss(x, w, c);
  CHECK(loss.value().item() == doctest::Approx(temporal_ref(xd, w, c)).epsilon(1e-6));
  loss.backward();
  dst::DTensor fd(x0.shape());
  for (size_t i = 0; i < xd.size(); ++i) {
    std::vector<double> up = xd, dn = xd;
    up[i] += 1e-6;
    dn[i] -= 1e-6;
    fd.v[i] = (temporal_ref(up, w, c) - temporal_ref(dn, w, c)) / 2e-6;
  }
  dst::check_close("temporal loss gradient", x.grad(), fd, 1e-7, 1e-5);
  CHECK_THROWS_AS(ds::temporal_loss(x, w, Tensor::zeros({1, 3, 4, 5})), ds::Error);
}

TEST_CASE("warping error: masked mean of the squared colour difference") {
  Tensor a = Tensor::zeros({1, 3, 1, 3}), b = Tensor::zeros({1, 3, 1, 3});
  // Pixel 0: differences (0.1, 0.2, 0.2) -> 0.09; pixel 1: (0.3, 0, 0) -> 0.09 but masked out;
  // pixel 2: (0, 0, 0.5) -> 0.25.
  a.set({0, 0, 0, 0}, 0.1f), a.set({0, 1, 0, 0}, 0.2f), a.set({0, 2, 0, 0}, 0.2f);
  a.set({0, 0, 0, 1}, 0.3f), b.set({0, 2, 0, 2}, 0.5f);
  Tensor m = Tensor::from_vector({1, 1, 1, 3}, {1.0f, 0.2f, 0.9f});
  CHECK(ds::warping_error(a, b, m) == doctest::Approx((0.09 + 0.25) / 2).epsilon(1e-6));
  CHECK(ds::masked_mean_abs_diff(a, b, m) == doctest::Approx((0.1 + 0.2 + 0.2 + 0.5) / 6).epsilon(1e-6));
  CHECK(ds::warping_error(a, b, Tensor::zeros({1, 1, 1, 3})) == 0);
}

TEST_CASE("blind temporal consistency solves its screened Poisson system") {
  ds::Rng rng(11);
  Tensor P = rng.uniform_tensor({1, 3, 17, 23}, 0, 1), warped = rng.uniform_tensor({1, 3, 17, 23}, 0, 1);
  Tensor c = rng.uniform_tensor({1, 1, 17, 23}, 0, 1);
  for (int64_t i = 0; i < 17 * 5; ++i) c.data()[i] = 0;  // an unreliable band: held by eps and its neighbours
  Tensor w = ds::consistency_weight(c, P, P, 4.0f);       // identical frames: w = 4 c
  CHECK(w.at({0, 0, 10, 3}) == doctest::Approx(4 * c.at({0, 0, 10, 3})));
  ds::ConsistencyOptions o;
  o.tolerance = 1e-6f;
  o.max_iterations = 1000;
  ds::ConsistencyStats st;
  Tensor O = ds::blind_temporal_consistency(P, warped, w, o, &st);
  CHECK(st.relative_residual <= 1e-6);
  CHECK(normal_equation_residual(O, P, warped, w, o.eps) < 2e-6);
  // No reliable flow: the result is P itself. An overwhelming weight: the warped previous output.
  Tensor same = ds::blind_temporal_consistency(P, warped, Tensor::zeros({1, 1, 17, 23}), o);
  CHECK(max_abs_diff(same, P) < 1e-4);
  Tensor held = ds::blind_temporal_consistency(P, warped, Tensor::full({1, 1, 17, 23}, 1e5f), o);
  CHECK(max_abs_diff(held, warped) < 1e-3);
  // The weight lowers where the frames disagree after warping: exp(-r / sigma^2).
  Tensor f1 = Tensor::zeros({1, 3, 1, 1}), f2 = Tensor::full({1, 3, 1, 1}, 0.1f);
  CHECK(ds::consistency_weight(Tensor::full({1, 1, 1, 1}, 0.5f), f1, f2, 2.0f, 0.2f).item() ==
        doctest::Approx(2.0 * 0.5 * std::exp(-0.03 / 0.04)).epsilon(1e-5));
  CHECK_THROWS_AS(ds::blind_temporal_consistency(P, warped, Tensor::full({1, 1, 17, 23}, -1.0f)), ds::Error);
}

TEST_CASE("blind temporal consistency lowers the warping error of a flickering static sequence") {
  // A still scene (flow 0, reliable everywhere) whose per-frame results flicker: each frame is
  // the scene plus fresh noise of amplitude 0.1 and a brightness jump of +-0.05.
  ds::Rng rng(5);
  Tensor scene = rng.uniform_tensor({1, 3, 24, 32}, 0.2f, 0.8f);
  Tensor ones = Tensor::full({1, 1, 24, 32}, 1.0f);
  Tensor prev_raw, prev_out;
  double e_off = 0, e_on = 0;
  for (int t = 0; t < 6; ++t) {
    Tensor P = scene.clone(), noise = rng.uniform_tensor(scene.shape(), -0.1f, 0.1f);
    for (int64_t i = 0; i < P.numel(); ++i) P.data()[i] += noise.data()[i] + (t % 2 ? 0.05f : -0.05f);
    Tensor O = t == 0 ? P : ds::blind_temporal_consistency(P, prev_out, ds::consistency_weight(ones, scene, scene, 8.0f));
    if (t > 0) {
      e_off += ds::warping_error(P, prev_raw, ones);
      e_on += ds::warping_error(O, prev_out, ones);
    }
    prev_raw = P;
    prev_out = O;
  }
  MESSAGE("E_warp off " << e_off / 5 << ", on " << e_on / 5);
  CHECK(e_on < 0.25 * e_off);
}
