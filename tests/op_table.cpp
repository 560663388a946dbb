// Drivers for the op test table (see op_table.h).
#include "tests/op_table.h"

#include <cmath>

#include "tensor/device.h"

namespace dst {

using ds::Device;

std::vector<OpGroup>& op_groups() {
  static std::vector<OpGroup> groups;
  return groups;
}

bool register_op_group(const char* name, std::vector<OpCase> (*make_cases)()) {
  op_groups().push_back({name, make_cases});
  return true;
}

std::vector<DTensor> make_inputs(const OpCase& c, uint64_t seed) {
  Rng rng(seed);
  std::vector<DTensor> xs;
  for (size_t i = 0; i < c.inputs.size(); ++i)
    xs.push_back(c.make_input ? c.make_input(rng, i, c.inputs[i]) : rng.normal(c.inputs[i]));
  return xs;
}

// Inputs rounded to float32, so the oracle sees exactly what the kernels see.
static void round_to_float(std::vector<DTensor>& xs) {
  for (DTensor& x : xs)
    for (double& v : x.v) v = static_cast<float>(v);
}

uint64_t seed_of(const std::string& name) { return std::hash<std::string>{}(name) & 0xffffffff; }

struct Result {
  Tensor out;
  std::vector<Tensor> grads;  // undefined where not checked
};

// Runs the op on `dev`; with `weights` also backpropagates L = sum(out * weights).
static Result run_case(const OpCase& c, const std::vector<DTensor>& xs, Device dev, const DTensor* weights) {
  std::vector<Var> vars;
  for (size_t i = 0; i < xs.size(); ++i) {
    bool g = weights && (c.grad_inputs.empty() || c.grad_inputs[i]);
    vars.emplace_back(to_float(xs[i], dev), g);
  }
  Var y = c.run(vars);
  Result r;
  r.out = y.value().to(Device::CPU);
  if (weights) {
    Var loss = ds::sum(y * Var(to_float(*weights, dev)));
    loss.backward();
    for (const Var& v : vars) r.grads.push_back(v.grad().defined() ? v.grad().to(Device::CPU) : Tensor());
  }
  return r;
}

void run_forward_cases(const std::vector<OpCase>& cases) {
  for (const OpCase& c : cases) {
    CAPTURE(c.name);
    std::vector<DTensor> xs = make_inputs(c, seed_of(c.name));
    round_to_float(xs);
    DTensor want = c.oracle(xs);
    Result got = run_case(c, xs, Device::CPU, nullptr);
    Tol tol = float32_tol(want, c.sum_terms).times(c.amplification);
    check_close(c.name + " forward", got.out, want, tol.atol, tol.rtol);
  }
}

// sum_i (a_i - b_i) * w_i: outputs a perturbation leaves unchanged contribute exactly 0.
static double weighted_difference(const DTensor& a, const DTensor& b, const DTensor& w) {
  double s = 0;
  for (size_t i = 0; i < a.v.size(); ++i) s += (a.v[i] - b.v[i]) * w.v[i];
  return s;
}

void run_backward_cases(const std::vector<OpCase>& cases) {
  for (const OpCase& c : cases) {
    if (!c.finite_differences) continue;
    CAPTURE(c.name);
    std::vector<DTensor> xs = make_inputs(c, seed_of(c.name));
    round_to_float(xs);
    DTensor y0 = c.oracle(xs);
    Rng rng(seed_of(c.name) + 1);
    DTensor w = rng.normal(y0.shape);
    for (double& v : w.v) v = static_cast<float>(v);
    Result got = run_case(c, xs, Device::CPU, &w);
    for (size_t i = 0; i < xs.size(); ++i) {
      if (!c.grad_inputs.empty() && !c.grad_inputs[i]) continue;
      // Central differences of L = sum(oracle(x) * w) in float64, far more accurate than the
      // float32 tolerance (>= 16u * S): truncation h^2/6 * |d3L/dx3| <= 5e-11 * O(1) for |x| < 16;
      // rounding ~ eps64 * sqrt(K * n) * |y w| / (2h) < 1.4e-8 * |y w| (< u/4) for K, n <= 250,
      // K the oracle's sum length and n the outputs x_j reaches (the others cancel exactly in the
      // difference). h stays this small so that no input lies within h of a kink (relu at 0,
      // relu6 at 6): probability ~1e-7 per element.
      DTensor fd(xs[i].shape);
      std::vector<DTensor> xp = xs;
      for (size_t j = 0; j < xs[i].v.size(); ++j) {
        double x0 = xs[i].v[j];
        double h = 1e-6 * std::max(1.0, std::fabs(x0));
        xp[i].v[j] = x0 + h;
        DTensor yp = c.oracle(xp);
        xp[i].v[j] = x0 - h;
        DTensor ym = c.oracle(xp);
        xp[i].v[j] = x0;
        fd.v[j] = weighted_difference(yp, ym, w) / (2 * h);
      }
      REQUIRE_MESSAGE(got.grads[i].defined(), c.name << ": no gradient for input " << i);
      int64_t k = i < c.grad_sum_terms.size() ? c.grad_sum_terms[i] : 1;
      double a = i < c.grad_amplification.size() ? c.grad_amplification[i] : 1;
      Tol tol = float32_tol(fd, k, c.grad_min_scale).times(a);
      check_close(c.name + " gradient of input " + std::to_string(i), got.grads[i], fd, tol.atol, tol.rtol);
    }
  }
}

void run_cuda_cases(const char* group, const std::vector<OpCase>& cases) {
  if (skip_without_cuda(group)) return;
  // The tolerances are float32 error models: TF32 (--precision tf32) would exceed them.
  ds::cuda::set_allow_tf32(false);
  for (const OpCase& c : cases) {
    CAPTURE(c.name);
    std::vector<DTensor> xs = make_inputs(c, seed_of(c.name));
    round_to_float(xs);
    Rng rng(seed_of(c.name) + 1);
    Shape out_shape = c.oracle(xs).shape;
    DTensor w = rng.normal(out_shape);
    for (double& v : w.v) v = static_cast<float>(v);
    Result cpu = run_case(c, xs, Device::CPU, &w);
    Result gpu = run_case(c, xs, Device::CUDA, &w);
    check_close(c.name + " cuda forward", gpu.out, to_double(cpu.out), c.cuda_atol, c.cuda_rtol);
    for (size_t i = 0; i < cpu.grads.size(); ++i) {
      if (!cpu.grads[i].defined()) continue;
      REQUIRE_MESSAGE(gpu.grads[i].defined(), c.name << ": no cuda gradient for input " << i);
      check_close(c.name + " cuda gradient of input " + std::to_string(i), gpu.grads[i], to_double(cpu.grads[i]),
                  c.cuda_atol, c.cuda_rtol);
    }
  }
}

}  // namespace dst
