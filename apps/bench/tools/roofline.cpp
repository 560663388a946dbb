// The machine's roofline: FMA peak per instruction-set path and thread count, and memory
// bandwidth. Not a test: run by hand, results go to docs/benchmarks.md ("Roofline").
//
//   build/bin/roofline [--runs N] [--mb M] [--clock wall|cpu]
//
// FMA peak: the per-ISA loop of tensor/cpu/roofline_kernel.inc (independent vector multiply-add
// chains, the same code generation as the kernels it bounds) on 1 thread and on every OpenMP
// thread at once, for each instruction set this CPU runs (tensor/cpu/isa.h): GFLOP/s = 2 *
// multiply-adds / wall time. Memory bandwidth: read (sum), write (fill), copy and triad
// (a = b + s * c) over arrays of M MiB each (default 256, larger than the caches), 1 and all
// threads: GB/s = bytes read + written / wall time. Each figure: best (the machine's
// capability; other processes only slow a run down) and median of N runs (default 7).
// --clock cpu: the process's CPU time divided by the thread count instead of the wall time (each
// thread's rate while it ran, times the threads), which a busy machine's other processes do not
// inflate; on a quiet machine the two agree.
// The ridge point (peak / bandwidth) is the arithmetic intensity in FLOP per byte above which a
// kernel can be compute bound.
#include <omp.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "apps/bench/bench_clock.h"
#include "tensor/cpu/isa_kernels.h"

namespace {

bool g_cpu_clock = false;

struct Rate {
  double best, median;
};

// Rate (amount / second) of `runs` calls of f, which returns the amount it did on `threads`
// threads (with --clock cpu the CPU time is divided among them).
Rate measure(int runs, int threads, const std::function<double()>& f) {
  f();  // warm-up: page faults, frequency ramp
  std::vector<double> r;
  for (int i = 0; i < runs; ++i) {
    double t0 = ds::app::bench_clock_seconds(g_cpu_clock);
    double amount = f();
    double dt = ds::app::bench_clock_seconds(g_cpu_clock) - t0;
    r.push_back(amount / (g_cpu_clock ? dt / threads : dt));
  }
  std::sort(r.begin(), r.end());
  return {r.back(), r[r.size() / 2]};
}

std::string cpu_model() {
  std::ifstream f("/proc/cpuinfo");
  for (std::string line; std::getline(f, line);)
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  return "unknown CPU";
}

volatile float g_sink;  // keeps the FMA loops' results alive

// FLOP of `threads` threads each running the FMA loop n times.
double fma_run(const ds::cpu::IsaKernels& k, int threads, int64_t n) {
  float s = 0;
#pragma omp parallel num_threads(threads) reduction(+ : s)
  s += k.fma_loop(n);
  g_sink = s;
  return static_cast<double>(k.fma_loop_flops) * n * threads;
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 7;
  int64_t mb = 256;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--runs") == 0 && i + 1 < argc) runs = std::max(1, std::atoi(argv[++i]));
    else if (std::strcmp(argv[i], "--mb") == 0 && i + 1 < argc) mb = std::max(1, std::atoi(argv[++i]));
    else if (std::strcmp(argv[i], "--clock") == 0 && i + 1 < argc &&
             (std::strcmp(argv[i + 1], "wall") == 0 || std::strcmp(argv[i + 1], "cpu") == 0))
      g_cpu_clock = std::strcmp(argv[++i], "cpu") == 0;
    else {
      std::fprintf(stderr, "usage: roofline [--runs N] [--mb M] [--clock wall|cpu]\n");
      return 2;
    }
  }
  const int max_threads = omp_get_max_threads();
  std::vector<int> thread_counts = {1};
  if (max_threads > 1) thread_counts.push_back(max_threads);
  std::printf("roofline: %s, %d OpenMP threads, best (median) of %d runs, %s\n\n", cpu_model().c_str(), max_threads,
              runs, g_cpu_clock ? "CPU time per thread (--clock cpu)" : "wall clock");

