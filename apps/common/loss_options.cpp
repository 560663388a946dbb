#include "apps/common/loss_options.h"

#include <algorithm>
#include <cstdio>

namespace ds {
namespace app {

namespace {
float weight(const Args& a, const char* option) { return static_cast<float>(a.number(option, 0, 1e12)); }

// "(default per network: squeezenet 0.12, vgg16 0.01, vgg19 5, nin 10)": every network's value,
// the default network's first, read from default_loss_spec so the help cannot drift from it.
std::string defaults_text(TransferMethod method, float LossSpec::*field, const std::string& tail = "") {
  std::string out = "(default per network";
  const char* sep = ": ";
  for (const char* net : {"squeezenet", "vgg16", "vgg19", "nin"}) {
    char v[32];
    std::snprintf(v, sizeof v, "%g", static_cast<double>(default_loss_spec(net, method).*field));
    out += sep + std::string(net) + " " + v;
    sep = ", ";
  }
  return out + tail + ")";
}
}  // namespace

void declare_loss_options(Args& a, TransferMethod method) {
  a.option("--net", "NAME",
           "loss network: squeezenet | vgg16 | vgg19 | nin. vgg19 and nin take jcjohnson/neural-style's defaults "
           "(neural_style.lua: content relu4_2 x5, style relu1_1..relu5_1 x100, TV 1e-3; its README's NIN example: "
           "relu0,relu3,relu7,relu12 for both, x10 and x1000) in this loss's normalisation, so the weights mean what "
           "neural-style's -content_weight and -style_weight mean (the content weight at 512 px; docs/from-peers.md)",
           "squeezenet");
  a.option("--weights", "FILE", "loss network weights (vgg16, vgg19, nin: a file converted with weights/convert/convert.py "
           "auto; default DATA/weights/<net>.h5)");
  a.option("--pooling", "KIND", "loss network pooling: max | avg (avg: gradients spread over whole windows: less pixel speckle, "
           "but a faint 4-px grid with squeezenet; docs/gallery.md)",
           "max");
  a.option("--content-layers", "LIST", "content layers (default: fire2 / relu4_2 (vgg16, vgg19) / relu0,relu3,relu7,relu12 (nin))");
  a.option("--content-layer", "NAME", "one content layer (the same as --content-layers NAME)");
  a.option("--content-layer-weights", "LIST",
           "one weight per content layer, or one for all (default per network: 1, or neural-style's "
           "normalisation for vgg19 and nin)");
  a.option("--style-layers", "LIST", "style layers (default: relu1,fire3,fire4,fire5 / relu1_1,...,relu5_1 (vgg16, "
           "vgg19) / relu0,relu3,relu7,relu12 (nin))");
  a.option("--style-layer-weights", "LIST",
           "one weight per style layer, or one for all (default per network: 1000, or neural-style's "
           "normalisation for vgg19 and nin)");
  a.option("--content-weight", "A", "content weight alpha " + defaults_text(method, &LossSpec::content_weight));
  a.option("--style-total-weight", "B", "total style weight beta " + defaults_text(method, &LossSpec::style_weight));
  if (method == TransferMethod::FeedForward)  // one style: no per-style weight to give
    a.option("--style-weight", "B", "deprecated: the total style weight beta, as --style-total-weight");
  else
    a.option("--style-weight", "W", "weight w_s of each style, times beta (repeat per --style, a list 2,1, or once for all)", "1");
  a.option("--tv-weight", "C", "total variation weight gamma, on 0..1 pixels " +
           defaults_text(method, &LossSpec::tv_weight, "; vgg19 and nin: neural-style's 1e-3 on its 0..256 pixels"));
  a.option("--depth-weight", "D", "weight delta of the depth-output loss (0: off)", "0");
  a.option("--depth-layers", "LIST", "depth network layers also compared (FastDepth: conv0..conv13, decoder1..decoder5)");
  a.option("--depth-layer-weights", "LIST", "one weight per --depth-layers entry (default: --depth-weight each)");
  a.option("--monodepth2", "FILE", "Monodepth2 weights for the depth network (else FastDepth)");
}

LossSpec loss_spec_from(const Args& a, TransferMethod method, std::ostream& warn) {
  const std::string net = a.str("--net");
  LossSpec c = option_text([&] { return default_loss_spec(net, method); });  // an unknown --net
  // Layers given without weights get the network's rule for any layer (default_layer_weight).
  auto layers = [&](const char* option, const char* weights_option, bool style, std::vector<std::string>& names,
                    std::vector<float>& weights) {
    if (a.has(option)) {
      names = a.list(option);
      if (names.empty()) throw UsageError(std::string(option) + ": an empty list; give at least one layer");
      weights.clear();
      for (const std::string& l : names) weights.push_back(default_layer_weight(net, style, l));
    }
    if (a.has(weights_option)) {
      weights = parse_nonnegative(a.list(weights_option), weights_option);
      // One weight for every layer, as fast-neural-style's -style_weights 5.0 means.
      if (weights.size() == 1) weights.assign(names.size(), weights[0]);
      if (weights.size() != names.size())
        throw UsageError(std::string(weights_option) + ": " + std::to_string(weights.size()) + " weight(s) for " +
                         std::to_string(names.size()) + " layer(s) of " + option +
                         "; give one weight per layer, or one for all");
    }
  };
  if (a.has("--content-layer") && a.has("--content-layers"))
    throw UsageError("--content-layer and --content-layers given together: give --content-layers only");
  layers(a.has("--content-layer") ? "--content-layer" : "--content-layers", "--content-layer-weights", false,
         c.content_layers, c.content_layer_weights);
  layers("--style-layers", "--style-layer-weights", true, c.style_layers, c.style_layer_weights);
  if (a.has("--content-weight")) c.content_weight = weight(a, "--content-weight");
  if (a.has("--style-total-weight")) c.style_weight = weight(a, "--style-total-weight");
  if (method == TransferMethod::FeedForward && a.has("--style-weight")) {
    if (a.has("--style-total-weight"))
      throw UsageError("--style-weight and --style-total-weight given together: give --style-total-weight only");
    warn << a.command() << " --style-weight is deprecated: it meant the total style weight; use --style-total-weight\n";
    c.style_weight = weight(a, "--style-weight");
  }
  if (a.has("--tv-weight")) c.tv_weight = weight(a, "--tv-weight");
  c.depth_weight = weight(a, "--depth-weight");
  if (a.has("--depth-layers")) {
    c.depth_layers = a.list("--depth-layers");
    c.depth_layer_weights = a.has("--depth-layer-weights")
                                ? parse_nonnegative(a.list("--depth-layer-weights"), "--depth-layer-weights")
                                : std::vector<float>(c.depth_layers.size(), c.depth_weight);
  } else if (a.has("--depth-layer-weights")) {
    throw UsageError("--depth-layer-weights needs --depth-layers");
  }
  return c;
}

void check_layer_names(const std::string& option, const std::string& net, const std::vector<std::string>& layers,
                       const std::vector<std::string>& valid) {
  for (const std::string& l : layers)
    if (std::find(valid.begin(), valid.end(), l) == valid.end()) {
      std::string list;
      for (const std::string& v : valid) list += (list.empty() ? "" : ", ") + v;
      throw UsageError(option + ": " + net + " has no layer named '" + l + "'; its layers are: " + list);
    }
}

LossOptions loss_options_from(const Args& a, TransferMethod method, std::ostream& warn) {
  LossOptions o;
  o.spec = loss_spec_from(a, method, warn);
  o.net = a.str("--net");
  o.weights = a.str("--weights");
  o.pooling = option_text([&] { return parse_pooling(a.str("--pooling")); });
  o.monodepth2 = a.str("--monodepth2");
  const std::vector<std::string> net_layers = option_text([&] { return feature_net_layer_names(o.net); });
  check_layer_names(a.has("--content-layer") ? "--content-layer" : "--content-layers", o.net, o.spec.content_layers, net_layers);
  check_layer_names("--style-layers", o.net, o.spec.style_layers, net_layers);
  check_layer_names("--depth-layers", o.monodepth2.empty() ? "fastdepth" : "monodepth2", o.spec.depth_layers,
               depth_net_layer_names(!o.monodepth2.empty()));
  return o;
}

std::vector<std::string> LossOptions::taps() const {
  std::vector<std::string> t = spec.style_layers;
  for (const std::string& l : spec.content_layers)
    if (std::find(t.begin(), t.end(), l) == t.end()) t.push_back(l);  // NIN's are the style layers too
  return t;
}

std::string LossOptions::feature_net_file() const { return ds::feature_net_file(net, weights); }
std::string LossOptions::depth_net_file() const { return ds::depth_net_file(monodepth2); }
FeatureNet LossOptions::load_feature_net(Device device) const { return ds::load_feature_net(net, weights, device, pooling); }
std::unique_ptr<DepthEstimator> LossOptions::load_depth_net(Device device) const {
  return ds::load_depth_net(monodepth2, device);
}

std::string per_style(const Args& a, const std::string& option, size_t k, size_t n, const std::string& def) {
  std::vector<std::string> values = a.all(option);
  if (values.empty()) return def;
  if (values.size() == 1) return values[0];
  if (values.size() != n)
    throw UsageError(option + " given " + std::to_string(values.size()) + " times for " + std::to_string(n) +
                " styles: give it once (for all) or once per --style, in order");
  return values[k];
}

std::vector<float> style_weights_from(const Args& a, size_t n_styles) {
  std::vector<std::string> items;  // every value of every --style-weight, comma lists split
  for (const std::string& v : a.all("--style-weight"))
    for (const std::string& item : split_list(v, "--style-weight")) items.push_back(item);
  if (items.empty()) items = {"1"};
  if (items.size() != 1 && items.size() != n_styles)
    throw UsageError("--style-weight given " + std::to_string(items.size()) + " times for " + std::to_string(n_styles) +
                " styles: give it once (for all) or once per --style, in order (repeated, or as a list such as 2,1)");
  std::vector<float> w = parse_nonnegative(items, "--style-weight");
  if (w.size() == 1) w.assign(n_styles, w[0]);
  return w;
}

}  // namespace app
}  // namespace ds
