// Bad inputs to pooling, normalisation, resampling, padding and concat throw ds::Error with a
// message naming the op and, where shapes are at fault, the offending shape.
#include <doctest/doctest.h>

#include "autograd/ops.h"
#include "tensor/kernels.h"

namespace {

using doctest::Contains;
using ds::Error;
using ds::Pad2dParams;
using ds::PadMode;
using ds::Pool2dParams;
using ds::Shape;
using ds::Tensor;
using ds::Var;

Var input(const Shape& s) { return Var(Tensor::zeros(s)); }

Pad2dParams pads(int top, int bottom, int left, int right) {
  Pad2dParams p;
  p.top = top, p.bottom = bottom, p.left = left, p.right = right;
  return p;
}

}  // namespace

// expr throws a ds::Error whose message contains msg.
#define CHECK_ERROR(expr, msg) CHECK_THROWS_WITH_AS(expr, Contains(msg), Error)

TEST_CASE("pooling rejects bad inputs") {
  Pool2dParams k3 = Pool2dParams::make(3, 2);
  CHECK_ERROR(ds::max_pool2d(input({3, 5, 5}), k3), "max_pool2d: expected a 4-D tensor, got shape [3, 5, 5]");
  CHECK_ERROR(ds::avg_pool2d(input({1, 0, 5, 5}), k3), "avg_pool2d: empty input of shape [1, 0, 5, 5]");
  CHECK_ERROR(ds::max_pool2d(input({1, 2, 2, 6}), k3), "max_pool2d: input [1, 2, 2, 6] is smaller than the window");
  CHECK_ERROR(ds::avg_pool2d(input({1, 2, 6, 2}), k3), "avg_pool2d: input [1, 2, 6, 2]");
  CHECK_ERROR(ds::max_pool2d(input({1, 1, 8, 8}), Pool2dParams::make(3, 2, 2)), "max_pool2d: invalid parameters");
  CHECK_ERROR(ds::avg_pool2d(input({1, 1, 8, 8}), Pool2dParams::make(3, 0)), "avg_pool2d: invalid parameters");
  CHECK_ERROR(ds::global_avg_pool(input({4, 4})), "global_avg_pool: expected a 4-D tensor");
  CHECK_ERROR(ds::global_avg_pool(input({2, 3, 0, 4})), "global_avg_pool: empty input");
  CHECK_ERROR(ds::max_pool2d(Var(), k3), "max_pool2d: input is undefined");
}

TEST_CASE("normalisation rejects bad inputs") {
  Var x = input({2, 3, 4, 4});
  Var g3 = input({3}), g4 = input({4});
  Tensor m3 = Tensor::zeros({3}), v3 = Tensor::full({3}, 1.0f);
  CHECK_ERROR(ds::instance_norm(x, g4, g3, 1e-5f), "instance_norm: gamma shape [4] should be [3]");
  CHECK_ERROR(ds::instance_norm(x, g3, g4, 1e-5f), "instance_norm: beta shape [4] should be [3]");
  CHECK_ERROR(ds::instance_norm(x, g3, Var(), 1e-5f), "instance_norm: give both gamma and beta");
  CHECK_ERROR(ds::instance_norm(x, Var(), Var(), 0.0f), "instance_norm: eps must be positive");
  CHECK_ERROR(ds::instance_norm(input({3, 4, 4}), Var(), Var(), 1e-5f),
              "instance_norm: expected a 4-D tensor, got shape [3, 4, 4]");
  CHECK_ERROR(ds::instance_norm(input({2, 3, 0, 4}), Var(), Var(), 1e-5f), "instance_norm: empty input");
  CHECK_ERROR(ds::batch_norm(x, g4, g3, m3, v3, 1e-5f), "batch_norm: gamma shape [4] should be [3]");
  CHECK_ERROR(ds::batch_norm(x, g3, g3, Tensor::zeros({4}), v3, 1e-5f),
              "batch_norm: running_mean shape [4] should be [3]");
  CHECK_ERROR(ds::batch_norm(x, g3, g3, m3, Tensor::zeros({2}), 1e-5f),
              "batch_norm: running_var shape [2] should be [3]");
  CHECK_ERROR(ds::batch_norm(x, g3, g3, m3, Tensor::full({3}, -1.0f), 1e-5f),
              "batch_norm: running_var + eps must be positive");
  CHECK_ERROR(ds::batch_norm(input({3, 4}), g3, g3, m3, v3, 1e-5f), "batch_norm: expected a 4-D tensor");
  CHECK_ERROR(ds::batch_norm(x, g3, g3, Tensor(), v3, 1e-5f), "batch_norm: running_mean is undefined");
  CHECK_ERROR(ds::instance_norm(Var(), g3, g3, 1e-5f), "instance_norm: input is undefined");
}

