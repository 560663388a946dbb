// Benchmark of the CPU convolution kernels and the GEMM under them, for each GEMM choice
// (own blocked SGEMM, OpenBLAS), and of im2col + GEMM against Winograd F(2x2, 3x3) and
// F(4x4, 3x3) on the 3x3 layers of the networks. Not a test: run by hand, results go to
// docs/benchmarks.md.
//
//   build/bin/bench_conv [--quick] [--layers]     --layers: only the network-layer table
//
// Reports GFLOP/s (2 * multiply-adds of the direct convolution / seconds, so that algorithms
// compare by time), median and best of several runs after warm-up, for conv2d forward,
// backward-data and backward-filter on 3x3 pad-1 layers at batch 1, and for raw GEMMs of the
// shapes those layers produce. The network-layer table times the algorithms interleaved (one
// run of each in turn), so that a busy machine slows them alike, and gives each Winograd
// variant's median time as a ratio to im2col's. Threads: OpenMP's default (OMP_NUM_THREADS).
#include <omp.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "apps/bench/bench_clock.h"
#include "tensor/cpu/conv_algo.h"
#include "tensor/cpu/gemm.h"
#include "tensor/kernels.h"

namespace {

using ds::Tensor;

// Deterministic pseudo-random values in [-1, 1) (contents do not matter, only no denormals).
Tensor random_tensor(const ds::Shape& s) {
  Tensor t = Tensor::empty(s);
  uint32_t state = 12345;
  float* p = t.data();
  for (int64_t i = 0; i < t.numel(); ++i) {
    state = state * 1664525u + 1013904223u;
    p[i] = static_cast<float>(state >> 8) / 8388608.0f - 1.0f;
  }
  return t;
}

// The clock: wall time, or with --clock cpu the process's CPU time (user + system of all its
// threads), which a busy machine's other processes do not inflate: with OMP_NUM_THREADS=1 and
// OMP_WAIT_POLICY=passive it is the work itself.
bool g_cpu_clock = false;
std::string g_only;  // --only TEXT: network layers whose name contains TEXT
double now_seconds() { return ds::app::bench_clock_seconds(g_cpu_clock); }

// Timings of `runs` calls of f after `warmup` calls: median, and best (least disturbed by other
// processes on a shared machine).
struct Timing {
  double median, best;
};
Timing time_runs(int warmup, int runs, const std::function<void()>& f) {
  for (int i = 0; i < warmup; ++i) f();
  std::vector<double> t;
  for (int i = 0; i < runs; ++i) {
    double t0 = now_seconds();
    f();
    t.push_back(now_seconds() - t0);
  }
  std::sort(t.begin(), t.end());
  return {t[t.size() / 2], t[0]};
}

// Timings of each of fs, their runs interleaved: run i of every f before run i + 1 of any.
std::vector<Timing> time_interleaved(int warmup, int runs, const std::vector<std::function<void()>>& fs) {
  std::vector<std::vector<double>> t(fs.size());
  for (int i = 0; i < warmup + runs; ++i)
    for (size_t k = 0; k < fs.size(); ++k) {
      double t0 = now_seconds();
      fs[k]();
      if (i >= warmup) t[k].push_back(now_seconds() - t0);
    }
  std::vector<Timing> out;
  for (auto& v : t) {
    std::sort(v.begin(), v.end());
    out.push_back({v[v.size() / 2], v[0]});
  }
  return out;
}

// "median (best)" GFLOP/s.
std::string rate(double flops, Timing t) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%6.1f (%5.1f)", flops / t.median * 1e-9, flops / t.best * 1e-9);
  return buf;
}

struct Layer {
  std::string name;
  int64_t c, h, w, cout;
  int k = 3, stride = 1;     // k x k kernel, padding k / 2 (the network layers)
  bool transposed = false;   // a transposed conv: h x w is its input, its output stride times larger
};

std::string cpu_model() {
  std::ifstream f("/proc/cpuinfo");
  for (std::string line; std::getline(f, line);)
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  return "unknown CPU";
}

