// Internal to cuda/: the row-major cuBLAS GEMM wrapper, batched form (gemm_cublas.cpp).
#pragma once
#include <cstdint>

namespace ds {
namespace cuda {

// For b in [0, batch): C_b = alpha op(A_b) op(B_b) + beta C_b, all row-major, with
// X_b = X + b * stride_x. op(A) is MxK, op(B) is KxN. Same rules as gemm in kernel_list.inc.
void gemm_batched(bool trans_a, bool trans_b, int M, int N, int K, float alpha, const float* A, int lda,
                  int64_t stride_a, const float* B, int ldb, int64_t stride_b, float beta, float* C, int ldc,
                  int64_t stride_c, int batch);

}  // namespace cuda
}  // namespace ds
