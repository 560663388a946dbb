// Uses an installed depthstyle: a tensor, one autograd op with its gradient, and a weight
// file written and read back (so the HDF5 dependency of the static libraries links too).
// Prints "sum(x*x) = S; grad = G0 G1 G2 G3; saved = V0 V1 V2 V3"; check_install.sh checks the numbers.
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>

#include "autograd/ops.h"
#include "autograd/var.h"
#include "weights/weights.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: example TMPDIR\n");
    return 2;
  }
  try {
    ds::Tensor x0 = ds::Tensor::from_vector({1, 1, 2, 2}, {1, 2, 3, 4});
    ds::Var x(x0, true);
    ds::Var y = ds::sum(x * x);
    y.backward();
    std::vector<float> g = x.grad().to_vector();
    std::string path = (std::filesystem::path(argv[1]) / "x.h5").string();
    ds::save_weights(path, "example", {{"x", x0}});
    std::vector<float> v = ds::load_weights(path, "example").params.at("x").to_vector();
    std::printf("sum(x*x) = %g; grad = %g %g %g %g; saved = %g %g %g %g\n", y.value().item(), g[0], g[1], g[2], g[3],
                v[0], v[1], v[2], v[3]);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "example: error: %s\n", e.what());
    return 1;
  }
}
