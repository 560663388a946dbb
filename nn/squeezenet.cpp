// SqueezeNet 1.1 as in torchvision: conv 3x3/2 (64), max pool 3x3/2, fire modules
// (squeeze 1x1 -> expand 1x1 and expand 3x3, concatenated), and the classifier conv 1x1
// to 1000 classes followed by ReLU and global average pooling.
#include "autograd/ops.h"
#include "nn/models.h"

namespace ds {

namespace {
struct Fire {
  int id, index, cin, squeeze, expand;  // torchvision: features.<index>, expand1x1 = expand3x3 = expand
};
// fire2 ... fire9; pools at features.2, .5, .8.
const Fire kFires[] = {{2, 3, 64, 16, 64},    {3, 4, 128, 16, 64},   {4, 6, 128, 32, 128},  {5, 7, 256, 32, 128},
                       {6, 9, 256, 48, 192},  {7, 10, 384, 48, 192}, {8, 11, 384, 64, 256}, {9, 12, 512, 64, 256}};
}  // namespace

LayerNet squeezenet1_1(const ParamSet& p, bool ceil_mode, Pooling pooling) {
  std::vector<NamedLayer> layers;
  Pool2dParams pool = Pool2dParams::make(3, 2, 0, ceil_mode);
  for (NamedLayer& l : conv_relu_layers("conv1", "relu1", p, "features.0", Conv2dParams::make(2, 0)))
    layers.push_back(std::move(l));
  layers.push_back(pool_layer("pool1", pool, pooling));
  for (const Fire& f : kFires) {
    std::string pre = "features." + std::to_string(f.index);
    Var sw = p.get(pre + ".squeeze.weight"), sb = p.get(pre + ".squeeze.bias");
    Var e1w = p.get(pre + ".expand1x1.weight"), e1b = p.get(pre + ".expand1x1.bias");
    Var e3w = p.get(pre + ".expand3x3.weight"), e3b = p.get(pre + ".expand3x3.bias");
    std::string name = "fire" + std::to_string(f.id);
    layers.push_back({name + "/squeeze", [=](const Var& x) { return conv2d_relu(x, sw, sb, Conv2dParams{}); }});
    layers.push_back({name, [=](const Var& s) {
                        return concat_channels({conv2d_relu(s, e1w, e1b, Conv2dParams{}),
                                                conv2d_relu(s, e3w, e3b, Conv2dParams::make(1, 1))});
                      }});
    if (f.id == 3 || f.id == 5) layers.push_back(pool_layer("pool" + std::to_string(f.id), pool, pooling));
  }
  if (p.has("classifier.1.weight")) {
    for (NamedLayer& l : conv_relu_layers("conv10", "relu10", p, "classifier.1", Conv2dParams{}))
      layers.push_back(std::move(l));
    layers.push_back({"pool10", [](const Var& x) { return global_avg_pool(x); }});
  }
  return LayerNet("squeezenet1_1", std::move(layers));
}

ParamShapes squeezenet1_1_param_shapes(bool with_classifier) {
  ParamShapes s = {{"features.0.weight", {64, 3, 3, 3}}, {"features.0.bias", {64}}};
  for (const Fire& f : kFires) {
    std::string pre = "features." + std::to_string(f.index);
    s.push_back({pre + ".squeeze.weight", {f.squeeze, f.cin, 1, 1}});
    s.push_back({pre + ".squeeze.bias", {f.squeeze}});
    s.push_back({pre + ".expand1x1.weight", {f.expand, f.squeeze, 1, 1}});
    s.push_back({pre + ".expand1x1.bias", {f.expand}});
    s.push_back({pre + ".expand3x3.weight", {f.expand, f.squeeze, 3, 3}});
    s.push_back({pre + ".expand3x3.bias", {f.expand}});
  }
  if (with_classifier) {
    s.push_back({"classifier.1.weight", {1000, 512, 1, 1}});
    s.push_back({"classifier.1.bias", {1000}});
  }
  return s;
}

}  // namespace ds
