// Run-time choice of the vector instruction set for the CPU kernels that are compiled once per
// instruction set (docs/architecture.md, "One binary, every x86-64 CPU").
//
// The compute-bound kernels (the own GEMM's packing and micro-kernel, the Winograd transforms,
// the direct convolutions) are written once with GCC/Clang vector extensions of a width
// DS_VEC_FLOATS and compiled into one namespace per instruction set by tensor/cpu/isa_*.cpp:
//   Avx512   AVX-512 F/BW/DQ/VL + FMA: 16-float vectors, 32 registers
//   Avx2     AVX2 + FMA (no AVX-512): 8-float vectors, 16 registers
//   Generic  the build's own target (SSE2 in a portable x86-64 build, the machine's with
//            DEPTHSTYLE_NATIVE=ON, whatever the compiler targets on other architectures)
// At the first use the widest one this CPU runs (cpuid, through __builtin_cpu_supports, which
// also checks that the OS saves the registers) is chosen, unless the environment variable
// DEPTHSTYLE_ISA=auto|avx512|avx2|generic asks for another (auto or unset: the widest; a set the
// CPU cannot run or this build lacks is a ds::Error naming it). Tests and benchmarks switch with
// set_cpu_isa(). Everything else (memory-bound kernels) is compiled for the build's target only.
#pragma once

#include <string>

namespace ds {
namespace cpu {

enum class Isa { Generic, Avx2, Avx512 };

const char* isa_name(Isa isa);  // "generic" | "avx2" | "avx512"
// The Isa a DEPTHSTYLE_ISA value names ("auto" and "" give the widest supported); throws
// ds::Error naming the variable, the value and the accepted ones.
Isa isa_from_string(const std::string& s);
// Whether this build has kernels for `isa` and this CPU can run them.
bool isa_supported(Isa isa);
// The widest supported Isa.
Isa best_isa();
// The current choice (from DEPTHSTYLE_ISA at the first call).
Isa cpu_isa();
// Switches the kernels; throws ds::Error when !isa_supported(isa).
void set_cpu_isa(Isa isa);
// Floats per vector register of the kernels of `isa` (16, 8, or the generic build's width).
int isa_vector_floats(Isa isa);

}  // namespace cpu
}  // namespace ds
