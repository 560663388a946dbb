// Op table: activations, broadcasting binary ops, scale_add, sum, mean, MSE, Gram.
// CPU tolerances: the float32 model of tests/check.h. Pointwise ops are short chains of
// roundings (K = 1); sum, mean, MSE and broadcast gradients accumulate in double (K = 1);
// the Gram matrix sums H*W products in float32 through the GEMM.
#include <omp.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "tensor/cpu/gemm.h"
#include "tensor/kernels.h"
#include "tests/op_table.h"
#include "tests/oracle.h"

namespace dst {
namespace {

using ds::Act;
using ds::BinOp;

const std::vector<Shape> kShapes = {{1, 1, 1, 1}, {2, 3, 5, 7}, {3, 13, 9, 11}, {1, 70, 33, 35}};

std::vector<OpCase> activation_cases() {
  std::vector<OpCase> cases;
  const std::pair<Act, float> acts[] = {
      {Act::Relu, 1.f}, {Act::Relu6, 1.f}, {Act::Elu, 1.f}, {Act::Elu, 0.5f}, {Act::Sigmoid, 1.f}, {Act::Tanh, 1.f}};
  for (auto [act, alpha] : acts)
    for (const Shape& s : kShapes) {
      OpCase c;
      c.name = std::string(ds::act_name(act)) + " alpha " + std::to_string(alpha) + " " + ds::shape_str(s);
      c.inputs = {s};
      c.run = [act = act, alpha = alpha](const std::vector<Var>& v) { return ds::activation(v[0], act, alpha); };
      c.oracle = [act = act, alpha = alpha](const std::vector<DTensor>& x) { return activation_ref(x[0], act, alpha); };
      // relu6 needs values beyond 6 to test its upper clip.
      c.make_input = [](Rng& r, size_t, const Shape& sh) { return r.normal(sh, 4.0); };
      c.finite_differences = ds::shape_numel(s) < 2000;
      // The gradient w * f'(x) takes f' from the output, where sigmoid's 1 - y and tanh's 1 - y^2
      // cancel to an absolute error ~u, times w ~ N(0,1): S = rms(w) = 1, not the gradient's rms.
      c.grad_min_scale = 1.0;
      c.cuda_rtol = 2e-6;  // expf/tanhf differ from the CPU's libm by an ulp or two
      cases.push_back(c);
    }
  return cases;
}

std::vector<OpCase> binary_cases() {
  std::vector<OpCase> cases;
  // (a, b): same shape, per-channel, scalar, per-pixel mask over channels, both broadcasting, lower rank.
  const std::pair<Shape, Shape> pairs[] = {{{2, 3, 5, 7}, {2, 3, 5, 7}}, {{2, 3, 5, 7}, {1, 3, 1, 1}},
                                           {{2, 3, 5, 7}, {1}},          {{2, 5, 4, 6}, {2, 1, 4, 6}},
                                           {{2, 1, 4, 1}, {1, 3, 1, 5}}, {{3, 40, 30, 31}, {40, 1, 1}}};
  for (BinOp op : {BinOp::Add, BinOp::Sub, BinOp::Mul, BinOp::Div})
    for (const auto& [sa, sb] : pairs) {
      OpCase c;
      c.name = std::string(ds::binop_name(op)) + " " + ds::shape_str(sa) + " by " + ds::shape_str(sb);
      c.inputs = {sa, sb};
      c.run = [op](const std::vector<Var>& v) { return ds::binary(op, v[0], v[1]); };
      c.oracle = [op](const std::vector<DTensor>& x) { return binary_ref(op, x[0], x[1]); };
      // Divisors are kept away from zero so the quotient is well conditioned.
      c.make_input = [op](Rng& r, size_t i, const Shape& sh) {
        if (op == BinOp::Div && i == 1) {
          DTensor d = r.uniform(sh, 0.5, 2.0);
          for (double& v : d.v) v *= r.uniform(0, 1) < 0.5 ? -1 : 1;
          return d;
        }
        return r.normal(sh);
      };
      c.finite_differences = ds::shape_numel(sa) < 2000;
      c.cuda_rtol = 1e-5;  // reductions of broadcast gradients run in another order on the GPU
      cases.push_back(c);
    }
  OpCase s;
  s.name = "scale_add alpha -1.5 beta 0.25";
  s.inputs = {{2, 3, 5, 7}};
  s.run = [](const std::vector<Var>& v) { return ds::scale_add(v[0], -1.5f, 0.25f); };
  s.oracle = [](const std::vector<DTensor>& x) { return scale_add_ref(x[0], -1.5, 0.25); };
  cases.push_back(s);
  return cases;
}

std::vector<OpCase> reduction_cases() {
  std::vector<OpCase> cases;
  for (const Shape& s : {Shape{2, 3, 5, 7}, Shape{1, 17, 31, 29}, Shape{5}}) {
    OpCase c;
    c.name = "sum " + ds::shape_str(s);
    c.inputs = {s};
    c.run = [](const std::vector<Var>& v) { return ds::sum(v[0]); };
    c.oracle = [](const std::vector<DTensor>& x) { return sum_ref(x[0]); };
    c.finite_differences = ds::shape_numel(s) < 2000;
    c.cuda_atol = 1e-4;  // a sum of ~1e4 terms: the GPU's tree order differs
    cases.push_back(c);
    c.name = "mean " + ds::shape_str(s);
    c.run = [](const std::vector<Var>& v) { return ds::mean(v[0]); };
    c.oracle = [](const std::vector<DTensor>& x) { return mean_ref(x[0]); };
    cases.push_back(c);
    c.name = "mse " + ds::shape_str(s);
    c.inputs = {s, s};
    c.run = [](const std::vector<Var>& v) { return ds::mse_loss(v[0], v[1]); };
    c.oracle = [](const std::vector<DTensor>& x) { return mse_ref(x[0], x[1]); };
    cases.push_back(c);
  }
  return cases;
}

std::vector<OpCase> gram_cases() {
  std::vector<OpCase> cases;
  // [2, 67, 19, 23]: SYRK blocks with a remainder (own GEMM); [1, 6, 90, 92]: 8280 pixels, cut
  // into two chunks whose partial Grams are added (gram.cpp).
  for (const Shape& s : {Shape{1, 3, 4, 5}, Shape{2, 5, 7, 3}, Shape{2, 67, 19, 23}, Shape{1, 6, 90, 92}}) {
    OpCase c;
    double scale = 1.0 / static_cast<double>(s[1] * s[2] * s[3]);
    c.name = "gram " + ds::shape_str(s) + " scale 1/CHW";
    c.inputs = {s};
    c.run = [scale](const std::vector<Var>& v) { return ds::gram(v[0], static_cast<float>(scale)); };
    c.oracle = [scale](const std::vector<DTensor>& x) { return gram_ref(x[0], scale); };
    c.finite_differences = ds::shape_numel(s) < 2000;
    c.sum_terms = s[2] * s[3];        // G[i][j] = scale * sum over pixels of F[i] F[j]
    c.grad_sum_terms = {s[1]};        // dF = scale * (W + W^T) F sums over channels
    c.cuda_atol = 1e-5;
    c.cuda_rtol = 1e-4;  // inner products of length H*W summed in another order by cuBLAS
    cases.push_back(c);
  }
  return cases;
}

// The fused style loss: coef * sum((gram(f, scale) - t)^2), checked against the float64 Gram and
// a plain sum; t gets no gradient. Scale and coef as the style loss uses them (1/M, 1/(4C^2)).
std::vector<OpCase> gram_mse_cases() {
  std::vector<OpCase> cases;
  for (const Shape& s : {Shape{1, 3, 4, 5}, Shape{2, 5, 7, 3}, Shape{1, 67, 19, 23}, Shape{1, 6, 90, 92}}) {
    OpCase c;
    double scale = 1.0 / static_cast<double>(s[2] * s[3]), coef = 1.0 / (4.0 * static_cast<double>(s[1] * s[1]));
    c.name = "gram_mse " + ds::shape_str(s) + " scale 1/HW coef 1/4C^2";
    c.inputs = {s, {s[0], s[1], s[1]}};
    c.grad_inputs = {true, false};
    c.run = [scale, coef](const std::vector<Var>& v) {
      return ds::gram_mse(v[0], v[1], static_cast<float>(scale), static_cast<float>(coef));
    };
    c.oracle = [scale, coef](const std::vector<DTensor>& x) {
      DTensor g = gram_ref(x[0], scale), y(Shape{1});
      for (size_t i = 0; i < g.v.size(); ++i) y.v[0] += (g.v[i] - x[1].v[i]) * (g.v[i] - x[1].v[i]);
      y.v[0] *= coef;
      return y;
    };
    c.finite_differences = ds::shape_numel(s) < 2000;
    // The Gram's float32 sums over H*W pixels dominate the forward; its gradient sums over
    // channels (scale (R + R^T) F), as in the gram cases.
    c.sum_terms = s[2] * s[3];
    c.grad_sum_terms = {s[1], 1};
    c.cuda_atol = 1e-5;
    c.cuda_rtol = 1e-4;  // cuBLAS sums the Gram and its gradient in another order, as for gram
    cases.push_back(c);
  }
  return cases;
}

}  // namespace

// ELU's negative side uses the kernel's own vectorised expm1 (tensor/cpu/pointwise.cpp): a dense
// sweep of [-100, 0] and the special values against double expm1, at 4 ulp (its error model
// gives 1-2). The op table's N(0, 16) inputs cover only a few hundred points.
TEST_CASE("elu: the vectorised expm1 is within 4 ulp of double expm1 on [-100, 0]") {
  std::vector<float> x;
  for (int i = 0; i <= 200000; ++i) x.push_back(static_cast<float>(-100.0 * std::pow(i / 200000.0, 3)));
  for (float v : {-0.0f, -1e-45f, -1e-38f, -1e-7f, -0.3465f, -0.3467f, -17.3f, -86.9f, -87.5f, -88.8f, -103.0f})
    x.push_back(v);
  const int64_t n = static_cast<int64_t>(x.size());
  Tensor in = Tensor::from_vector({n}, x), out = Tensor::empty({n});
  ds::cpu::activation_forward(ds::Act::Elu, 1.0f, in, out);
  std::vector<float> y = out.to_vector();
  int64_t bad = 0;
  double worst = 0;
  for (int64_t i = 0; i < n; ++i) {
    double ref = std::expm1(static_cast<double>(x[static_cast<size_t>(i)]));
    double ulp = std::ldexp(std::fabs(ref), -23) + 1e-45;
    double err = std::fabs(y[static_cast<size_t>(i)] - ref) / ulp;
    worst = std::max(worst, err);
    if (!(err <= 4)) ++bad;
  }
  INFO("worst error " << worst << " ulp");
  CHECK(bad == 0);
  const float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
  Tensor special = Tensor::from_vector({4}, {-inf, nan, 3.5f, -2.0f}), got = Tensor::empty({4});
  ds::cpu::activation_forward(ds::Act::Elu, 0.5f, special, got);
  std::vector<float> g = got.to_vector();
  CHECK(g[0] == -0.5f);
  CHECK(std::isnan(g[1]));
  CHECK(g[2] == 3.5f);
  CHECK(std::fabs(g[3] - 0.5 * std::expm1(-2.0)) <= 4 * std::ldexp(0.5 * 0.8646647, -23));
}

// Zeros keep their sign (expm1(-0) = -0, as libm and the CUDA kernel give), tiny and subnormal
// inputs come back unchanged (expm1(x) = x in float for |x| < 2^-25), and the output may be the
// input (the fused conv runs ELU in place): 13 values, a full group of eight and a tail of five.
TEST_CASE("elu: signed zeros, subnormals and in-place on a tail of 5") {
  const std::vector<float> x = {0.0f, -0.0f, -1e-45f, -1.1754942e-38f, 1e-45f, -3e-8f, -1e-20f,
                                -0.0f, 0.0f, -1e-45f, -2.5f, 2.5f, -6e-39f};
  for (float alpha : {1.0f, 0.5f}) {
    CAPTURE(alpha);
    Tensor in = Tensor::from_vector({13}, x), out = Tensor::empty({13});
    ds::cpu::activation_forward(ds::Act::Elu, alpha, in, out);
    ds::cpu::activation_forward(ds::Act::Elu, alpha, in, in);
    std::vector<float> y = out.to_vector(), y_in_place = in.to_vector();
    for (size_t i = 0; i < x.size(); ++i) {
      CAPTURE(x[i]);
      const double ref = x[i] > 0 ? x[i] : alpha * std::expm1(static_cast<double>(x[i]));
      CHECK(std::signbit(y[i]) == std::signbit(ref));
      CHECK(std::fabs(y[i] - ref) <= 4 * (std::ldexp(std::fabs(ref), -23) + 1e-45));
      CHECK(std::memcmp(&y[i], &y_in_place[i], sizeof(float)) == 0);
    }
  }
}

// relu_mask_backward: bit k of mask byte b selects gradient 8b + k. 8 * 37 + 5 elements (a tail
// of five), signs from a pattern with runs, in place (dx = dy) and not, against x > 0 ? dy : 0.
TEST_CASE("relu_mask_backward: each bit selects its own gradient, with a tail, in place") {
  const int64_t n = 8 * 37 + 5;
  std::vector<float> x(static_cast<size_t>(n)), g(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    x[static_cast<size_t>(i)] = (i * 7 + i / 9) % 5 < 2 ? -1.0f - static_cast<float>(i) : static_cast<float>(i % 3);
    g[static_cast<size_t>(i)] = static_cast<float>(i) + 0.5f;
  }
  Tensor xt = Tensor::from_vector({n}, x), y = Tensor::empty({n}), mask = Tensor::empty({ds::relu_mask_numel(n)});
  ds::cpu::relu_mask_forward(xt, y, mask);
  Tensor dy = Tensor::from_vector({n}, g), dx = Tensor::empty({n});
  ds::cpu::relu_mask_backward(mask, dy, dx);
  ds::cpu::relu_mask_backward(mask, dy, dy);
  std::vector<float> got = dx.to_vector(), got_in_place = dy.to_vector();
  int64_t bad = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    const float want = x[i] > 0 ? g[i] : 0.0f;
    bad += got[i] != want || got_in_place[i] != want;
  }
  CHECK(bad == 0);
}

