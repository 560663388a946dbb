// Network in Network (Lin, Chen & Yan 2014), the ImageNet model of the BVLC Caffe model zoo
// that jcjohnson/neural-style offers as its small loss network (nin_imagenet_conv.caffemodel),
// as ProGamerGov/neural-style-pt defines it (CaffeLoader.py, class NIN): convs followed by 1x1
// "cccp" convs, each with ReLU, and 3x3/2 pools that round up (Caffe's pooling).
#include "nn/models.h"

namespace ds {

namespace {
// One conv of the features Sequential: its index there (features.<index>), neural-style's names
// of the conv and of the ReLU after it, channels, kernel, stride, padding, and whether a pool
// (pool1..pool3, 3x3/2) follows its ReLU. The ReLUs skip relu4, as the Caffe prototxt does.
struct NinConv {
  int index;
  const char *conv, *relu;
  int cin, cout, k, stride, pad;
  bool pool_after;
};
const NinConv kConvs[] = {
    {0, "conv1", "relu0", 3, 96, 11, 4, 0, false},        {2, "cccp1", "relu1", 96, 96, 1, 1, 0, false},
    {4, "cccp2", "relu2", 96, 96, 1, 1, 0, true},         {7, "conv2", "relu3", 96, 256, 5, 1, 2, false},
    {9, "cccp3", "relu5", 256, 256, 1, 1, 0, false},      {11, "cccp4", "relu6", 256, 256, 1, 1, 0, true},
    {14, "conv3", "relu7", 256, 384, 3, 1, 1, false},     {16, "cccp5", "relu8", 384, 384, 1, 1, 0, false},
    {18, "cccp6", "relu9", 384, 384, 1, 1, 0, true},      {22, "conv4-1024", "relu10", 384, 1024, 3, 1, 1, false},
    {24, "cccp7-1024", "relu11", 1024, 1024, 1, 1, 0, false}, {26, "cccp8-1024", "relu12", 1024, 1000, 1, 1, 0, false}};

Pool2dParams nin_pool() { return Pool2dParams::make(3, 2, 0, true); }
// pool4: the classifier's 6x6 average (stride 1, rounding up) over relu12's class maps.
Pool2dParams nin_pool4() { return Pool2dParams::make(6, 1, 0, true); }
}  // namespace

LayerNet nin_features(const ParamSet& p, Pooling pooling) {
  std::vector<NamedLayer> layers;
  int pools = 0;
  for (const NinConv& c : kConvs) {
    if (c.index == 22) layers.push_back({"drop", [](const Var& x) { return x; }});  // dropout: identity at inference
    for (NamedLayer& l : conv_relu_layers(c.conv, c.relu, p, "features." + std::to_string(c.index),
                                          Conv2dParams::make(c.stride, c.pad)))
      layers.push_back(std::move(l));
    if (c.pool_after) layers.push_back(pool_layer("pool" + std::to_string(++pools), nin_pool(), pooling));
  }
  layers.push_back(pool_layer("pool4", nin_pool4(), Pooling::Avg));
  return LayerNet("nin", std::move(layers));
}

ParamShapes nin_param_shapes() {
  ParamShapes s;
  for (const NinConv& c : kConvs) {
    s.push_back({"features." + std::to_string(c.index) + ".weight", {c.cout, c.cin, c.k, c.k}});
    s.push_back({"features." + std::to_string(c.index) + ".bias", {c.cout}});
  }
  return s;
}

std::map<std::string, LayerSize> nin_layer_sizes(int64_t side) {
  std::map<std::string, LayerSize> out;
  int pools = 0;
  for (const NinConv& c : kConvs) {
    if (c.index == 22) out["drop"] = {c.cin, side};
    side = (side + 2 * c.pad - c.k) / c.stride + 1;
    out[c.conv] = out[c.relu] = {c.cout, side};
    if (c.pool_after) {
      side = nin_pool().out_h(static_cast<int>(side));
      out["pool" + std::to_string(++pools)] = {c.cout, side};
    }
  }
  out["pool4"] = {1000, nin_pool4().out_h(static_cast<int>(side))};
  return out;
}

}  // namespace ds
