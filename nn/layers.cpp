// Layer builders shared by the models, and input preprocessing.
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

Var conv(const ParamSet& p, const std::string& prefix, const Var& x, const Conv2dParams& cp, bool bias) {
  return conv2d(x, p.get(prefix + ".weight"), bias ? p.get(prefix + ".bias") : Var(), cp);
}

NamedLayer conv_layer(const std::string& name, const ParamSet& p, const std::string& prefix, const Conv2dParams& cp) {
  Var w = p.get(prefix + ".weight"), b = p.get(prefix + ".bias");
  return {name, [w, b, cp](const Var& x) { return conv2d(x, w, b, cp); }};
}

NamedLayer relu_layer(const std::string& name) { return {name, [](const Var& x) { return relu(x); }}; }

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
