#include "apps/common/loss_options.h"

namespace ds {
namespace app {

namespace {
float weight(const Args& a, const char* option) { return static_cast<float>(a.number(option, 0, 1e12)); }
}  // namespace

void declare_loss_options(Args& a) {
  a.option("--net", "NAME", "loss network: squeezenet | vgg16", "squeezenet");
  a.option("--weights", "FILE", "loss network weights (vgg16: required)");
  a.option("--pooling", "KIND", "loss network pooling: max | avg (avg: gradients spread over whole windows: less pixel speckle, "
           "but a faint 4-px grid with squeezenet; docs/gallery.md)",
           "max");
  a.option("--content-layer", "NAME", "content layer (default: fire2 / relu4_2)");
  a.option("--style-layers", "LIST", "style layers (default: relu1,fire3,fire4,fire5 / relu1_1,...,relu5_1)");
  a.option("--style-layer-weights", "LIST", "one weight per style layer (default per network)");
  a.option("--content-weight", "A", "content weight alpha (default per network and method)");
  a.option("--style-total-weight", "B", "total style weight beta (default per network and method)");
  a.option("--style-weight", "W", "weight w_s of each style, times beta (repeat per --style, a list 2,1, or once for all; train and fast-eval: deprecated, there it still means beta)", "1");
  a.option("--tv-weight", "C", "total variation weight gamma (default per network)");
  a.option("--depth-weight", "D", "weight delta of the depth-output loss (0: off)", "0");
  a.option("--depth-layers", "LIST", "depth network layers also compared (FastDepth: conv0..conv13, decoder1..decoder5)");
  a.option("--depth-layer-weights", "LIST", "one weight per --depth-layers entry (default: --depth-weight each)");
  a.option("--monodepth2", "FILE", "Monodepth2 weights for the depth network (else FastDepth)");
}

LossSpec loss_spec_from(const Args& a, TransferMethod method, std::ostream& warn) {
  LossSpec c = default_loss_spec(a.str("--net"), method);
  if (a.has("--content-layer")) c.content_layer = a.str("--content-layer");
  if (a.has("--style-layers")) {
    c.style_layers = a.list("--style-layers");
    if (!a.has("--style-layer-weights")) c.style_layer_weights.assign(c.style_layers.size(), 1000.0f);
  }
  if (a.has("--style-layer-weights"))
    c.style_layer_weights = parse_nonnegative(a.list("--style-layer-weights"), "--style-layer-weights");
  if (a.has("--content-weight")) c.content_weight = weight(a, "--content-weight");
  if (a.has("--style-total-weight")) c.style_weight = weight(a, "--style-total-weight");
  if (method == TransferMethod::FeedForward && a.has("--style-weight")) {
    if (a.has("--style-total-weight"))
      throw Error("--style-weight and --style-total-weight given together: give --style-total-weight only");
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
    throw Error("--depth-layer-weights needs --depth-layers");
  }
  return c;
}

LossOptions loss_options_from(const Args& a, TransferMethod method, std::ostream& warn) {
  LossOptions o;
  o.spec = loss_spec_from(a, method, warn);
  o.net = a.str("--net");
  o.weights = a.str("--weights");
  o.pooling = parse_pooling(a.str("--pooling"));
  o.monodepth2 = a.str("--monodepth2");
  return o;
}

std::vector<std::string> LossOptions::taps() const {
  std::vector<std::string> t = spec.style_layers;
  t.push_back(spec.content_layer);
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
    throw Error(option + " given " + std::to_string(values.size()) + " times for " + std::to_string(n) +
                " styles: give it once (for all) or once per --style, in order");
  return values[k];
}

std::vector<float> style_weights_from(const Args& a, size_t n_styles) {
  std::vector<std::string> items;  // every value of every --style-weight, comma lists split
  for (const std::string& v : a.all("--style-weight"))
    for (const std::string& item : split_list(v, "--style-weight")) items.push_back(item);
  if (items.empty()) items = {"1"};
  if (items.size() != 1 && items.size() != n_styles)
    throw Error("--style-weight given " + std::to_string(items.size()) + " times for " + std::to_string(n_styles) +
                " styles: give it once (for all) or once per --style, in order (repeated, or as a list such as 2,1)");
  std::vector<float> w = parse_nonnegative(items, "--style-weight");
  if (w.size() == 1) w.assign(n_styles, w[0]);
  return w;
}

}  // namespace app
}  // namespace ds
