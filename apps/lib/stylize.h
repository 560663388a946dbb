// Depth-aware style transfer by optimisation (Gatys et al., with depth masks and a depth loss).
//
// total = α·content + β·Σ_s w_s·style_s + γ·TV + δ·depth, where
//   content  = ½ Σ (γc ⊙ (F − P))²            at one layer (γc = 1 without a content mask)
//   style_s  = Σ_l w_l (1/(4N²M²)) Σ (G_l − A_{s,l})²,  G_l the Gram of γs ⊙ F divided by
//              η = mean(γs²) (the plain Gram without a mask), A the style image's plain Gram
//   TV       = Σ squared differences of neighbouring pixels
//   depth    = (1/HW) ‖φ(content) − φ(pastiche)‖², φ the depth network (gradient flows through it)
// Masks are functions of the normalised depth (near 0, far 1), resized to each layer's size.
// The image is optimised in RGB [0,1] pixel space.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "losses/depth_map.h"
#include "losses/masks.h"
#include "nn/pretrained.h"
#include "nn/optim.h"

namespace ds {
namespace app {

struct StyleInput {
  std::string name;  // for logs and the CSV column (style_<name>)
  Tensor image;      // [1,3,H,W] in [0,1], at the size it is used
  float weight = 1.0f;
  bool masked = false;
  MaskSpec mask;
};

struct StylizeConfig {
  std::string content_layer;
  std::vector<std::string> style_layers;
  std::vector<float> style_layer_weights;  // one per style layer
  float content_weight = 1, style_weight = 1, tv_weight = 0, depth_weight = 0;
  bool content_masked = false;
  MaskSpec content_mask;
  std::string optimizer = "adam";  // adam | lbfgs
  float lr = 0.02f, lr_decay = 0.5f;
  int lr_step = 0;                 // Adam: multiply lr by lr_decay every lr_step iterations (0: never)
  std::string init = "content";    // content | noise | an image file
  uint64_t seed = 0;
};

// Default layers and weights per network ("squeezenet", "vgg16").
StylizeConfig default_config(const std::string& net);

// Resizes an image [1,C,H,W] to h x w: area averaging first when shrinking by 2x or more
// (so downscaled photos do not alias), then bilinear.
Tensor resize_image(const Tensor& img, int64_t h, int64_t w);
// The size with long side `long_side` and the aspect ratio of h x w (each at least 1).
std::pair<int64_t, int64_t> fit_long_side(int64_t h, int64_t w, int long_side);

class Stylizer {
 public:
  // content [1,3,H,W], depth01 [1,1,H,W] (normalised, same size); `depth_net` may be null when
  // cfg.depth_weight == 0. Everything is moved to `device`.
  Stylizer(const FeatureNet& net, const DepthEstimator* depth_net, const Tensor& content, const Tensor& depth01,
           std::vector<StyleInput> styles, StylizeConfig cfg, Device device);

  // Names of the logged terms: total, content, style_<name>..., tv, depth (the weighted terms).
  std::vector<std::string> term_names() const;
  // Runs `iters` iterations; after each, on_iter(iteration (1-based), term values).
  void run(int iters, const std::function<void(int, const std::vector<double>&)>& on_iter);
  // Term values for an image without changing anything (no gradient).
  std::vector<double> evaluate(const Tensor& image) const;

  const Var& image() const { return image_; }
  // Masks at the content's size, for montages: content mask (if any), then one per masked style.
  std::vector<std::pair<std::string, Tensor>> masks() const;

 private:
  Var total_loss(const Var& image, std::vector<double>* terms) const;
  struct StyleTarget {
    std::string name;
    float weight;
    std::vector<Var> grams;  // per style layer, divided by M
    std::vector<Var> masks;  // per style layer; empty when unmasked
    Tensor full_mask;
  };
  const FeatureNet& net_;
  const DepthEstimator* depth_net_;
  StylizeConfig cfg_;
  Device device_;
  std::vector<std::string> layers_;  // content layer + style layers, deduplicated
  Var content_target_, content_mask_;
  Tensor content_mask_full_;
  std::vector<StyleTarget> styles_;
  Var depth_target_;
  Var image_;
};

}  // namespace app
}  // namespace ds