// The 3x3 stride-1 pad-1 convolutions of the loss networks at a 256 (and 512) px input, and
// layers of the fast-style transformer; network_layers() adds Monodepth2's.
const Layer kNetworkLayers[] = {
    {"sqz fire2 16->64 63", 16, 63, 63, 64},      {"sqz fire4 32->128 31", 32, 31, 31, 128},
    {"sqz fire6 48->192 15", 48, 15, 15, 192},    {"sqz fire8 64->256 15", 64, 15, 15, 256},
    {"sqz512 fire2 16->64 127", 16, 127, 127, 64}, {"sqz512 fire4 32->128 63", 32, 63, 63, 128},
    {"sqz512 fire6 48->192 31", 48, 31, 31, 192}, {"sqz512 fire8 64->256 31", 64, 31, 31, 256},
    {"vgg conv1_1 3->64 256", 3, 256, 256, 64},   {"vgg conv1_2 64->64 256", 64, 256, 256, 64},
    {"vgg conv2_1 64->128 128", 64, 128, 128, 128}, {"vgg conv2_2 128->128 128", 128, 128, 128, 128},
    {"vgg conv3_1 128->256 64", 128, 64, 64, 256}, {"vgg conv3_2 256->256 64", 256, 64, 64, 256},
    {"vgg conv4_1 256->512 32", 256, 32, 32, 512}, {"vgg conv4_2 512->512 32", 512, 32, 32, 512},
    {"vgg conv5_1 512->512 16", 512, 16, 16, 512},
    // The fast-style transformer at 1280x720: its 9x9 input and output layers, a stride-2 layer,
    // the residual blocks (at a quarter of each side) and the last transposed (upsampling) layer.
    {"fast conv1 3->32 9x9 720x1280", 3, 720, 1280, 32, 9},
    {"fast conv2 32->64 s2 720x1280", 32, 720, 1280, 64, 3, 2},
    {"fast res 128->128 180x320", 128, 180, 320, 128},
    {"fast deconv2 64->32 t2 360x640", 64, 360, 640, 32, 3, 2, true},
    {"fast conv4 32->3 9x9 720x1280", 32, 720, 1280, 3, 9},
};

// kNetworkLayers, then Monodepth2's 3x3 stride-1 convolutions at 192x640: the ResNet18 stages and
// the decoder's upconv(i, 0) and upconv(i, 1) and the disparity head, timed with zero padding 1
// (the network's reflection padding, read in place, costs the same GEMMs; its input gradient adds
// a fold of the border, docs/benchmarks.md, "Fourth session").
std::vector<Layer> network_layers() {
  std::vector<Layer> out(std::begin(kNetworkLayers), std::end(kNetworkLayers));
  const int64_t enc[5] = {64, 64, 128, 256, 512}, dec[5] = {16, 32, 64, 128, 256};
  auto add = [&](const std::string& name, int64_t cin, int64_t side_div, int64_t cout) {
    const int64_t h = 192 / side_div, w = 640 / side_div;
    out.push_back({"md2 " + name + " " + std::to_string(cin) + "->" + std::to_string(cout) + " " + std::to_string(h) +
                       "x" + std::to_string(w),
                   cin, h, w, cout});
  };
  for (int s = 1; s <= 4; ++s) add("layer" + std::to_string(s), enc[s], 2 << s, enc[s]);
  for (int i = 4; i >= 0; --i) {
    add("upconv" + std::to_string(i) + "_0", i == 4 ? enc[4] : dec[i + 1], 2 << i, dec[i]);
    add("upconv" + std::to_string(i) + "_1", dec[i] + (i > 0 ? enc[i - 1] : 0), 1 << i, dec[i]);
  }
  add("disp0", dec[0], 1, 1);
  return out;
}

