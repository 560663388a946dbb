// CPU GEMM (row-major C = alpha*op(A)*op(B) + beta*C): the project's own blocked SGEMM and an
// OpenBLAS path.
//
// Run-time choice, environment variable DEPTHSTYLE_GEMM (read once, at the first GEMM):
//   DEPTHSTYLE_GEMM=own       the blocked SGEMM below
//   DEPTHSTYLE_GEMM=openblas  cblas_sgemm (an error when this build has no OpenBLAS)
//   unset or empty            own (docs/benchmarks.md, 2026-12-07: Debian's OpenBLAS 0.3.21
//                             runs its SSE3 kernels on CPUs newer than it, 2.5x slower than
//                             the own GEMM's AVX-512 path; on the CPUs it knows the two tie)
// Any other value is an error. Code can switch with set_gemm_backend() (tensor/cpu/gemm.h).
//
// The own SGEMM follows the Goto/BLIS layering (gemm_kernel.inc, compiled once per instruction
// set and chosen at run time, tensor/cpu/isa.h): panels of B and blocks of A packed into slivers,
// a micro-kernel holding an MR x NR tile of C in vector registers.
// Threads: C is split into a grid of blocks on tile boundaries, one block per thread, each a
// serial blocked GEMM with the thread's own packing buffers, so threads never wait on each other.
//
// Invariants
//   - Each element of C is computed by one thread, summing over K in the same order whatever the
//     thread count: results are bitwise independent of the number of threads.
//   - With beta == 0, C is only written (it may hold NaN or garbage on entry).
#include "tensor/cpu/gemm.h"

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <new>
#include <string>

#ifdef DEPTHSTYLE_HAVE_OPENBLAS
#include <cblas.h>
#endif

#include "tensor/cpu/isa_kernels.h"
#include "tensor/kernels.h"

