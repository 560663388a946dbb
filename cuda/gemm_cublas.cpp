// Row-major GEMM through cuBLAS (column-major). CPU twin: tensor/cpu/gemm.cpp.
//
// A row-major matrix read as column-major is its transpose, so C = op(A) op(B) is computed
// as C^T = op(B)^T op(A)^T: the same call with A and B (and M and N) swapped.
#include "cuda/blas.h"
#include "cuda/check.h"
#include "tensor/kernels.h"

namespace ds {
namespace cuda {

// TF32 only when allowed (set_allow_tf32); cuBLAS's default math keeps float32 GEMMs exact.
static cublasHandle_t blas() {
  cublasHandle_t h = cublas_handle();
  DS_CUBLAS_CHECK(cublas().set_math_mode(h, allow_tf32() ? CUBLAS_TF32_TENSOR_OP_MATH : CUBLAS_DEFAULT_MATH));
  return h;
}

static cublasOperation_t op(bool trans) { return trans ? CUBLAS_OP_T : CUBLAS_OP_N; }

void gemm(bool trans_a, bool trans_b, int M, int N, int K, float alpha, const float* A, int lda, const float* B,
          int ldb, float beta, float* C, int ldc) {
  DS_CUBLAS_CHECK(cublas().sgemm(blas(), op(trans_b), op(trans_a), N, M, K, &alpha, B, ldb, A, lda, &beta, C, ldc));
}

void gemm_batched(bool trans_a, bool trans_b, int M, int N, int K, float alpha, const float* A, int lda,
                  int64_t stride_a, const float* B, int ldb, int64_t stride_b, float beta, float* C, int ldc,
                  int64_t stride_c, int batch) {
  DS_CUBLAS_CHECK(cublas().sgemm_strided_batched(blas(), op(trans_b), op(trans_a), N, M, K, &alpha, B, ldb, stride_b, A,
                                            lda, stride_a, &beta, C, ldc, stride_c, batch));
}

}  // namespace cuda
}  // namespace ds
