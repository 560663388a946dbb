// cuda_emu: naive cuBLAS GEMMs (what and why: cublas_v2.h here), and the ds::cuda::cublas()
// table that cuda/cublas_library.cpp would fill with dlopen.
#include <algorithm>
#include <vector>

#include "cublas_v2.h"
#include "cuda/cublas_library.h"

struct cublasContext {
  cudaStream_t stream = nullptr;
  cublasMath_t math = CUBLAS_DEFAULT_MATH;
};

namespace {

bool host_scalar(const float* p) { return p && !cuda_emu::is_device_range(p, sizeof(float)); }

// A matrix of `rows` x `cols` stored column-major with leading dimension ld: its last element
// is at (cols - 1) * ld + rows - 1.
size_t extent(int rows, int cols, int ld) { return rows == 0 || cols == 0 ? 0 : size_t(cols - 1) * ld + rows; }

bool on_device(const float* p, size_t floats) { return floats == 0 || cuda_emu::is_device_range(p, floats * sizeof(float)); }

// Arguments of one GEMM of the batch, checked; then C = alpha op(A) op(B) + beta C.
cublasStatus_t gemm(cublasHandle_t h, cublasOperation_t ta, cublasOperation_t tb, int m, int n, int k,
                    const float* alpha, const float* A, int lda, long long sa, const float* B, int ldb, long long sb,
                    const float* beta, float* C, int ldc, long long sc, int batch) {
  if (!h) return CUBLAS_STATUS_NOT_INITIALIZED;
  if ((ta != CUBLAS_OP_N && ta != CUBLAS_OP_T) || (tb != CUBLAS_OP_N && tb != CUBLAS_OP_T))
    return CUBLAS_STATUS_INVALID_VALUE;  // C (conjugate) means T for real matrices; cuda/ never passes it
  const int a_rows = ta == CUBLAS_OP_N ? m : k, a_cols = ta == CUBLAS_OP_N ? k : m;
  const int b_rows = tb == CUBLAS_OP_N ? k : n, b_cols = tb == CUBLAS_OP_N ? n : k;
  if (m < 0 || n < 0 || k < 0 || batch < 0 || lda < std::max(1, a_rows) || ldb < std::max(1, b_rows) ||
      ldc < std::max(1, m))
    return CUBLAS_STATUS_INVALID_VALUE;
  if (!host_scalar(alpha) || !host_scalar(beta)) return CUBLAS_STATUS_INVALID_VALUE;
  if (m == 0 || n == 0 || batch == 0) return CUBLAS_STATUS_SUCCESS;
  const float a = *alpha, b = *beta;
  for (int i = 0; i < batch; ++i) {
    const float* Ai = A + i * sa;
    const float* Bi = B + i * sb;
    float* Ci = C + i * sc;
    // Device pointers are dereferenced only where the product needs them (k == 0 and alpha == 0
    // leave A and B unread; beta == 0 leaves C unread, but C is written).
    const bool reads_ab = k > 0 && a != 0.0f;
    if ((reads_ab && (!on_device(Ai, extent(a_rows, a_cols, lda)) || !on_device(Bi, extent(b_rows, b_cols, ldb)))) ||
        !on_device(Ci, extent(m, n, ldc)))
      return CUBLAS_STATUS_INVALID_VALUE;  // the real library would fault, or read another tensor
    std::vector<double> out(size_t(m) * n, 0.0);
    for (int col = 0; col < n; ++col)
      for (int row = 0; row < m; ++row) {
        double s = 0;
        if (reads_ab)
          for (int p = 0; p < k; ++p) {
            float av = ta == CUBLAS_OP_N ? Ai[row + size_t(p) * lda] : Ai[p + size_t(row) * lda];
            float bv = tb == CUBLAS_OP_N ? Bi[p + size_t(col) * ldb] : Bi[col + size_t(p) * ldb];
            s += double(av) * bv;
          }
        out[row + size_t(col) * m] = a * s;
      }
    // Written after the batch item's sums: C may not alias A or B in cuBLAS, but if it did the
    // emulation would not make the bug visible by reading half-written values.
    for (int col = 0; col < n; ++col)
      for (int row = 0; row < m; ++row) {
        float& c = Ci[row + size_t(col) * ldc];
        c = static_cast<float>(out[row + size_t(col) * m] + (b == 0.0f ? 0.0 : double(b) * c));
      }
  }
  return CUBLAS_STATUS_SUCCESS;
}

}  // namespace