namespace ds {
namespace cpu {
namespace {

constexpr double kMinParallelMacs = 1 << 18;  // below this, forking threads costs more than it saves

int ceil_div(int a, int b) { return (a + b - 1) / b; }

// C = beta * C (the whole answer when K == 0 or alpha == 0).
void scale_c(int M, int N, float beta, float* C, int64_t ldc) {
  for (int i = 0; i < M; ++i) {
    float* row = C + i * ldc;
    if (beta == 0.0f)
      std::memset(row, 0, sizeof(float) * static_cast<size_t>(N));
    else
      for (int j = 0; j < N; ++j) row[j] *= beta;
  }
}

// Threads split C into a rows x cols grid of blocks, on tile boundaries.
struct Grid {
  int rows, cols;
};
struct Range {
  int begin, end;
};

// Among the factorisations of the thread count, the grid with the least work per thread:
// micro-tile multiply-adds of its largest block plus its packing, each packed element weighted
// like a few dozen multiply-adds (packing runs at memory speed, not at FMA speed).
Grid choose_grid(int M, int N, int K, int threads, int kMR, int kNR) {
  int mt = ceil_div(M, kMR), nt = ceil_div(N, kNR);
  Grid best{1, threads};
  double best_cost = -1;
  for (int r = 1; r <= threads; ++r) {
    if (threads % r) continue;
    int c = threads / r;
    double tiles = static_cast<double>(ceil_div(mt, r)) * ceil_div(nt, c) * kMR * kNR * K;
    double pack = (static_cast<double>(M) / r + static_cast<double>(N) / c) * K * 32;
    if (best_cost < 0 || tiles + pack < best_cost) best = {r, c}, best_cost = tiles + pack;
  }
  return best;
}

// Part `part` of `parts` of `units` tiles of `unit` elements, clipped to n elements.
Range split(int units, int parts, int part, int unit, int n) {
  int lo = static_cast<int>(static_cast<int64_t>(units) * part / parts);
  int hi = static_cast<int>(static_cast<int64_t>(units) * (part + 1) / parts);
  return {std::min(n, lo * unit), std::min(n, hi * unit)};
}

// Threads pay off: enough multiply-adds, and not already inside a parallel region.
bool worth_threads(double macs) {
  return macs >= kMinParallelMacs && !omp_in_parallel() && omp_get_max_threads() > 1;
}

// f(t, nt) on each thread t of nt. Threads share nothing but the fork and the join (no
// barriers): on a busy machine a thread that loses its core delays only its own block. An
// exception (bad_alloc of a packing buffer) is rethrown on the calling thread.
template <class F>
void on_threads(F f) {
  std::exception_ptr error;
#pragma omp parallel
  {
    try {
      f(omp_get_thread_num(), omp_get_num_threads());
    } catch (...) {
#pragma omp critical(ds_gemm_error)
      error = std::current_exception();
    }
  }
  if (error) std::rethrow_exception(error);
}

constexpr GemmBackend kDefaultBackend = GemmBackend::Own;

GemmBackend backend_from_env() {
  const char* e = std::getenv("DEPTHSTYLE_GEMM");
  if (!e || !*e) return kDefaultBackend;
  std::string s = e;
  if (s == "own") return GemmBackend::Own;
  if (s == "openblas") {
    if (!gemm_has_openblas()) throw Error("DEPTHSTYLE_GEMM=openblas, but this build of depthstyle has no OpenBLAS");
    return GemmBackend::OpenBlas;
  }
  throw Error("DEPTHSTYLE_GEMM must be 'own' or 'openblas', got '" + s + "'");
}

std::atomic<int> g_backend{-1};  // -1: not chosen yet

}  // namespace

const char* gemm_backend_name(GemmBackend b) { return b == GemmBackend::Own ? "own" : "openblas"; }

bool gemm_has_openblas() {
#ifdef DEPTHSTYLE_HAVE_OPENBLAS
  return true;
#else
  return false;
#endif
}

GemmBackend gemm_backend() {
  int b = g_backend.load(std::memory_order_relaxed);
  if (b < 0) {
    b = static_cast<int>(backend_from_env());
    g_backend.store(b, std::memory_order_relaxed);
  }
  return static_cast<GemmBackend>(b);
}

void set_gemm_backend(GemmBackend b) {
  if (b == GemmBackend::OpenBlas && !gemm_has_openblas())
    throw Error("set_gemm_backend: this build of depthstyle has no OpenBLAS");
  g_backend.store(static_cast<int>(b), std::memory_order_relaxed);
}

void gemm_own(bool trans_a, bool trans_b, int M, int N, int K, float alpha, const float* A, int lda, const float* B,
              int ldb, float beta, float* C, int ldc) {
  if (M <= 0 || N <= 0) return;
  if (K <= 0 || alpha == 0.0f) return scale_c(M, N, beta, C, ldc);
  GemmProblem g{trans_a, trans_b, K, alpha, A, lda, B, ldb, beta, C, ldc};
  const IsaKernels& ks = kernels();
  if (!worth_threads(static_cast<double>(M) * N * K)) return ks.gemm_block(g, 0, M, 0, N);
  on_threads([&](int t, int nt) {
    Grid grid = choose_grid(M, N, K, nt, ks.gemm_mr, ks.gemm_nr);
    Range rows = split(ceil_div(M, ks.gemm_mr), grid.rows, t / grid.cols, ks.gemm_mr, M);
    Range cols = split(ceil_div(N, ks.gemm_nr), grid.cols, t % grid.cols, ks.gemm_nr, N);
    if (rows.begin < rows.end && cols.begin < cols.end) ks.gemm_block(g, rows.begin, rows.end, cols.begin, cols.end);
  });
}

void gemm(bool trans_a, bool trans_b, int M, int N, int K, float alpha, const float* A, int lda, const float* B,
          int ldb, float beta, float* C, int ldc) {
  GemmBackend b = gemm_backend();  // also reports a bad DEPTHSTYLE_GEMM in builds without OpenBLAS
#ifdef DEPTHSTYLE_HAVE_OPENBLAS
  // K == 0 goes to the own path: cblas rejects lda < 1 there, and the answer is just beta*C.
  if (b == GemmBackend::OpenBlas && M > 0 && N > 0 && K > 0) {
    cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans, M, N, K,
                alpha, A, lda, B, ldb, beta, C, ldc);
    return;
  }
#endif
  (void)b;
  gemm_own(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

void syrk_upper(int N, int K, float alpha, const float* A, int lda, float* C, int ldc) {
  if (N <= 0) return;
#ifdef DEPTHSTYLE_HAVE_OPENBLAS
  if (gemm_backend() == GemmBackend::OpenBlas && K > 0) {
    cblas_ssyrk(CblasRowMajor, CblasUpper, CblasNoTrans, N, K, alpha, A, lda, 0.0f, C, ldc);
    return;
  }
#endif
  if (K <= 0 || alpha == 0.0f) {
    for (int i = 0; i < N; ++i) std::memset(C + static_cast<int64_t>(i) * ldc + i, 0, sizeof(float) * (N - i));
    return;
  }
  const IsaKernels& ks = kernels();
  GemmProblem g{false, true, K, alpha, A, lda, A, lda, 0.0f, C, ldc};
  if (!worth_threads(0.5 * N * N * K)) return ks.syrk_block(g, N, 0, N);
  // Row i of the triangle holds N - i entries: thread t of T takes the rows from
  // N (1 - sqrt(1 - t / T)) on, so that each has about the same number (rounded to MR rows).
  on_threads([&](int t, int nt) {
    auto start = [&](int k) {
      if (k >= nt) return N;
      double b = N * (1.0 - std::sqrt(1.0 - static_cast<double>(k) / nt));
      return std::min(N, static_cast<int>(b / ks.gemm_mr + 0.5) * ks.gemm_mr);
    };
    ks.syrk_block(g, N, start(t), start(t + 1));
  });
}

}  // namespace cpu
}  // namespace ds
