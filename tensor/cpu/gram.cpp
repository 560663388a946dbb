// CPU Gram matrix kernels through the GEMM. Mirrors cuda/gram.cpp (cuBLAS).
//
// Forward: G = F F^T is symmetric, so only its upper triangle is computed (SYRK, half a GEMM's
// work) and mirrored. A Gram has few rows (C) and long ones (HW): a library GEMM/SYRK threads
// over C x C, which leaves threads idle for C < 256, so there the pixels are cut into P chunks
// whose partial Grams run on separate threads and are added in chunk order. P depends only on
// the shape, never on the thread count, so results are the same on any number of threads.
// Backward: dg + dg^T is folded into one C x C matrix first: one GEMM over F instead of two.
// Each forward entry is a sum of HW products (in P pieces), each backward entry of C.
#include <algorithm>
#include <vector>

#include "tensor/cpu/gemm.h"
#include "tensor/cpu/parallel.h"
#include "tensor/kernels.h"

namespace ds {
namespace cpu {

namespace {

constexpr int kChunkPixels = 4096;  // smallest pixel chunk worth its own thread (bench in docs/benchmarks.md)
constexpr int kMaxChunks = 16;

// Number of pixel chunks: 1 when C is large enough to keep the threads of one SYRK busy, else an
// even number (two threads split it evenly) of chunks of at least kChunkPixels.
int pixel_chunks(int c, int hw) {
  if (c >= 256 || hw < 2 * kChunkPixels) return 1;
  return std::min(kMaxChunks, hw / kChunkPixels) / 2 * 2;
}

}  // namespace

// g[n] = scale * F F^T with F = f[n] viewed as [C, HW].
void gram_forward(const Tensor& f, float scale, Tensor& g) {
  const int c = static_cast<int>(f.shape()[1]), hw = static_cast<int>(f.shape()[2] * f.shape()[3]);
  const int chunks = pixel_chunks(c, hw), chunk = (hw + chunks - 1) / chunks;
  const int64_t cc = static_cast<int64_t>(c) * c;
  std::vector<float> partial(chunks > 1 ? chunks * cc : 0);
  for (int64_t n = 0; n < f.shape()[0]; ++n) {
    const float* F = f.data() + n * c * hw;
    float* G = g.data() + n * cc;
    if (chunks == 1) {
      syrk_upper(c, hw, scale, F, hw, G, c);
    } else {
      parallel_for(chunks, kMinParallelWork, [&](int64_t k) {
        const int p0 = static_cast<int>(k) * chunk;
        syrk_upper(c, std::min(chunk, hw - p0), scale, F + p0, hw, partial.data() + k * cc, c);
      });
      for (int i = 0; i < c; ++i)
        for (int j = i; j < c; ++j) {
          float s = 0.0f;
          for (int k = 0; k < chunks; ++k) s += partial[k * cc + i * c + j];
          G[i * c + j] = s;
        }
    }
    for (int i = 0; i < c; ++i)  // the lower triangle is the upper one's mirror
      for (int j = 0; j < i; ++j) G[i * c + j] = G[j * c + i];
  }
}

// df[n] = scale * (dg + dg^T) F.
void gram_backward(const Tensor& f, const Tensor& dg, float scale, Tensor& df) {
  const int c = static_cast<int>(f.shape()[1]), hw = static_cast<int>(f.shape()[2] * f.shape()[3]);
  std::vector<float> sym(static_cast<size_t>(c) * c);
  for (int64_t n = 0; n < f.shape()[0]; ++n) {
    const float* F = f.data() + n * c * hw;
    const float* G = dg.data() + n * c * c;
    for (int i = 0; i < c; ++i)
      for (int j = 0; j < c; ++j) sym[i * c + j] = G[i * c + j] + G[j * c + i];
    gemm(false, false, c, hw, c, scale, sym.data(), c, F, hw, 0.0f, df.data() + n * c * hw, hw);
  }
}

}  // namespace cpu
}  // namespace ds