// The Gram's pixel-chunk rule (gram.cpp): C < 256 with H*W >= 8192 is cut into chunks added in
// order. Shapes on both sides: C = 255 / 256 / 257 at 8192 pixels (register tiles of the own
// SYRK with remainders 7, 0, 1 rows and 31, 0, 1 columns on AVX-512), 8191 / 8192 / 70001 pixels at C = 9 (1, 2 and 16 chunks, the last one
// shorter), N = 2 (each image its own Gram). Forward and backward with each GEMM (own SYRK
// blocks, cblas_ssyrk) against float64 loops, at the op table's model: K = H*W for the forward,
// K = C for dF = scale (dG + dG^T) F. Then the own GEMM's results on 1 and 3 threads, bitwise
// (the chunk count depends on the shape only).
TEST_CASE("gram: both sides of the pixel-chunk rule against float64, and thread-count independent") {
  struct Restore {
    ds::cpu::GemmBackend gemm = ds::cpu::gemm_backend();
    int threads = omp_get_max_threads();
    ~Restore() { ds::cpu::set_gemm_backend(gemm), omp_set_num_threads(threads); }
  } restore;
  for (const Shape& s : {Shape{2, 255, 64, 128}, Shape{1, 256, 64, 128}, Shape{1, 257, 1, 8192}, Shape{2, 9, 1, 8191},
                         Shape{2, 9, 1, 8192}, Shape{1, 9, 1, 70001}}) {
    CAPTURE(ds::shape_str(s));
    const int64_t n = s[0], c = s[1], hw = s[2] * s[3];
    const double scale = static_cast<float>(1.0 / static_cast<double>(c * hw));
    Rng rng(static_cast<uint64_t>(c * hw));
    DTensor f = rng.normal(s), dg = rng.normal({n, c, c});
    for (DTensor* t : {&f, &dg})
      for (double& v : t->v) v = static_cast<float>(v);
    Tensor ff = to_float(f), dgf = to_float(dg);
    DTensor want = gram_ref(f, scale), want_df(s);
    for (int64_t b = 0; b < n; ++b)
      for (int64_t i = 0; i < c; ++i)
        for (int64_t j = 0; j < c; ++j) {
          const double* d = dg.v.data() + b * c * c;
          const double sym = scale * (d[i * c + j] + d[j * c + i]);
          const double* fj = f.v.data() + (b * c + j) * hw;
          double* out = want_df.v.data() + (b * c + i) * hw;
          for (int64_t q = 0; q < hw; ++q) out[q] += sym * fj[q];
        }
    Tol tol = float32_tol(want, hw), tol_df = float32_tol(want_df, c);
    for (auto backend : {ds::cpu::GemmBackend::Own, ds::cpu::GemmBackend::OpenBlas}) {
      if (backend == ds::cpu::GemmBackend::OpenBlas && !ds::cpu::gemm_has_openblas()) continue;
      CAPTURE(ds::cpu::gemm_backend_name(backend));
      ds::cpu::set_gemm_backend(backend);
      Tensor g = Tensor::empty({n, c, c}), df = Tensor::empty(s);
      ds::cpu::gram_forward(ff, static_cast<float>(scale), g);
      ds::cpu::gram_backward(ff, dgf, static_cast<float>(scale), df);
      check_close("gram forward", g, want, tol.atol, tol.rtol);
      check_close("gram backward", df, want_df, tol_df.atol, tol_df.rtol);
    }
    ds::cpu::set_gemm_backend(ds::cpu::GemmBackend::Own);
    Tensor runs[2][2];
    for (int t : {0, 1}) {
      omp_set_num_threads(t == 0 ? 1 : 3);
      runs[t][0] = Tensor::empty({n, c, c}), runs[t][1] = Tensor::empty(s);
      ds::cpu::gram_forward(ff, static_cast<float>(scale), runs[t][0]);
      ds::cpu::gram_backward(ff, dgf, static_cast<float>(scale), runs[t][1]);
    }
    for (int k : {0, 1})
      CHECK(std::memcmp(runs[0][k].data(), runs[1][k].data(), static_cast<size_t>(runs[0][k].bytes())) == 0);
  }
}

OP_TESTS(activation_cases, "activations")
OP_TESTS(binary_cases, "broadcast binary ops")
OP_TESTS(reduction_cases, "sum mean mse")
OP_TESTS(gram_cases, "gram")
OP_TESTS(gram_mse_cases, "gram_mse (fused style loss)")

}  // namespace dst
