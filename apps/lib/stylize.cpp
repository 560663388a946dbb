#include "apps/lib/stylize.h"

#include <algorithm>
#include <cmath>

#include "autograd/ops.h"
#include "losses/losses.h"
#include "tensor/image_io.h"
#include "tensor/random.h"

namespace ds {
namespace app {

StylizeConfig default_config(const std::string& net) {
  StylizeConfig c;
  if (net == "squeezenet") {
    // Layers as in the CS231n SqueezeNet transfer; weights rescaled to this project's loss
    // normalisation (style 1/(4N²M²), content ½Σ, pixels in [0,1]) and tuned on the NYU demo.
    c.content_layer = "fire2";
    c.style_layers = {"relu1", "fire3", "fire4", "fire5"};
    c.style_layer_weights = {80000, 2000, 48, 4};
    c.content_weight = 0.12f;
    c.style_weight = 50.0f;
    c.tv_weight = 0.4f;
    c.lr = 0.03f;
    c.lr_step = 150;
  } else if (net == "vgg16") {
    // Gatys et al.: content conv4_2, style relu1_1 ... relu5_1 with equal weights.
    c.content_layer = "relu4_2";
    c.style_layers = {"relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu5_1"};
    c.style_layer_weights = {1000, 1000, 1000, 1000, 1000};
    c.content_weight = 0.01f;
    c.style_weight = 1.0f;
    c.tv_weight = 0.4f;
    c.lr = 0.03f;
    c.lr_step = 150;
  } else {
    throw Error("unknown network '" + net + "': expected squeezenet or vgg16");
  }
  return c;
}

std::pair<int64_t, int64_t> fit_long_side(int64_t h, int64_t w, int long_side) {
  double s = static_cast<double>(long_side) / static_cast<double>(std::max(h, w));
  return {std::max<int64_t>(1, std::llround(static_cast<double>(h) * s)),
          std::max<int64_t>(1, std::llround(static_cast<double>(w) * s))};
}

Tensor resize_image(const Tensor& img, int64_t h, int64_t w) {
  NoGradGuard ng;
  Var x(img);
  int64_t k = std::min(img.shape()[2] / h, img.shape()[3] / w);
  if (k >= 2) x = avg_pool2d(x, Pool2dParams::make(static_cast<int>(k), static_cast<int>(k)));
  if (x.shape()[2] != h || x.shape()[3] != w) x = resize_bilinear(x, h, w);
  return x.value();
}

Stylizer::Stylizer(const FeatureNet& net, const DepthEstimator* depth_net, const Tensor& content, const Tensor& depth01,
                   std::vector<StyleInput> styles, StylizeConfig cfg, Device device)
    : net_(net), depth_net_(depth_net), cfg_(std::move(cfg)), device_(device) {
  if (cfg_.style_layers.size() != cfg_.style_layer_weights.size())
    throw Error("stylize: " + std::to_string(cfg_.style_layers.size()) + " style layers but " +
                std::to_string(cfg_.style_layer_weights.size()) + " style layer weights");
  if (cfg_.depth_weight > 0 && !depth_net_) throw Error("stylize: the depth loss needs a depth network");
  if (content.shape()[2] != depth01.shape()[2] || content.shape()[3] != depth01.shape()[3])
    throw Error("stylize: content " + shape_str(content.shape()) + " and depth " + shape_str(depth01.shape()) +
                " differ in size");
  layers_ = cfg_.style_layers;
  if (std::find(layers_.begin(), layers_.end(), cfg_.content_layer) == layers_.end())
    layers_.push_back(cfg_.content_layer);

  NoGradGuard ng;
  Var c(content.to(device_));
  std::map<std::string, Var> cf = net_.run(c, layers_);
  content_target_ = cf.at(cfg_.content_layer);
  auto layer_mask = [&](const Tensor& full, const std::string& layer) {
    const Shape& s = cf.at(layer).shape();
    return Var(resize_mask(full, static_cast<int>(s[2]), static_cast<int>(s[3])));
  };
  if (cfg_.content_masked) {
    content_mask_full_ = make_mask(cfg_.content_mask, depth01).to(device_);
    content_mask_ = layer_mask(content_mask_full_, cfg_.content_layer);
  }
  for (StyleInput& s : styles) {
    StyleTarget t;
    t.name = s.name;
    t.weight = s.weight;
    std::map<std::string, Var> sf = net_.run(Var(s.image.to(device_)), cfg_.style_layers);
    if (s.masked) t.full_mask = make_mask(s.mask, depth01).to(device_);
    for (const std::string& l : cfg_.style_layers) {
      t.grams.push_back(gram_over_m(sf.at(l)));
      if (s.masked) t.masks.push_back(layer_mask(t.full_mask, l));
    }
    styles_.push_back(std::move(t));
  }
  if (cfg_.depth_weight > 0) depth_target_ = depth_net_->predict(c);

  Tensor init;
  if (cfg_.init == "content") init = content.clone();
  else if (cfg_.init == "noise") init = Rng(cfg_.seed).uniform_tensor(content.shape(), 0.0f, 1.0f);
  else init = resize_image(load_image_rgb(cfg_.init), content.shape()[2], content.shape()[3]);
  image_ = Var(init.to(device_), true);
}

std::vector<std::string> Stylizer::term_names() const {
  std::vector<std::string> n = {"total", "content"};
  for (const StyleTarget& s : styles_) n.push_back("style_" + s.name);
  n.push_back("tv");
  n.push_back("depth");
  return n;
}

Var Stylizer::total_loss(const Var& image, std::vector<double>* terms) const {
  std::map<std::string, Var> f = net_.run(image, layers_);
  std::vector<Var> parts;
  auto add = [&](Var term) {
    terms->push_back(term.value().item());
    parts.push_back(std::move(term));
  };
  const Var& fc = f.at(cfg_.content_layer);
  add((cfg_.content_masked ? masked_content_loss(fc, content_target_, content_mask_) : content_loss(fc, content_target_)) *
      cfg_.content_weight);
  for (const StyleTarget& s : styles_) {
    Var style;
    for (size_t l = 0; l < cfg_.style_layers.size(); ++l) {
      const Var& fl = f.at(cfg_.style_layers[l]);
      Var g = s.masks.empty() ? gram_over_m(fl) : masked_gram_over_m(fl, s.masks[l]);
      Var e = style_loss_from_grams(g, s.grams[l]) * cfg_.style_layer_weights[l];
      style = style.defined() ? style + e : e;
    }
    add(style * (cfg_.style_weight * s.weight));
  }
  add(tv_loss(image) * cfg_.tv_weight);
  if (cfg_.depth_weight > 0) add(depth_loss(depth_target_, depth_net_->predict(image)) * cfg_.depth_weight);
  else terms->push_back(0.0);
  Var total = parts[0];
  for (size_t i = 1; i < parts.size(); ++i) total = total + parts[i];
  terms->insert(terms->begin(), total.value().item());
  return total;
}

std::vector<double> Stylizer::evaluate(const Tensor& image) const {
  NoGradGuard ng;
  std::vector<double> terms;
  total_loss(Var(image.to(device_)), &terms);
  return terms;
}

void Stylizer::run(int iters, const std::function<void(int, const std::vector<double>&)>& on_iter) {
  std::vector<double> terms;
  if (cfg_.optimizer == "adam") {
    Adam opt({image_}, AdamParams{cfg_.lr});
    for (int it = 1; it <= iters; ++it) {
      opt.set_lr(step_decay_lr(cfg_.lr, cfg_.lr_decay, cfg_.lr_step, it - 1));
      opt.zero_grad();
      terms.clear();
      total_loss(image_, &terms).backward();
      opt.step();
      on_iter(it, terms);
    }
  } else if (cfg_.optimizer == "lbfgs") {
    LBFGS opt({image_}, 1.0f, 20);
    for (int it = 1; it <= iters; ++it) {
      opt.step([&] {
        image_.zero_grad();
        terms.clear();
        Var loss = total_loss(image_, &terms);
        loss.backward();
        return static_cast<float>(terms[0]);
      });
      on_iter(it, terms);  // the terms of the last evaluation (the accepted point)
    }
  } else {
    throw Error("unknown optimizer '" + cfg_.optimizer + "': expected adam or lbfgs");
  }
}

std::vector<std::pair<std::string, Tensor>> Stylizer::masks() const {
  std::vector<std::pair<std::string, Tensor>> out;
  if (cfg_.content_masked) out.push_back({"content mask", content_mask_full_});
  for (const StyleTarget& s : styles_)
    if (s.full_mask.defined()) out.push_back({s.name + " mask", s.full_mask});
  return out;
}

}  // namespace app
}  // namespace ds
