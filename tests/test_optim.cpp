// Optimisers: Adam against a float64 re-derivation of the update; L-BFGS on a quadratic;
// step decay; and the end-to-end run: an image optimised through a small conv net.
#include <doctest/doctest.h>

#include <cmath>

#include "autograd/ops.h"
#include "nn/optim.h"
#include "tensor/random.h"

using ds::Tensor;
using ds::Var;

TEST_CASE("adam steps match the float64 update rule") {
  ds::Rng rng(11);
  Tensor w0 = rng.normal_tensor({7});
  Var w(w0.clone(), true);
  ds::AdamParams p{0.1f, 0.8f, 0.95f, 1e-6f};
  ds::Adam opt({w}, p);
  std::vector<double> ref(w0.data(), w0.data() + 7), m(7, 0), v(7, 0);
  for (int t = 1; t <= 5; ++t) {
    opt.zero_grad();
    ds::sum(w * w * w).backward();  // gradient 3 w^2, varies with w
    opt.step();
    for (size_t i = 0; i < 7; ++i) {
      double g = 3 * ref[i] * ref[i];
      m[i] = 0.8 * m[i] + 0.2 * g;
      v[i] = 0.95 * v[i] + 0.05 * g * g;
      double mh = m[i] / (1 - std::pow(0.8, t)), vh = v[i] / (1 - std::pow(0.95, t));
      ref[i] -= 0.1 * mh / (std::sqrt(vh) + 1e-6);
    }
  }
  for (size_t i = 0; i < 7; ++i) CHECK(w.value().data()[i] == doctest::Approx(ref[i]).epsilon(1e-4));
}

TEST_CASE("adam state: the moments follow the float64 rule, and a restored state continues exactly") {
  ds::Rng rng(12);
  Tensor w0 = rng.normal_tensor({6});
  ds::AdamParams p{0.05f, 0.9f, 0.99f, 1e-8f};
  auto steps = [](ds::Adam& opt, Var& w, int n) {
    for (int i = 0; i < n; ++i) {
      opt.zero_grad();
      ds::sum(w * w * w).backward();
      opt.step();
    }
  };
  Var a(w0.clone(), true);
  ds::Adam straight({a}, p);
  steps(straight, a, 1);
  // After one step from zero moments: m = (1 - b1) g, v = (1 - b2) g^2 with g = 3 w0^2.
  for (int64_t i = 0; i < 6; ++i) {
    double g = 3.0 * w0.data()[i] * w0.data()[i];
    CHECK(straight.first_moments()[0].data()[i] == doctest::Approx(0.1 * g).epsilon(1e-6));
    CHECK(straight.second_moments()[0].data()[i] == doctest::Approx(0.01 * g * g).epsilon(1e-6));
  }
  steps(straight, a, 2);
  // A second optimiser over a copy of the parameters, given the state after 3 steps, must
  // take the same 4th and 5th steps as the uninterrupted one (the bias correction needs t).
  Var b(a.value().clone(), true);
  ds::Adam resumed({b}, p);
  resumed.restore(straight.steps(), straight.first_moments(), straight.second_moments());
  CHECK(resumed.steps() == 3);
  steps(straight, a, 2);
  steps(resumed, b, 2);
  CHECK(a.value().to_vector() == b.value().to_vector());
  CHECK_THROWS_AS(resumed.restore(1, {}, {}), ds::Error);
  CHECK_THROWS_AS(resumed.restore(1, {Tensor::zeros({5})}, {Tensor::zeros({5})}), ds::Error);
  CHECK_THROWS_AS(resumed.restore(-1, straight.first_moments(), straight.second_moments()), ds::Error);
}

TEST_CASE("step decay learning rate") {
  CHECK(ds::step_decay_lr(1.0f, 0.5f, 100, 99) == doctest::Approx(1.0f));
  CHECK(ds::step_decay_lr(1.0f, 0.5f, 100, 100) == doctest::Approx(0.5f));
  CHECK(ds::step_decay_lr(2.0f, 0.1f, 10, 25) == doctest::Approx(0.02f));
  CHECK(ds::step_decay_lr(2.0f, 0.1f, 0, 25) == doctest::Approx(2.0f));
}

