// Monodepth2 (Godard et al. 2019): ResNet18 encoder and the depth decoder with reflection
// padding, ELU, nearest x2 upsampling, skip concatenations and sigmoid disparities.
// Parameter names follow Monodepth2's encoder.pth / depth.pth (see docs/weights-format.md).
#include "autograd/ops.h"
#include "nn/models.h"

namespace ds {

namespace {

const int kEncCh[5] = {64, 64, 128, 256, 512};
const int kDecCh[5] = {16, 32, 64, 128, 256};

// Conv + batch norm pairs of the ResNet18 encoder: (conv prefix, batch-norm prefix).
std::vector<std::pair<std::string, std::string>> conv_bn_pairs() {
  std::vector<std::pair<std::string, std::string>> pairs = {{"encoder.conv1", "encoder.bn1"}};
  for (int l = 1; l <= 4; ++l)
    for (int b = 0; b < 2; ++b) {
      std::string pre = "encoder.layer" + std::to_string(l) + "." + std::to_string(b);
      pairs.push_back({pre + ".conv1", pre + ".bn1"});
      pairs.push_back({pre + ".conv2", pre + ".bn2"});
      if (b == 0 && l > 1) pairs.push_back({pre + ".downsample.0", pre + ".downsample.1"});
    }
  return pairs;
}

ParamSet fold_encoder(ParamSet p) {
  for (const auto& [conv, bn] : conv_bn_pairs()) fold_batch_norm(p, conv, bn, 1e-5f);  // torchvision's eps
  return p;
}

// torchvision BasicBlock, batch norms folded: relu(conv2(relu(conv1(x))) + shortcut(x)).
Var basic_block(const ParamSet& p, const std::string& pre, const Var& x, int stride) {
  Var h = conv2d_relu(x, p.get(pre + ".conv1.weight"), p.get(pre + ".conv1.bias"), Conv2dParams::make(stride, 1));
  h = conv(p, pre + ".conv2", h, Conv2dParams::make(1, 1));
  Var shortcut = x;
  if (p.has(pre + ".downsample.0.weight")) shortcut = conv(p, pre + ".downsample.0", x, Conv2dParams::make(stride, 0));
  return relu(h + shortcut);
}

// Monodepth2's Conv3x3 (reflection pad 1, then a 3x3 convolution with bias) and the activation
// after it, both fused into the convolution (Conv2dParams::pad_mode: no padded copy).
Var conv3x3_reflect(const ParamSet& p, const std::string& pre, const Var& x, Act act) {
  Conv2dParams reflect = Conv2dParams::make(1, 1);
  reflect.pad_mode = PadMode::Reflect;
  return conv2d_act(x, p.get(pre + ".weight"), p.get(pre + ".bias"), reflect, act);
}

std::string upconv_prefix(int i, int j) { return "decoder." + std::to_string(2 * (4 - i) + j) + ".conv.conv"; }
std::string dispconv_prefix(int s) { return "decoder." + std::to_string(10 + s) + ".conv"; }

}  // namespace

std::vector<std::string> Monodepth2::layer_names() {
  std::vector<std::string> n = {"conv1", "layer1", "layer2", "layer3", "layer4"};
  for (int i = 4; i >= 0; --i) {
    n.push_back("upconv" + std::to_string(i) + "_0");
    n.push_back("upconv" + std::to_string(i) + "_1");
    if (i < 4) n.push_back("disp" + std::to_string(i));
  }
  return n;
}

Monodepth2::Monodepth2(ParamSet p) : p_(fold_encoder(std::move(p))) {}

std::map<std::string, Var> Monodepth2::run(const Var& rgb01, const std::vector<std::string>& taps) const {
  TapSet t("monodepth2", layer_names(), taps);
  const Shape& s = rgb01.shape();
  if (s.size() != 4 || s[1] != 3 || s[2] % 32 || s[3] % 32)
    throw Error("monodepth2: input must be RGB [N,3,H,W] with H and W multiples of 32, got " + shape_str(s));
  if (t.done()) return {};

  const ParamSet& p = p_;
  Var x = preprocess(rgb01, {false, 1.0f, {0.45f, 0.45f, 0.45f}, {0.225f, 0.225f, 0.225f}});
  std::vector<Var> f;  // encoder features at 1/2, 1/4, 1/8, 1/16, 1/32
  f.push_back(conv2d_relu(x, p.get("encoder.conv1.weight"), p.get("encoder.conv1.bias"), Conv2dParams::make(2, 3)));
  if (t.emit("conv1", f[0])) return t.take();
  Var h = max_pool2d(f[0], Pool2dParams::make(3, 2, 1));
  for (int l = 1; l <= 4; ++l) {
    std::string pre = "encoder.layer" + std::to_string(l);
    h = basic_block(p, pre + ".0", h, l == 1 ? 1 : 2);
    h = basic_block(p, pre + ".1", h, 1);
    f.push_back(h);
    if (t.emit("layer" + std::to_string(l), h)) return t.take();
  }
  for (int i = 4; i >= 0; --i) {
    std::string id = std::to_string(i);
    h = conv3x3_reflect(p, upconv_prefix(i, 0), h, Act::Elu);
    if (t.emit("upconv" + id + "_0", h)) return t.take();
    std::vector<Var> parts = {upsample_nearest(h, 2)};
    if (i > 0) parts.push_back(f[static_cast<size_t>(i - 1)]);
    h = conv3x3_reflect(p, upconv_prefix(i, 1), concat_channels(parts), Act::Elu);
    if (t.emit("upconv" + id + "_1", h)) return t.take();
    if (i == 4) continue;  // no disparity head at 1/32
    Var disp = t.wants("disp" + id) ? conv3x3_reflect(p, dispconv_prefix(i), h, Act::Sigmoid) : Var();
    if (t.emit("disp" + id, disp)) return t.take();
  }
  return t.take();
}

ParamShapes Monodepth2::param_shapes() {
  ParamShapes s;
  auto bn = [&](const std::string& pre, int c) {
    for (const char* k : {".weight", ".bias", ".running_mean", ".running_var"}) s.push_back({pre + k, {c}});
  };
  s.push_back({"encoder.conv1.weight", {64, 3, 7, 7}});
  bn("encoder.bn1", 64);
  for (int l = 1; l <= 4; ++l)
    for (int b = 0; b < 2; ++b) {
      std::string pre = "encoder.layer" + std::to_string(l) + "." + std::to_string(b);
      int cout = kEncCh[l], cin = b == 0 ? kEncCh[l - 1] : cout;
      s.push_back({pre + ".conv1.weight", {cout, cin, 3, 3}});
      bn(pre + ".bn1", cout);
      s.push_back({pre + ".conv2.weight", {cout, cout, 3, 3}});
      bn(pre + ".bn2", cout);
      if (b == 0 && l > 1) {
        s.push_back({pre + ".downsample.0.weight", {cout, cin, 1, 1}});
        bn(pre + ".downsample.1", cout);
      }
    }
  for (int i = 4; i >= 0; --i) {
    int in0 = i == 4 ? kEncCh[4] : kDecCh[i + 1];
    int in1 = kDecCh[i] + (i > 0 ? kEncCh[i - 1] : 0);
    s.push_back({upconv_prefix(i, 0) + ".weight", {kDecCh[i], in0, 3, 3}});
    s.push_back({upconv_prefix(i, 0) + ".bias", {kDecCh[i]}});
    s.push_back({upconv_prefix(i, 1) + ".weight", {kDecCh[i], in1, 3, 3}});
    s.push_back({upconv_prefix(i, 1) + ".bias", {kDecCh[i]}});
  }
  for (int sc = 0; sc < 4; ++sc) {
    s.push_back({dispconv_prefix(sc) + ".weight", {1, kDecCh[sc], 3, 3}});
    s.push_back({dispconv_prefix(sc) + ".bias", {1}});
  }
  return s;
}

Var monodepth_disp_to_depth(const Var& disp, float min_depth, float max_depth) {
  float min_disp = 1.0f / max_depth, max_disp = 1.0f / min_depth;
  Var scaled = scale_add(disp, max_disp - min_disp, min_disp);
  Var one(Tensor::full({1}, 1.0f, disp.device()));
  return one / scaled;
}

}  // namespace ds
