// The one loss of both methods (losses/transfer_loss.h) on synthetic networks: the logged
// terms add up to the total, each weight scales its own term only, and the content, style
// and TV terms are batch means (a batch of two copies gives the terms of one).
#include <doctest/doctest.h>

#include "losses/transfer_loss.h"
#include "tensor/random.h"

using ds::Tensor;
using ds::Var;

namespace {

struct Nets {
  ds::FeatureNet net{"squeezenet", ds::squeezenet1_1(ds::synthetic_params(ds::squeezenet1_1_param_shapes(false))),
                     ds::Preprocess::imagenet()};
  std::unique_ptr<ds::DepthEstimator> depth = ds::make_depth_estimator(ds::FastDepth(ds::synthetic_params(ds::FastDepth::param_shapes())));
};

// Terms of y against x for a spec; two styles, the second with weight w2.
std::vector<double> terms(const Nets& n, const ds::LossSpec& spec, const Tensor& x, const Tensor& y, float w2 = 1) {
  ds::Rng rng(3);
  std::vector<ds::StyleImage> styles = {{"a", rng.uniform_tensor({1, 3, 32, 32}, 0, 1), 1, Tensor()},
                                        {"b", rng.uniform_tensor({1, 3, 40, 32}, 0, 1), w2, Tensor()}};
  ds::TransferLoss loss(n.net, n.depth.get(), spec, styles, ds::Device::CPU);
  ds::NoGradGuard ng;
  ds::LossTerms t;
  loss.total(Var(y), loss.reference(Var(x)), &t);
  REQUIRE(t.style.size() == 2);
  REQUIRE(t.values().size() == loss.term_names().size());
  return t.values();
}

Tensor twice(const Tensor& x) {  // [1,C,H,W] -> [2,C,H,W], two copies
  std::vector<float> v = x.to_vector(), w = v;
  w.insert(w.end(), v.begin(), v.end());
  ds::Shape s = x.shape();
  s[0] = 2;
  return Tensor::from_vector(s, w);
}

}  // namespace

TEST_CASE("transfer loss: terms sum to the total, weights scale their own term, terms are batch means") {
  Nets n;
  ds::LossSpec spec = ds::default_loss_spec("squeezenet", ds::TransferMethod::FeedForward);
  spec.depth_weight = 3;
  spec.depth_layers = {"conv13"};
  spec.depth_layer_weights = {0.5f};
  ds::Rng rng(8);
  Tensor x = rng.uniform_tensor({1, 3, 32, 40}, 0, 1), y = rng.uniform_tensor({1, 3, 32, 40}, 0, 1);
  std::vector<double> t = terms(n, spec, x, y);  // total, content, style_a, style_b, tv, depth
  for (size_t i = 1; i < t.size(); ++i) CHECK(t[i] > 0);
  // The total is a float32 sum of five terms: within a few float32 roundings of the exact sum.
  CHECK(t[0] == doctest::Approx(t[1] + t[2] + t[3] + t[4] + t[5]).epsilon(1e-6));

  // Scaling a weight by 2 (exact in binary floating point) doubles its term, and only it.
  ds::LossSpec s2 = spec;
  s2.content_weight *= 2, s2.tv_weight *= 2;
  std::vector<double> u = terms(n, s2, x, y, 2.0f);
  CHECK(u[1] == 2 * t[1]);
  CHECK(u[2] == t[2]);
  CHECK(u[3] == 2 * t[3]);
  CHECK(u[4] == 2 * t[4]);
  CHECK(u[5] == t[5]);

  // Two copies in a batch: every term as for one copy, up to the float32 rounding of sums of
  // twice as many values (relative 1e-5 covers 2^-24 times the log2 depth of the reductions).
  std::vector<double> b = terms(n, spec, twice(x), twice(y));
  for (size_t i = 0; i < t.size(); ++i) CHECK(b[i] == doctest::Approx(t[i]).epsilon(1e-5));
}

TEST_CASE("transfer loss: without depth terms the depth column is 0, and bad descriptions are errors") {
  Nets n;
  ds::LossSpec spec = ds::default_loss_spec("squeezenet", ds::TransferMethod::Optimisation);
  ds::Rng rng(9);
  Tensor x = rng.uniform_tensor({1, 3, 32, 32}, 0, 1);
  CHECK(terms(n, spec, x, x).back() == 0.0);
  spec.style_layer_weights.pop_back();
  CHECK_THROWS_WITH_AS(terms(n, spec, x, x), doctest::Contains("style: 4 layers but 3 weights"), ds::Error);
  spec = ds::default_loss_spec("vgg16", ds::TransferMethod::Optimisation);
  spec.depth_weight = 1;
  CHECK_THROWS_WITH_AS(ds::TransferLoss(n.net, nullptr, spec, {{"a", x, 1, Tensor()}}, ds::Device::CPU),
                       doctest::Contains("depth network"), ds::Error);
  CHECK_THROWS_WITH_AS(ds::default_loss_spec("alexnet", ds::TransferMethod::FeedForward),
                       doctest::Contains("expected squeezenet or vgg16"), ds::Error);
}
