// Op table: conv2d (general and grouped), depthwise conv2d and conv_transpose2d, and the
// Winograd kernels forced on their own shapes (each tile size); plus kernel-level checks the
// table cannot make: gradients of the large cases (too big for finite differences, and the
// only ones spanning several im2col chunks) against float64 references, independence of the
// thread count, and the DEPTHSTYLE_CONV values. Cases whose kernels run Winograd get its
// amplified tolerance (tests/README.md, "Winograd convolutions").
#include <omp.h>

#include <cmath>
#include <cstring>
#include <string>

#include "tensor/cpu/conv_algo.h"
#include "tensor/cpu/gemm.h"
#include "tensor/cpu/isa_kernels.h"
#include "tensor/kernels.h"
#include "tests/op_table.h"
#include "tests/oracle.h"

namespace dst {
namespace {

using ds::Conv2dParams;

Conv2dParams P(int stride, int pad, int dil = 1, int groups = 1) {
  return Conv2dParams::make(stride, pad, dil, groups);
}
Conv2dParams pads(Conv2dParams p, int top, int bottom, int left, int right) {
  p.pad_top = top, p.pad_bottom = bottom, p.pad_left = left, p.pad_right = right;
  return p;
}
Conv2dParams strides(Conv2dParams p, int sh, int sw) {
  p.stride_h = sh, p.stride_w = sw;
  return p;
}
Conv2dParams reflect(Conv2dParams p) {
  p.pad_mode = ds::PadMode::Reflect;
  return p;
}
Conv2dParams upsample(Conv2dParams p, int f) {
  p.upsample = f;
  return p;
}
Conv2dParams out_pad(Conv2dParams p, int h, int w) {
  p.out_pad_h = h, p.out_pad_w = w;
  return p;
}

// One convolution: input shape, output channels, kernel size, parameters, bias or not.
struct Spec {
  std::string what;
  Shape x;
  int64_t cout, kh, kw;
  Conv2dParams p;
  bool bias;
  bool transposed = false;
  bool fused = false;  // conv2d_act: the convolution with `act` fused after it
  ds::Act act = ds::Act::Relu;

