// The op-level perf mode (in the spirit of ggml's `test-backend-ops -m perf`): every op-table case
// (the groups OP_TESTS registers, the same inputs as the checks), timed per device, so that a
// kernel change is measured per op before the whole run. Not a test: a mode of ds_tests.
//
//   ds_tests --perf [--perf-filter=TEXT] [--perf-reps=N] [--perf-device=cpu|cuda|all]
//
// Per case and device: the median wall time of N forward calls (default 20, after one warm-up)
// and of N forward + backward passes of L = sum(y * w) (the op table's backward check: the loss's
// own multiply and sum are in the time), and the rate: GFLOP/s for ops that count their
// floating-point operations (the convolutions: autograd/profile.h, direct-equivalent), else the
// forward's GB/s (bytes of the inputs and the output). Cases whose group or name contain TEXT only
// (case-sensitive). The CPU kernels run on the current DEPTHSTYLE_ISA / DEPTHSTYLE_CONV /
// DEPTHSTYLE_GEMM choice, printed in the header; OMP_NUM_THREADS sets the threads.
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "autograd/profile.h"
#include "tensor/cpu/conv_algo.h"
#include "tensor/cpu/gemm.h"
#include "tensor/cpu/isa.h"
#include "tensor/device.h"
#include "tests/op_table.h"

namespace dst {
namespace {

using ds::Device;

double now_ms() {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0.0 : v[v.size() / 2];
}

struct Timing {
  double fwd_ms = 0, both_ms = 0, fwd_flops = 0, bwd_flops = 0, bytes = 0;
};

// One forward (with_backward false) or forward + backward of L = sum(y * w) on `dev`.
void pass(const OpCase& c, const std::vector<Tensor>& inputs, const Tensor& w, bool with_backward) {
  std::vector<Var> vars;
  for (size_t i = 0; i < inputs.size(); ++i)
    vars.emplace_back(inputs[i], with_backward && (c.grad_inputs.empty() || c.grad_inputs[i]));
  Var y = c.run(vars);
  if (with_backward) ds::sum(y * Var(w)).backward();
  ds::cuda::synchronize();
}

Timing time_case(const OpCase& c, Device dev, int reps) {
  std::vector<DTensor> xs = make_inputs(c, seed_of(c.name));
  std::vector<Tensor> inputs;
  Timing t;
  for (const DTensor& x : xs) {
    inputs.push_back(to_float(x, dev));
    t.bytes += static_cast<double>(inputs.back().bytes());
  }
  Tensor y;
  {
    std::vector<Var> vars;
    for (const Tensor& x : inputs) vars.emplace_back(x, false);
    y = c.run(vars).value();
  }
  t.bytes += static_cast<double>(y.bytes());
  Tensor w = to_float(Rng(seed_of(c.name) + 1).normal(y.shape()), dev);
  // The operations the case counts (convolutions), from one profiled forward + backward.
  ds::profile_reset();
  ds::profile_enable(true);
  pass(c, inputs, w, true);
  ds::profile_enable(false);
  for (const ds::ProfileEntry& e : ds::profile_entries()) t.fwd_flops += e.fwd_flops, t.bwd_flops += e.bwd_flops;
  ds::profile_reset();
  for (bool both : {false, true}) {
    pass(c, inputs, w, both);  // warm-up: caches, scratch buffers, cuDNN's algorithm choice
    std::vector<double> ms;
    for (int r = 0; r < reps; ++r) {
      double t0 = now_ms();
      pass(c, inputs, w, both);
      ms.push_back(now_ms() - t0);
    }
    (both ? t.both_ms : t.fwd_ms) = median(ms);
  }
  return t;
}

std::string rate(const Timing& t, bool both) {
  char buf[48];
  double ms = both ? t.both_ms : t.fwd_ms;
  if (t.fwd_flops > 0)
    std::snprintf(buf, sizeof buf, "%.1f GFLOP/s", (t.fwd_flops + (both ? t.bwd_flops : 0)) / ms * 1e-6);
  else if (!both)
    std::snprintf(buf, sizeof buf, "%.2f GB/s", t.bytes / ms * 1e-6);
  else
    buf[0] = 0;
  return buf;
}

const char* option(int argc, char** argv, const char* name) {
  size_t n = std::strlen(name);
  for (int i = 1; i < argc; ++i)
    if (std::strncmp(argv[i], name, n) == 0 && argv[i][n] == '=') return argv[i] + n + 1;
  return nullptr;
}

}  // namespace

int run_perf(int argc, char** argv) {
  for (int i = 1; i < argc; ++i)
    if (std::strcmp(argv[i], "--perf") != 0 && std::strncmp(argv[i], "--perf-", 7) != 0) {
      std::fprintf(stderr, "ds_tests --perf: unknown option '%s' (--perf-filter=TEXT, --perf-reps=N, "
                           "--perf-device=cpu|cuda|all)\n", argv[i]);
      return 2;
    }
  const char* filter = option(argc, argv, "--perf-filter");
  const char* reps_s = option(argc, argv, "--perf-reps");
  const char* dev_s = option(argc, argv, "--perf-device");
  int reps = reps_s ? std::atoi(reps_s) : 20;
  std::string devs = dev_s ? dev_s : "all";
  if (reps < 1 || (devs != "cpu" && devs != "cuda" && devs != "all")) {
    std::fprintf(stderr, "ds_tests --perf: --perf-reps must be >= 1 and --perf-device cpu, cuda or all\n");
    return 2;
  }
  std::vector<Device> devices;
  if (devs != "cuda") devices.push_back(Device::CPU);
  if (devs != "cpu" && ds::cuda_available()) devices.push_back(Device::CUDA);
  if (devices.empty()) {
    std::fprintf(stderr, "ds_tests --perf: --perf-device cuda, but no CUDA device\n");
    return 1;
  }
  const ds::cpu::Isa isa = ds::cpu::cpu_isa();
  std::printf("op perf: %d OpenMP threads; CPU kernels %s (%d-float vectors), conv %s, gemm %s; median of %d runs\n\n",
              omp_get_max_threads(), ds::cpu::isa_name(isa), ds::cpu::isa_vector_floats(isa),
              ds::cpu::conv_algo_name(ds::cpu::conv_algo()), ds::cpu::gemm_backend_name(ds::cpu::gemm_backend()), reps);
  std::printf("| group | case | device | fwd ms | fwd rate | fwd+bwd ms | fwd+bwd rate |\n|---|---|---|---|---|---|---|\n");
  int timed = 0;
  for (const OpGroup& g : op_groups())
    for (const OpCase& c : g.make_cases()) {
      if (filter && std::string(g.name).find(filter) == std::string::npos && c.name.find(filter) == std::string::npos)
        continue;
      for (Device dev : devices) {
        Timing t = time_case(c, dev, reps);
        std::printf("| %s | %s | %s | %.4f | %s | %.4f | %s |\n", g.name, c.name.c_str(),
                    dev == Device::CPU ? "cpu" : "cuda", t.fwd_ms, rate(t, false).c_str(), t.both_ms,
                    rate(t, true).c_str());
        std::fflush(stdout);
        ++timed;
      }
    }
  if (timed == 0) {
    std::fprintf(stderr, "ds_tests --perf: no op-table case matches '%s'\n", filter ? filter : "");
    return 1;
  }
  return 0;
}

}  // namespace dst
