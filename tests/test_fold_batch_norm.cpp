// Batch norm folded into the convolution before it (nn/models.h, fold_batch_norm), the inference
// form Monodepth2 runs in: the folded float32 convolution against the unfolded network, conv then
// batch norm, evaluated in float64 (tests/oracle.h). The whole folded Monodepth2 is checked against
// PyTorch by the golden test in test_models.cpp.
//
// Tolerance (tests/check.h, float32_tol): the folded conv sums K = Cin/g*kh*kw products in float32
// like any conv; folding adds one rounding to each weight (w·s) and to the bias, which perturb the
// same K products by up to u each: a second random walk of K terms. So K_total = 2K, and S is the
// rms of the output. A wrong scale, shift, eps or channel order moves outputs by O(S).
#include <doctest/doctest.h>

#include <cmath>

#include "autograd/ops.h"
#include "nn/models.h"
#include "tests/check.h"
#include "tests/oracle.h"

using ds::Conv2dParams;
using ds::Shape;
using ds::Tensor;
using ds::Var;
using dst::DTensor;

namespace {

struct ConvBn {
  DTensor x, w, b, gamma, beta, mean, var;
};

// Conv weights N(0, 1/fan_in), batch-norm statistics of the size trained networks have.
ConvBn make_conv_bn(uint64_t seed, const Shape& xs, int64_t cout, int64_t k, int groups) {
  dst::Rng r(seed);
  ConvBn c;
  c.x = r.normal(xs);
  int64_t fan_in = xs[1] / groups * k * k;
  c.w = r.normal({cout, xs[1] / groups, k, k}, 1.0 / std::sqrt(static_cast<double>(fan_in)));
  c.b = r.normal({cout}, 0.5);
  c.gamma = r.uniform({cout}, 0.2, 2.0);
  c.beta = r.normal({cout}, 0.5);
  c.mean = r.normal({cout}, 0.5);
  c.var = r.uniform({cout}, 0.05, 3.0);
  return c;
}

ds::ParamSet param_set(const ConvBn& c, bool conv_bias) {
  std::map<std::string, Tensor> m = {{"c.weight", dst::to_float(c.w)},
                                     {"bn.weight", dst::to_float(c.gamma)},
                                     {"bn.bias", dst::to_float(c.beta)},
                                     {"bn.running_mean", dst::to_float(c.mean)},
                                     {"bn.running_var", dst::to_float(c.var)}};
  if (conv_bias) m["c.bias"] = dst::to_float(c.b);
  return ds::ParamSet(m, "test.h5");
}

}  // namespace

TEST_CASE("fold_batch_norm: the folded convolution matches conv then batch norm in float64") {
  struct Case {
    Shape x;
    int64_t cout, k;
    Conv2dParams p;
    bool bias;
  };
  const Case cases[] = {{{2, 3, 9, 11}, 8, 7, Conv2dParams::make(2, 3), false},   // the ResNet stem
                        {{1, 16, 12, 10}, 16, 3, Conv2dParams::make(1, 1), false},
                        {{1, 16, 12, 10}, 32, 1, Conv2dParams::make(2, 0), false},  // a downsample shortcut
                        {{2, 6, 7, 8}, 9, 3, Conv2dParams::make(1, 1, 1, 3), true}};
  uint64_t seed = 1;
  for (const Case& cs : cases) {
    ConvBn c = make_conv_bn(seed++, cs.x, cs.cout, cs.k, cs.p.groups);
    // Rounded to float32 first, so the oracle sees the inputs the float32 path sees.
    for (DTensor* t : {&c.x, &c.w, &c.b, &c.gamma, &c.beta, &c.mean, &c.var}) *t = dst::to_double(dst::to_float(*t));
    ds::ParamSet p = param_set(c, cs.bias);
    ds::fold_batch_norm(p, "c", "bn", 1e-5f);
    for (const char* k : {"bn.weight", "bn.bias", "bn.running_mean", "bn.running_var"}) CHECK_FALSE(p.has(k));
    Var y = ds::conv2d(Var(dst::to_float(c.x)), p.get("c.weight"), p.get("c.bias"), cs.p);
    DTensor ref = dst::batch_norm_ref(dst::conv2d_ref(c.x, c.w, cs.bias ? &c.b : nullptr, cs.p), c.gamma, c.beta,
                                      c.mean, c.var, 1e-5);
    int64_t k_terms = cs.x[1] / cs.p.groups * cs.k * cs.k;
    dst::Tol tol = dst::float32_tol(ref, 2 * k_terms);
    dst::check_close("folded conv " + ds::shape_str(cs.x), y.value(), ref, tol.atol, tol.rtol);
  }
}

TEST_CASE("fold_batch_norm: bad parameters are clear errors") {
  ConvBn c = make_conv_bn(7, {1, 4, 5, 5}, 6, 3, 1);
  ds::ParamSet missing = param_set(c, false);
  missing.erase("bn.running_var");
  std::string e = dst::error_of([&] { ds::fold_batch_norm(missing, "c", "bn", 1e-5f); });
  CHECK(dst::contains(e, "test.h5"));
  CHECK(dst::contains(e, "bn.running_var"));

  ds::ParamSet wrong = param_set(c, false);
  wrong.set("bn.weight", Tensor::full({5}, 1.0f));
  e = dst::error_of([&] { ds::fold_batch_norm(wrong, "c", "bn", 1e-5f); });
  CHECK(dst::contains(e, "bn.weight"));
  CHECK(dst::contains(e, "[6]"));

  ds::ParamSet negative = param_set(c, false);
  negative.set("bn.running_var", Tensor::full({6}, -1.0f));
  e = dst::error_of([&] { ds::fold_batch_norm(negative, "c", "bn", 1e-5f); });
  CHECK(dst::contains(e, "running_var + eps must be positive"));
}
