// Test helpers: float64 reference tensors, seeded random inputs, and closeness checks that
// report the worst element with its index and both values.
#pragma once
#include <doctest/doctest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "tensor/tensor.h"

namespace dst {  // depthstyle tests

using ds::Shape;
using ds::Tensor;

// Runs a shell command; returns its exit status (-1 if it did not exit normally) and puts its
// stdout and stderr in *out.
inline int run_command(const std::string& cmd, std::string* out) {
  FILE* f = popen((cmd + " 2>&1").c_str(), "r");
  if (!f) return -1;
  char buf[512];
  out->clear();
  while (size_t n = std::fread(buf, 1, sizeof buf, f)) out->append(buf, n);
  int st = pclose(f);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

// A float64 tensor for oracles: contiguous, row-major over shape.
struct DTensor {
  Shape shape;
  std::vector<double> v;
  DTensor() = default;
  explicit DTensor(Shape s, double fill = 0.0) : shape(std::move(s)), v(static_cast<size_t>(ds::shape_numel(shape)), fill) {}
  int64_t numel() const { return static_cast<int64_t>(v.size()); }
  int64_t dim(size_t i) const { return shape[i]; }
  double& at(int64_t n, int64_t c, int64_t h, int64_t w) {
    return v[static_cast<size_t>(((n * shape[1] + c) * shape[2] + h) * shape[3] + w)];
  }
  double at(int64_t n, int64_t c, int64_t h, int64_t w) const {
    return v[static_cast<size_t>(((n * shape[1] + c) * shape[2] + h) * shape[3] + w)];
  }
};

inline DTensor to_double(const Tensor& t) {
  DTensor d(t.shape());
  std::vector<float> f = t.to_vector();
  for (size_t i = 0; i < f.size(); ++i) d.v[i] = f[i];
  return d;
}

inline Tensor to_float(const DTensor& d, ds::Device dev = ds::Device::CPU) {
  std::vector<float> f(d.v.begin(), d.v.end());
  return Tensor::from_vector(d.shape, f, dev);
}

// Seeded generator; every test draws its inputs from one of these, so failures reproduce.
struct Rng {
  std::mt19937_64 gen;
  explicit Rng(uint64_t seed) : gen(seed) {}
  double normal() { return std::normal_distribution<double>(0.0, 1.0)(gen); }
  double uniform(double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(gen); }
  DTensor normal(const Shape& s, double scale = 1.0) {
    DTensor d(s);
    for (double& x : d.v) x = scale * normal();
    return d;
  }
  DTensor uniform(const Shape& s, double lo, double hi) {
    DTensor d(s);
    for (double& x : d.v) x = uniform(lo, hi);
    return d;
  }
};

inline std::string index_str(const Shape& s, int64_t flat) {
  std::vector<int64_t> idx(s.size());
  for (size_t k = s.size(); k-- > 0;) {
    idx[k] = s[k] ? flat % s[k] : 0;
    flat = s[k] ? flat / s[k] : 0;
  }
  return ds::shape_str(idx);
}

// ---- the float32 error model of the op tests (tests/README.md, "Tolerances") -------------
// A float32 kernel's result is compared with a float64 oracle fed the same float32-rounded
// inputs, so the difference is the kernel's own rounding error:
//   |got - ref| <= u * (kRoundings + kSumFactor * sqrt(K)) * (|ref| + S)
//   u           2^-24, float32's unit roundoff: one correctly rounded operation errs by <= u relative.
//   kRoundings  16: a chain of up to ~8 roundings (a few ops, libm's exp/tanh at <= 2 ulp), each of
//               an intermediate no larger than |ref| + S, with a factor 2 to spare.
//   K           the most terms summed in float32 into one output (1 where the kernel sums in double).
//               Rounding errors of the K partial sums add like a random walk: their standard
//               deviation is u * sqrt(K/6) * (size of the result) for plain left-to-right summation,
//               and blocked (GEMM), pairwise or SIMD-lane orders only shorten the walk, so this holds
//               for our GEMM, OpenBLAS, with or without FMA, on any x86-64.
//   kSumFactor  4, i.e. ~10 standard deviations: the largest of 10^6 normal errors lies within 5.
//   S           the scale of the intermediates: the rms of the reference tensor (or a stated floor).
// A wrong index, sign, padding or missing term moves results by O(|ref| + S), 10^4 times more.
constexpr double kUnitRoundoff = 1.0 / 16777216.0;  // 2^-24
constexpr double kRoundings = 16, kSumFactor = 4;

struct Tol {
  double atol, rtol;
  Tol times(double f) const { return {atol * f, rtol * f}; }
};

// Amplification of the model above for a Winograd F(m x m, 3 x 3) convolution (tile m = 2 or
// 4; 0: im2col + GEMM, factor 1): the rms size of its float32 intermediates relative to the
// output, 1.67 for F(2x2) and 10.4 for F(4x4) with points 0, 1, -1, 2, -1/2
// (tensor/cpu/winograd.cpp, tests/README.md), rounded up.
inline double winograd_amplification(int tile) { return tile == 4 ? 11 : tile == 2 ? 2 : 1; }

inline double rms(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x * x;
  return v.empty() ? 0.0 : std::sqrt(s / static_cast<double>(v.size()));
}

// The tolerance of the model above for `ref`, with K = sum_terms and S = max(rms(ref), min_scale).
inline Tol float32_tol(const DTensor& ref, int64_t sum_terms, double min_scale = 0) {
  double e = kUnitRoundoff * (kRoundings + kSumFactor * std::sqrt(static_cast<double>(std::max<int64_t>(sum_terms, 1))));
  return {e * std::max(rms(ref.v), min_scale), e};
}

// Checks |got - want| <= atol + rtol * |want| for every element. On failure reports the
// worst element (largest excess over its tolerance): its index, both values, the error.
// With DEPTHSTYLE_TOL_REPORT set, also prints the largest error as a fraction of its
// tolerance, to see the margin a CPU leaves.
inline void check_close(const std::string& what, const std::vector<double>& got, const DTensor& want, double atol,
                        double rtol) {
  REQUIRE_MESSAGE(static_cast<int64_t>(got.size()) == want.numel(),
                  what << ": got " << got.size() << " values, expected " << want.numel());
  int64_t worst = -1, bad = 0;
  double worst_excess = 0, used = 0;
  for (int64_t i = 0; i < want.numel(); ++i) {
    double g = got[static_cast<size_t>(i)], w = want.v[static_cast<size_t>(i)];
    double tol = atol + rtol * std::fabs(w);
    double err = std::fabs(g - w);
    used = std::max(used, err / tol);
    bool ok = err <= tol;  // false for NaN
    if (!ok) {
      ++bad;
      double excess = std::isnan(err) ? INFINITY : err - tol;
      if (worst < 0 || excess > worst_excess) worst = i, worst_excess = excess;
    }
  }
  if (std::getenv("DEPTHSTYLE_TOL_REPORT")) std::printf("tolerance used %.3f: %s\n", used, what.c_str());
  if (bad == 0) {
    CHECK(true);
    return;
  }
  double g = got[static_cast<size_t>(worst)], w = want.v[static_cast<size_t>(worst)];
  std::ostringstream o;
  o.precision(9);
  o << what << ": " << bad << " of " << want.numel() << " elements out of tolerance (atol " << atol << ", rtol " << rtol
    << "); worst at " << index_str(want.shape, worst) << " (flat " << worst << "): got " << g << ", expected " << w
    << ", |diff| " << std::fabs(g - w) << ", shape " << ds::shape_str(want.shape);
  FAIL_CHECK(o.str());
}

inline void check_close(const std::string& what, const Tensor& got, const DTensor& want, double atol, double rtol) {
  CHECK_MESSAGE(got.shape() == want.shape,
                what << ": shape " << ds::shape_str(got.shape()) << ", expected " << ds::shape_str(want.shape));
  if (got.shape() != want.shape) return;
  DTensor g = to_double(got);
  check_close(what, g.v, want, atol, rtol);
}

// A path in this process's scratch folder (ctest runs test processes in parallel, so each
// process gets its own folder).
inline std::string temp_path(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("depthstyle-tests-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  return (dir / name).string();
}

// A fresh, empty folder of this process's scratch folder for one test, removed afterwards.
struct ScratchDir {
  std::filesystem::path dir;
  explicit ScratchDir(const std::string& name) : dir(temp_path(name)) {
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
  }
  ~ScratchDir() { std::filesystem::remove_all(dir); }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  std::string file(const std::string& name) const { return (dir / name).string(); }
};

// A whole text file ("" when it cannot be read).
inline std::string slurp(const std::string& path) {
  std::ifstream f(path);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

// The message of the ds::Error that f throws, "(no error)" when it throws none.
template <class F>
std::string error_of(F f) {
  try {
    f();
  } catch (const ds::Error& e) {
    return e.what();
  }
  return "(no error)";
}

inline bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }
// How many times `part` occurs in s (not overlapping).
inline size_t count(const std::string& s, const std::string& part) {
  size_t n = 0;
  for (size_t at = s.find(part); !part.empty() && at != std::string::npos; at = s.find(part, at + part.size())) ++n;
  return n;
}

// Prints the reason and returns true when no CUDA device is present; ctest reports the
// test as skipped when it sees "skipped: " in the output.
inline bool skip_without_cuda(const char* test_name) {
  if (ds::cuda_available()) return false;
  MESSAGE("skipped: no CUDA device (" << std::string(test_name) << ")");
  std::printf("skipped: no CUDA device (%s)\n", test_name);
  return true;
}

}  // namespace dst
