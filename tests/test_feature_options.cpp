// The neural-style options in the library: average pooling in the feature networks (nn/models.h)
// against float64 pooling oracles on the previous layer's activation, and the gradient
// normalisation (autograd normalize_gradient, LossSpec::normalize_gradients) against its
// formula in float64 (jcjohnson/neural-style: dx = w * d / (||d||_1 + 1e-8), d = dL/dx).
#include <cmath>

#include "check.h"
#include "losses/losses.h"
#include "losses/transfer_loss.h"
#include "tensor/random.h"

using dst::DTensor;
using ds::Tensor;
using ds::Var;

namespace {

// Max or average (over the window clipped to the input: no padding here) of k x k windows,
// stride s, floor or ceil output size (PyTorch's rule: the last window starts inside).
DTensor pool_oracle(const DTensor& x, int k, int s, bool ceil_mode, bool avg) {
  auto out = [&](int64_t n) {
    int64_t o = (ceil_mode ? (n - k + s - 1) / s : (n - k) / s) + 1;
    return (ceil_mode && (o - 1) * s >= n) ? o - 1 : o;
  };
  DTensor y({x.dim(0), x.dim(1), out(x.dim(2)), out(x.dim(3))});
  for (int64_t n = 0; n < y.dim(0); ++n)
    for (int64_t c = 0; c < y.dim(1); ++c)
      for (int64_t i = 0; i < y.dim(2); ++i)
        for (int64_t j = 0; j < y.dim(3); ++j) {
          double sum = 0, best = -INFINITY, count = 0;
          for (int64_t h = i * s; h < std::min<int64_t>(i * s + k, x.dim(2)); ++h)
            for (int64_t w = j * s; w < std::min<int64_t>(j * s + k, x.dim(3)); ++w)
              sum += x.at(n, c, h, w), best = std::max(best, x.at(n, c, h, w)), ++count;
          y.at(n, c, i, j) = avg ? sum / count : best;
        }
  return y;
}

// Each (previous layer, pool layer, kernel, stride, ceil_mode) of a network: the pool's output
// against the oracle on the previous activation. Error model: a mean of at most 9 float32
// values, summed in double and rounded once: relative 2^-24; atol 1e-6 at activations O(1).
struct PoolTap {
  std::string before, pool;
  int k, s;
  bool ceil_mode;
};

void check_pools(const ds::LayerNet& net, const Tensor& x, const std::vector<PoolTap>& taps, bool avg) {
  std::vector<std::string> names;
  for (const PoolTap& t : taps) names.push_back(t.before), names.push_back(t.pool);
  ds::NoGradGuard ng;
  std::map<std::string, Var> f = net.run(Var(x), names);
  for (const PoolTap& t : taps) {
    DTensor want = pool_oracle(dst::to_double(f.at(t.before).value()), t.k, t.s, t.ceil_mode, avg);
    dst::check_close(net.arch() + " " + t.pool + (avg ? " (avg)" : " (max)"), f.at(t.pool).value(), want, 1e-6, 1e-6);
  }
}

}  // namespace

TEST_CASE("pooling: avg replaces every feature pool by the average over the same windows; max stays the default") {
  ds::ParamSet sq = ds::synthetic_params(ds::squeezenet1_1_param_shapes(false));
  // 38x40: conv1 gives 18x19, so pool1's ceil_mode windows overhang the bottom edge.
  Tensor x = dst::to_float(dst::Rng(7).uniform({1, 3, 38, 40}, -1, 1));
  std::vector<PoolTap> sq_taps = {{"relu1", "pool1", 3, 2, true}, {"fire3", "pool3", 3, 2, true}, {"fire5", "pool5", 3, 2, true}};
  check_pools(ds::squeezenet1_1(sq), x, sq_taps, false);
  check_pools(ds::squeezenet1_1(sq, true, ds::Pooling::Max), x, sq_taps, false);
  check_pools(ds::squeezenet1_1(sq, true, ds::Pooling::Avg), x, sq_taps, true);
  check_pools(ds::squeezenet1_1(sq, false, ds::Pooling::Avg), x, {{"relu1", "pool1", 3, 2, false}}, true);

  ds::ParamSet vgg = ds::synthetic_params(ds::vgg16_param_shapes());
  Tensor xv = dst::to_float(dst::Rng(8).uniform({1, 3, 34, 36}, -1, 1));
  std::vector<PoolTap> vgg_taps;
  for (int b = 1; b <= 5; ++b)
    vgg_taps.push_back({"relu" + std::to_string(b) + (b <= 2 ? "_2" : "_3"), "pool" + std::to_string(b), 2, 2, false});
  check_pools(ds::vgg16_features(vgg), xv, vgg_taps, false);
  check_pools(ds::vgg16_features(vgg, ds::Pooling::Avg), xv, vgg_taps, true);

  // The layers after a pool see its new output: fire4 differs between the two.
  ds::NoGradGuard ng;
  std::vector<float> a = ds::squeezenet1_1(sq).run(Var(x), {"fire4"}).at("fire4").value().to_vector();
  std::vector<float> b = ds::squeezenet1_1(sq, true, ds::Pooling::Avg).run(Var(x), {"fire4"}).at("fire4").value().to_vector();
  CHECK(a != b);
  CHECK(ds::parse_pooling("avg") == ds::Pooling::Avg);
  CHECK_THROWS_WITH_AS(ds::parse_pooling("mean"), doctest::Contains("expected max or avg"), ds::Error);
}

