// The kernels of isa_kernels.inc for the build's own target (Isa::Generic): SSE2 in a portable
// x86-64 build, the machine's instruction set with DEPTHSTYLE_NATIVE=ON.
#if defined(__AVX512F__)
#define DS_VEC_FLOATS 16
#elif defined(__AVX__)
#define DS_VEC_FLOATS 8
#else
#define DS_VEC_FLOATS 4
#endif
#define DS_ISA_NS generic
#define DS_ISA Isa::Generic
#include "tensor/cpu/isa_kernels.inc"
