// CPU GEMM (row-major C = alpha*op(A)*op(B) + beta*C): the project's own blocked SGEMM and an
// OpenBLAS path.
//
// Run-time choice, environment variable DEPTHSTYLE_GEMM (read once, at the first GEMM):
//   DEPTHSTYLE_GEMM=own       the blocked SGEMM below
//   DEPTHSTYLE_GEMM=openblas  cblas_sgemm (an error when this build has no OpenBLAS)
//   unset or empty            OpenBLAS when built with it, else own: measured with
//                             build/bin/bench_conv, see docs/benchmarks.md
// Any other value is an error. Code can switch with set_gemm_backend() (tensor/cpu/gemm.h).
//
// The own SGEMM follows the Goto/BLIS layering. Columns of C are cut into panels of NC, the
// inner dimension into slices of KC, rows into blocks of MC. Per (panel, slice) op(B) is packed
// into NR-wide slivers (the panel stays in L2/L3); per row block op(A) is packed into MR-high
// slivers (the block stays in L2); a micro-kernel multiplies one A sliver by one B sliver into
// an MR x NR tile of accumulators held in vector registers. Packing pads edges with zeros, so
// the micro-kernel always runs full tiles and only its write-back is clipped.
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
#include <cstdlib>
#include <cstring>
#include <exception>
#include <new>
#include <string>

#ifdef DEPTHSTYLE_HAVE_OPENBLAS
#include <cblas.h>
#endif

#include "tensor/kernels.h"

