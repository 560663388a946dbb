// cuBLAS opened on first use (why: cuda/cublas_library.h).
#include "cuda/cublas_library.h"

#include <dlfcn.h>

#include <string>

#include "tensor/error.h"

namespace ds {
namespace cuda {

namespace {

#define DS_STRINGIFY_(x) #x
#define DS_STRINGIFY(x) DS_STRINGIFY_(x)

// The soname the linker would have recorded, then the file CMake found at build time (for
// a toolkit outside the loader's search path; the binary's RUNPATH names the toolkit's lib
// folder because the CUDA runtime is linked from there).
const char* const kSoname = "libcublas.so." DS_STRINGIFY(CUBLAS_VER_MAJOR);

void* open_library() {
  void* h = dlopen(kSoname, RTLD_NOW | RTLD_LOCAL);
  if (h) return h;
  std::string first = dlerror();
#ifdef DEPTHSTYLE_CUBLAS_PATH
  h = dlopen(DEPTHSTYLE_CUBLAS_PATH, RTLD_NOW | RTLD_LOCAL);
  if (h) return h;
  first += std::string("; ") + dlerror();
#endif
  throw Error(std::string("cuBLAS: cannot open ") + kSoname + " (" + first +
              "); the CUDA Toolkit's cuBLAS " DS_STRINGIFY(CUBLAS_VER_MAJOR) ".x must be installed where the "
              "loader finds it (LD_LIBRARY_PATH or ldconfig) to run on a GPU");
}

template <class F>
void find(void* h, F& f, const char* name) {
  dlerror();
  f = reinterpret_cast<F>(dlsym(h, name));
  if (!f) {
    const char* e = dlerror();
    throw Error(std::string("cuBLAS: ") + kSoname + " has no function " + name + " (" + (e ? e : "null") +
                "); it is older than the cuBLAS headers depthstyle was built with (" DS_STRINGIFY(CUBLAS_VER_MAJOR) "."
                DS_STRINGIFY(CUBLAS_VER_MINOR) ")");
  }
}

CublasLibrary open_cublas() {
  void* h = open_library();  // never closed: the table lives as long as the process
  CublasLibrary l{};
  // The header's macros turn cublasCreate into cublasCreate_v2 before it is made a string.
  find(h, l.create, DS_STRINGIFY(cublasCreate));
  find(h, l.set_stream, DS_STRINGIFY(cublasSetStream));
  find(h, l.set_math_mode, DS_STRINGIFY(cublasSetMathMode));
  find(h, l.sgemm, DS_STRINGIFY(cublasSgemm));
  find(h, l.sgemm_strided_batched, DS_STRINGIFY(cublasSgemmStridedBatched));
  find(h, l.status_string, DS_STRINGIFY(cublasGetStatusString));
  return l;
}

}  // namespace

const CublasLibrary& cublas() {
  static const CublasLibrary l = open_cublas();
  return l;
}

}  // namespace cuda
}  // namespace ds