cublasStatus_t cublasCreate(cublasHandle_t* h) {
  if (!h) return CUBLAS_STATUS_INVALID_VALUE;
  *h = new cublasContext;
  return CUBLAS_STATUS_SUCCESS;
}
cublasStatus_t cublasSetStream(cublasHandle_t h, cudaStream_t s) {
  if (!h) return CUBLAS_STATUS_NOT_INITIALIZED;
  h->stream = s;
  return CUBLAS_STATUS_SUCCESS;
}
// TF32 is not emulated: the product is float32 (exactly rounded) under every math mode.
cublasStatus_t cublasSetMathMode(cublasHandle_t h, cublasMath_t mode) {
  if (!h) return CUBLAS_STATUS_NOT_INITIALIZED;
  if (mode < CUBLAS_DEFAULT_MATH || mode > CUBLAS_TF32_TENSOR_OP_MATH) return CUBLAS_STATUS_INVALID_VALUE;
  h->math = mode;
  return CUBLAS_STATUS_SUCCESS;
}
const char* cublasGetStatusString(cublasStatus_t s) {
  switch (s) {
    case CUBLAS_STATUS_SUCCESS: return "CUBLAS_STATUS_SUCCESS";
    case CUBLAS_STATUS_NOT_INITIALIZED: return "CUBLAS_STATUS_NOT_INITIALIZED";
    case CUBLAS_STATUS_ALLOC_FAILED: return "CUBLAS_STATUS_ALLOC_FAILED";
    case CUBLAS_STATUS_INVALID_VALUE: return "CUBLAS_STATUS_INVALID_VALUE";
    case CUBLAS_STATUS_ARCH_MISMATCH: return "CUBLAS_STATUS_ARCH_MISMATCH";
    case CUBLAS_STATUS_MAPPING_ERROR: return "CUBLAS_STATUS_MAPPING_ERROR";
    case CUBLAS_STATUS_EXECUTION_FAILED: return "CUBLAS_STATUS_EXECUTION_FAILED";
    case CUBLAS_STATUS_INTERNAL_ERROR: return "CUBLAS_STATUS_INTERNAL_ERROR";
    case CUBLAS_STATUS_NOT_SUPPORTED: return "CUBLAS_STATUS_NOT_SUPPORTED";
  }
  return "CUBLAS_STATUS_UNKNOWN";
}
cublasStatus_t cublasSgemm(cublasHandle_t h, cublasOperation_t transa, cublasOperation_t transb, int m, int n, int k,
                           const float* alpha, const float* A, int lda, const float* B, int ldb, const float* beta,
                           float* C, int ldc) {
  return gemm(h, transa, transb, m, n, k, alpha, A, lda, 0, B, ldb, 0, beta, C, ldc, 0, 1);
}
cublasStatus_t cublasSgemmStridedBatched(cublasHandle_t h, cublasOperation_t transa, cublasOperation_t transb, int m,
                                         int n, int k, const float* alpha, const float* A, int lda, long long strideA,
                                         const float* B, int ldb, long long strideB, const float* beta, float* C,
                                         int ldc, long long strideC, int batchCount) {
  return gemm(h, transa, transb, m, n, k, alpha, A, lda, strideA, B, ldb, strideB, beta, C, ldc, strideC, batchCount);
}

namespace ds {
namespace cuda {

const CublasLibrary& cublas() {
  static const CublasLibrary l{cublasCreate, cublasSetStream, cublasSetMathMode, cublasSgemm, cublasSgemmStridedBatched,
                               cublasGetStatusString};
  return l;
}

}  // namespace cuda
}  // namespace ds
