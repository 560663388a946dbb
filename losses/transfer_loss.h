// The loss of depth-aware style transfer, described once and built by one function for both
// methods: optimising the pixels of one image (Gatys et al. 2016, `depthstyle stylize`) and
// training a feed-forward transformer (Johnson et al. 2016, `depthstyle train`, `fast-eval`).
//
// For a pastiche y [B,3,H,W] (RGB in [0,1]) and its reference x (the content image, or the
// transformer's input batch), with B the batch size:
//   total = α·content/B + β·Σ_s w_s·style_s/B + γ·TV/B + depth
//   content = ½ Σ (γc ⊙ (F(y) − F(x)))²                          one layer; γc = 1 without a mask
//   style_s = Σ_l w_l (1/(4N²)) Σ (G_l(y)/M − A_{s,l}/M)²           G_l the Gram of γs ⊙ F_l(y) over η
//   TV      = Σ squared differences of neighbouring pixels of y
//   depth   = δ·mean (φ(y) − φ(x))² + Σ_k δ_k·mean (φ_k(y) − φ_k(x))²
// F_l: loss-network features at layer l, N channels, M = h·w pixels; A_{s,l}: plain Gram of
// style image s; γs, γc: depth masks (losses/masks.h), η = mean(γs²) (plain Gram without a
// mask); φ: the depth network's depth, at the image's size (DepthAt::Image, Liu et al. 2017's
// depth loss on the pastiche's pixels) or at the network's input size (DepthAt::Network),
// and φ_k its named layers (at the network's input size). The single terms are in
// losses/losses.h. Batch means make the weights independent of the batch size; the depth
// terms are means already.
//
// normalize_gradients (jcjohnson/neural-style's -normalize_gradients): the values are unchanged,
// but the gradient that the content term and each style term (per style and layer) send into
// their features is scaled to L1 norm equal to its weight (α/B, β·w_s·w_l/B): the weights then
// set each term's share of the gradient directly, whatever the layer's scale
// (autograd/ops.h normalize_gradient). The TV and depth terms are not normalised. The gradient
// is then no longer the loss's gradient; L-BFGS's line search still checks the loss decreases.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "nn/pretrained.h"

namespace ds {

// Which method the defaults are tuned for.
enum class TransferMethod { Optimisation, FeedForward };
// Where the depth output φ is compared (see above).
enum class DepthAt { Image, Network };

// The loss description: layers and weights.
struct LossSpec {
  std::string content_layer;
  std::vector<std::string> style_layers;
  std::vector<float> style_layer_weights;  // w_l, one per style layer
  float content_weight = 1;                // α
  float style_weight = 1;                  // β, the total; each style's w_s multiplies it
  float tv_weight = 0;                     // γ
  float depth_weight = 0;                  // δ (0: no depth-output term)
  std::vector<std::string> depth_layers;   // depth-network layers compared too
  std::vector<float> depth_layer_weights;  // δ_k, one per depth layer
  DepthAt depth_at = DepthAt::Image;
  bool normalize_gradients = false;        // see above
  bool uses_depth() const { return depth_weight > 0 || !depth_layers.empty(); }
};

// The defaults for a loss network ("squeezenet", "vgg16"; else a ds::Error) and a method.
LossSpec default_loss_spec(const std::string& net, TransferMethod method);

// The weighted terms of one evaluation of the loss, each as it enters the total (so they sum
// to it). The names of the logged columns are TransferLoss::term_names(): total, content,
// style terms (one per style), tv, depth, then the callers' extra terms.
struct LossTerms {
  double total = 0;
  double content = 0;
  std::vector<double> style;  // one per style image, in order (w_s and β applied)
  double tv = 0;
  double depth = 0;           // the depth output and depth layer terms together; 0 when unused
  std::vector<double> extra;  // terms a caller adds to the loss (e.g. stylize's extra term), in total too
  // In the order of term_names(): total, content, style..., tv, depth, extra...
  std::vector<double> values() const;
  // Back from values() (e.g. a saved training history), given the number of styles; the values
  // after depth are the extra terms. Throws ds::Error when there are fewer than 4 + n_styles.
  static LossTerms from_values(const std::vector<double>& v, size_t n_styles);
};

// A style image and how it enters the loss.
struct StyleImage {
  std::string name;  // the logged term is style_<name>, or "style" when empty
  Tensor image;      // [1,3,h,w] in [0,1], at the size it is used
  float weight = 1;  // w_s
  Tensor mask;       // γs: [1,1,H,W] in [0,1] at the content's size (losses/masks.h), or undefined
};

class TransferLoss {
 public:
  // The style images' Grams are computed here. depth_net may be null when !spec.uses_depth().
  // content_mask: γc at the content's size, or undefined. Masks need one fixed reference
  // image (stylize); with masks, reference() must be given an image of the masks' size.
  // Errors: layer and weight counts that differ, a depth term without a depth network.
  TransferLoss(const FeatureNet& net, const DepthEstimator* depth_net, LossSpec spec, std::vector<StyleImage> styles,
               Device device, Tensor content_mask = Tensor());

  // What the pastiche is compared with: the reference's content features and depth, and the
  // masks at the sizes of the reference's feature maps. Computed without gradient.
  struct Reference {
    Var content;
    std::map<std::string, Var> depth;      // "depth" and the depth layers
    Var content_mask;                      // at the content layer's size, when masked
    std::vector<std::vector<Var>> style_masks;  // [style][style layer], when that style is masked
    std::vector<std::vector<float>> style_mask_etas;  // their η (style_mask_eta), computed once
  };
  Reference reference(const Var& x) const;

  // The names of the logged terms, in order: total, content, style terms (one per style),
  // tv, depth. All are weighted as in the total (the depth column is 0 when unused).
  std::vector<std::string> term_names() const;
  // The weighted total for the pastiche y [B,3,H,W] against `ref` (differentiable in y);
  // `terms` receives the value of each term.
  Var total(const Var& y, const Reference& ref, LossTerms* terms) const;
  // The same, with the term values left on y's device in `values` ([K,1], no host sync), so
  // that a caller can queue more work (the backward pass) before reading them with
  // terms_of(): on CUDA the host then does not wait for the forward pass mid-iteration.
  Var total_deferred(const Var& y, const Reference& ref, Tensor* values) const;
  LossTerms terms_of(const Tensor& values) const;  // one host copy

  const LossSpec& spec() const { return spec_; }
  const std::vector<StyleImage>& styles() const { return styles_; }

 private:
  std::map<std::string, Var> depth_features(const Var& image) const;
  const FeatureNet& net_;
  const DepthEstimator* depth_net_;
  LossSpec spec_;
  std::vector<StyleImage> styles_;
  Tensor content_mask_;
  std::vector<std::string> layers_;       // style layers + content layer, deduplicated
  std::vector<std::vector<Var>> grams_;  // [style][style layer]: the style image's Gram / M
};

}  // namespace ds
