// Tensor basics: creation, element access, views share storage, copies do not, and
// errors name the operation and the shapes.
#include <doctest/doctest.h>

#include "autograd/ops.h"
#include "tensor/tensor.h"

using ds::Error;
using ds::Shape;
using ds::Tensor;

TEST_CASE("tensor creation shape and element access") {
  Tensor t = Tensor::zeros({2, 3, 4, 5});
  CHECK(t.numel() == 120);
  CHECK(t.N() == 2);
  CHECK(t.C() == 3);
  CHECK(t.H() == 4);
  CHECK(t.W() == 5);
  t.set({1, 2, 3, 4}, 7.5f);
  CHECK(t.at({1, 2, 3, 4}) == 7.5f);
  CHECK(t.data()[119] == 7.5f);  // last element in row-major NCHW order
  CHECK(Tensor::full({3}, 2.0f).to_vector() == std::vector<float>{2, 2, 2});
  CHECK_THROWS_AS(t.at({2, 0, 0, 0}), Error);
  CHECK_THROWS_AS(t.at({0, 0, 0}), Error);
}

TEST_CASE("tensor reshape and view_batch share storage while clone copies") {
  Tensor t = Tensor::from_vector({2, 1, 2, 2}, {0, 1, 2, 3, 4, 5, 6, 7});
  Tensor r = t.reshape({8});
  r.data()[0] = 42;
  CHECK(t.at({0, 0, 0, 0}) == 42);
  Tensor b = t.view_batch(1, 2);
  CHECK(b.shape() == Shape{1, 1, 2, 2});
  CHECK(b.at({0, 0, 1, 1}) == 7);
  Tensor c = t.clone();
  c.data()[1] = -1;
  CHECK(t.data()[1] == 1);
  CHECK_THROWS_WITH_AS(t.reshape({3, 3}), doctest::Contains("reshape: cannot view shape [2, 1, 2, 2] as [3, 3]"), Error);
  CHECK_THROWS_AS(t.view_batch(1, 3), Error);
}

TEST_CASE("tensor errors name the op and both shapes") {
  ds::Var a(Tensor::zeros({2, 3, 4, 4})), b(Tensor::zeros({2, 4, 4, 4}));
  CHECK_THROWS_WITH_AS(ds::mse_loss(a, b), doctest::Contains("mse_loss: shape mismatch [2, 3, 4, 4] vs [2, 4, 4, 4]"), Error);
  CHECK_THROWS_WITH_AS(ds::add(a, b), doctest::Contains("add: shapes [2, 3, 4, 4] and [2, 4, 4, 4] cannot be broadcast"),
                       Error);
  ds::Var w(Tensor::zeros({8, 5, 3, 3}));
  CHECK_THROWS_WITH_AS(ds::conv2d(a, w, ds::Var(), ds::Conv2dParams::make(1, 1)),
                       doctest::Contains("conv2d: input [2, 3, 4, 4] and weight [8, 5, 3, 3]"), Error);
}

TEST_CASE("empty and undefined tensors are rejected by ops") {
  ds::Var e(Tensor::zeros({0, 3, 4, 4}));
  CHECK_THROWS_WITH_AS(ds::relu(e), doctest::Contains("relu: empty input of shape [0, 3, 4, 4]"), Error);
  CHECK_THROWS_WITH_AS(ds::sum(e), doctest::Contains("empty input"), Error);
  CHECK_THROWS_AS(Tensor().data(), Error);
  CHECK_THROWS_AS(Tensor::empty({2, -1}), Error);
}

TEST_CASE("cuda tensors are a clear error in a build or machine without cuda") {
  if (ds::cuda_available()) {
    MESSAGE("a CUDA device is present; this check is for machines without one");
    CHECK(true);
    return;
  }
  CHECK_THROWS_AS(Tensor::zeros({2, 2}, ds::Device::CUDA), Error);
  CHECK_THROWS_WITH_AS(ds::parse_device("tpu"), doctest::Contains("unknown device 'tpu'"), Error);
}

TEST_CASE("shape_numel: counts elements, refuses negative dimensions and int64 overflow") {
  CHECK(ds::shape_numel({}) == 1);
  CHECK(ds::shape_numel({2, 3, 5}) == 30);
  CHECK(ds::shape_numel({int64_t{1} << 31, int64_t{1} << 31}) == int64_t{1} << 62);
  CHECK(ds::shape_numel({int64_t{1} << 32, int64_t{1} << 32, 0}) == 0);  // empty, although the product overflows
  CHECK_THROWS_WITH_AS(ds::shape_numel({int64_t{1} << 32, int64_t{1} << 32}),
                       doctest::Contains("[4294967296, 4294967296] has more elements than a 64-bit count"), Error);
  CHECK_THROWS_WITH_AS(ds::shape_numel({3, int64_t{1} << 62}), doctest::Contains("64-bit"), Error);
  CHECK_THROWS_WITH_AS(ds::shape_numel({4, -1}), doctest::Contains("[4, -1] has a negative dimension"), Error);
  CHECK_THROWS_AS(Tensor::empty({int64_t{1} << 32, int64_t{1} << 32}), Error);
}
