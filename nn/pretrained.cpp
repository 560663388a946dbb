#include "nn/pretrained.h"

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "autograd/ops.h"

namespace ds {

namespace {

// The feature networks a user converts from their own files: the prepared file's name and how
// to make it (the peers' files: jcjohnson/neural-style's Caffe models, neural-style-pt's .pth).
struct ConvertedNet {
  const char *name, *file, *sources;
};
const ConvertedNet kConverted[] = {
    {"vgg16", "vgg16.h5",
     "torchvision's vgg16-397923af.pth, neural-style-pt's vgg16-00b39a1b.pth or VGG_ILSVRC_16_layers.caffemodel"},
    {"vgg19", "vgg19.h5",
     "neural-style's VGG_ILSVRC_19_layers.caffemodel (or vgg_normalised.caffemodel), neural-style-pt's "
     "vgg19-d01eb7cb.pth or torchvision's vgg19-dcbb9e9d.pth"},
    {"nin", "nin.h5", "neural-style's nin_imagenet_conv.caffemodel or neural-style-pt's nin_imagenet.pth"}};

const ConvertedNet* converted_net(const std::string& name) {
  for (const ConvertedNet& c : kConverted)
    if (name == c.name) return &c;
  return nullptr;
}

}  // namespace

std::string feature_net_file(const std::string& name, const std::string& weights_path) {
  if (!weights_path.empty()) return weights_path;
  if (name == "squeezenet") return prepared_dir() + "/weights/squeezenet1_1.h5";
  if (const ConvertedNet* c = converted_net(name)) return prepared_dir() + "/weights/" + c->file;
  return weights_path;
}

std::string depth_net_file(const std::string& monodepth2_path) {
  return monodepth2_path.empty() ? prepared_dir() + "/weights/fastdepth.h5" : monodepth2_path;
}

void refuse_unconverted(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const char* peer : {".caffemodel", ".t7", ".pth", ".pt", ".onnx", ".prototxt"})
    if (ext == peer)
      throw Error(path + ": a " + ext.substr(1) + " file, which depthstyle reads once converted: "
                  "weights/convert/convert.py auto " + path + " -o " +
                  std::filesystem::path(path).replace_extension(".h5").filename().string() +
                  ", then give the .h5 file (docs/from-peers.md)");
}

Preprocess preprocess_from(const WeightFile& f) {
  const WeightPreprocessing& w = f.preprocessing;
  if (!w.present) throw Error(f.path + ": the file does not record its input preprocessing");
  Preprocess p;
  p.bgr = w.bgr();
  p.value_scale = static_cast<float>(w.value_scale);
  for (int c = 0; c < 3; ++c) {
    p.mean[static_cast<size_t>(c)] = static_cast<float>(w.mean[static_cast<size_t>(c)]);
    p.std[static_cast<size_t>(c)] = static_cast<float>(w.std[static_cast<size_t>(c)]);
  }
  return p;
}

FeatureNet load_feature_net(const std::string& name, const std::string& weights_path, Device device, Pooling pooling) {
  FeatureNet fn;
  fn.name = name;
  fn.device = device;
  if (name == "squeezenet") {
    std::string path = weights_path.empty() ? prepared_file("weights/squeezenet1_1.h5") : weights_path;
    WeightFile f = load_weights(path, std::vector<std::string>{"squeezenet1_1", "squeezenet1_1_features"});
    bool classifier = f.architecture == "squeezenet1_1";
    check_params(f, squeezenet1_1_param_shapes(classifier));
    // The Keras port (Caffe preprocessing) pools with floor; torchvision with ceil.
    fn.net = squeezenet1_1(ParamSet(f.params, path).to(device), f.preprocessing.value_scale == 1.0, pooling);
    fn.pre = preprocess_from(f);
  } else if (const ConvertedNet* c = converted_net(name)) {
    std::string path = feature_net_file(name, weights_path);
    refuse_unconverted(path);
    if (!std::filesystem::exists(path))
      throw Error(name + " needs its weights and " + path + " does not exist: convert " + c->sources +
                  " with weights/convert/convert.py auto FILE -o " + c->file + " and pass --weights " + c->file +
                  " (or put " + c->file + " in the prepared weights folder)");
    if (name == "nin") {
      WeightFile f = load_weights(path, "nin");
      check_params(f, nin_param_shapes());
      fn.net = nin_features(ParamSet(f.params, path).to(device), pooling);
      fn.pre = preprocess_from(f);
    } else {
      int depth = name == "vgg16" ? 16 : 19;
      WeightFile f = load_weights(path, std::vector<std::string>{name, name + "_features"});
      check_params(f, vgg_param_shapes(depth, f.architecture == name));
      // Caffe's pools round up (the Caffe conversions record it); torchvision's floor.
      bool ceil_mode = f.attr_number("pool_ceil_mode", 0) != 0;
      fn.net = vgg_features(depth, ParamSet(f.params, path).to(device), pooling, ceil_mode);
      fn.pre = preprocess_from(f);
    }
  } else {
    throw Error("unknown network '" + name + "': expected " + feature_net_list());
  }
  return fn;
}

const char* feature_net_list() { return "squeezenet, vgg16, vgg19 or nin"; }

std::vector<std::string> feature_net_layer_names(const std::string& name) {
  auto empty = [](const ParamShapes& shapes) {  // the builders only capture their parameters (no shape checks)
    ParamSet p;
    for (const auto& s : shapes) p.set(s.first, Tensor::zeros({0}));
    return p;
  };
  if (name == "squeezenet") return squeezenet1_1(empty(squeezenet1_1_param_shapes(true))).layer_names();
  if (name == "vgg16" || name == "vgg19") {
    const int depth = name == "vgg16" ? 16 : 19;
    return vgg_features(depth, empty(vgg_param_shapes(depth))).layer_names();
  }
  if (name == "nin") return nin_features(empty(nin_param_shapes())).layer_names();
  throw Error("unknown network '" + name + "': expected " + feature_net_list());
}

