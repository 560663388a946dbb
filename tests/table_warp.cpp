// Op table: warp (bilinear sampling of an image by a flow field, autograd/ops.h), against the
// tent-sum oracle (tests/oracle_warp.cpp), finite differences in the image and in the flow, and
// CUDA against the CPU.
//
// Flows: whole pixels plus a fraction in [0.05, 0.95], so no sample lies within finite
// differences' reach of a pixel centre or the border, where the sampling has kinks; one group
// leaves the image on every side (clamping), one is whole-pixel shifts (exact copies), one holds
// NaN, infinities and huge values (clamped; forward and image gradient only).
#include <cmath>
#include <limits>

#include "tests/op_table.h"
#include "tests/oracle.h"

namespace dst {
namespace {

// Image N(0,1); flow = integer in [-reach, reach] + fraction in [0.05, 0.95].
OpCase warp_case(const std::string& name, const Shape& image, int reach) {
  OpCase c;
  c.name = name + " " + ds::shape_str(image) + " reach " + std::to_string(reach);
  c.inputs = {image, {image[0], 2, image[2], image[3]}};
  c.run = [](const std::vector<Var>& v) { return ds::warp(v[0], v[1]); };
  c.oracle = [](const std::vector<DTensor>& x) { return warp_ref(x[0], x[1]); };
  c.make_input = [reach](Rng& r, size_t input, const Shape& s) {
    if (input == 0) return r.normal(s);
    DTensor f(s);
    for (double& v : f.v) v = std::floor(r.uniform(-reach, reach + 1)) + r.uniform(0.05, 0.95);
    return f;
  };
  // Forward: four taps, a few roundings. Image gradient: an input pixel gathers from every output
  // whose sample lands within one pixel of it, at most (2 reach + 2)^2 of them, or the whole
  // image at a clamped border. Flow gradient: a sum over the channels.
  int64_t gather = std::min<int64_t>((2 * reach + 2) * (2 * reach + 2), image[2] * image[3]);
  c.sum_terms = 4;
  c.grad_sum_terms = {reach >= std::max(image[2], image[3]) ? image[2] * image[3] : gather, image[1]};
  c.finite_differences = ds::shape_numel(image) * 3 < 2500;
  // CUDA: atomicAdd order in the image gradient (up to `gather` terms of O(1)).
  c.cuda_atol = 2e-5;
  return c;
}

std::vector<OpCase> warp_cases() {
  std::vector<OpCase> cases = {
      warp_case("small moves", {1, 1, 4, 5}, 0),      warp_case("small moves", {2, 3, 6, 7}, 1),
      warp_case("one column", {1, 2, 5, 1}, 1),       warp_case("one row", {1, 3, 1, 6}, 1),
      warp_case("leaves the image", {2, 2, 5, 6}, 8), warp_case("large", {2, 5, 37, 41}, 3),
  };
  // Whole-pixel shifts copy pixels exactly (fx = fy = 0), the clamped border included.
  OpCase shift = warp_case("whole pixels", {1, 2, 6, 7}, 2);
  shift.make_input = [](Rng& r, size_t input, const Shape& s) {
    if (input == 0) return r.normal(s);
    DTensor f(s);
    for (double& v : f.v) v = std::floor(r.uniform(-2, 3));
    return f;
  };
  shift.grad_inputs = {true, false};  // kinks at every sample in the flow
  cases.push_back(shift);
  OpCase odd = warp_case("non-finite and huge flow", {1, 2, 4, 5}, 1);
  odd.make_input = [](Rng& r, size_t input, const Shape& s) {
    if (input == 0) return r.normal(s);
    const double inf = std::numeric_limits<double>::infinity();
    const double specials[] = {std::nan(""), inf, -inf, 1e12, -1e12, 3e9, 0.4, -1.3};
    DTensor f(s);
    for (size_t i = 0; i < f.v.size(); ++i) f.v[i] = specials[i % 8] + (i % 8 >= 6 ? r.uniform(0, 0.1) : 0.0);
    return f;
  };
  odd.grad_inputs = {true, false};
  odd.grad_sum_terms = {20, 2};
  cases.push_back(odd);
  return cases;
}

}  // namespace

OP_TESTS(warp_cases, "warp")

}  // namespace dst