TEST_CASE("normalize_gradient: identity forward; backward w * d / (||d||_1 + 1e-8) in float64") {
  // L = sum(c * y) with y = normalize_gradient(x, w): d = dL/dy = c. Scales from large to
  // below the 1e-8 guard, where it matters. Error model: the L1 sum of <= 120 float32 values
  // in double, one division, one float rounding: relative 1e-6.
  for (double scale : {1e3, 1.0, 1e-10}) {
    for (float w : {0.0f, 1.0f, 250.0f}) {
      CAPTURE(scale);
      CAPTURE(w);
      DTensor c = dst::Rng(9).normal({2, 3, 4, 5}, scale);
      Var x(dst::to_float(dst::Rng(10).normal({2, 3, 4, 5})), true);
      Var y = ds::normalize_gradient(x, w);
      CHECK(y.value().to_vector() == x.value().to_vector());
      (ds::sum(y * Var(dst::to_float(c))) * w).backward();
      DTensor cf = dst::to_double(dst::to_float(c)), want(c.shape);
      double l1 = 0;
      for (double v : cf.v) l1 += std::fabs(v);
      for (size_t i = 0; i < want.v.size(); ++i) want.v[i] = w * cf.v[i] / (l1 + 1e-8);
      dst::check_close("gradient", x.grad(), want, 0, 1e-6);
    }
  }
  // Through a real term: the content loss, d = y - target.
  Tensor t = dst::to_float(dst::Rng(11).normal({1, 4, 3, 3}));
  Var x(dst::to_float(dst::Rng(12).normal({1, 4, 3, 3})), true);
  (ds::content_loss(ds::normalize_gradient(x, 3.0f), Var(t)) * 3.0f).backward();
  DTensor d = dst::to_double(x.value()), td = dst::to_double(t);
  double l1 = 0;
  for (size_t i = 0; i < d.v.size(); ++i) d.v[i] -= td.v[i], l1 += std::fabs(d.v[i]);
  for (double& v : d.v) v = 3.0 * v / (l1 + 1e-8);
  dst::check_close("content-loss gradient", x.grad(), d, 1e-7, 1e-5);
  CHECK_THROWS_WITH_AS(ds::normalize_gradient(x, -1.0f), doctest::Contains("must be a finite number >= 0"), ds::Error);
}

TEST_CASE("normalize_gradient: CUDA gives the CPU's gradient") {
  if (dst::skip_without_cuda("normalize_gradient")) return;
  DTensor c = dst::Rng(14).normal({2, 8, 5, 7}), x = dst::Rng(15).normal({2, 8, 5, 7});
  std::vector<float> grads[2];
  for (ds::Device dev : {ds::Device::CPU, ds::Device::CUDA}) {
    Var xv(dst::to_float(x, dev), true);
    (ds::sum(ds::normalize_gradient(xv, 7.0f) * Var(dst::to_float(c, dev))) * 7.0f).backward();
    grads[dev == ds::Device::CUDA] = xv.grad().to_vector();
  }
  // The L1 sums of 560 values differ by summation order only: relative 1e-6.
  DTensor cpu(c.shape);
  for (size_t i = 0; i < cpu.v.size(); ++i) cpu.v[i] = grads[0][i];
  dst::check_close("CUDA gradient", std::vector<double>(grads[1].begin(), grads[1].end()), cpu, 0, 1e-5);
}