// Forward and backward-data of each network layer with each algorithm, default GEMM.
void network_layers(int warmup, int runs) {
  using ds::cpu::ConvAlgo;
  const ConvAlgo algos[] = {ConvAlgo::Im2col, ConvAlgo::WinogradF2, ConvAlgo::WinogradF4};
  std::printf("\nnetwork layers, gemm %s: GFLOP/s median (best); time / im2col's (median)\n",
              ds::cpu::gemm_backend_name(ds::cpu::gemm_backend()));
  std::printf("%-26s %-12s %14s %6s %14s %6s\n", "layer (pad k/2)", "algorithm", "forward", "ratio", "bwd data",
              "ratio");
  for (const Layer& l : network_layers()) {
    if (!g_only.empty() && l.name.find(g_only) == std::string::npos) continue;
    ds::Conv2dParams p = ds::Conv2dParams::make(l.stride, l.k / 2);
    if (l.transposed) p.out_pad_h = p.out_pad_w = l.stride - 1;
    const int64_t ho = l.transposed ? l.h * l.stride : (l.h + 2 * (l.k / 2) - l.k) / l.stride + 1;
    const int64_t wo = l.transposed ? l.w * l.stride : (l.w + 2 * (l.k / 2) - l.k) / l.stride + 1;
    Tensor x = random_tensor({1, l.c, l.h, l.w});
    Tensor w = random_tensor(l.transposed ? ds::Shape{l.c, l.cout, l.k, l.k} : ds::Shape{l.cout, l.c, l.k, l.k});
    Tensor b = random_tensor({l.cout}), y = Tensor::empty({1, l.cout, ho, wo});
    Tensor dy = random_tensor(y.shape()), dx = Tensor::empty(x.shape());
    // 2 * multiply-adds of the direct convolution: per output pixel of the conv (for a transposed
    // one: per input pixel) Cin * k * k for each output channel.
    double flops = 2.0 * l.cout * l.c * l.k * l.k * (l.transposed ? l.h * l.w : ho * wo);
    std::vector<std::function<void()>> fwd, bwd;
    for (ConvAlgo a : algos) {
      fwd.push_back([&, a] {
        ds::cpu::set_conv_algo(a);
        if (l.transposed) return ds::cpu::conv_transpose2d_forward(x, w, b, y, p);
        ds::cpu::conv2d_forward(x, w, b, y, p);
      });
      bwd.push_back([&, a] {
        ds::cpu::set_conv_algo(a);
        if (l.transposed) return ds::cpu::conv_transpose2d_backward_data(dy, w, dx, p);
        ds::cpu::conv2d_backward_data(dy, w, dx, p);
      });
    }
    std::vector<Timing> tf = time_interleaved(warmup, runs, fwd), td = time_interleaved(warmup, runs, bwd);
    for (size_t k = 0; k < fwd.size(); ++k)
      std::printf("%-26s %-12s %14s %6.2f %14s %6.2f\n", l.name.c_str(), ds::cpu::conv_algo_name(algos[k]),
                  rate(flops, tf[k]).c_str(), tf[k].median / tf[0].median, rate(flops, td[k]).c_str(),
                  td[k].median / td[0].median);
  }
  ds::cpu::set_conv_algo(ConvAlgo::Auto);
}

}  // namespace

