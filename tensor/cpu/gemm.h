// Choice of the CPU GEMM behind ds::cpu::gemm (declared in tensor/kernel_list.inc).
//
// Two implementations compute the same row-major C = alpha*op(A)*op(B) + beta*C:
//   Own      - the project's blocked SGEMM (tensor/cpu/gemm.cpp), always built;
//   OpenBlas - cblas_sgemm, built when DEPTHSTYLE_HAVE_OPENBLAS is defined.
// The choice starts from the environment variable DEPTHSTYLE_GEMM=own|openblas (read on first
// use), else the measured default (docs/benchmarks.md). Tests and the benchmark switch it.
#pragma once

namespace ds {
namespace cpu {

enum class GemmBackend { Own, OpenBlas };

const char* gemm_backend_name(GemmBackend b);  // "own" | "openblas"
bool gemm_has_openblas();                      // OpenBLAS was compiled in
GemmBackend gemm_backend();                    // the current choice
void set_gemm_backend(GemmBackend b);          // throws ds::Error for OpenBlas when not compiled in

// The project's own SGEMM, whatever the current choice (same contract as gemm()).
void gemm_own(bool trans_a, bool trans_b, int M, int N, int K, float alpha, const float* A, int lda, const float* B,
              int ldb, float beta, float* C, int ldc);

// The upper triangle (diagonal included) of row-major C [N, N] = alpha * A A^T, A [N, K] with row
// stride lda. Below the diagonal, C is not written by OpenBLAS (cblas_ssyrk) and, by the own
// kernel (gemm_kernel.inc's syrk_block, A packed once per K slice and thread), only within a
// register tile of the diagonal, with the entries' values (C is symmetric). Each entry is one
// dot product of length K either way; the own kernel's are independent of the thread count.
void syrk_upper(int N, int K, float alpha, const float* A, int lda, float* C, int ldc);

}  // namespace cpu
}  // namespace ds
