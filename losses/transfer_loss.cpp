#include "losses/transfer_loss.h"

#include <algorithm>

#include "losses/losses.h"
#include "losses/masks.h"

namespace ds {

namespace {

void check_counts(const char* what, size_t layers, size_t weights) {
  if (layers != weights)
    throw Error(std::string(what) + ": " + std::to_string(layers) + " layers but " + std::to_string(weights) + " weights");
}

// a + b, or b alone while a is still undefined.
Var accumulate(const Var& a, const Var& b) { return a.defined() ? a + b : b; }

}  // namespace

LossSpec default_loss_spec(const std::string& net, TransferMethod method) {
  LossSpec c;
  if (net == "squeezenet") {
    // Layers as in the CS231n SqueezeNet transfer; weights rescaled to this project's loss
    // normalisation (style 1/(4N²M²), content ½Σ, pixels in [0,1]) and tuned on the NYU demo.
    c.content_layer = "fire2";
    c.style_layers = {"relu1", "fire3", "fire4", "fire5"};
    c.style_layer_weights = {80000, 2000, 48, 4};
    c.content_weight = 0.12f;
    c.style_weight = 50.0f;
    c.tv_weight = 0.4f;
    // The pixel method's style weight is tuned for optimising pixels from the content; for a
    // transformer, 1 puts the content and style terms level (about 3e4 each at 128-pixel
    // crops, style image at 256) for the pretrained la_muse net, a sane start point.
    if (method == TransferMethod::FeedForward) c.style_weight = 1.0f;
  } else if (net == "vgg16") {
    // Gatys et al.: content conv4_2, style relu1_1 ... relu5_1 with equal weights.
    c.content_layer = "relu4_2";
    c.style_layers = {"relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu5_1"};
    c.style_layer_weights = {1000, 1000, 1000, 1000, 1000};
    c.content_weight = 0.01f;
    c.style_weight = 1.0f;
    c.tv_weight = 0.4f;
  } else {
    throw Error("unknown network '" + net + "': expected squeezenet or vgg16");
  }
  // Training compares depth at the depth network's input size: no resize back per crop.
  c.depth_at = method == TransferMethod::FeedForward ? DepthAt::Network : DepthAt::Image;
  return c;
}

TransferLoss::TransferLoss(const FeatureNet& net, const DepthEstimator* depth_net, LossSpec spec,
                           std::vector<StyleImage> styles, Device device, Tensor content_mask)
    : net_(net), depth_net_(depth_net), spec_(std::move(spec)), styles_(std::move(styles)) {
  check_counts("style", spec_.style_layers.size(), spec_.style_layer_weights.size());
  check_counts("depth", spec_.depth_layers.size(), spec_.depth_layer_weights.size());
  if (spec_.uses_depth() && !depth_net_) throw Error("the depth loss needs a depth network");
  if (styles_.empty()) throw Error("the style loss needs at least one style image");
  layers_ = spec_.style_layers;
  if (std::find(layers_.begin(), layers_.end(), spec_.content_layer) == layers_.end())
    layers_.push_back(spec_.content_layer);
  if (content_mask.defined()) content_mask_ = content_mask.to(device);
  NoGradGuard ng;
  for (StyleImage& s : styles_) {
    if (s.mask.defined()) s.mask = s.mask.to(device);
    std::map<std::string, Var> f = net_.run(Var(s.image.to(device)), spec_.style_layers);
    std::vector<Var> g;
    for (const std::string& l : spec_.style_layers) g.push_back(gram_over_m(f.at(l)));
    grams_.push_back(std::move(g));
  }
}

std::map<std::string, Var> TransferLoss::depth_features(const Var& image) const {
  std::map<std::string, Var> f;
  if (!spec_.uses_depth()) return f;
  std::vector<std::string> taps = spec_.depth_layers;
  bool output = spec_.depth_weight > 0;
  if (output && spec_.depth_at == DepthAt::Network) taps.push_back("depth");
  if (!taps.empty()) f = depth_net_->run(image, taps);
  if (output && spec_.depth_at == DepthAt::Image) f["depth"] = depth_net_->predict(image);
  return f;
}

TransferLoss::Reference TransferLoss::reference(const Var& x) const {
  NoGradGuard ng;
  bool masked = content_mask_.defined() ||
                std::any_of(styles_.begin(), styles_.end(), [](const StyleImage& s) { return s.mask.defined(); });
  // The masks are resized to the feature maps' sizes, so they need every layer's features.
  std::map<std::string, Var> f = net_.run(x, masked ? layers_ : std::vector<std::string>{spec_.content_layer});
  auto at_layer = [&](const Tensor& mask, const std::string& layer) {
    const Shape& s = f.at(layer).shape();
    return Var(resize_mask(mask, static_cast<int>(s[2]), static_cast<int>(s[3])));
  };
  Reference r;
  r.content = f.at(spec_.content_layer);
  if (content_mask_.defined()) r.content_mask = at_layer(content_mask_, spec_.content_layer);
  for (const StyleImage& s : styles_) {
    std::vector<Var> masks;
    std::vector<float> etas;
    if (s.mask.defined())
      for (const std::string& l : spec_.style_layers) {
        masks.push_back(at_layer(s.mask, l));
        etas.push_back(style_mask_eta(masks.back().value()));
      }
    r.style_masks.push_back(std::move(masks));
    r.style_mask_etas.push_back(std::move(etas));
  }
  r.depth = depth_features(x);
  return r;
}

std::vector<std::string> TransferLoss::term_names() const {
  std::vector<std::string> n = {"total", "content"};
  for (const StyleImage& s : styles_) n.push_back(s.name.empty() ? "style" : "style_" + s.name);
  n.push_back("tv");
  n.push_back("depth");
  return n;
}

std::vector<double> LossTerms::values() const {
  std::vector<double> v = {total, content};
  v.insert(v.end(), style.begin(), style.end());
  v.push_back(tv);
  v.push_back(depth);
  v.insert(v.end(), extra.begin(), extra.end());
  return v;
}

LossTerms LossTerms::from_values(const std::vector<double>& v, size_t n_styles) {
  if (v.size() < 4 + n_styles)
    throw Error("loss terms: " + std::to_string(v.size()) + " values for " + std::to_string(n_styles) +
                " style(s); expected at least " + std::to_string(4 + n_styles) + " (total, content, styles, tv, depth)");
  LossTerms t;
  t.total = v[0], t.content = v[1];
  t.style.assign(v.begin() + 2, v.begin() + 2 + static_cast<std::ptrdiff_t>(n_styles));
  t.tv = v[2 + n_styles], t.depth = v[3 + n_styles];
  t.extra.assign(v.begin() + 4 + static_cast<std::ptrdiff_t>(n_styles), v.end());
  return t;
}

Var TransferLoss::total(const Var& y, const Reference& ref, LossTerms* terms) const {
  Tensor values;
  Var t = total_deferred(y, ref, &values);
  *terms = terms_of(values);
  return t;
}

LossTerms TransferLoss::terms_of(const Tensor& values) const {
  std::vector<float> v = values.to_vector();  // total, content, styles..., tv[, depth]
  std::vector<double> d(v.begin(), v.end());
  if (!spec_.uses_depth()) d.push_back(0.0);
  return LossTerms::from_values(d, styles_.size());
}

Var TransferLoss::total_deferred(const Var& y, const Reference& ref, Tensor* values) const {
  const float inv_b = 1.0f / static_cast<float>(y.shape()[0]);  // content, style, TV are sums over the batch
  std::map<std::string, Var> f = net_.run(y, layers_);
  // A term's features, through the gradient normalisation when it is on (its weight as in the total).
  auto features = [&](const std::string& layer, float weight) {
    return spec_.normalize_gradients ? normalize_gradient(f.at(layer), weight) : f.at(layer);
  };
  std::vector<Var> parts;
  const Var fc = features(spec_.content_layer, spec_.content_weight * inv_b);
  Var content = ref.content_mask.defined() ? masked_content_loss(fc, ref.content, ref.content_mask)
                                           : content_loss(fc, ref.content);
  parts.push_back(content * (spec_.content_weight * inv_b));
  for (size_t s = 0; s < styles_.size(); ++s) {
    const std::vector<Var>& masks = ref.style_masks.at(s);
    Var style;
    for (size_t l = 0; l < spec_.style_layers.size(); ++l) {
      const Var fl = features(spec_.style_layers[l],
                              spec_.style_weight * styles_[s].weight * inv_b * spec_.style_layer_weights[l]);
      Var loss = masks.empty() ? style_loss_from_features(fl, Var(), 1.0f, grams_[s][l])
                               : style_loss_from_features(fl, masks[l], ref.style_mask_etas.at(s)[l], grams_[s][l]);
      style = accumulate(style, loss * spec_.style_layer_weights[l]);
    }
    parts.push_back(style * (spec_.style_weight * styles_[s].weight * inv_b));
  }
  parts.push_back(tv_loss(y) * (spec_.tv_weight * inv_b));
  if (spec_.uses_depth()) {
    std::map<std::string, Var> fd = depth_features(y);
    Var depth;
    for (size_t k = 0; k < spec_.depth_layers.size(); ++k) {
      const std::string& t = spec_.depth_layers[k];
      depth = accumulate(depth, mse_loss(fd.at(t), ref.depth.at(t)) * spec_.depth_layer_weights[k]);
    }
    if (spec_.depth_weight > 0)
      depth = accumulate(depth, depth_loss(ref.depth.at("depth"), fd.at("depth")) * spec_.depth_weight);
    parts.push_back(depth);
  }
  Var sum_all = parts[0];
  for (size_t i = 1; i < parts.size(); ++i) sum_all = sum_all + parts[i];
  // Device-to-device copies of the [1] values into one tensor, read back later in one go.
  *values = Tensor::empty({static_cast<int64_t>(parts.size()) + 1, 1}, sum_all.device());
  values->view_batch(0, 1).copy_from(sum_all.value());
  for (size_t i = 0; i < parts.size(); ++i) values->view_batch(int64_t(i) + 1, int64_t(i) + 2).copy_from(parts[i].value());
  return sum_all;
}

}  // namespace ds
