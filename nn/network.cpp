#include "nn/network.h"

#include <algorithm>

#include "autograd/profile.h"

namespace ds {

std::vector<std::string> LayerNet::layer_names() const {
  std::vector<std::string> names;
  for (const NamedLayer& l : layers_) names.push_back(l.name);
  return names;
}

bool LayerNet::has_layer(const std::string& name) const {
  for (const NamedLayer& l : layers_)
    if (l.name == name) return true;
  return false;
}

size_t LayerNet::depth_for(const std::vector<std::string>& taps) const {
  size_t depth = 0;
  for (const std::string& t : taps) {
    size_t i = 0;
    while (i < layers_.size() && layers_[i].name != t) ++i;
    if (i == layers_.size()) {
      std::string valid;
      for (const NamedLayer& l : layers_) valid += (valid.empty() ? "" : ", ") + l.name;
      throw Error(arch_ + ": no layer named '" + t + "'; layers are: " + valid);
    }
    depth = std::max(depth, i + 1);
  }
  return depth;
}

Var LayerNet::run_layers(const Var& x, size_t depth, const std::vector<std::string>& taps,
                         std::map<std::string, Var>& out) const {
  auto tapped = [&](const std::string& name) { return std::find(taps.begin(), taps.end(), name) != taps.end(); };
  Var h = x;
  for (size_t i = 0; i < depth; ++i) {
    const NamedLayer& l = layers_[i];
    ProfileLayer tag(arch_, l.name);
    if (l.fused_with_next && i + 1 < depth && !tapped(l.name)) {
      h = l.fused_with_next(h);
      ++i;
    } else {
      h = l.fn(h);
    }
    if (tapped(layers_[i].name)) out[layers_[i].name] = h;
  }
  return h;
}

std::map<std::string, Var> LayerNet::run(const Var& x, const std::vector<std::string>& taps) const {
  std::map<std::string, Var> out;
  run_layers(x, depth_for(taps), taps, out);
  return out;
}

Var LayerNet::forward(const Var& x) const {
  std::map<std::string, Var> none;
  return run_layers(x, layers_.size(), {}, none);
}

}  // namespace ds
