// The kernels of isa_kernels.inc for AVX-512 F/BW/DQ/VL + FMA (Isa::Avx512). CMakeLists.txt
// compiles this file with those -m flags on x86-64 and defines DEPTHSTYLE_ISA_VARIANTS; elsewhere
// it is empty.
#if defined(DEPTHSTYLE_ISA_VARIANTS)
#if !defined(__AVX512F__) || !defined(__AVX512BW__) || !defined(__AVX512DQ__) || !defined(__AVX512VL__) || \
    !defined(__FMA__)
#error "isa_avx512.cpp must be compiled with -mavx512f -mavx512bw -mavx512dq -mavx512vl -mfma (CMakeLists.txt)"
#endif
#define DS_VEC_FLOATS 16
#define DS_ISA_NS avx512
#define DS_ISA Isa::Avx512
#include "tensor/cpu/isa_kernels.inc"
#endif
