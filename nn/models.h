// The networks: built from a ParamSet whose names and shapes follow docs/weights-format.md
// (PyTorch state_dict names of the reference implementations).
#pragma once
#include <array>
#include <string>
#include <utility>
#include <vector>

#include "autograd/profile.h"
#include "nn/network.h"
#include "nn/params.h"
#include "tensor/params.h"

namespace ds {


// Input preprocessing of a network, applied to an RGB image in [0, 1] as one 1x1
// convolution (channel order, value scale, mean and std), so gradients flow through it.
struct Preprocess {
  bool bgr = false;
  float value_scale = 1.0f;  // the pixel range the net expects: 1 or 255
  std::array<float, 3> mean{0, 0, 0}, std{1, 1, 1};  // in the net's channel order and scale
  static Preprocess imagenet() { return {false, 1.0f, {0.485f, 0.456f, 0.406f}, {0.229f, 0.224f, 0.225f}}; }
};
Var preprocess(const Var& rgb01, const Preprocess& p);

// Small layer builders shared by the models.
Var conv(const ParamSet& p, const std::string& prefix, const Var& x, const Conv2dParams& cp, bool bias = true);
NamedLayer conv_layer(const std::string& name, const ParamSet& p, const std::string& prefix, const Conv2dParams& cp);
NamedLayer relu_layer(const std::string& name);
// A conv layer and the ReLU layer after it, run as one conv2d_relu unless the conv's output is tapped.
std::vector<NamedLayer> conv_relu_layers(const std::string& conv_name, const std::string& relu_name, const ParamSet& p,
                                         const std::string& prefix, const Conv2dParams& cp);

// Folds the inference batch norm `bn` (its weight γ, bias β, running_mean, running_var) into the
// convolution `conv` just before it, per output channel c with s = γ/√(var + eps):
//   w'[c] = w[c]·s,  b'[c] = β + (b[c] − mean)·s  (b = 0 when the conv has no bias),
// then removes bn's parameters: conv(x; w', b') = bn(conv(x; w, b)) up to rounding. Computed in
// double on the host; the results stay on the parameters' device. For frozen networks only: no
// gradient reaches γ, β. Errors (ds::Error): a missing parameter, [C] shapes that do not match
// the conv's output channels, var + eps not positive.
void fold_batch_norm(ParamSet& p, const std::string& conv, const std::string& bn, float eps);

// The pooling of the feature networks: max, as they were trained, or the average over the same
// windows (kernel, stride, padding, ceil_mode). Gatys et al. 2016 (CVPR, "Image Style Transfer
// Using Convolutional Neural Networks", sec. 2) replace VGG's max pooling by average pooling
// for synthesis: "slightly more appealing results"; neural-style's -pooling avg.
enum class Pooling { Max, Avg };
Pooling parse_pooling(const std::string& name);  // "max" | "avg"; else a ds::Error naming both
NamedLayer pool_layer(const std::string& name, const Pool2dParams& pp, Pooling pooling);

// VGG16 features (torchvision vgg16().features): conv1_1, relu1_1, ..., relu5_3, pool1..pool5.
LayerNet vgg16_features(const ParamSet& p, Pooling pooling = Pooling::Max);
ParamShapes vgg16_param_shapes(bool with_classifier = false);  // torchvision's vgg16 has 3 Linear layers

// SqueezeNet 1.1 (torchvision): conv1, relu1, pool1, fire2 ... fire9, and when the classifier
// is present conv10, relu10, pool10 (the 1000 logits as [N,1000,1,1]). Each fireN has taps
// fireN/squeeze too. ceil_mode: torchvision pools with ceil_mode=True; the Keras port floors.
// pooling: pool1, pool3, pool5 (pool10 is the classifier's global average either way).
LayerNet squeezenet1_1(const ParamSet& p, bool ceil_mode = true, Pooling pooling = Pooling::Max);
ParamShapes squeezenet1_1_param_shapes(bool with_classifier);

// Monodepth2 (ResNet18 encoder + depth decoder). Taps: conv1 (after bn1+relu), layer1 ...
// layer4, upconv4_0, upconv4_1, ..., upconv0_1, disp3 ... disp0; disp0 is the finest
// sigmoid disparity [N,1,H,W]. Input: RGB in [0, 1]; H and W multiples of 32. The batch norms
// are folded into the convolutions before them at construction (inference form, fold_batch_norm):
// params() holds the folded parameters. Only the taps asked for are computed (the disparity heads
// disp3 ... disp1 are skipped when only disp0 is wanted).
class Monodepth2 {
 public:
  explicit Monodepth2(ParamSet p);
  std::map<std::string, Var> run(const Var& rgb01, const std::vector<std::string>& taps) const;
  static ParamShapes param_shapes();
  static std::vector<std::string> layer_names();
  const ParamSet& params() const { return p_; }