int min_input_side(const FeatureNet& net, const std::vector<std::string>& layers) {
  net.net.depth_for(layers);  // an unknown layer name is an error listing the valid ones, not a failed probe
  NoGradGuard ng;
  for (int s = 1; s <= 4096; ++s) {
    std::map<std::string, Var> out;
    try {
      out = net.run(Var(Tensor::zeros({1, 3, s, s}, net.device)), layers);
    } catch (const InputTooSmall&) {
      continue;  // a layer refused an input this small; any other error is not about the size
    }
    bool all = true;
    for (const auto& kv : out) all = all && kv.second.shape()[2] >= 1 && kv.second.shape()[3] >= 1;
    if (all) return s;
  }
  throw Error(net.name + ": no input side up to 4096 gives every tapped layer an output");
}

void check_input_size(const std::string& what, int64_t h, int64_t w, const std::string& how, int min_side,
                      const FeatureNet& net, const std::vector<std::string>& layers, const std::string& hint) {
  if (std::min(h, w) >= min_side) return;
  std::string list;
  for (const std::string& l : layers) list += (list.empty() ? "" : ",") + l;
  throw Error(what + ": working size " + std::to_string(w) + "x" + std::to_string(h) + " " + how +
              " is smaller than the minimum " + std::to_string(min_side) + "x" + std::to_string(min_side) + " of " +
              net.name + "'s layers " + list + " (each must give at least a 1x1 output); " + hint);
}

std::vector<std::string> depth_net_layer_names(bool monodepth2) {
  if (!monodepth2) return FastDepth::layer_names();
  std::vector<std::string> n = Monodepth2::layer_names();
  n.push_back("depth");  // the estimator's depth in metres, after the disparity
  return n;
}

namespace {

// Resizes the image to the network's input, runs it, and resizes the depth back.
class ResizingEstimator : public DepthEstimator {
 public:
  ResizingEstimator(int h, int w) : h_(h), w_(w) {}
  Var predict(const Var& rgb01) const override {
    const Shape& s = rgb01.shape();
    Var x = (s[2] == h_ && s[3] == w_) ? rgb01 : resize_bilinear(rgb01, h_, w_);
    Var d = depth_at_net_size(x);
    return (s[2] == h_ && s[3] == w_) ? d : resize_bilinear(d, s[2], s[3]);
  }
  std::map<std::string, Var> run(const Var& rgb01, const std::vector<std::string>& taps) const override {
    const Shape& s = rgb01.shape();
    return run_net((s[2] == h_ && s[3] == w_) ? rgb01 : resize_bilinear(rgb01, h_, w_), taps);
  }

 protected:
  virtual Var depth_at_net_size(const Var& x) const = 0;
  virtual std::map<std::string, Var> run_net(const Var& x, const std::vector<std::string>& taps) const = 0;
  int h_, w_;
};

class FastDepthEstimator : public ResizingEstimator {
 public:
  explicit FastDepthEstimator(FastDepth net) : ResizingEstimator(224, 224), net_(std::move(net)) {}
  std::string name() const override { return "fastdepth"; }
  std::vector<std::string> layer_names() const override { return depth_net_layer_names(false); }

 protected:
  Var depth_at_net_size(const Var& x) const override { return net_.run(x, {"depth"}).at("depth"); }
  std::map<std::string, Var> run_net(const Var& x, const std::vector<std::string>& taps) const override {
    return net_.run(x, taps);
  }

 private:
  FastDepth net_;
};

class Monodepth2Estimator : public ResizingEstimator {
 public:
  explicit Monodepth2Estimator(Monodepth2 net) : ResizingEstimator(192, 640), net_(std::move(net)) {}
  std::string name() const override { return "monodepth2"; }
  std::vector<std::string> layer_names() const override { return depth_net_layer_names(true); }

 protected:
  Var depth_at_net_size(const Var& x) const override { return monodepth_disp_to_depth(net_.run(x, {"disp0"}).at("disp0")); }
  std::map<std::string, Var> run_net(const Var& x, const std::vector<std::string>& taps) const override {
    std::vector<std::string> inner;
    bool depth = false;
    for (const std::string& t : taps) {
      if (t == "depth") depth = true;
      else inner.push_back(t);
    }
    if (depth) inner.push_back("disp0");
    std::map<std::string, Var> out = net_.run(x, inner);
    if (depth) out["depth"] = monodepth_disp_to_depth(out.at("disp0"));
    return out;
  }

 private:
  Monodepth2 net_;
};

}  // namespace

std::unique_ptr<DepthEstimator> make_depth_estimator(FastDepth net) {
  return std::make_unique<FastDepthEstimator>(std::move(net));
}

std::unique_ptr<DepthEstimator> make_depth_estimator(Monodepth2 net) {
  return std::make_unique<Monodepth2Estimator>(std::move(net));
}

std::unique_ptr<DepthEstimator> load_depth_net(const std::string& monodepth2_path, Device device) {
  if (!monodepth2_path.empty()) {
    WeightFile f = load_weights(monodepth2_path, "monodepth2_resnet18");
    check_params(f, Monodepth2::param_shapes());
    return make_depth_estimator(Monodepth2(ParamSet(f.params, monodepth2_path).to(device)));
  }
  std::string path = prepared_file("weights/fastdepth.h5");
  WeightFile f = load_weights(path, "fastdepth");
  check_params(f, FastDepth::param_shapes());
  return make_depth_estimator(FastDepth(ParamSet(f.params, path).to(device)));
}

}  // namespace ds
