#include "apps/lib/train.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "apps/lib/fast.h"
#include "apps/lib/stylize.h"
#include "losses/losses.h"
#include "tensor/kernels.h"
#include "tensor/random.h"

namespace ds {
namespace app {

namespace fs = std::filesystem;

namespace {
const char* kOptimArch = "fast_style_adam_state";

void check_weights(const char* what, size_t layers, size_t weights) {
  if (layers != weights)
    throw Error(std::string(what) + ": " + std::to_string(layers) + " layers but " + std::to_string(weights) + " weights");
}

// The attributes every fast_style_tf file carries (docs/weights-format.md), so a checkpoint
// reads like a converted pretrained file.
std::map<std::string, h5::AttrValue> fast_style_attrs() {
  WeightPreprocessing p;
  p.present = true;
  p.value_scale = 255.0;
  std::map<std::string, h5::AttrValue> a = preprocessing_attrs(p);
  a["padding"] = h5::AttrValue::string("tf_same");
  a["instance_norm_eps"] = h5::AttrValue::number(1e-3);
  a["output_tanh_scale"] = h5::AttrValue::number(150.0);
  a["output_offset"] = h5::AttrValue::number(127.5);
  return a;
}
}  // namespace

TrainConfig default_train_config(const std::string& net) {
  StylizeConfig s = default_config(net);
  TrainConfig c;
  c.content_layer = s.content_layer;
  c.style_layers = s.style_layers;
  c.style_layer_weights = s.style_layer_weights;
  c.content_weight = s.content_weight;
  c.style_weight = s.style_weight;
  c.tv_weight = s.tv_weight;
  // The pixel method's SqueezeNet style weight is tuned for optimising pixels from the
  // content; for a transformer, 1 puts the content and style terms level (about 3e4 each at
  // 128-pixel crops, style image at 256) for the pretrained la_muse net, a sane start point.
  if (net == "squeezenet") c.style_weight = 1.0f;
  return c;
}

void declare_loss_options(Args& a) {
  a.option("--net", "NAME", "loss network: squeezenet | vgg16", "squeezenet");
  a.option("--weights", "FILE", "loss network weights (vgg16: required)");
  a.option("--content-layer", "NAME", "content layer (default: fire2 / relu4_2)");
  a.option("--style-layers", "LIST", "style layers (default: relu1,fire3,fire4,fire5 / relu1_1,...,relu5_1)");
  a.option("--style-layer-weights", "LIST", "one weight per style layer (default per network)");
  a.option("--content-weight", "A", "content weight (default per network)");
  a.option("--style-weight", "B", "style weight (default per network)");
  a.option("--tv-weight", "C", "total variation weight (default per network)");
  a.option("--depth-weight", "D", "weight of the depth-output loss (0: off)", "0");
  a.option("--depth-layers", "LIST", "depth network layers also compared (FastDepth: conv0..conv13, decoder1..decoder5)");
  a.option("--depth-layer-weights", "LIST", "one weight per --depth-layers entry (default: --depth-weight each)");
  a.option("--monodepth2", "FILE", "Monodepth2 weights for the depth loss (else FastDepth)");
}

TrainConfig loss_config_from(const Args& a) {
  TrainConfig c = default_train_config(a.str("--net"));
  if (a.has("--content-layer")) c.content_layer = a.str("--content-layer");
  if (a.has("--style-layers")) {
    c.style_layers = a.list("--style-layers");
    if (!a.has("--style-layer-weights")) c.style_layer_weights.assign(c.style_layers.size(), 1000.0f);
  }
  if (a.has("--style-layer-weights")) c.style_layer_weights = parse_nonnegative(a.list("--style-layer-weights"), "--style-layer-weights");
  if (a.has("--content-weight")) c.content_weight = static_cast<float>(a.number("--content-weight", 0, 1e12));
  if (a.has("--style-weight")) c.style_weight = static_cast<float>(a.number("--style-weight", 0, 1e12));
  if (a.has("--tv-weight")) c.tv_weight = static_cast<float>(a.number("--tv-weight", 0, 1e12));
  c.depth_weight = static_cast<float>(a.number("--depth-weight", 0, 1e12));
  if (a.has("--depth-layers")) {
    c.depth_layers = a.list("--depth-layers");
    c.depth_layer_weights = a.has("--depth-layer-weights") ? parse_nonnegative(a.list("--depth-layer-weights"), "--depth-layer-weights")
                                                           : std::vector<float>(c.depth_layers.size(), c.depth_weight);
  } else if (a.has("--depth-layer-weights")) {
    throw Error("--depth-layer-weights needs --depth-layers");
  }
  return c;
}

// ---- the loss ----------------------------------------------------------------

TransferLoss::TransferLoss(const FeatureNet& loss_net, const DepthEstimator* depth_net, const Tensor& style_image,
                           const TrainConfig& cfg, Device device)
    : net_(loss_net), depth_net_(depth_net), cfg_(cfg) {
  check_weights("style", cfg_.style_layers.size(), cfg_.style_layer_weights.size());
  check_weights("depth", cfg_.depth_layers.size(), cfg_.depth_layer_weights.size());
  layers_ = cfg_.style_layers;
  if (std::find(layers_.begin(), layers_.end(), cfg_.content_layer) == layers_.end()) layers_.push_back(cfg_.content_layer);
  depth_taps_ = cfg_.depth_layers;
  if (cfg_.depth_weight > 0) depth_taps_.push_back("depth");
  if (!depth_taps_.empty() && !depth_net_) throw Error("the depth loss needs a depth network");
  NoGradGuard ng;
  std::map<std::string, Var> f = net_.run(Var(style_image.to(device)), cfg_.style_layers);
  for (const std::string& l : cfg_.style_layers) grams_.push_back(gram_over_m(f.at(l)));
}

std::vector<std::string> TransferLoss::term_names() { return {"total", "content", "style", "tv", "depth"}; }

bool TransferLoss::uses_depth() const { return !depth_taps_.empty(); }

Var TransferLoss::total(const Var& x, const Var& y, std::vector<double>* terms) const {
  float inv_b = 1.0f / static_cast<float>(y.shape()[0]);  // content, style, TV are sums over the batch
  std::map<std::string, Var> fy = net_.run(y, layers_), fx_depth;
  Var content_target;
  {
    NoGradGuard ng;
    content_target = net_.run(x, {cfg_.content_layer}).at(cfg_.content_layer);
    if (uses_depth()) fx_depth = depth_net_->run(x, depth_taps_);
  }
  std::vector<Var> parts = {content_loss(fy.at(cfg_.content_layer), content_target) * (cfg_.content_weight * inv_b)};
  Var style;
  for (size_t l = 0; l < cfg_.style_layers.size(); ++l) {
    Var e = style_loss_from_grams(gram_over_m(fy.at(cfg_.style_layers[l])), grams_[l]) * cfg_.style_layer_weights[l];
    style = style.defined() ? style + e : e;
  }
  parts.push_back(style * (cfg_.style_weight * inv_b));
  parts.push_back(tv_loss(y) * (cfg_.tv_weight * inv_b));
  if (uses_depth()) {
    std::map<std::string, Var> fy_depth = depth_net_->run(y, depth_taps_);
    Var depth;
    for (size_t k = 0; k < depth_taps_.size(); ++k) {
      const std::string& t = depth_taps_[k];
      float w = k < cfg_.depth_layers.size() ? cfg_.depth_layer_weights[k] : cfg_.depth_weight;
      Var e = mse_loss(fy_depth.at(t), fx_depth.at(t)) * w;
      depth = depth.defined() ? depth + e : e;
    }
    parts.push_back(depth);
  }
  Var sum_all = parts[0];
  for (size_t i = 1; i < parts.size(); ++i) sum_all = sum_all + parts[i];
  terms->clear();
  terms->push_back(sum_all.value().item());
  for (const Var& p : parts) terms->push_back(p.value().item());
  if (!uses_depth()) terms->push_back(0.0);
  return sum_all;
}

// ---- transformer weights and checkpoint files ------------------------------

ParamSet fast_style_init(const std::string& init, uint64_t seed) {
  if (init == "random") {
    Rng rng(seed);
    std::map<std::string, Tensor> t;
    for (const auto& [name, shape] : FastStyleNet::param_shapes()) {
      if (shape.size() == 4) {  // conv [O,I,kh,kw] or transposed [I,O,kh,kw]: Cin is I
        int64_t cin = name.rfind("deconv", 0) == 0 ? shape[0] : shape[1];
        t[name] = rng.normal_tensor(shape, 0.0f, static_cast<float>(std::sqrt(2.0 / static_cast<double>(cin * shape[2] * shape[3]))));
      } else {
        bool scale = name.size() > 7 && name.compare(name.size() - 7, 7, ".weight") == 0;
        t[name] = Tensor::full(shape, scale ? 1.0f : 0.0f);
      }
    }
    return ParamSet(t, "random initialisation (seed " + std::to_string(seed) + ")");
  }
  return load_fast_style(init, Device::CPU).params();  // a file or a pretrained style name
}

std::string checkpoint_path(const std::string& dir, int64_t step) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "step_%06lld.h5", static_cast<long long>(step));
  return (fs::path(dir) / buf).string();
}

