// The CPU GEMM (the own GEMM on every instruction set this CPU runs, and OpenBLAS) against a
// float64 oracle: all transposes, alpha/beta, odd sizes crossing the own GEMM's block sizes,
// leading dimensions larger than minimal.
#include <omp.h>

#include <cmath>
#include <limits>
#include <sstream>

#include "tensor/cpu/gemm.h"
#include "tensor/cpu/isa.h"
#include "tensor/kernels.h"
#include "tests/check.h"

namespace dst {
namespace {

using ds::cpu::GemmBackend;

const float kNaN = std::numeric_limits<float>::quiet_NaN();

// A rows x cols row-major matrix with leading dimension cols + pad; the padding holds NaN, so
// a GEMM that reads or writes outside the matrix shows up.
struct Mat {
  int rows, cols, ld;
  std::vector<float> v;
  Mat(Rng& r, int rows_, int cols_, int pad) : rows(rows_), cols(cols_), ld(cols_ + pad), v(size_t(rows_) * ld, kNaN) {
    for (int i = 0; i < rows; ++i)
      for (int j = 0; j < cols; ++j) v[size_t(i) * ld + j] = static_cast<float>(r.uniform(-1, 1));
  }
  float at(int i, int j) const { return v[size_t(i) * ld + j]; }
};

struct GemmShape {
  int m, n, k;
};

// Runs one GEMM and checks every element against the float64 result, with the classic
// float32 error bound (K + 2) * u * (|alpha| sum |a||b| + |beta c|), u = 2^-24 rounded up.
// On Device::CUDA the matrices (padding included) go to the device and back: ds::cuda::gemm, cuBLAS.
void check_gemm(bool ta, bool tb, GemmShape s, float alpha, float beta, uint64_t seed,
                ds::Device dev = ds::Device::CPU) {
  Rng r(seed);
  Mat a = ta ? Mat(r, s.k, s.m, 3) : Mat(r, s.m, s.k, 3);
  Mat b = tb ? Mat(r, s.n, s.k, 5) : Mat(r, s.k, s.n, 5);
  Mat c(r, s.m, s.n, 2);
  if (beta == 0)  // beta == 0 must not read C
    for (int i = 0; i < s.m; ++i)
      for (int j = 0; j < s.n; ++j) c.v[size_t(i) * c.ld + j] = kNaN;
  Mat c0 = c;
  if (dev == ds::Device::CPU) {
    ds::cpu::gemm(ta, tb, s.m, s.n, s.k, alpha, a.v.data(), a.ld, b.v.data(), b.ld, beta, c.v.data(), c.ld);
  } else {
    auto up = [](const Mat& m) { return ds::Tensor::from_vector({static_cast<int64_t>(m.v.size())}, m.v, ds::Device::CUDA); };
    ds::Tensor da = up(a), db = up(b), dc = up(c);
    DS_DISPATCH(dev, gemm, ta, tb, s.m, s.n, s.k, alpha, da.data(), a.ld, db.data(), b.ld, beta, dc.data(), c.ld);
    c.v = dc.to_vector();
  }
  int bad = 0;
  std::ostringstream first;
  for (int i = 0; i < s.m; ++i) {
    for (int j = 0; j < s.n; ++j) {
      double sum = 0, abs_sum = 0;
      for (int q = 0; q < s.k; ++q) {
        double t = double(ta ? a.at(q, i) : a.at(i, q)) * (tb ? b.at(j, q) : b.at(q, j));
        sum += t, abs_sum += std::fabs(t);
      }
      double old = beta == 0 ? 0.0 : c0.at(i, j);
      double want = alpha * sum + beta * old;
      double tol = (s.k + 2) * 6e-8 * (std::fabs(alpha) * abs_sum + std::fabs(beta * old)) + 1e-30;
      double got = c.at(i, j);
      if (!(std::fabs(got - want) <= tol) && bad++ == 0)
        first << "C[" << i << "," << j << "] = " << got << ", expected " << want << " (tol " << tol << ")";
    }
    for (int j = s.n; j < c.ld; ++j)  // padding untouched
      if (!std::isnan(c.at(i, j)) && bad++ == 0) first << "padding C[" << i << "," << j << "] was written";
  }
  CHECK_MESSAGE(bad == 0, bad << " wrong elements; first: " << first.str());
}

// check_gemm for every transpose, shape and (alpha, beta), seeds counted from `seed`.
template <size_t NS, size_t NAB>
void check_all_gemms(const GemmShape (&shapes)[NS], const std::pair<float, float> (&alpha_beta)[NAB], uint64_t& seed,
                     ds::Device dev) {
  for (int t = 0; t < 4; ++t)
    for (GemmShape s : shapes)
      for (const auto& ab : alpha_beta) {
        float alpha = ab.first, beta = ab.second;
        bool ta = t & 1, tb = t & 2;
        CAPTURE(ta);
        CAPTURE(tb);
        CAPTURE(s.m);
        CAPTURE(s.n);
        CAPTURE(s.k);
        CAPTURE(alpha);
        CAPTURE(beta);
        check_gemm(ta, tb, s, alpha, beta, seed++, dev);
      }
}

}  // namespace

TEST_CASE("gemm matches float64 oracle for all transposes") {
  GemmBackend saved = ds::cpu::gemm_backend();
  ds::cpu::Isa saved_isa = ds::cpu::cpu_isa();
  std::vector<std::pair<GemmBackend, ds::cpu::Isa>> backends;
  for (ds::cpu::Isa isa : {ds::cpu::Isa::Generic, ds::cpu::Isa::Avx2, ds::cpu::Isa::Avx512})
    if (ds::cpu::isa_supported(isa)) backends.push_back({GemmBackend::Own, isa});
  if (ds::cpu::gemm_has_openblas()) backends.push_back({GemmBackend::OpenBlas, saved_isa});
  // Tiny; odd; crossing the own GEMM's MC (128 rows) and KC (256); crossing NC (2048 columns);
  // one row / one column; K = 0 (C = beta*C).
  const GemmShape shapes[] = {{1, 1, 1}, {7, 5, 3}, {33, 65, 17}, {130, 70, 300}, {9, 2100, 20}, {1, 37, 29},
                              {45, 1, 40}, {6, 9, 0}};
  const std::pair<float, float> alpha_beta[] = {{1.0f, 0.0f}, {0.5f, -1.5f}, {-2.0f, 1.0f}};
  uint64_t seed = 1;
  for (auto [be, isa] : backends) {
    ds::cpu::set_gemm_backend(be);
    ds::cpu::set_cpu_isa(isa);
    CAPTURE(ds::cpu::gemm_backend_name(be));
    CAPTURE(ds::cpu::isa_name(isa));
    check_all_gemms(shapes, alpha_beta, seed, ds::Device::CPU);
  }
  ds::cpu::set_gemm_backend(saved);
  ds::cpu::set_cpu_isa(saved_isa);
}

// ds::cuda::gemm (cublasSgemm on row-major matrices, cuda/gemm_cublas.cpp) is in the kernel list
// but no op dispatches it, so nothing else runs it on a device: the same oracle checks it here.
TEST_CASE("gemm on cuda matches float64 oracle for all transposes") {
  if (skip_without_cuda("gemm on cuda")) return;
  const GemmShape shapes[] = {{1, 1, 1}, {7, 5, 3}, {33, 65, 17}, {1, 37, 29}, {45, 1, 40}, {6, 9, 0}};
  const std::pair<float, float> alpha_beta[] = {{1.0f, 0.0f}, {0.5f, -1.5f}};
  uint64_t seed = 100;
  check_all_gemms(shapes, alpha_beta, seed, ds::Device::CUDA);
}

// syrk_upper (the Gram matrix's kernel) against float64 dot products on every instruction set:
// sizes crossing the register tile (MR 8 or 6 rows, NR 32, 16 or 8 columns), the K slice (256)
// and the two-thread split of the triangle, with padded rows. The upper triangle within the
// float32 bound; below the diagonal only entries within a register tile of it may be written,
// and only with their values; the padding never. Then 1 and 3 threads bitwise.
TEST_CASE("syrk_upper matches float64 dot products on every instruction set, any thread count") {
  ds::cpu::Isa saved_isa = ds::cpu::cpu_isa();
  GemmBackend saved = ds::cpu::gemm_backend();
  const int saved_threads = omp_get_max_threads();
  ds::cpu::set_gemm_backend(GemmBackend::Own);
  const int sizes[][2] = {{1, 1}, {7, 3}, {8, 300}, {33, 17}, {70, 513}, {257, 40}};  // N, K
  uint64_t seed = 7;
  for (ds::cpu::Isa isa : {ds::cpu::Isa::Generic, ds::cpu::Isa::Avx2, ds::cpu::Isa::Avx512}) {
    if (!ds::cpu::isa_supported(isa)) continue;
    ds::cpu::set_cpu_isa(isa);
    for (const auto& nk : sizes) {
      const int n = nk[0], k = nk[1];
      CAPTURE(ds::cpu::isa_name(isa));
      CAPTURE(n);
      CAPTURE(k);
      Rng r(seed++);
      Mat a(r, n, k, 3);
      std::vector<float> runs[2];
      for (int t : {0, 1}) {
        omp_set_num_threads(t == 0 ? 1 : 3);
        Mat c(r, n, n, 2);
        for (float& v : c.v) v = kNaN;
        ds::cpu::syrk_upper(n, k, 0.5f, a.v.data(), a.ld, c.v.data(), c.ld);
        int bad = 0;
        std::ostringstream first;
        for (int i = 0; i < n; ++i)
          for (int j = 0; j < c.ld; ++j) {
            const float got = c.at(i, j);
            // Padding and entries further below the diagonal than a register tile (NR + MR <
            // 40) stay unwritten; nearer ones may be written, then with their values.
            if (j >= n || i - j >= 40 || (j < i && std::isnan(got))) {
              if (!std::isnan(got) && bad++ == 0) first << "C[" << i << "," << j << "] was written";
              continue;
            }
            double sum = 0, abs_sum = 0;
            for (int q = 0; q < k; ++q) {
              const double prod = double(a.at(i, q)) * a.at(j, q);
              sum += prod, abs_sum += std::fabs(prod);
            }
            const double want = 0.5 * sum, tol = (k + 2) * 6e-8 * 0.5 * abs_sum + 1e-30;
            if (!(std::fabs(got - want) <= tol) && bad++ == 0)
              first << "C[" << i << "," << j << "] = " << got << ", expected " << want << " (tol " << tol << ")";
          }
        CHECK_MESSAGE(bad == 0, bad << " wrong elements; first: " << first.str());
        runs[t] = c.v;
      }
      int differ = 0;
      for (size_t q = 0; q < runs[0].size(); ++q)
        differ += !(runs[0][q] == runs[1][q] || (std::isnan(runs[0][q]) && std::isnan(runs[1][q])));
      CHECK_MESSAGE(differ == 0, differ << " entries differ between 1 and 3 threads");
    }
  }
  omp_set_num_threads(saved_threads);
  ds::cpu::set_gemm_backend(saved);
  ds::cpu::set_cpu_isa(saved_isa);
}

}  // namespace dst
