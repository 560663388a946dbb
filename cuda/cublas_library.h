// Internal to cuda/: cuBLAS, opened with dlopen at its first use instead of linked.
//
// Why: loading libcublas (and the libcublasLt it pulls in) costs a process about 150 MB of
// resident memory before main() runs (measured: a C program linked with -lcublas starts at
// 155 MB RSS, unlinked at 1.3 MB), most of it cublasLt's static initialisers. Every
// depthstyle command paid it, also on machines without a GPU where no GEMM ever runs on
// cuBLAS. cuDNN and the CUDA runtime stay linked: they cost about 1 MB until first used.
//
// The names are the header's (cublas_v2.h maps cublasCreate to cublasCreate_v2 and so on), so
// the types come from the header the code was compiled against and the symbols are looked up
// under the same names the linker would have used.
#pragma once
#include <cublas_v2.h>

namespace ds {
namespace cuda {

struct CublasLibrary {
  decltype(&cublasCreate) create;
  decltype(&cublasSetStream) set_stream;
  decltype(&cublasSetMathMode) set_math_mode;
  decltype(&cublasSgemm) sgemm;
  decltype(&cublasSgemmStridedBatched) sgemm_strided_batched;
  decltype(&cublasGetStatusString) status_string;
};

// Opens libcublas.so.<major of the header> on the first call (thread-safe; later calls return
// the same table). Throws ds::Error naming the library file, the loader's message and what to
// install when the library or one of its functions cannot be found.
const CublasLibrary& cublas();

}  // namespace cuda
}  // namespace ds
