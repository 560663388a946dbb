// FastDepth as in OpenMV's TFLite graph (docs/weights-format.md has the operator table).
#include "autograd/ops.h"
#include "nn/models.h"

namespace ds {

namespace {
// Encoder blocks after conv0: (stride, output channels); decoder blocks: output channels.
const int kEncoder[13][2] = {{1, 56},  {2, 88},  {1, 120}, {2, 144}, {1, 256}, {2, 408}, {1, 376},
                             {1, 272}, {1, 288}, {1, 296}, {1, 328}, {2, 480}, {1, 512}};
const int kDecoder[5] = {200, 256, 120, 56, 16};
// Decoder block -> encoder block whose output is added after the block's upsampling.
int skip_of(int decoder_block) { return decoder_block == 2 ? 5 : decoder_block == 3 ? 3 : decoder_block == 4 ? 1 : 0; }

Var conv_act(const ParamSet& p, const std::string& pre, const Var& x, const Conv2dParams& cp, Act act) {
  return conv2d_act(x, p.get(pre + ".weight"), p.get(pre + ".bias"), cp, act);
}
}  // namespace

std::vector<std::string> FastDepth::layer_names() {
  std::vector<std::string> n;
  for (int i = 0; i <= 13; ++i) n.push_back("conv" + std::to_string(i));
  for (int i = 1; i <= 5; ++i) n.push_back("decoder" + std::to_string(i));
  n.push_back("depth");
  return n;
}

std::map<std::string, Var> FastDepth::run(const Var& rgb01, const std::vector<std::string>& taps) const {
  TapSet t("fastdepth", layer_names(), taps);
  const Shape& s = rgb01.shape();
  if (s.size() != 4 || s[1] != 3 || s[2] % 32 || s[3] % 32)
    throw Error("fastdepth: input must be RGB [N,3,H,W] with H and W multiples of 32, got " + shape_str(s));
  if (t.done()) return {};
  const ParamSet& p = p_;
  Var h = conv_act(p, "encoder.conv0", rgb01, Conv2dParams::make(2, 1), Act::Relu6);
  if (t.emit("conv0", h)) return t.take();
  std::vector<Var> enc(14);
  enc[0] = h;
  int c = 16;
  for (int i = 1; i <= 13; ++i) {
    std::string pre = "encoder.conv" + std::to_string(i);
    h = conv_act(p, pre + ".dw", h, Conv2dParams::make(kEncoder[i - 1][0], 1, 1, c), Act::Relu6);
    h = conv_act(p, pre + ".pw", h, Conv2dParams{}, Act::Relu6);
    c = kEncoder[i - 1][1];
    enc[static_cast<size_t>(i)] = h;
    if (t.emit("conv" + std::to_string(i), h)) return t.take();
  }
  for (int i = 1; i <= 5; ++i) {
    std::string pre = "decoder.conv" + std::to_string(i);
    h = conv_act(p, pre + ".dw", h, Conv2dParams::make(1, 2, 1, c), Act::Relu);
    h = upsample_nearest(conv_act(p, pre + ".pw", h, Conv2dParams{}, Act::Relu), 2);
    c = kDecoder[i - 1];
    if (skip_of(i)) h = h + enc[static_cast<size_t>(skip_of(i))];
    if (t.emit("decoder" + std::to_string(i), h)) return t.take();
  }
  t.emit("depth", conv_act(p, "decoder.conv6", h, Conv2dParams{}, Act::Relu));
  return t.take();
}

ParamShapes FastDepth::param_shapes() {
  ParamShapes s = {{"encoder.conv0.weight", {16, 3, 3, 3}}, {"encoder.conv0.bias", {16}}};
  auto block = [&](const std::string& pre, int64_t cin, int64_t cout, int64_t k) {
    s.push_back({pre + ".dw.weight", {cin, 1, k, k}});
    s.push_back({pre + ".dw.bias", {cin}});
    s.push_back({pre + ".pw.weight", {cout, cin, 1, 1}});
    s.push_back({pre + ".pw.bias", {cout}});
  };
  int c = 16;
  for (int i = 1; i <= 13; ++i) block("encoder.conv" + std::to_string(i), c, kEncoder[i - 1][1], 3), c = kEncoder[i - 1][1];
  for (int i = 1; i <= 5; ++i) block("decoder.conv" + std::to_string(i), c, kDecoder[i - 1], 5), c = kDecoder[i - 1];
  s.push_back({"decoder.conv6.weight", {1, 16, 1, 1}});
  s.push_back({"decoder.conv6.bias", {1}});
  return s;
}

}  // namespace ds
