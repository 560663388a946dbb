// The pretrained networks, loaded from project weight files (docs/weights-format.md): where
// the prepared data lives, feature networks for the style losses (SqueezeNet 1.1, Iandola et
// al. 2016; VGG-16 and VGG-19, Simonyan & Zisserman 2015; Network in Network, Lin et al. 2014)
// and depth estimators (FastDepth, Wofk et al.
// 2019; Monodepth2, Godard et al. 2019) that resize to and from their input size.
//
// Default weight files come from the prepared data folder (nn/prepared_data.h: --data,
// $DEPTHSTYLE_PREPARED, the installed default); a missing one is an error that says where it
// looked and to run scripts/setup.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "autograd/var.h"
#include "nn/models.h"
#include "nn/prepared_data.h"
#include "weights/weights.h"

namespace ds {

// A frozen feature network with its input preprocessing, ready to tap by layer name.
struct FeatureNet {
  std::string name;  // "squeezenet" | "vgg16" | "vgg19" | "nin"
  LayerNet net;
  Preprocess pre;
  Device device = Device::CPU;  // where its parameters are (inputs go there)
  // Activations of `layers` for an RGB image in [0,1]; preprocessing included (differentiable).
  std::map<std::string, Var> run(const Var& rgb01, const std::vector<std::string>& layers) const {
    return net.run(preprocess(rgb01, pre), layers);
  }
};

// The weight files load_feature_net and load_depth_net read for these arguments, without
// checking that they exist (for listing a command's inputs before any work).
std::string feature_net_file(const std::string& name, const std::string& weights_path);
std::string depth_net_file(const std::string& monodepth2_path);

Preprocess preprocess_from(const WeightFile& f);
// A peer's file given where a converted one is expected (.caffemodel, .t7, .pth, .pt, .onnx, .prototxt,
// by its name): a ds::Error saying to convert it with weights/convert/convert.py auto first.
void refuse_unconverted(const std::string& path);
// name: "squeezenet" (default weights: <prepared>/weights/squeezenet1_1.h5), or one of the
// networks a user converts from their own files (weights/convert/convert.py auto FILE): "vgg16",
// "vgg19" (Simonyan & Zisserman 2015), "nin" (Lin et al. 2014, Network in Network), read from
// weights_path, by default <prepared>/weights/<name>.h5; a missing file is an error naming the
// peers' files to convert. VGG files may hold the classifier (architecture vgg16 / vgg19) or not
// (vgg16_features / vgg19_features); pool_ceil_mode 1 (Caffe conversions) makes the pools round
// up. Parameters on `device`. pooling: the pool layers' kind (nn/models.h; average pooling gives
// smoother textures). Errors: an unknown name (listing feature_net_list()), those of load_weights
// and check_params.
FeatureNet load_feature_net(const std::string& name, const std::string& weights_path, Device device,
                            Pooling pooling = Pooling::Max);
const char* feature_net_list();  // "squeezenet, vgg16, vgg19 or nin", for messages
// The layer names load_feature_net(name, ...)'s network has, in order, found without its weights
// (the network built on empty parameters: no file is read, nothing is allocated), so a command
// can refuse a layer that is not there before it loads anything. squeezenet's include its
// classifier's (conv10 relu10 pool10), which exist when the file holds the classifier.
// Errors: an unknown name, as load_feature_net's.
std::vector<std::string> feature_net_layer_names(const std::string& name);

// The smallest input side, in pixels, for which every layer of `layers` gives an output of at
// least 1x1. Found by running the network itself (no gradient) on s x s inputs, s = 1, 2, ...,
// until one runs and gives every tapped layer at least 1x1: the feature networks are chains of
// convolutions and pools, which act on each axis alike and only grow their output with their
// input, so an H x W image works exactly when min(H, W) is at least this. (SqueezeNet 1.1 up
// to fire5: 15; VGG16 up to relu5_1, after four 2x2 pools: 16.) Costs a few milliseconds.
// Throws ds::Error naming the network if no side up to 4096 works. Only ds::InputTooSmall
// ends a probe quietly: any other error (a bad DEPTHSTYLE_CONV, a device problem) is passed on.
int min_input_side(const FeatureNet& net, const std::vector<std::string>& layers);

// Throws ds::Error unless an image's working size h x w is at least min_side on both sides:
// "<what>: working size WxH <how> is smaller than the NxN minimum of <net>'s layers <list>"
// followed by `hint` (what to change). `how` says where the working size comes from.
void check_input_size(const std::string& what, int64_t h, int64_t w, const std::string& how, int min_side,
                      const FeatureNet& net, const std::vector<std::string>& layers, const std::string& hint);

// A frozen monocular depth network. predict() takes RGB in [0,1] of any size, resizes it to
// the network's input size, and returns depth in metres at the input's size; differentiable
// (the depth loss backpropagates through it).
class DepthEstimator {
 public:
  virtual ~DepthEstimator() = default;
  virtual std::string name() const = 0;
  virtual Var predict(const Var& rgb01) const = 0;
  // Named intermediate activations (at the network's input size) and the depth.
  virtual std::map<std::string, Var> run(const Var& rgb01, const std::vector<std::string>& taps) const = 0;
  virtual std::vector<std::string> layer_names() const = 0;
};

// FastDepth (default, <prepared>/weights/fastdepth.h5) unless a Monodepth2 file is given.
std::unique_ptr<DepthEstimator> load_depth_net(const std::string& monodepth2_path, Device device);
// The layer_names() of the estimator load_depth_net gives (monodepth2: a Monodepth2 file given,
// else FastDepth), without loading it.
std::vector<std::string> depth_net_layer_names(bool monodepth2);
// Estimators around networks already built (tests use synthetic weights).
std::unique_ptr<DepthEstimator> make_depth_estimator(FastDepth net);
std::unique_ptr<DepthEstimator> make_depth_estimator(Monodepth2 net);

}  // namespace ds
