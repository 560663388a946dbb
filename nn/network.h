// A network as an ordered list of named layers (VGG's conv1_1 ... relu5_3, SqueezeNet's
// fire2 ...), run up to the deepest layer somebody asked for. Networks with skip
// connections (ResNet, decoders) keep whatever state they need inside their layer closures'
// captured objects, or provide their own forward.
//
// Invariant: run(x, taps) evaluates exactly layers [0, k] where k is the index of the
// deepest tapped layer, so layers beyond it cost nothing.
#pragma once
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "autograd/var.h"

namespace ds {

struct NamedLayer {
  std::string name;
  std::function<Var(const Var&)> fn;
  // Optional: this layer and the next one as one op (conv + ReLU), used when this layer's own
  // output is not tapped, so that the intermediate tensor is never kept.
  std::function<Var(const Var&)> fused_with_next = nullptr;
};

class LayerNet {
 public:
  LayerNet() = default;
  LayerNet(std::string arch, std::vector<NamedLayer> layers) : arch_(std::move(arch)), layers_(std::move(layers)) {}

  // Activations of the tapped layers; unknown names are an error that lists the valid ones.
  std::map<std::string, Var> run(const Var& x, const std::vector<std::string>& taps) const;
  Var forward(const Var& x) const;  // every layer
  std::vector<std::string> layer_names() const;
  bool has_layer(const std::string& name) const;
  const std::string& arch() const { return arch_; }
  // Number of layers that run(x, taps) evaluates (for tests of the "costs nothing beyond" rule).
  size_t depth_for(const std::vector<std::string>& taps) const;

 private:
  // Layers [0, depth), recording the tapped activations into out.
  Var run_layers(const Var& x, size_t depth, const std::vector<std::string>& taps,
                 std::map<std::string, Var>& out) const;

  std::string arch_;
  std::vector<NamedLayer> layers_;
};

}  // namespace ds
