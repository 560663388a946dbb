// The networks: built from a ParamSet whose names and shapes follow docs/weights-format.md
// (PyTorch state_dict names of the reference implementations).
#pragma once
#include <array>
#include <map>
#include <memory>
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
// Its inverse: a network's output in its own space (channel order, scale, mean, std) back to RGB
// [0,1] (the output convention of the transformer networks that take preprocessed input).
Var deprocess(const Var& y, const Preprocess& p);

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

// VGG features (torchvision vgg16().features / vgg19().features, parameters features.N.*;
// depth 16 or 19, else a ds::Error): conv1_1, relu1_1, ..., relu5_3 (VGG16) or relu5_4
// (VGG19), pool1..pool5. ceil_mode: the pools round up (Caffe's rule, kept by the Caffe
// conversions: attribute pool_ceil_mode); the two agree on even sizes.
LayerNet vgg_features(int depth, const ParamSet& p, Pooling pooling = Pooling::Max, bool ceil_mode = false);
ParamShapes vgg_param_shapes(int depth, bool with_classifier = false);  // torchvision's has 3 Linear layers
inline LayerNet vgg16_features(const ParamSet& p, Pooling pooling = Pooling::Max) { return vgg_features(16, p, pooling); }
inline ParamShapes vgg16_param_shapes(bool with_classifier = false) { return vgg_param_shapes(16, with_classifier); }

// Network in Network, ImageNet (nin_imagenet_conv.caffemodel; neural-style-pt's NIN class, parameters
// features.N.* of its Sequential). Layers in neural-style's names: conv1 relu0 cccp1 relu1 cccp2 relu2
// pool1 conv2 relu3 cccp3 relu5 cccp4 relu6 pool2 conv3 relu7 cccp5 relu8 cccp6 relu9 pool3 drop
// conv4-1024 relu10 cccp7-1024 relu11 cccp8-1024 relu12 pool4 (no relu4; pools 3x3/2 rounding up,
// pool4 the classifier's 6x6 average). pooling: pool1..pool3.
LayerNet nin_features(const ParamSet& p, Pooling pooling = Pooling::Max);
ParamShapes nin_param_shapes();

// Channels and output side of every named layer of a feature network for a side x side input
// (the peers' loss normalisation divides by them; losses/transfer_loss.cpp).
struct LayerSize {
  int64_t channels, side;
};
std::map<std::string, LayerSize> vgg_layer_sizes(int depth, int64_t side);
std::map<std::string, LayerSize> nin_layer_sizes(int64_t side);

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

class TransformerGraph;  // nn/transformer_graph.h

// A feed-forward style transformer (Johnson et al. 2016), in one of two forms:
// * fast_style_tf (FastStyleNet(params)): the variant of the pretrained deeplearn.js nets
//   (Engstrom's fast-style-transfer): conv 9x9 -> two stride-2 convs -> 5 residual blocks ->
//   two stride-2 transposed convs -> conv 9x9, instance norm (eps 1e-3) after every conv,
//   TensorFlow 'SAME' zero padding, no conv biases, output tanh*150 + 127.5 on a 0..255 scale.
//   Taps: conv1 conv2 conv3 res1 ... res5 deconv1 deconv2 output.
// * transformer_graph (FastStyleNet(params, graph, pre)): any layer list of
//   nn/transformer_graph.h (pytorch/examples' TransformerNet, jcjohnson/fast-neural-style's
//   models), run on the input preprocessed by `pre`, its output mapped back to RGB [0,1] by the
//   inverse of `pre` (both peers' convention). Taps: the graph's tap names, and output.
// Input and output here are RGB in [0, 1] [N,3,H,W]; the output is cropped to the input's size
// where the network's stride-2 layers round an odd size up (an output smaller than the input is
// an error), and is not clamped.
class FastStyleNet {
 public:
  explicit FastStyleNet(ParamSet p) : p_(std::move(p)) {}
  FastStyleNet(ParamSet p, std::shared_ptr<const TransformerGraph> graph, const Preprocess& pre);
  std::map<std::string, Var> run(const Var& rgb01, const std::vector<std::string>& taps) const;
  Var forward(const Var& rgb01) const { return run(rgb01, {"output"}).at("output"); }
  static ParamShapes param_shapes();  // of fast_style_tf
  static constexpr int kMinSide = 4;  // fast_style_tf's smallest input height and width, in pixels
  // This network's smallest input height and width in pixels: kMinSide, or a layer list's
  // (TransformerGraph::min_side: 5 for pytorch/examples' TransformerNet); 0 when no size gives an
  // output as large as the input (run then refuses every input).
  int min_side() const { return min_side_; }
  // Throws ds::Error when min_side() is 0 because the output is always smaller than the input
  // (run checks it too).
  void check_runs() const;
  ParamShapes expected_params() const;  // of this network's form
  std::vector<std::string> layer_names() const;  // its taps
  const std::string& architecture() const;       // "fast_style_tf" | "transformer_graph"
  const TransformerGraph* graph() const { return graph_.get(); }
  const Preprocess& preprocessing() const { return pre_; }
  // The same network form with other parameters (checkpoints, training from an initialisation).
  FastStyleNet with_params(ParamSet p) const;
  ParamSet& params() { return p_; }
  const ParamSet& params() const { return p_; }

 private:
  ParamSet p_;
  std::shared_ptr<const TransformerGraph> graph_;
  Preprocess pre_;
  int min_side_ = kMinSide;  // the layer list's, found once (TransformerGraph::min_side searches sizes)
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