 private:
  ParamSet p_;
};

// FastDepth (MobileNet-NNConv5, pruned; OpenMV's TFLite graph, docs/weights-format.md):
// 14 MobileNet blocks (3x3 depthwise + 1x1 pointwise, ReLU6), then 5 decoder blocks
// (5x5 depthwise + 1x1 pointwise, ReLU, nearest x2, skip additions after blocks 2-4) and a
// 1x1 conv to depth in metres (ReLU). Input RGB in [0,1], trained at 224x224; H and W must
// be multiples of 32. Taps: conv0 ... conv13, decoder1 ... decoder5, depth.
class FastDepth {
 public:
  explicit FastDepth(ParamSet p) : p_(std::move(p)) {}
  std::map<std::string, Var> run(const Var& rgb01, const std::vector<std::string>& taps) const;
  static ParamShapes param_shapes();
  static std::vector<std::string> layer_names();
  const ParamSet& params() const { return p_; }

 private:
  ParamSet p_;
};

// The feed-forward style transformer in the variant of the pretrained deeplearn.js nets
// (Engstrom's fast-style-transfer): conv 9x9 -> two stride-2 convs -> 5 residual blocks ->
// two stride-2 transposed convs -> conv 9x9, instance norm (eps 1e-3) after every conv,
// TensorFlow 'SAME' zero padding, no conv biases, output tanh*150 + 127.5 on a 0..255
// scale. Input and output here are RGB in [0, 1] (the 255 scaling is inside). Taps:
// conv1 conv2 conv3 res1 ... res5 deconv1 deconv2 output.
class FastStyleNet {
 public:
  explicit FastStyleNet(ParamSet p) : p_(std::move(p)) {}
  std::map<std::string, Var> run(const Var& rgb01, const std::vector<std::string>& taps) const;
  Var forward(const Var& rgb01) const { return run(rgb01, {"output"}).at("output"); }
  static ParamShapes param_shapes();
  static constexpr int kMinSide = 4;  // the smallest input height and width, in pixels
  ParamSet& params() { return p_; }
  const ParamSet& params() const { return p_; }

 private:
  ParamSet p_;
};

// TensorFlow 'SAME' padding of a k x k, stride-s convolution on a dimension of size n
// (the extra pixel of an odd total goes after): returns {before, after}.
std::pair<int, int> tf_same_padding(int64_t n, int k, int stride);

// Records the tapped activations of a network with branches, checking names first and
// saying when everything asked for has been produced (so the caller can stop early).
class TapSet {
 public:
  TapSet(const std::string& arch, const std::vector<std::string>& valid, const std::vector<std::string>& taps);
  bool emit(const std::string& name, const Var& v);  // true when all taps are done
  bool wants(const std::string& name) const;        // whether `name` was asked for
  bool done() const { return out_.size() == wanted_.size(); }
  std::map<std::string, Var> take() { return std::move(out_); }

 private:
  std::vector<std::string> wanted_;
  std::map<std::string, Var> out_;
  ProfileLayer layer_tag_;  // tags ops with the layer being computed (the one after the last emitted)
};

// Monodepth2's disparity -> depth: 1 / (min_disp + (max_disp - min_disp) * disp), depth range [0.1, 100].
Var monodepth_disp_to_depth(const Var& disp, float min_depth = 0.1f, float max_depth = 100.0f);

}  // namespace ds
