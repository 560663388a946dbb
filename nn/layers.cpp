// Layer builders shared by the models, and input preprocessing.
#include <cmath>

#include "autograd/ops.h"
#include "nn/models.h"

namespace ds {

Var preprocess(const Var& rgb01, const Preprocess& p) {
  // y_c = (scale * x_src(c) - mean_c) / std_c  as a 1x1 conv: weight[c][src(c)] = scale/std_c.
  std::vector<float> w(9, 0.0f), b(3);
  for (int c = 0; c < 3; ++c) {
    int src = p.bgr ? 2 - c : c;
    w[static_cast<size_t>(c * 3 + src)] = p.value_scale / p.std[static_cast<size_t>(c)];
    b[static_cast<size_t>(c)] = -p.mean[static_cast<size_t>(c)] / p.std[static_cast<size_t>(c)];
  }
  Var wv(Tensor::from_vector({3, 3, 1, 1}, w, rgb01.device())), bv(Tensor::from_vector({3}, b, rgb01.device()));
  if (rgb01.shape().size() != 4 || rgb01.shape()[1] != 3)
    throw Error("preprocess: expected an RGB image [N,3,H,W], got " + shape_str(rgb01.shape()));
  return conv2d(rgb01, wv, bv, Conv2dParams{});
}

Var deprocess(const Var& y, const Preprocess& p) {
  // rgb_src(c) = (std_c * y_c + mean_c) / scale, the inverse of preprocess, as a 1x1 conv.
  std::vector<float> w(9, 0.0f), b(3);
  for (int c = 0; c < 3; ++c) {
    int dst = p.bgr ? 2 - c : c;
    w[static_cast<size_t>(dst * 3 + c)] = p.std[static_cast<size_t>(c)] / p.value_scale;
    b[static_cast<size_t>(dst)] = p.mean[static_cast<size_t>(c)] / p.value_scale;
  }
  if (y.shape().size() != 4 || y.shape()[1] != 3)
    throw Error("deprocess: expected a 3-channel image [N,3,H,W], got " + shape_str(y.shape()));
  Var wv(Tensor::from_vector({3, 3, 1, 1}, w, y.device())), bv(Tensor::from_vector({3}, b, y.device()));
  return conv2d(y, wv, bv, Conv2dParams{});
}

Var conv(const ParamSet& p, const std::string& prefix, const Var& x, const Conv2dParams& cp, bool bias) {
  return conv2d(x, p.get(prefix + ".weight"), bias ? p.get(prefix + ".bias") : Var(), cp);
}

NamedLayer conv_layer(const std::string& name, const ParamSet& p, const std::string& prefix, const Conv2dParams& cp) {
  Var w = p.get(prefix + ".weight"), b = p.get(prefix + ".bias");
  return {name, [w, b, cp](const Var& x) { return conv2d(x, w, b, cp); }};
}

NamedLayer relu_layer(const std::string& name) { return {name, [](const Var& x) { return relu(x); }}; }

std::vector<NamedLayer> conv_relu_layers(const std::string& conv_name, const std::string& relu_name, const ParamSet& p,
                                         const std::string& prefix, const Conv2dParams& cp) {
  NamedLayer c = conv_layer(conv_name, p, prefix, cp);
  Var w = p.get(prefix + ".weight"), b = p.get(prefix + ".bias");
  c.fused_with_next = [w, b, cp](const Var& x) { return conv2d_relu(x, w, b, cp); };
  return {c, relu_layer(relu_name)};
}

void fold_batch_norm(ParamSet& p, const std::string& conv, const std::string& bn, float eps) {
  Tensor w = p.get(conv + ".weight").value();
  std::string src = p.source().empty() ? "parameters" : p.source();
  if (w.ndim() != 4) throw Error(src + ": " + conv + ".weight should be 4-D, got " + shape_str(w.shape()));
  int64_t cout = w.shape()[0], per = w.numel() / cout;
  auto channel_vec = [&](const std::string& name) {
    return p.get_shaped(name, {cout}).value().to(Device::CPU).to_vector();
  };
  std::vector<float> gamma = channel_vec(bn + ".weight"), beta = channel_vec(bn + ".bias");
  std::vector<float> mean = channel_vec(bn + ".running_mean"), var = channel_vec(bn + ".running_var");
  std::vector<float> b = p.has(conv + ".bias") ? channel_vec(conv + ".bias") : std::vector<float>(cout, 0.0f);
  std::vector<float> wv = w.to(Device::CPU).to_vector(), bv(static_cast<size_t>(cout));
  for (size_t c = 0; c < static_cast<size_t>(cout); ++c) {
    double v = static_cast<double>(var[c]) + eps;
    if (!(v > 0))
      throw Error(src + ": " + bn + ".running_var + eps must be positive, channel " + std::to_string(c));
    double s = gamma[c] / std::sqrt(v);
    for (size_t k = c * static_cast<size_t>(per); k < (c + 1) * static_cast<size_t>(per); ++k)
      wv[k] = static_cast<float>(wv[k] * s);
    bv[c] = static_cast<float>(beta[c] + (static_cast<double>(b[c]) - mean[c]) * s);
  }
  p.set(conv + ".weight", Tensor::from_vector(w.shape(), wv, w.device()));
  p.set(conv + ".bias", Tensor::from_vector({cout}, bv, w.device()));
  for (const char* k : {".weight", ".bias", ".running_mean", ".running_var"}) p.erase(bn + k);
}

Pooling parse_pooling(const std::string& name) {
  if (name == "max") return Pooling::Max;
  if (name == "avg") return Pooling::Avg;
  throw Error("unknown pooling '" + name + "': expected max or avg");
}

NamedLayer pool_layer(const std::string& name, const Pool2dParams& pp, Pooling pooling) {
  if (pooling == Pooling::Avg) return {name, [pp](const Var& x) { return avg_pool2d(x, pp); }};
  return {name, [pp](const Var& x) { return max_pool2d(x, pp); }};
}

}  // namespace ds
