// The kernels of isa_kernels.inc for AVX2 + FMA (Isa::Avx2). CMakeLists.txt compiles this file
// with -mavx2 -mfma -mno-avx512f on x86-64 and defines DEPTHSTYLE_ISA_VARIANTS; elsewhere it is empty.
#if defined(DEPTHSTYLE_ISA_VARIANTS)
#if !defined(__AVX2__) || !defined(__FMA__) || defined(__AVX512F__)
#error "isa_avx2.cpp must be compiled with -mavx2 -mfma -mno-avx512f (CMakeLists.txt)"
#endif
#define DS_VEC_FLOATS 8
#define DS_ISA_NS avx2
#define DS_ISA Isa::Avx2
#include "tensor/cpu/isa_kernels.inc"
#endif