namespace ds {
namespace cpu {
namespace {

// The micro-kernel's vectors are as wide as the compiled-for target allows: 16 floats with
// AVX-512, 8 with AVX, 4 otherwise (SSE2, which every x86-64 has, or a generic target, which the
// compiler lowers the vector type to). They are GCC/Clang vector extensions rather than left to
// the auto-vectoriser, which on some tunings (-march=znver3) vectorised the tile along k, in
// 128-bit halves with the accumulators spilled: 2.7 instead of ~40 GFLOP/s.
#if defined(__AVX512F__)
constexpr int kVec = 16;
#elif defined(__AVX__)
constexpr int kVec = 8;
#else
constexpr int kVec = 4;
#endif
using Vec = float __attribute__((vector_size(kVec * sizeof(float))));

// NR spans two vector registers; the MR x NR accumulators take 2*MR registers, which leaves
// room in the register file (32 with AVX-512, 16 otherwise) for the two B loads and the A
// broadcast.
constexpr int kNR = 2 * kVec;
constexpr int kMR = kVec == 16 ? 8 : 6;
constexpr int kKC = 256;       // a B sliver (KC*NR floats) stays in L1 while the A slivers stream past it
constexpr int kMC = 16 * kMR;  // a packed A block (MC*KC floats) stays in L2
constexpr int kNC = 64 * kNR;  // a packed B panel (KC*NC floats)
constexpr double kMinParallelMacs = 1 << 18;  // below this, forking threads costs more than it saves

// GCC on AVX-512 machines prefers 256-bit vectors by default; the packing transpose
// (interleave8) asks for full-width ones.
#if defined(__AVX512F__) && defined(__GNUC__) && !defined(__clang__)
#define DS_WIDE_VECTORS __attribute__((target("prefer-vector-width=512")))
#else
#define DS_WIDE_VECTORS
#endif

int ceil_div(int a, int b) { return (a + b - 1) / b; }

// Reusable 64-byte aligned scratch buffer; grows, never shrinks.
struct Scratch {
  float* p = nullptr;
  size_t n = 0;
  Scratch() = default;
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  ~Scratch() { std::free(p); }
  float* get(size_t need) {
    if (need > n) {
      std::free(p);
      n = 0;
      p = static_cast<float*>(std::aligned_alloc(64, (need * sizeof(float) + 63) / 64 * 64));
      if (!p) throw std::bad_alloc();
      n = need;
    }
    return p;
  }
};

// dst[k*8 + i] = src[i*ld + k] for i < 8, k < kc: eight rows interleaved, i.e. an 8 x kc block
// transposed. The compiler vectorises this fixed shape with register permutes.
DS_WIDE_VECTORS void interleave8(const float* __restrict src, int64_t ld, int kc, float* __restrict dst) {
  for (int k = 0; k < kc; ++k)
    for (int i = 0; i < 8; ++i) dst[k * 8 + i] = src[i * ld + k];
}

// dst[k*kStride + j] = src[k*ld + j] for j < n, zero for n <= j < kStride: rows copied as they are.
template <int kStride>
void copy_rows(const float* src, int64_t ld, int kc, int n, float* dst) {
  for (int k = 0; k < kc; ++k) {
    const float* s = src + k * ld;
    float* d = dst + k * kStride;
    if (n == kStride) {
      for (int j = 0; j < kStride; ++j) d[j] = s[j];
    } else {
      for (int j = 0; j < n; ++j) d[j] = s[j];
      for (int j = n; j < kStride; ++j) d[j] = 0.0f;
    }
  }
}

// dst[k*kStride + j] = src[j*ld + k] for j < n, zero for n <= j < kStride: rows transposed.
// Full slivers go eight rows at a time through interleave8, into a dense buffer and then into
// place (measured twice as fast as a scalar transpose; a direct interleave into the wider
// stride is not vectorised by GCC).
template <int kStride>
void transpose_rows(const float* src, int64_t ld, int kc, int n, float* dst) {
  if (n == kStride && kStride % 8 == 0) {
    if (kStride == 8) return interleave8(src, ld, kc, dst);
    float tmp[kKC * 8];
    for (int j = 0; j < kStride; j += 8) {
      interleave8(src + j * ld, ld, kc, tmp);
      for (int k = 0; k < kc; ++k)
        for (int i = 0; i < 8; ++i) dst[k * kStride + j + i] = tmp[k * 8 + i];
    }
    return;
  }
  for (int j = 0; j < n; ++j)
    for (int k = 0; k < kc; ++k) dst[k * kStride + j] = src[j * ld + k];
  for (int j = n; j < kStride; ++j)
    for (int k = 0; k < kc; ++k) dst[k * kStride + j] = 0.0f;
}

// Packs rows [i0, i0+m) x columns [p0, p0+kc) of op(A) as dst[k*MR + i]; rows m..MR-1 are zero.
void pack_a(bool ta, const float* A, int64_t lda, int i0, int m, int p0, int kc, float* dst) {
  if (ta)  // op(A)(i, k) = A[k][i]
    copy_rows<kMR>(A + p0 * lda + i0, lda, kc, m, dst);
  else
    transpose_rows<kMR>(A + i0 * lda + p0, lda, kc, m, dst);
}

// Packs rows [p0, p0+kc) x columns [j0, j0+n) of op(B) as dst[k*NR + j]; columns n..NR-1 are zero.
void pack_b(bool tb, const float* B, int64_t ldb, int p0, int kc, int j0, int n, float* dst) {
  if (tb)  // op(B)(k, j) = B[j][k]
    transpose_rows<kNR>(B + j0 * ldb + p0, ldb, kc, n, dst);
  else
    copy_rows<kNR>(B + p0 * ldb + j0, ldb, kc, n, dst);
}

// C tile (m x n, m <= MR, n <= NR) = alpha * (A sliver * B sliver) + beta * C tile.
// Per k: two vector loads of B, MR broadcasts of A, 2*MR vector multiply-adds into the
// accumulators, which the fully unrolled i loop keeps in registers across the k loop.
void micro_kernel(int kc, const float* __restrict a, const float* __restrict b, float alpha, float beta, float* c,
                  int64_t ldc, int m, int n) {
  Vec acc[kMR][2] = {};
  for (int k = 0; k < kc; ++k, a += kMR, b += kNR) {
    Vec b0, b1;
    std::memcpy(&b0, b, sizeof b0);  // unaligned-safe loads; the packed buffer is aligned anyway
    std::memcpy(&b1, b + kVec, sizeof b1);
#pragma GCC unroll 8
    for (int i = 0; i < kMR; ++i) {
      acc[i][0] += a[i] * b0;
      acc[i][1] += a[i] * b1;
    }
  }
  float tile[kMR][kNR];
  std::memcpy(tile, acc, sizeof tile);
  for (int i = 0; i < m; ++i) {
    float* row = c + i * ldc;
    if (beta == 0.0f)
      for (int j = 0; j < n; ++j) row[j] = alpha * tile[i][j];
    else
      for (int j = 0; j < n; ++j) row[j] = alpha * tile[i][j] + beta * row[j];
  }
}

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

struct Problem {
  bool ta, tb;
  int K;
  float alpha;
  const float* A;
  int64_t lda;
  const float* B;
  int64_t ldb;
  float beta;
  float* C;
  int64_t ldc;
};

// Serial blocked GEMM on rows [i0, i1) and columns [j0, j1) of C, with this thread's buffers.
void gemm_block(const Problem& g, int i0, int i1, int j0, int j1) {
  thread_local Scratch a_buf, b_buf;
  int kc_max = std::min(kKC, g.K);
  float* pa = a_buf.get(static_cast<size_t>(std::min(kMC, ceil_div(i1 - i0, kMR) * kMR)) * kc_max);
  float* pb = b_buf.get(static_cast<size_t>(std::min(kNC, ceil_div(j1 - j0, kNR) * kNR)) * kc_max);
  for (int jc = j0; jc < j1; jc += kNC) {
    int nc = std::min(kNC, j1 - jc);
    for (int pc = 0; pc < g.K; pc += kKC) {
      int kc = std::min(kKC, g.K - pc);
      float beta = pc == 0 ? g.beta : 1.0f;  // later K slices accumulate onto the first
      for (int jr = 0; jr < nc; jr += kNR)
        pack_b(g.tb, g.B, g.ldb, pc, kc, jc + jr, std::min(kNR, nc - jr), pb + jr * kc);
      for (int ic = i0; ic < i1; ic += kMC) {
        int mc = std::min(kMC, i1 - ic);
        for (int ir = 0; ir < mc; ir += kMR)
          pack_a(g.ta, g.A, g.lda, ic + ir, std::min(kMR, mc - ir), pc, kc, pa + ir * kc);
        // Column slivers outermost: one B sliver stays in L1 while the A slivers pass by.
        for (int jr = 0; jr < nc; jr += kNR)
          for (int ir = 0; ir < mc; ir += kMR)
            micro_kernel(kc, pa + ir * kc, pb + jr * kc, g.alpha, beta, g.C + (ic + ir) * g.ldc + jc + jr, g.ldc,
                         std::min(kMR, mc - ir), std::min(kNR, nc - jr));
      }
    }
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
Grid choose_grid(int M, int N, int K, int threads) {
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

#ifdef DEPTHSTYLE_HAVE_OPENBLAS
constexpr GemmBackend kDefaultBackend = GemmBackend::OpenBlas;
#else
constexpr GemmBackend kDefaultBackend = GemmBackend::Own;
#endif

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
  Problem g{trans_a, trans_b, K, alpha, A, lda, B, ldb, beta, C, ldc};
  bool parallel = static_cast<double>(M) * N * K >= kMinParallelMacs && !omp_in_parallel() && omp_get_max_threads() > 1;
  if (!parallel) return gemm_block(g, 0, M, 0, N);
  // Threads share nothing but the fork and the join (no barriers): on a busy machine a thread
  // that loses its core delays only its own block.
  std::exception_ptr error;
#pragma omp parallel
  {
    int t = omp_get_thread_num(), nt = omp_get_num_threads();
    Grid grid = choose_grid(M, N, K, nt);
    Range rows = split(ceil_div(M, kMR), grid.rows, t / grid.cols, kMR, M);
    Range cols = split(ceil_div(N, kNR), grid.cols, t % grid.cols, kNR, N);
    try {
      if (rows.begin < rows.end && cols.begin < cols.end) gemm_block(g, rows.begin, rows.end, cols.begin, cols.end);
    } catch (...) {  // bad_alloc of a packing buffer: rethrown on the calling thread
#pragma omp critical(ds_gemm_error)
      error = std::current_exception();
    }
  }
  if (error) std::rethrow_exception(error);
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
  constexpr int kBlock = 64;  // rows per block: (N / kBlock + 1) / (2 N / kBlock) of the full product
  for (int i0 = 0; i0 < N; i0 += kBlock) {
    const float* rows = A + static_cast<int64_t>(i0) * lda;
    gemm_own(false, true, std::min(kBlock, N - i0), N - i0, K, alpha, rows, lda, rows, lda, 0.0f,
             C + static_cast<int64_t>(i0) * ldc + i0, ldc);
  }
}

}  // namespace cpu
}  // namespace ds
