// libFuzzer target: ds::TransformerGraph, the layer list of a transformer_graph weight file (a
// string attribute, so the fuzzer's bytes are the text itself). A list that parses is then run on
// a small image with synthetic parameters when they are few (below 2^16 values), so the layers'
// size checks (padding larger than the image, crops, residual shapes) see odd inputs too.
#include "autograd/var.h"
#include "nn/transformer_graph.h"
#include "tests/fuzz/fuzz_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  ds::fuzz::allow_error([&] {
    auto graph = std::make_shared<const ds::TransformerGraph>(text);
    int64_t n = 0;
    for (const auto& [name, shape] : graph->param_shapes()) n += ds::shape_numel(shape);
    if (n > (1 << 16)) return;
    ds::NoGradGuard ng;
    ds::FastStyleNet net(ds::synthetic_params(graph->param_shapes()), graph, ds::Preprocess::imagenet());
    net.forward(ds::Var(ds::Tensor::full({1, 3, 9, 12}, 0.5f)));
  });
  return 0;
}
