#include "nn/network.h"

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

std::map<std::string, Var> LayerNet::run(const Var& x, const std::vector<std::string>& taps) const {
  size_t depth = depth_for(taps);
  std::map<std::string, Var> out;
  Var h = x;
  for (size_t i = 0; i < depth; ++i) {
    ProfileLayer tag(arch_, layers_[i].name);
    h = layers_[i].fn(h);
    for (const std::string& t : taps)
      if (t == layers_[i].name) out[t] = h;
  }
  return out;
}

Var LayerNet::forward(const Var& x) const {
  Var h = x;
  for (const NamedLayer& l : layers_) {
    ProfileLayer tag(arch_, l.name);
    h = l.fn(h);
  }
  return h;
}

}  // namespace ds