int main(int argc, char** argv) {
  bool quick = false, layers_only = false;
  for (int i = 1; i < argc; ++i) {
    quick |= std::strcmp(argv[i], "--quick") == 0;
    layers_only |= std::strcmp(argv[i], "--layers") == 0;
    if (std::strcmp(argv[i], "--clock") == 0 && i + 1 < argc) {
      const std::string clock = argv[++i];
      if (clock != "wall" && clock != "cpu") {
        std::fprintf(stderr, "bench_conv: --clock must be 'wall' or 'cpu', got '%s'\n", clock.c_str());
        return 2;
      }
      g_cpu_clock = clock == "cpu";
    }
    if (std::strcmp(argv[i], "--only") == 0 && i + 1 < argc) g_only = argv[++i], layers_only = true;
  }
  int warmup = quick ? 1 : 2, runs = quick ? 3 : 9;
  const Layer layers[] = {{"3x3 64->64 224x224", 64, 224, 224, 64}, {"3x3 256->256 56x56", 256, 56, 56, 256}};
  std::vector<ds::cpu::GemmBackend> backends = {ds::cpu::GemmBackend::Own};
  if (ds::cpu::gemm_has_openblas()) backends.push_back(ds::cpu::GemmBackend::OpenBlas);

  std::printf("bench_conv: %s, %d OpenMP threads, batch 1, %d runs after %d warm-up\n", cpu_model().c_str(),
              omp_get_max_threads(), runs, warmup);
  std::printf("GFLOP/s = 2 * multiply-adds / time: median (best)\n");
  if (layers_only) {
    network_layers(warmup, runs);
    return 0;
  }
  ds::cpu::set_conv_algo(ds::cpu::ConvAlgo::Im2col);  // the GEMM comparison, as before Winograd
  std::printf("\n");
  std::printf("%-20s %-9s %14s %14s %14s\n", "conv2d layer", "gemm", "forward", "bwd data", "bwd filter");
  for (const Layer& l : layers) {
    ds::Conv2dParams p = ds::Conv2dParams::make(1, 1);
    Tensor x = random_tensor({1, l.c, l.h, l.w}), w = random_tensor({l.cout, l.c, 3, 3});
    Tensor b = random_tensor({l.cout}), y = Tensor::empty({1, l.cout, l.h, l.w});
    Tensor dy = random_tensor(y.shape()), dx = Tensor::empty(x.shape()), dw = Tensor::empty(w.shape());
    double flops = 2.0 * l.cout * l.h * l.w * l.c * 9;
    for (auto be : backends) {
      ds::cpu::set_gemm_backend(be);
      Timing tf = time_runs(warmup, runs, [&] { ds::cpu::conv2d_forward(x, w, b, y, p); });
      Timing td = time_runs(warmup, runs, [&] { ds::cpu::conv2d_backward_data(dy, w, dx, p); });
      Timing tw = time_runs(warmup, runs, [&] { ds::cpu::conv2d_backward_filter(dy, x, dw, p); });
      std::printf("%-20s %-9s %14s %14s %14s\n", l.name.c_str(), ds::cpu::gemm_backend_name(be), rate(flops, tf).c_str(),
                  rate(flops, td).c_str(), rate(flops, tw).c_str());
    }
  }

  // GEMM shapes: square, and the GEMMs of the first layer's forward and filter gradient
  // (M = Cout, K = 9*Cin, N = one im2col chunk of pixels, as conv.cpp cuts them for 2 MB columns).
  struct Gemm {
    const char* what;
    bool tb;
    int m, n, k;
  };
  const Gemm gemms[] = {{"square NN", false, 1024, 1024, 1024},
                        {"conv fwd chunk NN", false, 64, 910, 576},
                        {"conv bwd-filter NT", true, 64, 576, 910},
                        {"whole image NN", false, 64, 50176, 576}};
  std::printf("\n%-20s %-16s %-9s %14s\n", "gemm (row-major)", "M x N x K", "gemm", "GFLOP/s");
  for (const Gemm& s : gemms) {
    Tensor a = random_tensor({s.m, s.k}), bm = random_tensor({s.k, s.n}), c = Tensor::empty({s.m, s.n});
    std::string dims = std::to_string(s.m) + "x" + std::to_string(s.n) + "x" + std::to_string(s.k);
    int ldb = s.tb ? s.k : s.n;
    for (auto be : backends) {
      ds::cpu::set_gemm_backend(be);
      Timing t = time_runs(warmup, runs, [&] {
        ds::cpu::gemm(false, s.tb, s.m, s.n, s.k, 1.0f, a.data(), s.k, bm.data(), ldb, 0.0f, c.data(), s.n);
      });
      std::printf("%-20s %-16s %-9s %14s\n", s.what, dims.c_str(), ds::cpu::gemm_backend_name(be),
                  rate(2.0 * s.m * s.n * s.k, t).c_str());
    }
  }
  network_layers(warmup, runs);
  return 0;
}
