// The run-time choice of instruction set for the per-ISA kernels (tensor/cpu/isa.h): the variable
// DEPTHSTYLE_ISA is honoured (ctest's per-ISA setting tests run this with it set), the kernel table
// switches with it, and bad values are clear errors. The kernels' results are checked per ISA by
// the op table, the GEMM test and the golden models under those setting tests.
#include <cstdlib>
#include <string>

#include "tensor/cpu/isa.h"
#include "tensor/cpu/isa_kernels.h"
#include "tests/check.h"

namespace dst {

TEST_CASE("DEPTHSTYLE_ISA picks the kernels' instruction set") {
  using ds::cpu::Isa;
  const char* env = std::getenv("DEPTHSTYLE_ISA");
  if (env && *env && std::string(env) != "auto") {
    CHECK(std::string(ds::cpu::isa_name(ds::cpu::cpu_isa())) == env);
    CHECK(ds::cpu::kernels().isa == ds::cpu::cpu_isa());
  } else {
    CHECK(ds::cpu::cpu_isa() == ds::cpu::best_isa());
  }
  Isa saved = ds::cpu::cpu_isa();
  CHECK(ds::cpu::isa_supported(Isa::Generic));
  for (Isa isa : {Isa::Generic, Isa::Avx2, Isa::Avx512}) {
    CAPTURE(ds::cpu::isa_name(isa));
    if (!ds::cpu::isa_supported(isa)) {
      CHECK_THROWS_WITH(ds::cpu::set_cpu_isa(isa), doctest::Contains("cannot run"));
      CHECK_THROWS_WITH(ds::cpu::isa_from_string(ds::cpu::isa_name(isa)), doctest::Contains("cannot run it"));
      continue;
    }
    ds::cpu::set_cpu_isa(isa);
    CHECK(ds::cpu::kernels().isa == isa);
    CHECK(ds::cpu::isa_from_string(ds::cpu::isa_name(isa)) == isa);
    if (isa == Isa::Avx512) CHECK(ds::cpu::kernels().vec_floats == 16);
    if (isa == Isa::Avx2) CHECK(ds::cpu::kernels().vec_floats == 8);
  }
  ds::cpu::set_cpu_isa(saved);
  CHECK(ds::cpu::isa_from_string("") == ds::cpu::best_isa());
  CHECK(ds::cpu::isa_from_string("auto") == ds::cpu::best_isa());
  CHECK_THROWS_WITH(ds::cpu::isa_from_string("avx1024"),
                    "DEPTHSTYLE_ISA must be 'auto', 'avx512', 'avx2' or 'generic', got 'avx1024'");
}

}  // namespace dst
