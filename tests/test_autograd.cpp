// Autograd engine: gradients of composite graphs, accumulation, frozen parameters, no-grad
// scopes, graph freeing and the errors of backward().
#include <doctest/doctest.h>

#include <cmath>

#include "autograd/ops.h"
#include "tensor/random.h"
#include "tests/check.h"

using ds::Error;
using ds::Tensor;
using ds::Var;

namespace {
Var leaf(const ds::Shape& s, uint64_t seed, bool grad = true) { return Var(ds::Rng(seed).normal_tensor(s), grad); }
}  // namespace

TEST_CASE("autograd composite graph matches finite differences") {
  // f(x, w) = mean(tanh(conv(x, w)) * x_cropped) + sum(sigmoid(x))^2 / 100: shared inputs,
  // several paths to each leaf.
  ds::Rng rng(3);
  Tensor x0 = rng.normal_tensor({1, 2, 5, 5}), w0 = rng.normal_tensor({2, 2, 3, 3}, 0, 0.5);
  auto f = [](const Var& x, const Var& w) {
    Var y = ds::tanh(ds::conv2d(x, w, Var(), ds::Conv2dParams::make(1, 0)));
    Var xc = ds::pad2d(x, {-1, -1, -1, -1}, ds::PadMode::Zero);
    Var s = ds::sum(ds::sigmoid(x));
    return ds::mean(y * xc) + s * s * 0.01f;
  };
  Var x(x0.clone(), true), w(w0.clone(), true);
  f(x, w).backward();
  for (int which = 0; which < 2; ++which) {
    Tensor base = which == 0 ? x0 : w0;
    const Tensor& g = which == 0 ? x.grad() : w.grad();
    REQUIRE(g.defined());
    dst::DTensor fd(base.shape());
    for (int64_t i = 0; i < base.numel(); ++i) {
      double h = 1e-2;
      Tensor p = base.clone(), m = base.clone();
      p.data()[i] += static_cast<float>(h);
      m.data()[i] -= static_cast<float>(h);
      ds::NoGradGuard ng;
      double lp = which == 0 ? f(Var(p), Var(w0)).value().item() : f(Var(x0), Var(p)).value().item();
      double lm = which == 0 ? f(Var(m), Var(w0)).value().item() : f(Var(x0), Var(m)).value().item();
      fd.v[static_cast<size_t>(i)] = (lp - lm) / (2 * h);
    }
    dst::check_close(which == 0 ? "d/dx" : "d/dw", g, fd, 2e-3, 2e-2);
  }
}

TEST_CASE("autograd gradients accumulate until zero_grad") {
  Var x = leaf({3}, 1);
  ds::sum(x * 2.0f).backward();
  ds::sum(x * 3.0f).backward();
  for (float g : x.grad().to_vector()) CHECK(g == doctest::Approx(5.0f));
  x.zero_grad();
  CHECK_FALSE(x.grad().defined());
}

TEST_CASE("autograd frozen parameters get no gradient and keep nothing alive") {
  Var x = leaf({1, 3, 8, 8}, 1, true);
  Var w = leaf({4, 3, 3, 3}, 2, false);  // frozen
  Var b = leaf({4}, 3, false);
  long before = x.value().storage_use_count();
  Var y = ds::conv2d(x, w, b, ds::Conv2dParams::make(1, 1));
  // conv's input gradient reads only w: x must not be captured by the graph.
  CHECK(x.value().storage_use_count() == before);
  ds::sum(y).backward();
  CHECK(x.grad().defined());
  CHECK_FALSE(w.grad().defined());
  CHECK_FALSE(b.grad().defined());
  // Conversely, a frozen input with a trainable weight keeps the input, not the weight.
  Var x2 = leaf({1, 3, 8, 8}, 4, false), w2 = leaf({4, 3, 3, 3}, 5, true);
  long wb = w2.value().storage_use_count();
  Var y2 = ds::conv2d(x2, w2, Var(), ds::Conv2dParams::make(1, 1));
  CHECK(w2.value().storage_use_count() == wb);
}

// What backward reads of a ReLU is its sign, of a max pool where each maximum was: neither keeps
// its input or output tensor alive (only a bit mask, or one window offset per output).
TEST_CASE("autograd relu, max_pool2d and conv2d_relu keep neither their input nor their output") {
  Var x = leaf({1, 4, 9, 9}, 6, true);
  long before = x.value().storage_use_count();
  Var r = ds::relu(x);
  Var m = ds::max_pool2d(x, ds::Pool2dParams::make(3, 2, 1));
  Var w = leaf({5, 4, 3, 3}, 7, false), b = leaf({5}, 8, false);
  Var c = ds::conv2d_relu(x, w, b, ds::Conv2dParams::make(1, 1));
  CHECK(x.value().storage_use_count() == before);
  for (const Var* y : {&r, &m, &c}) CHECK(y->value().storage_use_count() == 1);
  (ds::sum(r) + ds::sum(c)).backward();
  CHECK(x.grad().defined());
}