  Shape w() const { return transposed ? Shape{x[1], cout / p.groups, kh, kw} : Shape{cout, x[1] / p.groups, kh, kw}; }
  Shape y() const {  // output size formulas of tensor/params.h
    auto size = [&](int64_t in, int64_t k, int stride, int pad, int dil, int op) {
      int64_t span = dil * (k - 1) + 1;  // extent of the dilated kernel
      return transposed ? (in - 1) * stride - pad + span + op : (in + pad - span) / stride + 1;
    };
    return {x[0], cout, size(x[2] * p.upsample, kh, p.stride_h, p.pad_top + p.pad_bottom, p.dil_h, p.out_pad_h),
            size(x[3] * p.upsample, kw, p.stride_w, p.pad_left + p.pad_right, p.dil_w, p.out_pad_w)};
  }
  // The input the convolution slides over: x enlarged by p.upsample (Conv2dParams::upsample).
  Shape big() const { return {x[0], x[1], x[2] * p.upsample, x[3] * p.upsample}; }
  // Most terms summed into one output: input channels per group times taps.
  int64_t fan_in() const { return x[1] / p.groups * kh * kw; }
  // Terms of the float32 sums behind each gradient (tests/check.h): an input gradient gathers
  // output channels per group times taps; weight and bias gradients sum over the pixels of
  // the side the filter slides over (y for a conv, x for a transposed conv) and of y.
  int64_t dx_terms() const { return cout / p.groups * kh * kw * p.upsample * p.upsample; }
  int64_t dw_terms() const { return pixels(transposed ? x : y()); }
  int64_t db_terms() const { return pixels(y()); }
  static int64_t pixels(const Shape& s) { return s[0] * s[2] * s[3]; }
  // Winograd tile (0: im2col) the CPU kernels currently pick for the forward and for the input
  // gradient. A transposed conv runs its underlying conv (from its y to its x) the other way.
  int tile(bool input_gradient) const {
    Shape y = this->y();
    if (transposed) return ds::cpu::conv_winograd_tile(y, w(), x, p, !input_gradient);
    // An upsampled input: the convolution of the enlarged copy (with gradients), or of it read
    // in place (forward): either way the enlarged input's shape.
    const Shape xb = big();
    const Conv2dParams pb = p.not_upsampled();
    if (input_gradient && p.pad_mode == ds::PadMode::Reflect) {  // that of the padded input, unpadded
      Conv2dParams q = pads(pb, 0, 0, 0, 0);
      q.pad_mode = ds::PadMode::Zero;
      Shape xp = {xb[0], xb[1], xb[2] + p.pad_top + p.pad_bottom, xb[3] + p.pad_left + p.pad_right};
      return ds::cpu::conv_winograd_tile(xp, w(), y, q, true);
    }
    return ds::cpu::conv_winograd_tile(xb, w(), y, pb, input_gradient);
  }
  double dx_amplification() const { return winograd_amplification(tile(true)); }
  // Multiply-adds of one oracle call.
  int64_t macs() const {
    return ds::shape_numel(transposed ? x : y()) * (transposed ? cout : x[1]) / p.groups * kh * kw;
  }
  std::string name() const {
    std::string op = fused ? std::string("conv2d_act ") + ds::act_name(act) + " " : "conv2d ";
    std::string s = (transposed ? std::string("conv_transpose2d ") : op) + what + ": x " + ds::shape_str(x) +
                    ", w " + ds::shape_str(w()) + ", " + p.str();
    if (transposed) s += ", out_pad " + std::to_string(p.out_pad_h) + "x" + std::to_string(p.out_pad_w);
    return s + (bias ? ", bias" : ", no bias");
  }
};

Spec as_transposed(Spec s) {
  s.transposed = true;
  return s;
}

// Inputs: x ~ N(0,1), bias ~ N(0,1), weights ~ N(0, 1/fan_in) so outputs are O(1) at any size.
DTensor conv_input(const Spec& s, Rng& r, size_t i, const Shape& sh) {
  return r.normal(sh, i == 1 ? 1.0 / std::sqrt(static_cast<double>(s.fan_in())) : 1.0);
}

OpCase make_case(const Spec& s) {
  OpCase c;
  c.name = s.name();
  c.inputs = {s.x, s.w()};
  if (s.bias) c.inputs.push_back({s.cout});
  bool tr = s.transposed, bias = s.bias, fused = s.fused;
  ds::Act act = s.act;
  Conv2dParams p = s.p;
  c.run = [=](const std::vector<Var>& v) {
    Var b = bias ? v[2] : Var();
    if (fused) return ds::conv2d_act(v[0], v[1], b, p, act);
    return tr ? ds::conv_transpose2d(v[0], v[1], b, p) : ds::conv2d(v[0], v[1], b, p);
  };
  c.oracle = [=](const std::vector<DTensor>& x) {
    const DTensor* b = bias ? &x[2] : nullptr;
    if (fused) return activation_ref(conv2d_ref(x[0], x[1], b, p), act, 1.0);
    return tr ? conv_transpose2d_ref(x[0], x[1], b, p) : conv2d_ref(x[0], x[1], b, p);
  };
  c.make_input = [s](Rng& r, size_t i, const Shape& sh) { return conv_input(s, r, i, sh); };
  c.sum_terms = s.fan_in();  // at most, for a transposed conv
  c.grad_sum_terms = {s.dx_terms(), s.dw_terms(), s.db_terms()};
  c.amplification = winograd_amplification(s.tile(false));
  c.grad_amplification = {s.dx_amplification(), 1, 1};  // weight and bias gradients: im2col + GEMM, or sums
  // Finite differences cost 2 oracle calls per input element.
  int64_t in_numel = 0;
  for (const Shape& sh : c.inputs) in_numel += ds::shape_numel(sh);
  c.finite_differences = 2 * in_numel * s.macs() < 200'000'000;
  // CUDA vs CPU. cuDNN may choose implicit-GEMM, Winograd or FFT algorithms (TF32 off); both
  // sides are float32 sums in different orders. The largest sums are the filter gradients:
  // N*Ho*Wo products of N(0,1) terms, of size S = sqrt(N*pixels), erring by ~1e-7 * S^2 in
  // float32 summation (more for Winograd/FFT), so atol grows with S; forward values are O(1).
  Shape y = s.y();
  double S = std::sqrt(static_cast<double>(s.x[0] * std::max(s.x[2] * s.x[3], y[2] * y[3])));
  c.cuda_atol = 3e-5 * S;
  c.cuda_rtol = 1e-4;
  return c;
}

std::vector<OpCase> make_cases(const std::vector<Spec>& specs) {
  std::vector<OpCase> cases;
  for (const Spec& s : specs) cases.push_back(make_case(s));
  return cases;
}

// Large cases: several im2col chunks (K = 576 columns of 2 MB hold ~900 pixels), 64 channels,
// odd sizes. No finite differences; their gradients are checked by "conv large cases" below.
const std::vector<Spec> kLargeConv = {
    {"large 64->64 3x3 pad 1", {2, 64, 35, 37}, 64, 3, 3, P(1, 1), true},
    {"large stride 2 odd sizes", {2, 35, 37, 41}, 24, 3, 3, P(2, 1), false},
    {"large 9x9 64->32 pad 4", {1, 64, 22, 23}, 32, 9, 9, P(1, 4), true},
    {"large 1x1 256->64", {1, 256, 14, 15}, 64, 1, 1, P(1, 0), true},
    {"large groups 4", {1, 64, 20, 21}, 64, 3, 3, P(1, 1, 1, 4), false},
    // 64 -> 64 per group at stride 1: the input gradient runs as a convolution of dy, here with
    // dilation 2 (padding 2 * 2 - 2 = 2) over two im2col chunks per group.
    {"large dilation 2 groups 2 64->64 per group", {1, 128, 30, 31}, 128, 3, 3, P(1, 2, 2, 2), true},
    // im2col reading the reflection, over three column chunks (8 outputs: too few for Winograd).
    {"large reflect 32->8 pad 1 70x75", {1, 32, 70, 75}, 8, 3, 3, reflect(P(1, 1)), true},
};
const std::vector<Spec> kLargeDepthwise = {
    {"large depthwise 3x3", {2, 64, 33, 35}, 64, 3, 3, P(1, 1, 1, 64), true},
    {"large depthwise multiplier 2 stride 2", {1, 32, 56, 57}, 64, 3, 3, P(2, 1, 1, 32), false},
};
const std::vector<Spec> kLargeTransposed = {
    as_transposed({"large fast-style upsampling", {1, 64, 33, 34}, 64, 3, 3, out_pad(P(2, 1), 1, 1), true}),
    as_transposed({"large stride 2 pad 0 odd sizes", {2, 35, 37, 41}, 24, 3, 3, P(2, 0), false}),
    as_transposed({"large 9x9 64->3 pad 4", {1, 64, 20, 21}, 3, 9, 9, P(1, 4), true}),
};

std::vector<Spec> with(std::vector<Spec> a, const std::vector<Spec>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

std::vector<OpCase> conv2d_cases() {
  return make_cases(with(
      {
          {"3x3 pad 1", {2, 3, 7, 8}, 5, 3, 3, P(1, 1), true},
          {"3x3 no pad", {1, 4, 6, 5}, 3, 3, 3, P(1, 0), false},
          {"stride 2 pad 1 odd size", {2, 3, 9, 7}, 4, 3, 3, P(2, 1), true},
          {"stride 3 pad 2 5x5", {1, 2, 11, 10}, 3, 5, 5, P(3, 2), true},
          {"dilation 2 pad 2", {2, 3, 9, 8}, 4, 3, 3, P(1, 2, 2), true},
          {"dilation 2 stride 2 3x2 kernel", {1, 3, 10, 9}, 2, 3, 2, P(2, 1, 2), false},
          {"TF SAME stride 2 (pad 0,1,0,1)", {2, 3, 8, 8}, 4, 3, 3, pads(P(2, 0), 0, 1, 0, 1), true},
          {"TF SAME 4x4 kernel (pad 1,2,1,2)", {1, 2, 7, 6}, 3, 4, 4, pads(P(1, 0), 1, 2, 1, 2), false},
          {"pad 2,0,1,3 stride 1x2", {1, 2, 6, 7}, 3, 3, 3, strides(pads(P(1, 0), 2, 0, 1, 3), 1, 2), true},
          {"stride 3x1 dilation 1", {1, 2, 10, 5}, 2, 2, 3, strides(P(1, 1), 3, 1), false},
          {"groups 2", {2, 4, 6, 7}, 6, 3, 3, P(1, 1, 1, 2), true},
          {"groups 3 stride 2", {1, 6, 7, 9}, 9, 3, 3, P(2, 1, 1, 3), false},
          {"1x1", {2, 5, 4, 6}, 7, 1, 1, P(1, 0), true},
          {"1x1 stride 2", {2, 5, 7, 6}, 3, 1, 1, P(2, 0), false},
          {"1x1 pad 1", {1, 3, 4, 5}, 2, 1, 1, P(1, 1), true},
          {"1x1 groups 2", {2, 4, 5, 5}, 6, 1, 1, P(1, 0, 1, 2), false},
          {"9x9 pad 4", {1, 2, 11, 10}, 3, 9, 9, P(1, 4), true},
          {"9x9 stride 2, kernel larger than input", {1, 1, 6, 7}, 2, 9, 9, P(2, 4), false},
          {"kernel covers the input", {2, 3, 3, 3}, 4, 3, 3, P(1, 0), true},
          {"11->13 channels", {1, 11, 5, 6}, 13, 3, 3, P(1, 1), true},
          {"one input channel", {2, 1, 8, 8}, 4, 3, 3, P(1, 1), false},
          // Fewer outputs than inputs at stride 1: the input gradient runs as a convolution of dy.
          {"fewer outputs, dilation 2, pad 2,1,0,3", {1, 5, 9, 8}, 3, 3, 3, pads(P(1, 0, 2), 2, 1, 0, 3), true},
          {"fewer outputs, groups 2", {2, 8, 6, 7}, 4, 3, 3, P(1, 1, 1, 2), false},
          // Padding beyond (k - 1) * dilation: the convolution of dy crops (its padding 2 - 3 = -1, 2 - 4 = -2).
          {"fewer outputs, pad 3 (input gradient crops)", {1, 4, 5, 6}, 2, 3, 3, pads(P(1, 3), 3, 3, 1, 4), true},
          // 1-4 outputs at stride 1: the direct kernel, rows wide enough for its vector blocks
          // (64 or 32 columns), single vectors and scalar columns at the edges and the end.
          {"direct 1 output 3x3 pad 0 wide", {1, 8, 5, 70}, 1, 3, 3, P(1, 0), true},
          {"direct 3 outputs 5x5 pad 2 wide", {1, 4, 4, 40}, 3, 5, 5, P(1, 2), true},
          {"direct 2 outputs asymmetric pad", {1, 3, 6, 50}, 2, 3, 3, pads(P(1, 0), 1, 0, 2, 1), false},
          {"direct 4 outputs 1x1", {2, 5, 3, 33}, 4, 1, 1, P(1, 0), true},
          // 3 input channels: the input gradient, a convolution of dy, runs the direct kernel.
          {"conv on RGB 3->8 wide (input gradient direct)", {1, 3, 6, 40}, 8, 3, 3, P(1, 1), true},
          // Reflection padding (PyTorch's padding_mode='reflect'): pytorch/examples' transformer
          // (9x9 pad 4, stride 2), Monodepth2's disparity head (1 output: the direct kernel),
          // asymmetric amounts up to the input's size - 1.
          {"reflect 9x9 pad 4", {1, 2, 6, 7}, 3, 9, 9, reflect(P(1, 4)), true},
          {"reflect 9x9 pad 4 6->5 (im2col)", {1, 6, 7, 8}, 5, 9, 9, reflect(P(1, 4)), false},
          {"reflect stride 2 pad 1 odd size", {2, 3, 9, 7}, 4, 3, 3, reflect(P(2, 1)), true},
          {"reflect 1 output (direct) pad 1", {1, 5, 4, 36}, 1, 3, 3, reflect(P(1, 1)), true},
          {"reflect pad 3,0,1,2 5x3 kernel", {1, 2, 4, 4}, 3, 5, 3, reflect(pads(P(1, 0), 3, 0, 1, 2)), false},
          {"reflect groups 2 dilation 2", {1, 4, 6, 7}, 4, 3, 3, reflect(P(1, 2, 2, 2)), true},
          // An upsampled input (pytorch/examples' UpsampleConvLayer: nearest x2, reflection pad
          // 1, 3x3): forward read in place by Winograd (16 channels, >= 100 tiles of 4x4) or on
          // an enlarged copy (im2col, the direct kernel); gradients through the copy.
          {"upsample 2 reflect pad 1 16->16 (Winograd)", {1, 16, 20, 21}, 16, 3, 3, upsample(reflect(P(1, 1)), 2), true},
          {"upsample 3 zero pad 1,0,2,1 16->16 (Winograd)", {2, 16, 14, 13}, 16, 3, 3,
           upsample(pads(P(1, 0), 1, 0, 2, 1), 3), false},
          {"upsample 2 reflect pad 1 3->5 (im2col copy)", {1, 3, 5, 6}, 5, 3, 3, upsample(reflect(P(1, 1)), 2), true},
          {"upsample 2 9x9 reflect pad 4 1 output (direct copy)", {1, 2, 4, 5}, 1, 9, 9, upsample(reflect(P(1, 4)), 2),
           true},
      },
      kLargeConv));
}

std::vector<OpCase> depthwise_cases() {
  return make_cases(with(
      {
          {"depthwise 3x3 pad 1", {2, 4, 7, 8}, 4, 3, 3, P(1, 1, 1, 4), true},
          {"depthwise multiplier 2 stride 2", {1, 3, 9, 8}, 6, 3, 3, P(2, 1, 1, 3), false},
          {"depthwise multiplier 3 5x5 dilation 2 asymmetric pad", {2, 2, 9, 10}, 6, 5, 5,
           pads(P(1, 0, 2, 2), 4, 3, 2, 4), true},
          {"depthwise 7x7 stride 3", {1, 5, 11, 12}, 5, 7, 7, P(3, 3, 1, 5), true},
          {"depthwise 3x3 no pad", {1, 3, 6, 6}, 3, 3, 3, P(1, 0, 1, 3), false},
          {"depthwise 2x3 stride 2x1", {2, 2, 7, 6}, 2, 2, 3, strides(P(1, 1, 1, 2), 2, 1), true},
          {"depthwise 1x1", {1, 3, 4, 5}, 3, 1, 1, P(1, 0, 1, 3), true},
          {"depthwise reflect pad 1 (a padded copy)", {1, 3, 6, 7}, 3, 3, 3, reflect(P(1, 1, 1, 3)), true},
      },
      kLargeDepthwise));
}

// The fused conv + activation against activation(conv) in float64. ReLU: odd element counts leave
// a partial last byte of the sign mask; the large case spans several im2col chunks and both
// threads' mask bytes. ELU and sigmoid (Monodepth2's decoder) read their output back in place.
std::vector<OpCase> conv2d_act_cases() {
  std::vector<Spec> specs = {
      {"3x3 pad 1", {2, 3, 7, 8}, 5, 3, 3, P(1, 1), true},
      {"stride 2 pad 1 odd size", {2, 3, 9, 7}, 3, 3, 3, P(2, 1), true},
      {"1x1 no bias odd size", {1, 5, 3, 5}, 7, 1, 1, P(1, 0), false},
      {"groups 3 stride 2", {1, 6, 7, 9}, 9, 3, 3, P(2, 1, 1, 3), true},
      kLargeConv[0],
  };
  Spec monodepth2 = {"reflect pad 1 (Monodepth2's Conv3x3)", {1, 16, 12, 20}, 16, 3, 3, reflect(P(1, 1)), true};
  monodepth2.act = ds::Act::Elu;
  specs.push_back(monodepth2);
  for (Spec& sp : specs) sp.fused = true;
  for (ds::Act a : {ds::Act::Elu, ds::Act::Sigmoid, ds::Act::Relu6}) {
    Spec sp = specs[0];
    sp.act = a;
    specs.push_back(sp);
  }
  return make_cases(specs);
}

std::vector<OpCase> transposed_cases() {
  std::vector<Spec> small = {
      {"stride 2 pad 0", {2, 3, 4, 5}, 4, 3, 3, P(2, 0), true},
      {"stride 2 pad 1 out_pad 1", {1, 4, 5, 4}, 3, 3, 3, out_pad(P(2, 1), 1, 1), true},
      {"stride 1 pad 1", {2, 3, 6, 5}, 2, 3, 3, P(1, 1), false},
      {"stride 3 4x4 out_pad 2x1", {1, 2, 4, 3}, 3, 4, 4, out_pad(P(3, 1), 2, 1), false},
      {"dilation 2 out_pad 1 (beyond the stride)", {1, 2, 5, 6}, 3, 3, 3, out_pad(P(1, 1, 2), 1, 1), true},
      {"groups 2", {2, 4, 4, 5}, 6, 3, 3, P(2, 1, 1, 2), true},
      {"groups 3 = channels", {1, 3, 5, 5}, 3, 3, 3, out_pad(P(2, 1, 1, 3), 1, 1), false},
      {"groups 3, 2 outputs per group", {1, 3, 5, 4}, 6, 3, 3, P(1, 0, 1, 3), true},
      {"1x1", {2, 5, 4, 4}, 3, 1, 1, P(1, 0), true},
      {"1x1 stride 2 out_pad 1", {1, 3, 4, 5}, 2, 1, 1, out_pad(P(2, 0), 1, 1), false},
      {"asymmetric pad 1,2,0,1", {1, 2, 5, 6}, 3, 4, 4, pads(P(2, 0), 1, 2, 0, 1), true},
      {"pad 2 crops", {1, 2, 6, 6}, 2, 3, 3, P(1, 2), false},
      {"2x4 kernel stride 2x3", {2, 2, 3, 4}, 2, 2, 4, strides(P(1, 0), 2, 3), true},
      {"9x9 pad 4", {1, 3, 6, 5}, 2, 9, 9, P(1, 4), true},
      {"11->13 channels stride 2 out_pad 1", {1, 11, 4, 5}, 13, 3, 3, out_pad(P(2, 1), 1, 1), false},
  };
  for (Spec& s : small) s.transposed = true;
  return make_cases(with(small, kLargeTransposed));
}

// Winograd shapes (3x3, stride 1): partial tiles for both tile sizes, paddings 0, 1, 2 and
// asymmetric (whose input gradient crops: padding 2 - 3 = -1), 1 to 64 channels, a
// transposed conv (forward through the input-gradient kernel). Run with each tile size forced.
const std::vector<Spec> kWinograd = {
    {"winograd pad 1 partial tiles", {2, 3, 7, 9}, 5, 3, 3, P(1, 1), true},
    {"winograd pad 0", {1, 4, 10, 7}, 6, 3, 3, P(1, 0), false},
    {"winograd pad 2", {1, 2, 5, 6}, 3, 3, 3, P(1, 2), true},
    {"winograd pad 2,0,1,3", {1, 3, 6, 7}, 4, 3, 3, pads(P(1, 0), 2, 0, 1, 3), false},
    {"winograd output 1x1", {2, 1, 3, 3}, 2, 3, 3, P(1, 0), true},
    {"winograd 16->24 13x11", {1, 16, 13, 11}, 24, 3, 3, P(1, 1), true},
    as_transposed({"winograd stride 1 pad 1", {1, 5, 6, 7}, 4, 3, 3, P(1, 1), true}),
    // Reflection padding, read in place by the forward: 11 F(2x2) tiles per row (a lane group
    // and a partial one), mirrored rows at the top and two at the bottom, the right pad 2.
    {"winograd reflect pad 1", {2, 3, 7, 9}, 5, 3, 3, reflect(P(1, 1)), true},
    {"winograd reflect pad 2,1,1,2 4->4 5x21", {1, 4, 5, 21}, 4, 3, 3, reflect(pads(P(1, 0), 2, 1, 1, 2)), false},
    // 30 + 2 padded columns: 16 F(2x2) or 8 F(4x4) tiles per row, whole vector groups whose rows
    // cross the left border, the image and the right border in one folded store.
    {"winograd reflect pad 1 4->4 6x30 (whole lane groups)", {1, 4, 6, 30}, 4, 3, 3, reflect(P(1, 1)), true},
    // No padding on two sides: the ring holds only the bottom rows and the right column.
    {"winograd reflect pad 0,2,0,1", {2, 4, 5, 9}, 4, 3, 3, reflect(pads(P(1, 0), 0, 2, 0, 1)), false},
    // Pads up to the image's size - 1 on a 3-column image: the row buffer's columns past the
    // padded width (the last tile's lanes) must not read mirrored columns that do not exist.
    {"winograd reflect pad 1,2,2,2 on 4x3", {1, 2, 4, 3}, 3, 3, 3, reflect(pads(P(1, 0), 1, 2, 2, 2)), true},
};
// No finite differences: their gradients are checked by "conv winograd large cases".
const std::vector<Spec> kLargeWinograd = {
    {"winograd large 64->48 19x23", {1, 64, 19, 23}, 48, 3, 3, P(1, 1), true},
    {"winograd large 32->64 pad 0 2 images", {2, 32, 18, 21}, 64, 3, 3, P(1, 0), false},
    as_transposed({"winograd large transposed 48->32", {1, 48, 17, 22}, 32, 3, 3, P(1, 1), true}),
    {"winograd 12 images (work items over threads)", {12, 16, 10, 11}, 16, 3, 3, P(1, 1), true},
    // 27 F(2x2) tiles per tile row: groups of eight tiles inside a row (the lane paths), across a
    // row boundary and at the row's end (the scalar path), with a partial last tile row.
    {"winograd wide 8->8 5x53", {1, 8, 5, 53}, 8, 3, 3, P(1, 1), true},
    {"winograd reflect 16->24 13x37 pad 1", {1, 16, 13, 37}, 24, 3, 3, reflect(P(1, 1)), true},
    // Tall: many bands, spread over the threads, each folding its own rows' border.
    {"winograd reflect tall 4->4 400x20", {1, 4, 400, 20}, 4, 3, 3, reflect(P(1, 1)), false},
};

// Sets the CPU conv algorithm for one test and restores it at the end, also on failure.
struct AlgoSetting {
  ds::cpu::ConvAlgo old = ds::cpu::conv_algo();
  explicit AlgoSetting(ds::cpu::ConvAlgo a) { ds::cpu::set_conv_algo(a); }
  ~AlgoSetting() { ds::cpu::set_conv_algo(old); }
};
const ds::cpu::ConvAlgo kWinogradAlgos[] = {ds::cpu::ConvAlgo::WinogradF2, ds::cpu::ConvAlgo::WinogradF4};

// ---- kernel-level checks -----------------------------------------------------

// Float64 filter gradient of the conv that maps xs (x-space) to ys (y-space) with weight shape ws:
// dw[co, ci, i, j] = sum over n, oh, ow of ys[n, co, oh, ow] * xs[n, group start + ci, oh*sh - pt + i*dh, ...].
// For a conv, xs = x and ys = dy. A transposed conv scatters x[ci, ih] * w[ci, co, i, j] to
// y[co, ih*s - p + i*d], so its dw[ci, co, i, j] is the same sum with xs = dy and ys = x.
DTensor filter_grad_ref(const DTensor& xs, const DTensor& ys, const Shape& ws, const Conv2dParams& p) {
  DTensor dw(ws);
  int64_t cog = ws[0] / p.groups, cig = ws[1];
  for (int64_t co = 0; co < ws[0]; ++co)
    for (int64_t ci = 0; ci < cig; ++ci)
      for (int64_t i = 0; i < ws[2]; ++i)
        for (int64_t j = 0; j < ws[3]; ++j) {
          double s = 0;
          for (int64_t n = 0; n < ys.dim(0); ++n)
            for (int64_t oh = 0; oh < ys.dim(2); ++oh)
              for (int64_t ow = 0; ow < ys.dim(3); ++ow) {
                int64_t ih = oh * p.stride_h - p.pad_top + i * p.dil_h;
                int64_t iw = ow * p.stride_w - p.pad_left + j * p.dil_w;
                if (ih < 0 || ih >= xs.dim(2) || iw < 0 || iw >= xs.dim(3)) continue;
                s += ys.at(n, co, oh, ow) * xs.at(n, (co / cog) * cig + ci, ih, iw);
              }
          dw.at(co, ci, i, j) = s;
        }
  return dw;
}

// The output padding that makes conv s's adjoint (a transposed conv) return x's full size:
// the rows/columns the conv's floor division dropped.
Conv2dParams adjoint_params(const Spec& s) {
  Conv2dParams q = s.p;
  q.out_pad_h = static_cast<int>((s.x[2] + q.pad_top + q.pad_bottom - q.dil_h * (s.kh - 1) - 1) % q.stride_h);
  q.out_pad_w = static_cast<int>((s.x[3] + q.pad_left + q.pad_right - q.dil_w * (s.kw - 1) - 1) % q.stride_w);
  return q;
}

struct KernelOut {
  Tensor y, dx, dw;
};

// Runs the three CPU kernels of s on (x, w, bias, dy).
KernelOut run_kernels(const Spec& s, const Tensor& x, const Tensor& w, const Tensor& b, const Tensor& dy) {
  KernelOut o{Tensor::empty(s.y()), Tensor::empty(s.x), Tensor::empty(s.w())};
  if (s.transposed) {
    ds::cpu::conv_transpose2d_forward(x, w, b, o.y, s.p);
    ds::cpu::conv_transpose2d_backward_data(dy, w, o.dx, s.p);
    ds::cpu::conv_transpose2d_backward_filter(dy, x, o.dw, s.p);
  } else {
    ds::cpu::conv2d_forward(x, w, b, o.y, s.p);
    ds::cpu::conv2d_backward_data(dy, w, o.dx, s.p);
    ds::cpu::conv2d_backward_filter(dy, x, o.dw, s.p);
  }
  return o;
}

struct KernelIn {
  DTensor x, w, b, dy;
};

KernelIn kernel_inputs(const Spec& s) {
  Rng r(std::hash<std::string>{}(s.name()) & 0xffffffff);
  KernelIn in{conv_input(s, r, 0, s.x), conv_input(s, r, 1, s.w()), r.normal({s.cout}), r.normal(s.y())};
  for (DTensor* t : {&in.x, &in.w, &in.b, &in.dy})
    for (double& v : t->v) v = static_cast<float>(v);
  return in;
}

// Restores the GEMM choice and OpenMP thread count when a test ends, also on failure.
struct KernelSettings {
  ds::cpu::GemmBackend gemm = ds::cpu::gemm_backend();
  int threads = omp_get_max_threads();
  ~KernelSettings() {
    ds::cpu::set_gemm_backend(gemm);
    omp_set_num_threads(threads);
  }
};

// The gradient of the input x from that of its reflection-padded copy xp: every padded position
// adds onto the pixel it mirrors (index -i is pixel i, H - 1 + i is pixel H - 1 - i).
DTensor fold_reflection(const DTensor& gp, const Shape& xs, const Conv2dParams& p) {
  DTensor g(xs);
  auto mirror = [](int64_t i, int64_t n) { return i < 0 ? -i : (i >= n ? 2 * (n - 1) - i : i); };
  for (int64_t n = 0; n < xs[0]; ++n)
    for (int64_t c = 0; c < xs[1]; ++c)
      for (int64_t i = 0; i < gp.dim(2); ++i)
        for (int64_t j = 0; j < gp.dim(3); ++j)
          g.at(n, c, mirror(i - p.pad_top, xs[2]), mirror(j - p.pad_left, xs[3])) += gp.at(n, c, i, j);
  return g;
}

// The large cases' gradients (the op table's forward covers their outputs). With reflection
// padding: those of the padded input, through the same references without padding.
void check_large_gradients(const std::vector<Spec>& specs) {
  for (const Spec& s : specs) {
    CAPTURE(s.name());
    KernelIn in = kernel_inputs(s);
    KernelOut got = run_kernels(s, to_float(in.x), to_float(in.w), Tensor(), to_float(in.dy));
    Spec u = s;  // the convolution of the padded input, without padding
    DTensor xu = in.x;
    if (s.p.pad_mode == ds::PadMode::Reflect) {
      u.p = pads(s.p, 0, 0, 0, 0);
      u.p.pad_mode = ds::PadMode::Zero;
      xu = pad2d_ref(in.x, {s.p.pad_top, s.p.pad_bottom, s.p.pad_left, s.p.pad_right}, ds::PadMode::Reflect);
      u.x = xu.shape;
    }
    DTensor dx = s.transposed ? conv2d_ref(in.dy, in.w, nullptr, s.p)
                              : conv_transpose2d_ref(in.dy, in.w, nullptr, adjoint_params(u));
    if (s.p.pad_mode == ds::PadMode::Reflect) dx = fold_reflection(dx, s.x, s.p);
    DTensor dw = s.transposed ? filter_grad_ref(in.dy, in.x, s.w(), s.p) : filter_grad_ref(xu, in.dy, s.w(), u.p);
    Tol tx = float32_tol(dx, s.dx_terms()).times(s.dx_amplification()), tw = float32_tol(dw, s.dw_terms());
    check_close(s.name() + " input gradient", got.dx, dx, tx.atol, tx.rtol);
    check_close(s.name() + " weight gradient", got.dw, dw, tw.atol, tw.rtol);
  }
}

}  // namespace

OP_TESTS(conv2d_cases, "conv2d")
OP_TESTS(depthwise_cases, "conv2d depthwise")
OP_TESTS(conv2d_act_cases, "conv2d_act")
OP_TESTS(transposed_cases, "conv_transpose2d")

TEST_CASE("conv large cases: cpu gradients match float64 references") {
  check_large_gradients(with(with(kLargeConv, kLargeDepthwise), kLargeTransposed));
}

// The Winograd kernels forced, whatever DEPTHSTYLE_CONV says (the test names match the
// filters of the op-table runs in tests/CMakeLists.txt).
TEST_CASE("conv2d winograd forward matches float64 oracle") {
  for (auto a : kWinogradAlgos) {
    CAPTURE(ds::cpu::conv_algo_name(a));
    AlgoSetting use(a);
    run_forward_cases(make_cases(with(kWinograd, kLargeWinograd)));
  }
}

TEST_CASE("conv2d winograd backward matches finite differences") {
  for (auto a : kWinogradAlgos) {
    CAPTURE(ds::cpu::conv_algo_name(a));
    AlgoSetting use(a);
    run_backward_cases(make_cases(kWinograd));
  }
}

TEST_CASE("conv winograd large cases: cpu gradients match float64 references") {
  for (auto a : kWinogradAlgos) {
    CAPTURE(ds::cpu::conv_algo_name(a));
    AlgoSetting use(a);
    check_large_gradients(kLargeWinograd);
  }
}

TEST_CASE("conv algorithm choice: DEPTHSTYLE_CONV values, and a clear error for others") {
  using ds::cpu::ConvAlgo;
  CHECK(ds::cpu::conv_algo_from_string("") == ConvAlgo::Auto);
  CHECK(ds::cpu::conv_algo_from_string("auto") == ConvAlgo::Auto);
  CHECK(ds::cpu::conv_algo_from_string("im2col") == ConvAlgo::Im2col);
  CHECK(ds::cpu::conv_algo_from_string("winograd") == ConvAlgo::WinogradF2);
  CHECK(ds::cpu::conv_algo_from_string("winograd-f4") == ConvAlgo::WinogradF4);
  for (const char* bad : {"Winograd", "winograd-f6", "fft", " im2col"}) {
    CAPTURE(bad);
    try {
      ds::cpu::conv_algo_from_string(bad);
      FAIL("no error");
    } catch (const ds::Error& e) {
      std::string msg = e.what();
      CHECK(msg.find("DEPTHSTYLE_CONV") != std::string::npos);
      CHECK(msg.find(std::string("'") + bad + "'") != std::string::npos);
      CHECK(msg.find("'winograd-f2'") != std::string::npos);
    }
  }
}

// The rule of DEPTHSTYLE_CONV=auto (tensor/cpu/winograd.cpp, measured in docs/benchmarks.md):
// F(4x4) from 100 tiles of 4x4 output pixels with >= 16 channels (F(2x2) instead on a path without
// fused multiply-adds), F(2x2) from 16 tiles with >= 128 channels or 30 tiles with >= 48, else no
// Winograd; the input gradient by the input's size.
TEST_CASE("conv algorithm choice: the auto rule by tiles and channels, on every instruction set") {
  AlgoSetting restore_algo(ds::cpu::ConvAlgo::Auto);
  ds::cpu::Isa saved = ds::cpu::cpu_isa();
  auto tile = [](int64_t cin, int64_t cout, int64_t h, int64_t w, bool backward) {
    return ds::cpu::conv_winograd_tile({1, cin, h, w}, {cout, cin, 3, 3}, {1, cout, h, w}, P(1, 1), backward);
  };
  for (ds::cpu::Isa isa : {ds::cpu::Isa::Generic, ds::cpu::Isa::Avx2, ds::cpu::Isa::Avx512}) {
    if (!ds::cpu::isa_supported(isa)) continue;
    ds::cpu::set_cpu_isa(isa);
    CAPTURE(ds::cpu::isa_name(isa));
    const int f4 = ds::cpu::kernels().fma ? 4 : 2;
    CHECK(tile(64, 64, 256, 256, false) == f4);   // VGG16 conv1_2 at 256 px: 4096 tiles
    CHECK(tile(16, 64, 63, 63, true) == f4);      // SqueezeNet fire2 at 256 px: 256 tiles
    CHECK(tile(128, 128, 24, 80, false) == f4);   // ResNet18 stage 2 at 192x640: 120 tiles
    CHECK(tile(16, 16, 40, 40, false) == f4);     // 100 tiles, 16 channels: the corner
    CHECK(tile(512, 512, 32, 32, false) == 2);    // VGG16 conv4_2: 64 tiles
    CHECK(tile(512, 512, 16, 16, true) == 2);     // VGG16 conv5_1: 16 tiles, >= 128 channels
    CHECK(tile(48, 192, 31, 31, false) == 2);     // SqueezeNet fire6 at 512 px: 64 tiles, 48 channels
    CHECK(tile(48, 192, 15, 15, false) == 0);     // ... at 256 px: 16 tiles
    CHECK(tile(512, 512, 6, 20, false) == 0);     // ResNet18 stage 4: 10 tiles
    CHECK(tile(3, 64, 256, 256, false) == 0);     // VGG16 conv1_1: 3 channels (the direct kernel)
    CHECK(tile(16, 1, 192, 640, true) == 0);      // Monodepth2's disparity head: 1 channel
    CHECK(tile(15, 64, 256, 256, false) == 0);    // 15 channels
  }
  ds::cpu::set_cpu_isa(saved);
}

TEST_CASE("conv kernels give bitwise the same results for 1 and 3 threads") {
  KernelSettings restore;
  AlgoSetting restore_algo(ds::cpu::conv_algo());
  ds::cpu::set_gemm_backend(ds::cpu::GemmBackend::Own);  // OpenBLAS makes no such promise
  std::vector<std::pair<Spec, ds::cpu::ConvAlgo>> runs = {{kLargeConv[0], ds::cpu::ConvAlgo::Im2col},
                                                          {kLargeDepthwise[1], ds::cpu::ConvAlgo::Im2col},
                                                          {kLargeTransposed[0], ds::cpu::ConvAlgo::Im2col},
                                                          {kLargeConv[5], ds::cpu::ConvAlgo::Im2col},
                                                          {kLargeTransposed[2], ds::cpu::ConvAlgo::Im2col}};
  runs.push_back({kLargeConv.back(), ds::cpu::ConvAlgo::Im2col});  // reflection read by im2col
  const size_t tall_reflect = kLargeWinograd.size() - 1;           // folded over bands on threads
  for (auto a : kWinogradAlgos)
    for (size_t i : {size_t{2}, size_t{3}, tall_reflect}) runs.push_back({kLargeWinograd[i], a});
  for (const auto& [s, algo] : runs) {
    CAPTURE(s.name());
    CAPTURE(ds::cpu::conv_algo_name(algo));
    ds::cpu::set_conv_algo(algo);
    KernelIn in = kernel_inputs(s);
    Tensor x = to_float(in.x), w = to_float(in.w), b = to_float(in.b), dy = to_float(in.dy);
    omp_set_num_threads(1);
    KernelOut one = run_kernels(s, x, w, b, dy);
    omp_set_num_threads(3);
    KernelOut three = run_kernels(s, x, w, b, dy);
    const Tensor* pairs[3][2] = {{&one.y, &three.y}, {&one.dx, &three.dx}, {&one.dw, &three.dw}};
    for (auto& pr : pairs) CHECK(std::memcmp(pr[0]->data(), pr[1]->data(), static_cast<size_t>(pr[0]->bytes())) == 0);
  }
}

}  // namespace dst
