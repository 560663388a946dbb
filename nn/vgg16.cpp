// VGG16 features as in torchvision: 13 3x3 convs (padding 1) with ReLU, 5 max (or average) pools 2x2/2.
#include "nn/models.h"

namespace ds {

namespace {
// Blocks of (number of convs, output channels); torchvision numbers every conv, relu and
// pool in one nn.Sequential, so conv k of the list is features.<index>.
const int kBlocks[5][2] = {{2, 64}, {2, 128}, {3, 256}, {3, 512}, {3, 512}};

template <class F>
void for_each_conv(F f) {
  int index = 0, cin = 3;
  for (int b = 0; b < 5; ++b) {
    for (int c = 0; c < kBlocks[b][0]; ++c) {
      f(b, c, index, cin, kBlocks[b][1]);
      cin = kBlocks[b][1];
      index += 2;  // conv, relu
    }
    index += 1;  // pool
  }
}
}  // namespace

LayerNet vgg16_features(const ParamSet& p, Pooling pooling) {
  std::vector<NamedLayer> layers;
  for_each_conv([&](int b, int c, int index, int, int) {
    std::string id = std::to_string(b + 1) + "_" + std::to_string(c + 1);
    for (NamedLayer& l : conv_relu_layers("conv" + id, "relu" + id, p, "features." + std::to_string(index),
                                          Conv2dParams::make(1, 1)))
      layers.push_back(std::move(l));
    if (c + 1 == kBlocks[b][0])
      layers.push_back(pool_layer("pool" + std::to_string(b + 1), Pool2dParams::make(2, 2), pooling));
  });
  return LayerNet("vgg16", std::move(layers));
}

ParamShapes vgg16_param_shapes(bool with_classifier) {
  ParamShapes s;
  for_each_conv([&](int, int, int index, int cin, int cout) {
    s.push_back({"features." + std::to_string(index) + ".weight", {cout, cin, 3, 3}});
    s.push_back({"features." + std::to_string(index) + ".bias", {cout}});
  });
  if (with_classifier) {
    const int64_t fc[3][3] = {{0, 25088, 4096}, {3, 4096, 4096}, {6, 4096, 1000}};
    for (const auto& f : fc) {
      s.push_back({"classifier." + std::to_string(f[0]) + ".weight", {f[2], f[1]}});
      s.push_back({"classifier." + std::to_string(f[0]) + ".bias", {f[2]}});
    }
  }
  return s;
}

}  // namespace ds