std::string optim_path(const std::string& checkpoint) {
  std::string base = checkpoint.size() > 3 && checkpoint.compare(checkpoint.size() - 3, 3, ".h5") == 0
                         ? checkpoint.substr(0, checkpoint.size() - 3)
                         : checkpoint;
  return base + ".optim.h5";
}

int64_t checkpoint_step(const std::string& path) {
  std::string n = fs::path(path).filename().string();
  long long s = -1;
  char tail[8] = {0};
  if (std::sscanf(n.c_str(), "step_%lld%7s", &s, tail) == 2 && std::string(tail) == ".h5") return s;
  return -1;
}

std::vector<std::string> existing_checkpoints(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code e;
  if (!fs::is_directory(dir, e)) return out;
  for (const fs::directory_entry& f : fs::directory_iterator(dir))
    if (checkpoint_step(f.path().string()) >= 0) out.push_back(f.path().string());
  return out;
}

std::string resolve_checkpoint(const std::string& file_or_dir) {
  if (!fs::is_directory(file_or_dir)) return file_or_dir;
  std::string best;
  int64_t best_step = -1;
  for (const std::string& c : existing_checkpoints(file_or_dir))
    if (checkpoint_step(c) > best_step) best_step = checkpoint_step(c), best = c;
  if (best.empty()) throw Error(file_or_dir + ": no checkpoint (step_NNNNNN.h5) in this folder");
  return best;
}