  std::printf("| FMA peak | threads | GFLOP/s best (median) | per thread |\n|---|---|---|---|\n");
  double peak = 0;
  for (ds::cpu::Isa isa : {ds::cpu::Isa::Avx512, ds::cpu::Isa::Avx2, ds::cpu::Isa::Generic}) {
    if (!ds::cpu::isa_supported(isa)) continue;
    ds::cpu::set_cpu_isa(isa);
    const ds::cpu::IsaKernels& k = ds::cpu::kernels();
    for (int t : thread_counts) {
      const int64_t n = 2'000'000'000 / k.fma_loop_flops;  // 2 GFLOP per thread and run: ~10-50 ms
      Rate r = measure(runs, t, [&] { return fma_run(k, t, n); });
      peak = std::max(peak, r.best);
      std::printf("| %s (%d floats) | %d | %.1f (%.1f) | %.1f |\n", ds::cpu::isa_name(isa), k.vec_floats, t,
                  r.best * 1e-9, r.median * 1e-9, r.best * 1e-9 / t);
    }
  }
  ds::cpu::set_cpu_isa(ds::cpu::best_isa());

  const int64_t n = mb * (1 << 20) / sizeof(float);
  std::unique_ptr<float[]> a(new float[n]), b(new float[n]), c(new float[n]);
  std::printf("\n| memory (%lld MiB arrays) | threads | GB/s best (median) |\n|---|---|---|\n",
              static_cast<long long>(mb));
  double bandwidth = 0;
  for (int t : thread_counts) {
#pragma omp parallel for num_threads(t) schedule(static)
    for (int64_t i = 0; i < n; ++i) a[i] = 1.0f, b[i] = 2.0f, c[i] = 3.0f;  // first touch by the threads
    const double bytes = static_cast<double>(n) * sizeof(float);
    struct Kernel {
      const char* name;
      double arrays;  // bytes moved per element, in arrays
      std::function<void()> run;
    };
    float* pa = a.get();
    const float* pb = b.get();
    const float* pc = c.get();
    const Kernel kernels[] = {
        {"read", 1,
         [&] {
           float s = 0;
           // 16 partial sums per thread, which the compiler keeps in vector lanes: one dependent
           // add per element would measure the add's latency, not the memory (n is a multiple of 16).
#pragma omp parallel num_threads(t) reduction(+ : s)
           {
             float acc[16] = {};
#pragma omp for schedule(static) nowait
             for (int64_t i = 0; i < n / 16; ++i)
               for (int l = 0; l < 16; ++l) acc[l] += pb[i * 16 + l];
             for (float v : acc) s += v;
           }
           g_sink = s;
         }},
        {"write", 1,
         [&] {
#pragma omp parallel for num_threads(t) schedule(static)
           for (int64_t i = 0; i < n; ++i) pa[i] = 1.0f;
         }},
        {"copy", 2,
         [&] {
#pragma omp parallel for num_threads(t) schedule(static)
           for (int64_t i = 0; i < n; ++i) pa[i] = pb[i];
         }},
        {"triad", 3,
         [&] {
#pragma omp parallel for num_threads(t) schedule(static)
           for (int64_t i = 0; i < n; ++i) pa[i] = pb[i] + 0.5f * pc[i];
         }},
    };
    for (const Kernel& k : kernels) {
      Rate r = measure(runs, t, [&] {
        k.run();
        return k.arrays * bytes;
      });
      bandwidth = std::max(bandwidth, r.best);
      std::printf("| %s | %d | %.1f (%.1f) |\n", k.name, t, r.best * 1e-9, r.median * 1e-9);
    }
  }
  std::printf("\nridge point: %.1f FLOP/byte (best FMA peak %.1f GFLOP/s / best bandwidth %.1f GB/s)\n",
              peak / bandwidth, peak * 1e-9, bandwidth * 1e-9);
  return 0;
}
