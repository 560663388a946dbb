// Run-time choice of the instruction set (isa.h) and the table of its kernels (isa_kernels.h).
#include <atomic>
#include <cstdlib>

#include "tensor/cpu/isa_kernels.h"
#include "tensor/kernels.h"

namespace ds {
namespace cpu {
namespace {

bool cpu_runs(Isa isa) {
#if defined(DEPTHSTYLE_ISA_VARIANTS)
  // __builtin_cpu_supports also checks that the OS saves the AVX / AVX-512 registers (XCR0).
  switch (isa) {
    case Isa::Avx512:
      return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
             __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") &&
             __builtin_cpu_supports("fma") && __builtin_cpu_supports("avx2");
    case Isa::Avx2:
      return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    default:
      return true;
  }
#else
  return isa == Isa::Generic;
#endif
}

std::atomic<int> g_isa{-1};  // -1: not chosen yet

}  // namespace

const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::Avx512: return "avx512";
    case Isa::Avx2: return "avx2";
    default: return "generic";
  }
}

bool isa_supported(Isa isa) { return cpu_runs(isa); }

Isa best_isa() {
  for (Isa isa : {Isa::Avx512, Isa::Avx2})
    if (isa_supported(isa)) return isa;
  return Isa::Generic;
}

Isa isa_from_string(const std::string& s) {
  if (s.empty() || s == "auto") return best_isa();
  for (Isa isa : {Isa::Avx512, Isa::Avx2, Isa::Generic}) {
    if (s != isa_name(isa)) continue;
    if (!isa_supported(isa))
      throw Error("DEPTHSTYLE_ISA=" + s + ": this CPU cannot run it (or this build has no " + s +
                  " kernels); the widest it runs is '" + isa_name(best_isa()) + "'");
    return isa;
  }
  throw Error("DEPTHSTYLE_ISA must be 'auto', 'avx512', 'avx2' or 'generic', got '" + s + "'");
}

Isa cpu_isa() {
  int v = g_isa.load(std::memory_order_relaxed);
  if (v < 0) {
    const char* e = std::getenv("DEPTHSTYLE_ISA");
    v = static_cast<int>(isa_from_string(e ? e : ""));
    g_isa.store(v, std::memory_order_relaxed);
  }
  return static_cast<Isa>(v);
}

void set_cpu_isa(Isa isa) {
  if (!isa_supported(isa))
    throw Error(std::string("set_cpu_isa: this CPU or build cannot run the ") + isa_name(isa) + " kernels");
  g_isa.store(static_cast<int>(isa), std::memory_order_relaxed);
}

const IsaKernels& kernels() {
  switch (cpu_isa()) {
#if defined(DEPTHSTYLE_ISA_VARIANTS)
    case Isa::Avx512: return avx512::kKernels;
    case Isa::Avx2: return avx2::kKernels;
#endif
    default: return generic::kKernels;
  }
}

int isa_vector_floats(Isa isa) {
  switch (isa) {
#if defined(DEPTHSTYLE_ISA_VARIANTS)
    case Isa::Avx512: return avx512::kKernels.vec_floats;
    case Isa::Avx2: return avx2::kKernels.vec_floats;
#endif
    default: return generic::kKernels.vec_floats;
  }
}

}  // namespace cpu
}  // namespace ds
