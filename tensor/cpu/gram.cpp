// CPU Gram matrix kernels through the GEMM. Mirrors cuda/gram.cu (cuBLAS).
#include "tensor/kernels.h"

namespace ds {
namespace cpu {

// g[n] = scale * F F^T with F = f[n] viewed as [C, HW].
void gram_forward(const Tensor& f, float scale, Tensor& g) {
  int c = static_cast<int>(f.shape()[1]), hw = static_cast<int>(f.shape()[2] * f.shape()[3]);
  for (int64_t n = 0; n < f.shape()[0]; ++n) {
    const float* F = f.data() + n * c * hw;
    gemm(false, true, c, c, hw, scale, F, hw, F, hw, 0.0f, g.data() + n * c * c, c);
  }
}

// df[n] = scale * (dg + dg^T) F.
void gram_backward(const Tensor& f, const Tensor& dg, float scale, Tensor& df) {
  int c = static_cast<int>(f.shape()[1]), hw = static_cast<int>(f.shape()[2] * f.shape()[3]);
  for (int64_t n = 0; n < f.shape()[0]; ++n) {
    const float* F = f.data() + n * c * hw;
    const float* G = dg.data() + n * c * c;
    float* D = df.data() + n * c * hw;
    gemm(false, false, c, hw, c, scale, G, c, F, hw, 0.0f, D, hw);
    gemm(true, false, c, hw, c, scale, G, c, F, hw, 1.0f, D, hw);
  }
}

}  // namespace cpu
}  // namespace ds
