// libFuzzer target: ds::TransformerGraph, the layer list of a transformer_graph weight file (a
// string attribute, so the fuzzer's bytes are the text itself). A list that parses is then run on
// a small image with synthetic parameters when they are few (below 2^16 values) and the run is
// short (TransformerGraph::cost: at most 2^18 activation floats and 2^24 multiply-adds, under
// 0.1 s each under ASan with scripts/fuzz's one thread), so the layers' size checks (padding
// larger than the image, crops, residual shapes) see odd inputs too. Without the second bound,
// CI's fuzzing found a list that ran past the 10 s timeout (docs/reliability.md, G2).
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
    const ds::Shape input{1, 3, 9, 12};
    const ds::TransformerGraph::Cost cost = graph->cost(input);
    if (cost.total > (int64_t{1} << 18) || cost.multiply_adds > (int64_t{1} << 24)) return;
    ds::NoGradGuard ng;
    ds::FastStyleNet net(ds::synthetic_params(graph->param_shapes()), graph, ds::Preprocess::imagenet());
    net.forward(ds::Var(ds::Tensor::full(input, 0.5f)));
  });
  return 0;
}
