// Gram matrix kernels through cuBLAS, all batch items in one strided-batched GEMM.
// CPU twin: tensor/cpu/gram.cpp (same GEMMs, one item at a time).
#include "cuda/blas.h"
#include "tensor/kernels.h"

namespace ds {
namespace cuda {

// g[n] = scale * F F^T with F = f[n] viewed as [C, HW].
void gram_forward(const Tensor& f, float scale, Tensor& g) {
  int c = static_cast<int>(f.shape()[1]), hw = static_cast<int>(f.shape()[2] * f.shape()[3]);
  int batch = static_cast<int>(f.shape()[0]);
  int64_t sf = int64_t(c) * hw, sg = int64_t(c) * c;
  gemm_batched(false, true, c, c, hw, scale, f.data(), hw, sf, f.data(), hw, sf, 0.0f, g.data(), c, sg, batch);
}

// df[n] = scale * (dg + dg^T) F: two GEMMs, the second accumulating.
void gram_backward(const Tensor& f, const Tensor& dg, float scale, Tensor& df) {
  int c = static_cast<int>(f.shape()[1]), hw = static_cast<int>(f.shape()[2] * f.shape()[3]);
  int batch = static_cast<int>(f.shape()[0]);
  int64_t sf = int64_t(c) * hw, sg = int64_t(c) * c;
  gemm_batched(false, false, c, hw, c, scale, dg.data(), c, sg, f.data(), hw, sf, 0.0f, df.data(), hw, sf, batch);
  gemm_batched(true, false, c, hw, c, scale, dg.data(), c, sg, f.data(), hw, sf, 1.0f, df.data(), hw, sf, batch);
}

}  // namespace cuda
}  // namespace ds