TEST_CASE("lbfgs minimises an ill-conditioned quadratic") {
  // f(x) = sum(d_i (x_i - c_i)^2), condition number 100: plain gradient descent would crawl.
  std::vector<float> d = {1, 3, 10, 30, 100}, c = {1, -2, 0.5f, 3, -1};
  Var x(Tensor::zeros({5}), true);
  Var D(Tensor::from_vector({5}, d)), C(Tensor::from_vector({5}, c));
  ds::LBFGS opt({x}, 1.0f, 5);
  auto closure = [&]() {
    x.zero_grad();
    Var r = x - C;
    Var loss = ds::sum(D * r * r);
    loss.backward();
    return loss.value().item();
  };
  float first = opt.step(closure), last = first;
  for (int i = 0; i < 40; ++i) last = opt.step(closure);
  CHECK(first > 100.0f);
  CHECK(last < 1e-6f);
  for (int i = 0; i < 5; ++i) CHECK(x.value().data()[i] == doctest::Approx(c[static_cast<size_t>(i)]).epsilon(1e-3));
}

TEST_CASE("lbfgs reports a failed line search and stays where it was") {
  // f(x) = sum(x^2) at x0, but every other point evaluates to NaN (as a loss that overflows
  // anywhere off the start would): no trial step can be accepted.
  std::vector<float> x0 = {0.5f, -1.5f, 2.0f};
  Var x(Tensor::from_vector({3}, x0), true);
  ds::LBFGS opt({x}, 1.0f, 5, 4);
  auto closure = [&]() {
    x.zero_grad();
    Var loss = ds::sum(x * x);
    loss.backward();
    return x.value().to_vector() == x0 ? loss.value().item() : NAN;
  };
  CHECK(opt.step(closure) == doctest::Approx(6.5f));
  CHECK_FALSE(opt.last_step_accepted());
  CHECK(x.value().to_vector() == x0);
  CHECK(opt.evaluations() == 1 + 4);  // the start, then max_evals trial points
  ds::LBFGS plain({x}, 1.0f, 5);
  plain.step([&]() {
    x.zero_grad();
    Var loss = ds::sum(x * x);
    loss.backward();
    return loss.value().item();
  });
  CHECK(plain.last_step_accepted());
}

TEST_CASE("end to end: optimising an image through a small conv net lowers the loss") {
  // Match the features of a target image through conv-relu-pool-conv; start from noise.
  ds::Rng rng(5);
  Var w1(rng.normal_tensor({8, 3, 3, 3}, 0, 0.4f)), w2(rng.normal_tensor({12, 8, 3, 3}, 0, 0.2f));
  auto net = [&](const Var& x) {
    Var h = ds::max_pool2d(ds::relu(ds::conv2d(x, w1, Var(), ds::Conv2dParams::make(1, 1))), ds::Pool2dParams::make(2, 2));
    return ds::conv2d(h, w2, Var(), ds::Conv2dParams::make(1, 1));
  };
  Var target;
  {
    ds::NoGradGuard ng;
    target = net(Var(rng.uniform_tensor({1, 3, 24, 24}, 0, 1)));
  }
  Var img(rng.uniform_tensor({1, 3, 24, 24}, 0, 1), true);
  ds::Adam opt({img}, ds::AdamParams{0.03f});
  float first = 0, last = 0;
  for (int it = 0; it < 150; ++it) {
    opt.zero_grad();
    Var loss = ds::mse_loss(net(img), target);
    loss.backward();
    opt.step();
    last = loss.value().item();
    if (it == 0) first = last;
  }
  MESSAGE("loss " << first << " -> " << last);
  CHECK(last < first / 10);
}
