// The feed-forward style transformers (nn/models.h, FastStyleNet): the variant of the pretrained
// deeplearn.js checkpoints, and the layer lists of nn/transformer_graph.h.
#include "autograd/ops.h"
#include "nn/models.h"
#include "nn/transformer_graph.h"

namespace ds {

namespace {
// Zero 'SAME' padding for a k x k conv of the given stride on x.
Conv2dParams same(const Var& x, int k, int stride) {
  Conv2dParams cp = Conv2dParams::make(stride, 0);
  std::tie(cp.pad_top, cp.pad_bottom) = tf_same_padding(x.shape()[2], k, stride);
  std::tie(cp.pad_left, cp.pad_right) = tf_same_padding(x.shape()[3], k, stride);
  return cp;
}

// x is the convolution's fresh output: by value and moved on, so that without gradients the
// norm (and the ReLU after it, given the result as a temporary) overwrite it (autograd/ops.h).
Var norm(const ParamSet& p, const std::string& name, Var x) {
  return instance_norm(std::move(x), p.get(name + ".weight"), p.get(name + ".bias"), 1e-3f);
}

Var conv_norm(const ParamSet& p, const std::string& conv_name, const std::string& norm_name, const Var& x, int k,
              int stride) {
  return norm(p, norm_name, conv(p, conv_name, x, same(x, k, stride), false));
}

// TF's conv2d_transpose, stride 2, 'SAME', output exactly 2H x 2W: a padding-0 transposed
// convolution (output 2H+1) with its last row and column cropped.
Var deconv_norm(const ParamSet& p, const std::string& conv_name, const std::string& norm_name, const Var& x) {
  Conv2dParams cp = Conv2dParams::make(2, 0);
  cp.pad_bottom = cp.pad_right = 1;
  return norm(p, norm_name, conv_transpose2d(x, p.get(conv_name + ".weight"), Var(), cp));
}

// The output cropped to the input's size (stride-2 layers round odd sizes up).
Var crop_to(const Var& y, const Shape& s, const std::string& arch) {
  int64_t dh = y.shape()[2] - s[2], dw = y.shape()[3] - s[3];
  if (dh < 0 || dw < 0)
    throw Error(arch + ": the network's output " + shape_str(y.shape()) + " is smaller than its input " + shape_str(s));
  if (dh || dw) return pad2d(y, {0, static_cast<int>(-dh), 0, static_cast<int>(-dw)}, PadMode::Zero);
  return y;
}
}  // namespace

std::vector<std::string> FastStyleNet::layer_names() const {
  std::vector<std::string> n = graph_ ? graph_->tap_names()
                                      : std::vector<std::string>{"conv1", "conv2", "conv3", "res1", "res2", "res3",
                                                                 "res4", "res5", "deconv1", "deconv2"};
  n.push_back("output");
  return n;
}

const std::string& FastStyleNet::architecture() const {
  static const std::string tf = "fast_style_tf", graph = "transformer_graph";
  return graph_ ? graph : tf;
}

FastStyleNet::FastStyleNet(ParamSet p, std::shared_ptr<const TransformerGraph> graph, const Preprocess& pre)
    : p_(std::move(p)), graph_(std::move(graph)), pre_(pre),
      min_side_(graph_ ? static_cast<int>(graph_->min_side()) : kMinSide) {}

void FastStyleNet::check_runs() const {
  // (A list that completes at no size is left to run, whose error names the layer.)
  if (min_side() == 0 && graph_->cost({1, 3, 256, 256}).complete)
    throw Error(architecture() + ": its output is smaller than its input at every size (a network without padding, "
                "as fast-neural-style's -padding_type none); depthstyle keeps the input's size, so it cannot run it");
}

ParamShapes FastStyleNet::expected_params() const { return graph_ ? graph_->param_shapes() : param_shapes(); }

FastStyleNet FastStyleNet::with_params(ParamSet p) const {
  FastStyleNet n = *this;
  n.p_ = std::move(p);
  return n;
}

std::map<std::string, Var> FastStyleNet::run(const Var& rgb01, const std::vector<std::string>& taps) const {
  TapSet t(graph_ ? "transformer_graph" : "fast_style", layer_names(), taps);
  const Shape& s = rgb01.shape();
  if (s.size() != 4 || s[1] != 3)
    throw Error(architecture() + ": input must be RGB images [N,3,H,W], got " + shape_str(s));
  const int min = min_side();
  if (min == 0) check_runs();  // (else no size completes: the layer that cannot run says why, below)
  if (min > 0 && (s[2] < min || s[3] < min))
    throw Error(architecture() + ": input is " + std::to_string(s[3]) + "x" + std::to_string(s[2]) + " pixels; at least " +
                std::to_string(min) + "x" + std::to_string(min) + " are needed");
  if (graph_) {
    Var y = graph_->run(p_, preprocess(rgb01, pre_), t);
    if (y.defined()) t.emit("output", crop_to(deprocess(y, pre_), s, architecture()));
    return t.take();
  }
  const ParamSet& p = p_;
  Var h = relu(conv_norm(p, "conv1", "in1", rgb01 * 255.0f, 9, 1));
  if (t.emit("conv1", h)) return t.take();
  h = relu(conv_norm(p, "conv2", "in2", h, 3, 2));
  if (t.emit("conv2", h)) return t.take();
  h = relu(conv_norm(p, "conv3", "in3", h, 3, 2));
  if (t.emit("conv3", h)) return t.take();
  for (int r = 1; r <= 5; ++r) {
    std::string pre = "res" + std::to_string(r);
    Var b = relu(conv_norm(p, pre + ".conv1", pre + ".in1", h, 3, 1));
    h = h + conv_norm(p, pre + ".conv2", pre + ".in2", b, 3, 1);
    if (t.emit(pre, h)) return t.take();
  }
  h = relu(deconv_norm(p, "deconv1", "in4", h));
  if (t.emit("deconv1", h)) return t.take();
  h = relu(deconv_norm(p, "deconv2", "in5", h));
  if (t.emit("deconv2", h)) return t.take();
  // Output on the 0..255 scale is tanh*150 + 127.5; in [0,1] units that is (tanh*150 + 127.5)/255.
  Var y = tanh(conv_norm(p, "conv4", "in6", h, 9, 1));
  t.emit("output", scale_add(crop_to(y, s, architecture()), 150.0f / 255.0f, 0.5f));
  return t.take();
}

ParamShapes FastStyleNet::param_shapes() {
  ParamShapes s;
  auto add = [&](const std::string& conv_name, const std::string& norm_name, Shape w) {
    int64_t cout = conv_name.rfind("deconv", 0) == 0 ? w[1] : w[0];
    s.push_back({conv_name + ".weight", w});
    s.push_back({norm_name + ".weight", {cout}});
    s.push_back({norm_name + ".bias", {cout}});
  };
  add("conv1", "in1", {32, 3, 9, 9});
  add("conv2", "in2", {64, 32, 3, 3});
  add("conv3", "in3", {128, 64, 3, 3});
  for (int r = 1; r <= 5; ++r) {
    std::string pre = "res" + std::to_string(r);
    add(pre + ".conv1", pre + ".in1", {128, 128, 3, 3});
    add(pre + ".conv2", pre + ".in2", {128, 128, 3, 3});
  }
  add("deconv1", "in4", {128, 64, 3, 3});
  add("deconv2", "in5", {64, 32, 3, 3});
  add("conv4", "in6", {3, 32, 9, 9});
  return s;
}

}  // namespace ds