namespace {

// The gradient of a TransferLoss (one style) with respect to the pastiche y.
DTensor image_gradient(const ds::FeatureNet& net, const ds::LossSpec& spec, const Tensor& style, const Tensor& x,
                       const Tensor& y, std::vector<double>* terms) {
  ds::StyleImage s;
  s.name = "s";
  s.image = style;
  ds::TransferLoss loss(net, nullptr, spec, {s}, ds::Device::CPU);
  Var yv(y.clone(), true);
  ds::LossTerms t;
  loss.total(yv, loss.reference(Var(x)), &t).backward();
  *terms = t.values();
  return dst::to_double(yv.grad());
}

// ||dL/df||_1 of an unweighted term L at the features f of y: the content loss, or the style
// loss of style layer `layer` (f a leaf, so its gradient is d itself).
double term_l1(const ds::FeatureNet& net, const ds::LossSpec& spec, const Tensor& style, const Tensor& x,
               const Tensor& y, bool content) {
  std::string layer = content ? spec.content_layer : spec.style_layers[0];
  Tensor fy, fx;
  {
    ds::NoGradGuard ng;
    fy = net.run(Var(y), {layer}).at(layer).value();
    fx = net.run(Var(content ? x : style), {layer}).at(layer).value();
  }
  Var f(fy, true);
  Var term = content ? ds::content_loss(f, Var(fx)) : ds::style_loss_from_grams(ds::gram_over_m(f), ds::gram_over_m(Var(fx)));
  term.backward();
  double l1 = 0;
  for (float v : f.grad().to_vector()) l1 += std::fabs(v);
  return l1;
}

}  // namespace

TEST_CASE("transfer loss: normalize_gradients divides each term's image gradient by its own ||dL/df||_1") {
  ds::FeatureNet net{"squeezenet", ds::squeezenet1_1(ds::synthetic_params(ds::squeezenet1_1_param_shapes(false))),
                     ds::Preprocess::imagenet()};
  ds::Rng rng(13);
  Tensor x = rng.uniform_tensor({1, 3, 40, 48}, 0, 1), y = rng.uniform_tensor({1, 3, 40, 48}, 0, 1);
  Tensor style = rng.uniform_tensor({1, 3, 36, 36}, 0, 1);
  ds::LossSpec spec = ds::default_loss_spec("squeezenet", ds::TransferMethod::Optimisation);
  spec.style_layers = {"fire3"};
  spec.style_layer_weights = {2000};
  spec.tv_weight = 0;
  // The image gradient is linear in the gradient at the features, so with normalisation each
  // term's plain image gradient (weight w, feature gradient w*d) is divided by ||d||_1 + 1e-8.
  // (The guard matters here: ||d||_1 of the style term is about 5e-5.)
  ds::LossSpec content_only = spec, style_only = spec;
  content_only.style_weight = 0;
  style_only.content_weight = 0;
  std::vector<double> t_plain, t_norm, ignored;
  DTensor g_content = image_gradient(net, content_only, style, x, y, &ignored);
  DTensor g_style = image_gradient(net, style_only, style, x, y, &ignored);
  DTensor g_plain = image_gradient(net, spec, style, x, y, &t_plain);
  ds::LossSpec norm = spec;
  norm.normalize_gradients = true;
  DTensor g_norm = image_gradient(net, norm, style, x, y, &t_norm);
  double d_content = term_l1(net, spec, style, x, y, true), d_style = term_l1(net, spec, style, x, y, false);
  DTensor want(g_norm.shape), sum_parts(g_norm.shape);
  for (size_t i = 0; i < want.v.size(); ++i) {
    want.v[i] = g_content.v[i] / (d_content + 1e-8) + g_style.v[i] / (d_style + 1e-8);
    sum_parts.v[i] = g_content.v[i] + g_style.v[i];
  }
  // Tolerances: float32 backward through the same network both ways; the norms are float
  // sums of ~1e4 terms (relative 1e-5), the gradients' own rounding relative 1e-5.
  double scale = 0;
  for (double v : want.v) scale = std::max(scale, std::fabs(v));
  dst::check_close("normalised image gradient", g_norm.v, want, 1e-4 * scale, 1e-4);
  // Without the flag nothing changes: the plain gradient is the sum of the terms' gradients,
  // and the values are the same either way (the op is the identity forward).
  double plain_scale = 0;
  for (double v : sum_parts.v) plain_scale = std::max(plain_scale, std::fabs(v));
  dst::check_close("plain image gradient", g_plain.v, sum_parts, 1e-5 * plain_scale, 1e-5);
  CHECK(t_norm == t_plain);
}
