// Op table: pooling, batch and instance norm, nearest and bilinear resizing, padding, concat.
//
// CPU tolerances: the float32 model of tests/check.h, with K, the terms summed in float32
// into one output, stated per group (1 by default: copies, short chains, sums in double).
//
// Finite differences run on cases whose inputs total fewer than kFdElements (each costs
// 2*numel oracle calls); every parameter is covered by at least one such small case. Each
// group also has a large case (2x35x37x41 or similar) for the CUDA comparison.
#include <algorithm>
#include <cmath>
#include <limits>

#include "tensor/kernels.h"
#include "tests/op_table.h"
#include "tests/oracle.h"

namespace dst {
namespace {

using ds::Pad2dParams;
using ds::PadMode;
using ds::Pool2dParams;
using Run = std::function<Var(const std::vector<Var>&)>;
using Oracle = std::function<DTensor(const std::vector<DTensor>&)>;

constexpr int64_t kFdElements = 2500;
const Shape kLarge = {2, 35, 37, 41};

OpCase make_case(const std::string& name, std::vector<Shape> inputs, Run run, Oracle oracle) {
  OpCase c;
  c.name = name;
  int64_t total = 0;
  for (const Shape& s : inputs) total += ds::shape_numel(s);
  c.inputs = std::move(inputs);
  c.run = std::move(run);
  c.oracle = std::move(oracle);
  c.finite_differences = total < kFdElements;
  return c;
}

// Distinct values (a shuffled even grid in [-3, 3)), so every max-pool window has a unique
// maximum and finite differences never straddle a tie.
DTensor distinct(Rng& r, size_t, const Shape& s) {
  DTensor d(s);
  double n = static_cast<double>(d.numel());
  for (size_t i = 0; i < d.v.size(); ++i) d.v[i] = (static_cast<double>(i) + 0.5) / n * 6.0 - 3.0;
  std::shuffle(d.v.begin(), d.v.end(), r.gen);
  return d;
}

Pool2dParams pool(int kh, int kw, int sh, int sw, int ph, int pw, bool ceil_mode, bool include_pad = true) {
  Pool2dParams p;
  p.kh = kh, p.kw = kw, p.stride_h = sh, p.stride_w = sw, p.pad_h = ph, p.pad_w = pw;
  p.ceil_mode = ceil_mode;
  p.count_include_pad = include_pad;
  return p;
}
Pool2dParams pool(int k, int s, int pad, bool ceil_mode, bool include_pad = true) {
  return pool(k, k, s, s, pad, pad, ceil_mode, include_pad);
}

// Shapes and windows shared by max and average pooling: odd sizes, batch > 1, kernel 2/3,
// stride 1/2, rectangular windows, padding, ceil_mode with partial last windows, the
// ceil_mode rule that drops a window starting in the right padding (5 -> 3 with k2 s2 p1),
// and SqueezeNet's 3x3 stride-2 ceil_mode pooling.
const std::vector<std::pair<Shape, Pool2dParams>> kPools = {
    {{1, 1, 4, 4}, pool(2, 2, 0, false)},
    {{2, 3, 7, 9}, pool(3, 2, 1, false)},
    {{2, 5, 6, 7}, pool(3, 1, 1, false)},
    {{2, 3, 7, 6}, pool(3, 2, 2, 1, 1, 0, false)},
    {{1, 3, 7, 8}, pool(3, 2, 0, true)},
    {{2, 2, 8, 8}, pool(3, 2, 1, true)},
    {{1, 2, 5, 5}, pool(2, 2, 1, true)},
    {{1, 3, 12, 13}, pool(3, 2, 0, true)},
    {{2, 3, 6, 5}, pool(2, 3, 1, 2, 1, 1, true)},
    {{1, 8, 55, 55}, pool(3, 2, 0, true)},
    {kLarge, pool(3, 2, 1, true)},
};

std::vector<OpCase> max_pool_cases() {
  std::vector<OpCase> cases;
  for (const auto& [s, p] : kPools) {
    OpCase c = make_case(
        "max_pool2d " + ds::shape_str(s) + " " + p.str(), {s},
        [p = p](const std::vector<Var>& v) { return ds::max_pool2d(v[0], p); },
        [p = p](const std::vector<DTensor>& x) { return max_pool2d_ref(x[0], p); });
    c.make_input = distinct;
    // Max pooling picks values (exact); an input's gradient adds those of the up to kh*kw
    // windows it wins.
    c.grad_sum_terms = {p.kh * p.kw};
    cases.push_back(c);
  }
  return cases;
}

std::vector<OpCase> avg_pool_cases() {
  std::vector<OpCase> cases;
  for (auto [s, p] : kPools) {
    bool matters = p.pad_h > 0 || p.pad_w > 0 || p.ceil_mode;  // count_include_pad changes nothing otherwise
    for (bool include : {true, false}) {
      if (!include && !matters) continue;
      p.count_include_pad = include;
      OpCase c = make_case(
          "avg_pool2d " + ds::shape_str(s) + " " + p.str() + (include ? " count_include_pad" : " exclude_pad"), {s},
          [p = p](const std::vector<Var>& v) { return ds::avg_pool2d(v[0], p); },
          [p = p](const std::vector<DTensor>& x) { return avg_pool2d_ref(x[0], p); });
      // A window sums kh*kw inputs; an input's gradient gathers shares of at most kh*kw windows.
      c.sum_terms = p.kh * p.kw;
      c.grad_sum_terms = {p.kh * p.kw};
      // At most 9 terms per window, summed in another order on the GPU, and a division
      // there versus a reciprocal multiply: a few ulps.
      c.cuda_atol = 2e-6;
      cases.push_back(c);
    }
  }
  return cases;
}

std::vector<OpCase> global_avg_pool_cases() {
  std::vector<OpCase> cases;
  for (const Shape& s : {Shape{1, 1, 1, 1}, Shape{2, 3, 5, 7}, Shape{3, 10, 1, 9}, Shape{1, 4, 13, 1}, kLarge}) {
    OpCase c = make_case(
        "global_avg_pool " + ds::shape_str(s), {s}, [](const std::vector<Var>& v) { return ds::global_avg_pool(v[0]); },
        [](const std::vector<DTensor>& x) { return global_avg_pool_ref(x[0]); });
    // Plane means over up to 1517 terms: the CPU sums in double, the GPU in float in a tree;
    // the mean's error is ~sqrt(HW) ulps of the partial sums divided by HW, far below 1e-6.
    c.cuda_atol = 1e-6;
    cases.push_back(c);
  }
  return cases;
}

// Batch norm's running statistics are not differentiable inputs: each case draws them from
// its own seed, rounded to float, and the oracle and the op share them.
std::vector<OpCase> batch_norm_cases() {
  struct Spec {
    Shape x;
    bool affine;
    std::vector<bool> grads;
    float eps;
  };
  const Spec specs[] = {{{2, 3, 5, 7}, true, {}, 1e-5f},
                        {{1, 10, 4, 6}, false, {}, 1e-3f},
                        {{3, 13, 3, 4}, true, {true, false, true}, 1e-5f},
                        {{2, 5, 3, 3}, true, {false, true, true}, 0.1f},
                        {kLarge, true, {}, 1e-5f}};
  std::vector<OpCase> cases;
  uint64_t seed = 100;
  for (const Spec& sp : specs) {
    int64_t C = sp.x[1];
    Rng r(seed++);
    DTensor mean = r.normal({C}, 0.5), var = r.uniform({C}, 0.2, 2.0);
    for (DTensor* d : {&mean, &var})
      for (double& v : d->v) v = static_cast<float>(v);
    std::vector<Shape> inputs{sp.x};
    if (sp.affine) inputs.insert(inputs.end(), {{C}, {C}});
    float eps = sp.eps;
    OpCase c = make_case(
        "batch_norm " + ds::shape_str(sp.x) + (sp.affine ? " affine" : " no affine") + " eps " + std::to_string(eps),
        inputs,
        [mean, var, eps](const std::vector<Var>& v) {
          Var g = v.size() > 1 ? v[1] : Var(), b = v.size() > 1 ? v[2] : Var();
          return ds::batch_norm(v[0], g, b, to_float(mean, v[0].device()), to_float(var, v[0].device()), eps);
        },
        [mean, var, eps, C](const std::vector<DTensor>& x) {
          DTensor one({C}, 1.0), zero({C}, 0.0);
          return batch_norm_ref(x[0], x.size() > 1 ? x[1] : one, x.size() > 1 ? x[2] : zero, mean, var, eps);
        });
    c.grad_inputs = sp.grads;
    // gamma/beta gradients are sums over N*H*W (up to ~3000 terms) done by reduce_sum_to,
    // in another order on the GPU; values reach ~50, so a relative tolerance dominates.
    c.cuda_atol = 1e-5;
    c.cuda_rtol = 1e-4;
    cases.push_back(c);
  }
  return cases;
}

std::vector<OpCase> instance_norm_cases() {
  struct Spec {
    Shape x;
    bool affine;
    std::vector<bool> grads;
    float eps;
  };
  const Spec specs[] = {{{2, 3, 5, 7}, true, {}, 1e-5f},
                        {{1, 10, 4, 6}, false, {}, 1e-5f},
                        {{2, 5, 6, 3}, true, {}, 1e-3f},
                        {{3, 5, 1, 3}, true, {}, 0.1f},
                        {{2, 3, 4, 4}, true, {false, true, false}, 1e-5f},
                        {{2, 4, 3, 5}, true, {true, false, true}, 1e-2f},
                        {kLarge, true, {}, 1e-5f},
                        {kLarge, false, {}, 1e-3f}};
  std::vector<OpCase> cases;
  for (const Spec& sp : specs) {
    int64_t C = sp.x[1];
    std::vector<Shape> inputs{sp.x};
    if (sp.affine) inputs.insert(inputs.end(), {{C}, {C}});
    float eps = sp.eps;
    OpCase c = make_case(
        "instance_norm " + ds::shape_str(sp.x) + (sp.affine ? " affine" : " no affine") + " eps " + std::to_string(eps),
        inputs,
        [eps](const std::vector<Var>& v) {
          return v.size() > 1 ? ds::instance_norm(v[0], v[1], v[2], eps) : ds::instance_norm(v[0], Var(), Var(), eps);
        },
        [eps](const std::vector<DTensor>& x) {
          return x.size() > 1 ? instance_norm_ref(x[0], &x[1], &x[2], eps)
                              : instance_norm_ref(x[0], nullptr, nullptr, eps);
        });
    // A non-zero plane mean (x ~ 2 + N(0,1)) exercises the centring; gamma near 1.
    c.make_input = [](Rng& r, size_t i, const Shape& s) {
      DTensor d = r.normal(s);
      for (double& v : d.v) v += i == 0 ? 2.0 : (i == 1 ? 1.0 : 0.0);
      return d;
    };
    c.grad_inputs = sp.grads;  // plane statistics and dgamma/dbeta are sums in double: K = 1
    // Plane statistics over up to 1517 pixels and dgamma/dbeta sums over N*H*W are reduced
    // in float trees on the GPU (double on the CPU); outputs are O(1) and dgamma ~50.
    c.cuda_atol = 1e-4;
    c.cuda_rtol = 1e-4;
    cases.push_back(c);
  }
  return cases;
}

// `taps` source pixels per axis feed an output (1 nearest, 2 bilinear): an output sums taps^2
// terms; an input is a tap of at most taps * ceil(out / in) outputs per axis, whose gradients
// its own sums in float32.
template <class Op, class Ref>
std::vector<OpCase> resize_cases(const char* what, int64_t taps,
                                 const std::vector<std::pair<Shape, std::pair<int64_t, int64_t>>>& specs, Op op,
                                 Ref ref) {
  std::vector<OpCase> cases;
  for (const auto& [s, hw] : specs) {
    int64_t h = hw.first, w = hw.second;
    OpCase c = make_case(
        std::string(what) + " " + ds::shape_str(s) + " -> " + std::to_string(h) + "x" + std::to_string(w), {s},
        [op, h, w](const std::vector<Var>& v) { return op(v[0], h, w); },
        [ref, h, w](const std::vector<DTensor>& x) { return ref(x[0], h, w); });
    c.sum_terms = taps * taps;
    c.grad_sum_terms = {taps * ((h + s[2] - 1) / s[2]) * taps * ((w + s[3] - 1) / s[3])};
    cases.push_back(c);
  }
  return cases;
}

std::vector<OpCase> resize_nearest_cases() {
  // x2, non-integer up, downsampling (integer and not), 1x1 source, identity, large.
  // 2 -> 82 is a width where PyTorch's float index floorf(dst * (2/82.f)) gives 0 at
  // dst 41 but the exact floor(41*2/82) = 1: the contract is the exact one.
  auto cases = resize_cases(
      "resize_nearest", 1,
      {{{1, 2, 5, 7}, {10, 14}},
       {{2, 3, 5, 7}, {8, 11}},
       {{2, 3, 9, 11}, {4, 5}},
       {{1, 3, 7, 6}, {3, 3}},
       {{1, 1, 1, 1}, {3, 2}},
       {{1, 2, 3, 2}, {5, 82}},
       {{2, 5, 6, 6}, {6, 6}},
       {kLarge, {74, 60}}},
      [](const Var& x, int64_t h, int64_t w) { return ds::resize_nearest(x, h, w); }, resize_nearest_ref);
  // Pure copies forward; the backward sums at most ceil(out/in)^2 terms per input: exact
  // up to an ulp of summation order.
  for (OpCase& c : cases) c.cuda_atol = 1e-6;
  return cases;
}

std::vector<OpCase> resize_bilinear_cases() {
  auto cases = resize_cases(
      "resize_bilinear", 2,
      {{{1, 2, 4, 4}, {8, 8}},
       {{2, 3, 7, 9}, {13, 5}},
       {{1, 2, 16, 16}, {37, 29}},
       {{2, 3, 10, 10}, {3, 4}},
       {{1, 3, 5, 6}, {5, 6}},
       {{1, 2, 1, 1}, {3, 4}},
       {{2, 2, 6, 1}, {9, 3}},
       {kLarge, {50, 29}},
       {kLarge, {80, 97}}},
      [](const Var& x, int64_t h, int64_t w) { return ds::resize_bilinear(x, h, w); }, resize_bilinear_ref);
  // Weights are computed in float on the GPU and in double (then rounded) on the CPU, and
  // the backward adds four taps per output in another order: a few ulps of O(1) values.
  for (OpCase& c : cases) c.cuda_atol = 5e-6;
  return cases;
}

Pad2dParams pads(int top, int bottom, int left, int right) {
  Pad2dParams p;
  p.top = top, p.bottom = bottom, p.left = left, p.right = right;
  return p;
}

std::vector<OpCase> pad_cases() {
  const std::tuple<Shape, Pad2dParams, PadMode> specs[] = {
      {{2, 3, 5, 6}, pads(1, 1, 1, 1), PadMode::Reflect},  {{2, 3, 5, 6}, pads(2, 2, 2, 2), PadMode::Reflect},
      {{1, 2, 5, 6}, pads(3, 3, 3, 3), PadMode::Reflect},  {{1, 2, 5, 5}, pads(4, 4, 4, 4), PadMode::Reflect},
      {{1, 2, 4, 5}, pads(1, 3, 2, 0), PadMode::Reflect},  {{2, 1, 2, 3}, pads(1, 1, 2, 0), PadMode::Reflect},
      {{2, 3, 4, 5}, pads(2, 2, 2, 2), PadMode::Zero},     {{1, 2, 4, 5}, pads(0, 1, 2, 3), PadMode::Zero},
      {{1, 2, 6, 7}, pads(-1, -2, -1, -3), PadMode::Zero}, {{2, 2, 5, 6}, pads(2, -1, -2, 1), PadMode::Zero},
      {kLarge, pads(3, 3, 3, 3), PadMode::Reflect},        {kLarge, pads(4, -2, -3, 1), PadMode::Zero},
  };
  std::vector<OpCase> cases;
  for (const auto& [s, p, mode] : specs) {
    OpCase c = make_case(
        std::string(mode == PadMode::Reflect ? "reflect " : "zero ") + ds::shape_str(s) + " " + p.str(), {s},
        [p = p, mode = mode](const std::vector<Var>& v) { return ds::pad2d(v[0], p, mode); },
        [p = p, mode = mode](const std::vector<DTensor>& x) { return pad2d_ref(x[0], p, mode); });
    // Copies forward; reflect backward adds at most 4 terms per input: ulps at most.
    c.grad_sum_terms = {4};
    c.cuda_atol = 1e-6;
    cases.push_back(c);
  }
  return cases;
}

std::vector<OpCase> concat_cases() {
  const std::pair<std::vector<Shape>, std::vector<bool>> specs[] = {
      {{{2, 3, 4, 5}, {2, 5, 4, 5}}, {}},
      {{{1, 1, 3, 3}, {1, 4, 3, 3}, {1, 2, 3, 3}}, {}},
      {{{3, 2, 2, 5}, {3, 7, 2, 5}, {3, 1, 2, 5}}, {true, false, true}},
      {{{1, 6, 5, 4}, {1, 6, 5, 4}}, {false, true}},
      {{{2, 13, 35, 37}, {2, 29, 35, 37}, {2, 6, 35, 37}}, {}},
  };
  std::vector<OpCase> cases;
  for (const auto& [shapes, grads] : specs) {
    std::string name = "concat_channels";
    for (const Shape& s : shapes) name += " " + ds::shape_str(s);
    OpCase c = make_case(
        name, shapes, [](const std::vector<Var>& v) { return ds::concat_channels(v); },
        [](const std::vector<DTensor>& x) { return concat_channels_ref(x); });
    c.grad_inputs = grads;  // pure copies: the default tolerances hold exactly
    cases.push_back(c);
  }
  return cases;
}

// Gradient of sum(max_pool2d(x)) for x of shape [1,1,h,w] holding `values`.
std::vector<float> max_pool_grad(int64_t h, int64_t w, const std::vector<float>& values, const Pool2dParams& p) {
  Var x(Tensor::from_vector({1, 1, h, w}, values), true);
  ds::sum(ds::max_pool2d(x, p)).backward();
  return x.grad().to_vector();
}

}  // namespace

// The table's inputs have no ties; these pin down PyTorch's tie rule: the first maximum of
// each window in row-major order takes the gradient, and overlapping windows accumulate.
TEST_CASE("max_pool2d ties route the gradient to the first maximum") {
  // 2x2 stride 1 on a constant 3x3: each window's first maximum is its top-left element.
  CHECK(max_pool_grad(3, 3, std::vector<float>(9, 1.0f), pool(2, 1, 0, false)) ==
        std::vector<float>{1, 1, 0, 1, 1, 0, 0, 0, 0});
  // The first window has equal maxima at (0,1) and (1,0): row-major order picks (0,1)
  // (column-major would pick (1,0)).
  CHECK(max_pool_grad(2, 4, {0, 5, 5, 0, 5, 0, 0, 0}, pool(2, 2, 0, false)) ==
        std::vector<float>{0, 1, 1, 0, 0, 0, 0, 0});
  // 3x3 stride 2 pad 1 on a constant 3x3: the -inf padding never wins, so each window's
  // first in-bounds element does: windows start at input (0,0), (0,1), (1,0), (1,1).
  CHECK(max_pool_grad(3, 3, std::vector<float>(9, -5.0f), pool(3, 2, 1, false)) ==
        std::vector<float>{1, 1, 0, 1, 1, 0, 0, 0, 0});
  // Overlapping windows accumulate: 3x3 stride 1 pad 1 on a 3x3 with one peak routes all
  // nine outputs' gradients to it.
  std::vector<float> peak(9, 0.0f);
  peak[4] = 1.0f;
  CHECK(max_pool_grad(3, 3, peak, pool(3, 1, 1, false)) == std::vector<float>{0, 0, 0, 0, 9, 0, 0, 0, 0});
}

// A NaN is the maximum of its window, and the first NaN takes the gradient (PyTorch's rule):
// checked on the kernel, since a NaN loss cannot be backpropagated.
TEST_CASE("max_pool2d: a NaN wins its window and the first NaN is recorded") {
  float nan = std::numeric_limits<float>::quiet_NaN();
  // 2x2 windows over [1 NaN 3 4; NaN 2 5 NaN]: window 0 holds NaNs at (0,1) and (1,0), window 1 at (1,3).
  Tensor x = Tensor::from_vector({1, 1, 2, 4}, {1, nan, 3, 4, nan, 2, 5, nan});
  Tensor y = Tensor::empty({1, 1, 1, 2}), argmax = Tensor::empty({1, 1, 1, 2});
  ds::cpu::max_pool2d_forward(x, y, argmax, pool(2, 2, 0, false));
  CHECK(std::isnan(y.to_vector()[0]));
  CHECK(std::isnan(y.to_vector()[1]));
  CHECK(argmax.to_vector() == std::vector<float>{1, 3});  // offsets dh*kw + dw: (0,1) and (1,1)
  Tensor dx = Tensor::empty({1, 1, 2, 4});
  ds::cpu::max_pool2d_backward(argmax, Tensor::from_vector({1, 1, 1, 2}, {10, 20}), dx, pool(2, 2, 0, false));
  CHECK(dx.to_vector() == std::vector<float>{0, 10, 0, 0, 0, 0, 0, 20});
}

// Wide planes go through the kernel's eight-windows-at-a-time path (stride 2, 2x2 or 3x3) and its
// unrolled path; values from {0, 1, 2, NaN} make ties and NaNs common. Oracle: the rule written
// out as plain loops (first maximum in row-major order, the first NaN wins; padding never wins).
TEST_CASE("max_pool2d: ties and NaNs on wide planes follow the first-maximum rule") {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  for (const Pool2dParams& p : {pool(2, 2, 0, false), pool(3, 2, 0, true), pool(3, 2, 1, false), pool(3, 2, 1, true)}) {
    const int64_t h = 7, w = 61;
    std::vector<float> v(static_cast<size_t>(2 * h * w));
    for (size_t i = 0; i < v.size(); ++i) v[i] = (i * 7 + i / 5) % 9 == 4 ? nan : static_cast<float>((i * 5 + i / 3) % 3);
    Tensor x = Tensor::from_vector({1, 2, h, w}, v);
    const int64_t oh = p.out_h(static_cast<int>(h)), ow = p.out_w(static_cast<int>(w));
    Tensor y = Tensor::empty({1, 2, oh, ow}), argmax = Tensor::empty({1, 2, oh, ow});
    ds::cpu::max_pool2d_forward(x, y, argmax, p);
    std::vector<float> got = y.to_vector(), got_arg = argmax.to_vector();
    int64_t bad = 0;
    for (int64_t c = 0; c < 2; ++c)
      for (int64_t i = 0; i < oh; ++i)
        for (int64_t j = 0; j < ow; ++j) {
          float best = -std::numeric_limits<float>::infinity();
          int64_t best_off = -1;
          for (int64_t r = 0; r < p.kh; ++r)
            for (int64_t q = 0; q < p.kw; ++q) {
              int64_t hh = i * p.stride_h - p.pad_h + r, ww = j * p.stride_w - p.pad_w + q;
              if (hh < 0 || hh >= h || ww < 0 || ww >= w) continue;
              float e = v[static_cast<size_t>((c * h + hh) * w + ww)];
              if (best_off >= 0 && std::isnan(best)) continue;  // the first NaN stays
              if (best_off < 0 || std::isnan(e) || e > best) best = e, best_off = r * p.kw + q;
            }
          size_t k = static_cast<size_t>((c * oh + i) * ow + j);
          bool same = std::isnan(best) ? std::isnan(got[k]) : got[k] == best;
          if (!same || got_arg[k] != static_cast<float>(best_off)) ++bad;
        }
    INFO(p.str());
    CHECK(bad == 0);
  }
}

// The eight-window path (stride 2) runs while ws + k + 15 <= W: widths 16..40 put its last step,
// the unrolled windows and the border windows at every column; strides 1 and 3 take the
// unrolled windows alone. Values rise (or fall) by 100 per row and by
// 10^4 per plane, distinct within a row, so a window that reads past its row or plane end picks
// a wrong maximum. Oracle: each window's maximum and the gradient routed to it, as plain loops;
// maxima are exact and dx sums at most 9 small integers, so both are compared exactly.
TEST_CASE("max_pool2d 2x2 and 3x3: widths 16 to 40, strides 1-3, every pad and ceil_mode, forward and backward") {
  const int64_t h = 5, planes = 2;
  for (int k : {2, 3})
    for (int stride : {1, 2, 3})
      for (int pad : {0, 1})
        for (bool ceil : {false, true})
          for (double rise : {100.0, -100.0})
            for (int64_t w = 16; w <= 40; ++w) {
              const Pool2dParams p = pool(k, stride, pad, ceil);
              const int64_t oh = p.out_h(static_cast<int>(h)), ow = p.out_w(static_cast<int>(w));
              std::vector<float> v(static_cast<size_t>(planes * h * w)), g(static_cast<size_t>(planes * oh * ow));
              for (size_t i = 0; i < v.size(); ++i) {
                const int64_t c = static_cast<int64_t>(i) / (h * w), r = static_cast<int64_t>(i) / w % h;
                v[i] = static_cast<float>(1e4 * c + rise * r + (static_cast<int64_t>(i) % w * 37 + r * 11) % 41);
              }
              for (size_t i = 0; i < g.size(); ++i) g[i] = static_cast<float>(i % 13 + 1);
              Tensor x = Tensor::from_vector({1, planes, h, w}, v), dy = Tensor::from_vector({1, planes, oh, ow}, g);
              Tensor y = Tensor::empty({1, planes, oh, ow}), argmax = Tensor::empty({1, planes, oh, ow});
              Tensor dx = Tensor::empty({1, planes, h, w});
              ds::cpu::max_pool2d_forward(x, y, argmax, p);
              ds::cpu::max_pool2d_backward(argmax, dy, dx, p);
              std::vector<double> want_dx(v.size(), 0.0);
              std::vector<float> got = y.to_vector(), got_arg = argmax.to_vector(), got_dx = dx.to_vector();
              int64_t bad = 0;
              for (int64_t c = 0; c < planes; ++c)
                for (int64_t i = 0; i < oh; ++i)
                  for (int64_t j = 0; j < ow; ++j) {
                    double best = -std::numeric_limits<double>::infinity();
                    int64_t best_off = -1, best_at = -1;
                    for (int64_t r = 0; r < k; ++r)
                      for (int64_t q = 0; q < k; ++q) {
                        const int64_t hh = stride * i - pad + r, ww = stride * j - pad + q, at = (c * h + hh) * w + ww;
                        if (hh < 0 || hh >= h || ww < 0 || ww >= w || !(v[static_cast<size_t>(at)] > best)) continue;
                        best = v[static_cast<size_t>(at)], best_off = r * k + q, best_at = at;
                      }
                    const size_t o = static_cast<size_t>((c * oh + i) * ow + j);
                    want_dx[static_cast<size_t>(best_at)] += g[o];
                    if (got[o] != best || got_arg[o] != static_cast<float>(best_off)) ++bad;
                  }
              for (size_t i = 0; i < v.size(); ++i) bad += got_dx[i] != want_dx[i];
              INFO(p.str() << ", width " << w << ", rows rising by " << rise);
              REQUIRE(bad == 0);
            }
}

OP_TESTS(max_pool_cases, "max_pool2d")
OP_TESTS(avg_pool_cases, "avg_pool2d")
OP_TESTS(global_avg_pool_cases, "global_avg_pool")
OP_TESTS(batch_norm_cases, "batch_norm")
OP_TESTS(instance_norm_cases, "instance_norm")
OP_TESTS(resize_nearest_cases, "resize_nearest")
OP_TESTS(resize_bilinear_cases, "resize_bilinear")
OP_TESTS(pad_cases, "pad2d")
OP_TESTS(concat_cases, "concat_channels")

}  // namespace dst
