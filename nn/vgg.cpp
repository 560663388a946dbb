// VGG16 and VGG19 features as in torchvision (Simonyan & Zisserman 2015, configurations D and
// E): 3x3 convs (padding 1) with ReLU, 5 max (or average) pools 2x2/2 that floor, or round up
// as Caffe does (ceil_mode: the converted Caffe models of jcjohnson/neural-style).
#include "nn/models.h"

namespace ds {

namespace {
// Convolutions per block for VGG16 and VGG19; the blocks have 64, 128, 256, 512, 512 channels.
const int kConvs16[5] = {2, 2, 3, 3, 3}, kConvs19[5] = {2, 2, 4, 4, 4};
const int kChannels[5] = {64, 128, 256, 512, 512};

const int* convs_of(int depth) {
  if (depth == 16) return kConvs16;
  if (depth == 19) return kConvs19;
  throw Error("vgg: depth " + std::to_string(depth) + " is not 16 or 19");
}

// torchvision numbers every conv, relu and pool in one nn.Sequential, so conv k of the list is
// features.<index>. f(block, conv in block, index, in channels, out channels).
template <class F>
void for_each_conv(int depth, F f) {
  const int* convs = convs_of(depth);
  int index = 0, cin = 3;
  for (int b = 0; b < 5; ++b) {
    for (int c = 0; c < convs[b]; ++c) {
      f(b, c, index, cin, kChannels[b]);
      cin = kChannels[b];
      index += 2;  // conv, relu
    }
    index += 1;  // pool
  }
}
}  // namespace

LayerNet vgg_features(int depth, const ParamSet& p, Pooling pooling, bool ceil_mode) {
  const int* convs = convs_of(depth);
  std::vector<NamedLayer> layers;
  for_each_conv(depth, [&](int b, int c, int index, int, int) {
    std::string id = std::to_string(b + 1) + "_" + std::to_string(c + 1);
    for (NamedLayer& l : conv_relu_layers("conv" + id, "relu" + id, p, "features." + std::to_string(index),
                                          Conv2dParams::make(1, 1)))
      layers.push_back(std::move(l));
    if (c + 1 == convs[b])
      layers.push_back(pool_layer("pool" + std::to_string(b + 1), Pool2dParams::make(2, 2, 0, ceil_mode), pooling));
  });
  return LayerNet("vgg" + std::to_string(depth), std::move(layers));
}

ParamShapes vgg_param_shapes(int depth, bool with_classifier) {
  ParamShapes s;
  for_each_conv(depth, [&](int, int, int index, int cin, int cout) {
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

std::map<std::string, LayerSize> vgg_layer_sizes(int depth, int64_t side) {
  const int* convs = convs_of(depth);
  std::map<std::string, LayerSize> out;
  for (int b = 0; b < 5; ++b) {
    for (int c = 0; c < convs[b]; ++c) {
      std::string id = std::to_string(b + 1) + "_" + std::to_string(c + 1);
      out["conv" + id] = out["relu" + id] = {kChannels[b], side};
    }
    side /= 2;  // an even side halves exactly with either rounding
    out["pool" + std::to_string(b + 1)] = {kChannels[b], side};
  }
  return out;
}

}  // namespace ds
