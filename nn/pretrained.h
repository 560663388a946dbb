// The pretrained networks, loaded from project weight files (docs/weights-format.md): where
// the prepared data lives, feature networks for the style losses (SqueezeNet 1.1, Iandola et
// al. 2016; VGG-16, Simonyan & Zisserman 2015) and depth estimators (FastDepth, Wofk et al.
// 2019; Monodepth2, Godard et al. 2019) that resize to and from their input size.
//
// Prepared data folder: $DEPTHSTYLE_PREPARED, else <source dir>/data (made by scripts/setup
// from the data source folder). A missing file is an error that says to run scripts/setup.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "autograd/var.h"
#include "nn/models.h"
#include "weights/weights.h"

namespace ds {

std::string prepared_dir();
// <prepared>/<relative>, checked to exist (the error names it and says how to make it).
std::string prepared_file(const std::string& relative);

// A frozen feature network with its input preprocessing, ready to tap by layer name.
struct FeatureNet {
  std::string name;  // "squeezenet" | "vgg16"
  LayerNet net;
  Preprocess pre;
  // Activations of `layers` for an RGB image in [0,1]; preprocessing included (differentiable).
  std::map<std::string, Var> run(const Var& rgb01, const std::vector<std::string>& layers) const {
    return net.run(preprocess(rgb01, pre), layers);
  }
};

Preprocess preprocess_from(const WeightFile& f);
// name: "squeezenet" (default weights: <prepared>/weights/squeezenet1_1.h5) or "vgg16"
// (weights_path required: the user's converted torchvision file). Parameters on `device`.
// pooling: the pool layers' kind (nn/models.h; average pooling gives smoother textures).
FeatureNet load_feature_net(const std::string& name, const std::string& weights_path, Device device,
                            Pooling pooling = Pooling::Max);

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
// Estimators around networks already built (tests use synthetic weights).
std::unique_ptr<DepthEstimator> make_depth_estimator(FastDepth net);
std::unique_ptr<DepthEstimator> make_depth_estimator(Monodepth2 net);

}  // namespace ds