TEST_CASE("resizing and padding reject bad inputs") {
  Var x = input({1, 2, 4, 5});
  CHECK_ERROR(ds::resize_nearest(x, 0, 3), "resize_nearest: output size 0x3 is invalid");
  CHECK_ERROR(ds::resize_bilinear(x, 4, -1), "resize_bilinear: output size 4x-1 is invalid");
  CHECK_ERROR(ds::resize_bilinear(input({2, 4, 5}), 3, 3),
              "resize_bilinear: expected a 4-D tensor, got shape [2, 4, 5]");
  CHECK_ERROR(ds::resize_nearest(input({1, 2, 0, 5}), 3, 3), "resize_nearest: empty input of shape [1, 2, 0, 5]");
  CHECK_ERROR(ds::pad2d(x, pads(4, 0, 0, 0), PadMode::Reflect),
              "reflection_pad2d: pad (t4 b0 l0 r0) must be non-negative and smaller than the input size [1, 2, 4, 5]");
  CHECK_ERROR(ds::pad2d(x, pads(0, 0, 0, 5), PadMode::Reflect), "reflection_pad2d");
  CHECK_ERROR(ds::pad2d(x, pads(-1, 0, 0, 0), PadMode::Reflect), "reflection_pad2d");
  CHECK_ERROR(ds::pad2d(x, pads(-2, -2, 0, 0), PadMode::Zero),
              "zero_pad2d: pad (t-2 b-2 l0 r0) leaves nothing of input [1, 2, 4, 5]");
  CHECK_ERROR(ds::pad2d(input({4, 5}), pads(1, 1, 1, 1), PadMode::Zero), "zero_pad2d: expected a 4-D tensor");
}

TEST_CASE("convolutions with reflection padding reject pads that have nothing to mirror") {
  Var x = input({1, 2, 4, 5});
  Var w = input({3, 2, 3, 3});
  ds::Conv2dParams p = ds::Conv2dParams::make(1, 1);
  p.pad_mode = PadMode::Reflect;
  p.pad_top = 4;  // as many rows as the input has: row -4 would mirror row 4
  CHECK_ERROR(ds::conv2d(x, w, Var(), p), "conv2d with reflection padding: pad (t4 b1 l1 r1) must be non-negative "
                                         "and smaller than the input size [1, 2, 4, 5]");
  p.pad_top = 1, p.pad_right = 5;
  CHECK_ERROR(ds::conv2d_act(x, w, Var(), p, ds::Act::Elu), "conv2d_act with reflection padding");
  p.pad_right = -1;
  CHECK_ERROR(ds::conv2d(x, w, Var(), p), "must be non-negative");
  p.pad_right = 1;
  CHECK_ERROR(ds::conv_transpose2d(x, input({2, 3, 3, 3}), Var(), p),
              "conv_transpose2d: reflection padding is for convolutions only");
}

TEST_CASE("convolutions of an upsampled input: stride 1 only, the factor checked, reflection fits the enlarged input") {
  Var x = input({1, 2, 3, 4});
  Var w = input({3, 2, 3, 3});
  ds::Conv2dParams p = ds::Conv2dParams::make(2, 1);
  p.upsample = 2;
  CHECK_ERROR(ds::conv2d(x, w, Var(), p), "conv2d: upsample must be 1 .. 64, and is for convolutions of stride 1 "
                                         "without dilation or groups only (stride 2x2, pad (t1 b1 l1 r1), dilation "
                                         "1x1, groups 1, upsample 2)");
  p = ds::Conv2dParams::make(1, 1);
  p.upsample = 0;
  CHECK_ERROR(ds::conv2d(x, w, Var(), p), "upsample must be 1 .. 64");
  p.upsample = 2;
  CHECK_ERROR(ds::conv_transpose2d(x, input({2, 3, 3, 3}), Var(), p), "conv_transpose2d: upsample must be");
  // Reflection of 5 rows fits the enlarged 6 rows (not the input's 3).
  p.pad_mode = PadMode::Reflect;
  p.pad_top = 5;
  CHECK(ds::conv2d(x, w, Var(), p).shape() == ds::Shape{1, 3, 6 + 5 + 1 - 2, 8});
  p.pad_top = 6;
  CHECK_ERROR(ds::conv2d(x, w, Var(), p), "smaller than the input size [1, 2, 6, 8]");
  // The gradient kernels take the enlarged input (autograd's conv2d makes it): a direct call is refused.
  p.pad_top = 1;
  ds::Tensor dx = ds::Tensor::zeros({1, 2, 3, 4});
  CHECK_ERROR(ds::cpu::conv2d_backward_data(ds::Tensor::zeros({1, 3, 6, 8}), w.value(), dx, p),
              "conv2d_backward_data: takes the enlarged input, not upsample 2");
}

TEST_CASE("concat_channels rejects bad inputs") {
  CHECK_ERROR(ds::concat_channels({}), "concat_channels: no inputs");
  CHECK_ERROR(ds::concat_channels({input({1, 2, 4, 5}), input({1, 3, 4, 6})}),
              "concat_channels: shapes [1, 2, 4, 5] and [1, 3, 4, 6] differ outside the channels");
  CHECK_ERROR(ds::concat_channels({input({1, 2, 4, 5}), input({2, 2, 4, 5})}), "concat_channels: shapes");
  CHECK_ERROR(ds::concat_channels({input({1, 2, 4, 5}), input({2, 4, 5})}),
              "concat_channels: expected a 4-D tensor, got shape [2, 4, 5]");
  CHECK_ERROR(ds::concat_channels({input({1, 2, 4, 5}), input({1, 0, 4, 5})}), "concat_channels: empty input");
  CHECK_ERROR(ds::concat_channels({input({1, 2, 4, 5}), Var()}), "concat_channels: input is undefined");
}