TEST_CASE("autograd no-grad scope records nothing") {
  Var x = leaf({4}, 1);
  int64_t nodes = ds::live_node_count();
  {
    ds::NoGradGuard ng;
    Var y = ds::sum(ds::relu(x) * x);
    CHECK_FALSE(y.requires_grad());
    CHECK(ds::live_node_count() == nodes);
    CHECK_THROWS_WITH_AS(y.backward(), doctest::Contains("does not depend"), Error);
  }
  CHECK(ds::grad_mode_enabled());
}

TEST_CASE("autograd graph is freed after backward and by scope") {
  Var x = leaf({1, 2, 6, 6}, 1), w = leaf({2, 2, 3, 3}, 2);
  int64_t base = ds::live_node_count();
  Var loss = ds::mean(ds::relu(ds::conv2d(x, w, Var(), ds::Conv2dParams::make(1, 1))));
  CHECK(ds::live_node_count() > base);
  long xuse = x.value().storage_use_count();
  CHECK(xuse > 1);  // captured for the weight gradient
  loss.backward();
  // Only the loss's own node survives (it is held by `loss`), and it holds nothing.
  CHECK(ds::live_node_count() <= base + 1);
  CHECK(x.value().storage_use_count() == 1);
  CHECK_THROWS_WITH_AS(loss.backward(), doctest::Contains("already freed"), Error);
  // A loop of forward/backward keeps the number of live nodes constant.
  for (int i = 0; i < 20; ++i) ds::mean(ds::relu(ds::conv2d(x, w, Var(), ds::Conv2dParams::make(1, 1)))).backward();
  CHECK(ds::live_node_count() <= base + 1);
}

TEST_CASE("autograd backward errors: non-scalar and non-finite loss") {
  Var x = leaf({3}, 1);
  CHECK_THROWS_WITH_AS(ds::relu(x).backward(), doctest::Contains("needs a scalar"), Error);
  Var nan_loss = ds::sum(x / Var(Tensor::zeros({3})));
  CHECK_THROWS_WITH_AS(nan_loss.backward(), doctest::Contains("not finite"), Error);
  // Unchecked (the caller reads the loss later): no error, and the gradient shows it, d/dx x/0 = inf.
  Var inf_loss = ds::sum(x / Var(Tensor::zeros({3})));
  CHECK_NOTHROW(inf_loss.backward(false));
  CHECK_FALSE(std::isfinite(x.grad().to_vector()[0]));
  CHECK_THROWS_WITH_AS(ds::relu(x).set_requires_grad(false), doctest::Contains("only leaves"), Error);
}

TEST_CASE("autograd rvalue inputs: overwritten without gradients, copied when shared or recorded") {
  // autograd/ops.h: an activation or instance norm given a Var it alone holds, as an rvalue,
  // writes its result over it when no gradient is recorded; the values are those of the
  // const& overload (oracle: the same op on a copy), and no Var or Tensor anyone else holds is
  // ever changed.
  Tensor x0 = ds::Rng(8).normal_tensor({1, 3, 4, 5});
  Var gamma(ds::Rng(9).normal_tensor({3})), beta(ds::Rng(10).normal_tensor({3}));
  Tensor want_tanh = ds::tanh(Var(x0.clone())).value();
  Tensor want_norm = ds::instance_norm(Var(x0.clone()), gamma, beta, 1e-3f).value();
  auto same = [](const Tensor& a, const Tensor& b) { return a.to_vector() == b.to_vector(); };
  {
    ds::NoGradGuard ng;
    Var a(x0.clone());
    const float* storage = a.value().data();
    Var t = ds::tanh(std::move(a));
    CHECK(t.value().data() == storage);  // in place
    CHECK(same(t.value(), want_tanh));
    Var b(x0.clone());
    storage = b.value().data();
    Var n = ds::instance_norm(std::move(b), gamma, beta, 1e-3f);
    CHECK(n.value().data() == storage);
    CHECK(same(n.value(), want_norm));
    Var r = ds::relu(std::move(n));  // a result passed on, as in conv -> norm -> relu
    CHECK(r.value().data() == storage);

    Tensor held = x0.clone();  // shared storage: a new tensor, `held` untouched
    Var c = ds::tanh(Var(held));
    CHECK(c.value().data() != held.data());
    CHECK(same(held, x0));
    Var d(x0.clone()), d2 = d;  // a second Var of the same value
    Var e = ds::tanh(std::move(d));
    CHECK(e.value().data() != d2.value().data());
    CHECK(same(d2.value(), x0));
  }
  // Recording a gradient: the input is kept for backward, so never overwritten.
  Var x(x0.clone(), true);
  Var y = ds::tanh(Var(x0.clone())) * x;
  Var leaf_in(x0.clone(), true);
  const float* leaf_storage = leaf_in.value().data();
  Var z = ds::instance_norm(ds::Var(leaf_in), gamma, beta, 1e-3f);
  CHECK(z.value().data() != leaf_storage);
  CHECK(same(leaf_in.value(), x0));
  ds::sum(z * z).backward();
  CHECK(leaf_in.grad().defined());
}