// ---- the trainer ---------------------------------------------------------------

Trainer::Trainer(ParamSet transformer, const TransferLoss& loss, ImageStream& data, TrainConfig cfg, Device device)
    : net_(transformer.to(device)), loss_(loss), data_(data), cfg_(std::move(cfg)), device_(device) {
  if (cfg_.batch_size < 1) throw Error("batch size must be at least 1");
  net_.params().set_trainable(true);
  for (const auto& [name, v] : net_.params().items()) {
    names_.push_back(name);
    params_.push_back(v);
    m_.push_back(Tensor::zeros(v.shape(), device));
    v_.push_back(Tensor::zeros(v.shape(), device));
  }
}

const std::vector<double>& Trainer::step() {
  auto t0 = std::chrono::steady_clock::now();
  Var x(data_.next_batch(cfg_.batch_size, cursor_).to(device_));
  for (Var& p : params_) p.zero_grad();
  std::vector<double> terms;
  Var total = loss_.total(x, net_.forward(x), &terms);
  if (!std::isfinite(terms[0]))
    throw Error("the loss became " + std::to_string(terms[0]) + " at step " + std::to_string(step_ + 1) +
                "; try a smaller --lr or smaller loss weights. The checkpoints written so far are intact");
  total.backward();
  // A finite loss can still give an overflowing gradient; Adam would carry it into every
  // weight (and the next checkpoint), so stop first. dot(g, g) is not finite exactly when some
  // element is not, or when |g| exceeds ~1.8e19 (float overflow of g²), itself a blown-up step.
  for (size_t i = 0; i < params_.size(); ++i) {
    const Tensor& g = params_[i].grad();
    if (g.defined() && !std::isfinite(DS_DISPATCH(device_, dot, g, g)))
      throw Error("the gradient of '" + names_[i] + "' is not finite at step " + std::to_string(step_ + 1) +
                  " (loss " + std::to_string(terms[0]) + "); try a smaller --lr or smaller loss weights. "
                  "The checkpoints written so far are intact");
  }
  ++step_;
  AdamParams ap;
  ap.lr = cfg_.lr;
  for (size_t i = 0; i < params_.size(); ++i) {
    const Tensor& g = params_[i].grad();
    if (g.defined()) DS_DISPATCH(device_, adam_update, params_[i].value_mut(), g, m_[i], v_[i], ap, step_);
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::vector<double> row = {static_cast<double>(step_), (history_.empty() ? 0.0 : history_.back()[1]) + secs};
  row.insert(row.end(), terms.begin(), terms.end());
  history_.push_back(std::move(row));
  return history_.back();
}

std::vector<double> Trainer::evaluate(const Tensor& batch) const {
  NoGradGuard ng;
  Var x(batch.to(device_));
  std::vector<double> terms;
  loss_.total(x, net_.forward(x), &terms);
  return terms;
}

std::map<std::string, Tensor> Trainer::adam_state() const {
  std::map<std::string, Tensor> state;
  for (size_t i = 0; i < names_.size(); ++i) {
    state["m." + names_[i]] = m_[i].to(Device::CPU);
    state["v." + names_[i]] = v_[i].to(Device::CPU);
  }
  return state;
}

void Trainer::save(const std::string& checkpoint, const std::map<std::string, h5::AttrValue>& attrs) const {
  std::map<std::string, Tensor> state = adam_state();
  if (!history_.empty()) {
    Tensor h = Tensor::empty({static_cast<int64_t>(history_.size()), static_cast<int64_t>(history_[0].size())});
    float* d = h.data();
    for (const std::vector<double>& row : history_)
      for (double v : row) *d++ = static_cast<float>(v);
    state["history"] = h;
  }
  using A = h5::AttrValue;
  std::map<std::string, A> oa = {{"step", A::integer_value(step_)},
                                 {"cursor", A::integer_value(cursor_)},
                                 {"seed", A::integer_value(static_cast<int64_t>(data_.seed()))},
                                 {"batch_size", A::integer_value(cfg_.batch_size)},
                                 {"crop_size", A::integer_value(data_.crop_size())},
                                 {"image_count", A::integer_value(static_cast<int64_t>(data_.size()))},
                                 {"lr", A::number(cfg_.lr)}};
  // The optimiser state first: a weights file present always has its state beside it.
  save_weights(optim_path(checkpoint), kOptimArch, state, oa);
  std::map<std::string, A> wa = fast_style_attrs();
  for (const auto& kv : attrs) wa[kv.first] = kv.second;
  wa["step"] = A::integer_value(step_);
  save_weights(checkpoint, "fast_style_tf", net_.params().tensors(), wa);
}

void Trainer::resume(const std::string& checkpoint) {
  FastStyleNet w = load_fast_style(checkpoint, Device::CPU);
  std::string op = optim_path(checkpoint);
  if (!fs::is_regular_file(op))
    throw Error(checkpoint + ": no optimiser state " + op + " beside it, so it cannot be resumed exactly (--init " +
                checkpoint + " starts a new run from its weights)");
  WeightFile o = load_weights(op, kOptimArch);
  auto expect = [&](const char* attr, int64_t have, const char* option) {
    auto saved = static_cast<int64_t>(o.attr_number(attr));
    if (saved != have)
      throw Error(op + ": the run was trained with " + option + " " + std::to_string(saved) + ", this one has " +
                  std::to_string(have) + "; resuming exactly needs the same --seed, --batch-size, --crop-size and images");
  };
  expect("seed", static_cast<int64_t>(data_.seed()), "--seed");
  expect("batch_size", cfg_.batch_size, "--batch-size");
  expect("crop_size", data_.crop_size(), "--crop-size");
  expect("image_count", static_cast<int64_t>(data_.size()), "the image count");
  for (size_t i = 0; i < names_.size(); ++i) {
    params_[i].value_mut().copy_from(w.params().get(names_[i]).value());
    for (auto [prefix, dst] : {std::make_pair("m.", &m_[i]), std::make_pair("v.", &v_[i])}) {
      const Tensor& t = o.param(prefix + names_[i]);
      if (t.shape() != dst->shape()) throw Error(op + ": '" + prefix + names_[i] + "' has shape " + shape_str(t.shape()));
      dst->copy_from(t);
    }
  }
  step_ = static_cast<int64_t>(o.attr_number("step"));
  cursor_ = static_cast<int64_t>(o.attr_number("cursor"));
  history_.clear();
  if (o.params.count("history")) {
    const Tensor& h = o.param("history");
    for (int64_t r = 0; r < h.shape()[0]; ++r)
      history_.emplace_back(h.data() + r * h.shape()[1], h.data() + (r + 1) * h.shape()[1]);
  }
}

}  // namespace app
}  // namespace ds
