// The op test table (in the spirit of ggml's test-backend-ops): every op case is run
//   1. forward on the CPU against a float64 naive oracle (tests/oracle.h),
//   2. backward on the CPU against central finite differences of that oracle, in float64,
//   3. forward and backward on CUDA against the CPU (skipped, by name, without a device).
// Each group of cases (one op, several shapes and parameter sets) becomes three ctest
// tests through OP_TESTS(group, "name").
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "autograd/ops.h"
#include "tests/check.h"

namespace dst {

using ds::Var;

struct OpCase {
  std::string name;           // says what the case covers, e.g. "3x3 stride 2 groups 3 odd size"
  std::vector<Shape> inputs;  // shapes of the differentiable inputs, in run()'s order
  std::function<Var(const std::vector<Var>&)> run;                     // the op under test
  std::function<DTensor(const std::vector<DTensor>&)> oracle;          // float64 reference
  std::function<DTensor(Rng&, size_t input, const Shape&)> make_input;  // default: N(0,1)
  std::vector<bool> grad_inputs;  // inputs whose gradient is checked (default: all)
  // CPU tolerances follow the float32 model of tests/check.h (float32_tol): K is the most
  // terms the kernel sums in float32 into one output, 1 where it sums in double or not at all.
  int64_t sum_terms = 1;                // K of the forward
  std::vector<int64_t> grad_sum_terms;  // K of each input's gradient (default: 1 for all)
  double grad_min_scale = 0;            // floor of S for the gradients, where intermediates outgrow them
  // Factor on that model for algorithms whose float32 intermediates outgrow the result
  // (Winograd convolutions, tests/README.md "Tolerances"): of the forward, of each gradient.
  double amplification = 1;
  std::vector<double> grad_amplification;  // default: 1 for all
  // CUDA vs CPU, forward and backward: two float32 results, each within its own rounding
  // error. Defaults (1e-5 = ~170u of O(1) values) suit ops whose every output is a short
  // computation (a few roundings each side, the GPU's expf and reciprocals within a few ulps);
  // ops with long reductions (conv, gram, norms) state wider ones beside their cases.
  double cuda_atol = 1e-5, cuda_rtol = 1e-5;
  bool finite_differences = true;  // off for cases too large for an O(numel * oracle) check
};

void run_forward_cases(const std::vector<OpCase>& cases);
void run_backward_cases(const std::vector<OpCase>& cases);
void run_cuda_cases(const char* group, const std::vector<OpCase>& cases);

// A case's inputs as the drivers make them (seeded by seed_of(case name)).
std::vector<DTensor> make_inputs(const OpCase& c, uint64_t seed);
uint64_t seed_of(const std::string& name);

// Every group of cases, in registration order: OP_TESTS registers its group here too, so that the
// op-level perf mode (tests/op_perf.cpp, `ds_tests --perf`) times the same cases.
struct OpGroup {
  const char* name;
  std::vector<OpCase> (*make_cases)();
};
std::vector<OpGroup>& op_groups();
bool register_op_group(const char* name, std::vector<OpCase> (*make_cases)());

// `ds_tests --perf [--perf-filter=TEXT] [--perf-reps=N] [--perf-device=cpu|cuda|all]`: times every
// op-table case (tests/op_perf.cpp); returns the exit status. argv holds only the --perf options.
int run_perf(int argc, char** argv);

}  // namespace dst

#define DS_OP_CONCAT2(a, b) a##b
#define DS_OP_CONCAT(a, b) DS_OP_CONCAT2(a, b)
#define OP_TESTS(make_cases, group)                                                                   \
  TEST_CASE(group " forward matches float64 oracle") { dst::run_forward_cases(make_cases()); }         \
  TEST_CASE(group " backward matches finite differences") { dst::run_backward_cases(make_cases()); }   \
  TEST_CASE(group " cuda matches cpu") { dst::run_cuda_cases(group, make_cases()); }                   \
  static const bool DS_OP_CONCAT(ds_op_group_, __LINE__) = dst::register_op_group(group, make_cases);
