#include "nn/params.h"

#include <cmath>

namespace ds {

ParamSet::ParamSet(const std::map<std::string, Tensor>& tensors, std::string source) : source_(std::move(source)) {
  for (const auto& [name, t] : tensors) params_.emplace(name, Var(t, false));
}

const Var& ParamSet::get(const std::string& name) const {
  auto it = params_.find(name);
  if (it == params_.end())
    throw Error((source_.empty() ? std::string("parameters") : source_) + ": missing parameter '" + name + "'");
  return it->second;
}

const Var& ParamSet::get_shaped(const std::string& name, const Shape& shape) const {
  const Var& v = get(name);
  if (v.shape() != shape)
    throw Error((source_.empty() ? std::string("parameters") : source_) + ": parameter '" + name + "' has shape " +
                shape_str(v.shape()) + ", expected " + shape_str(shape));
  return v;
}

void ParamSet::set(const std::string& name, Tensor value) { params_[name] = Var(std::move(value), false); }

ParamSet ParamSet::to(Device d) const {
  ParamSet p;
  p.source_ = source_;
  for (const auto& [name, v] : params_) p.params_.emplace(name, Var(v.value().to(d), v.requires_grad()));
  return p;
}

void ParamSet::set_trainable(bool on) {
  for (auto& [name, v] : params_) v.set_requires_grad(on);
}

std::vector<Var> ParamSet::all() const {
  std::vector<Var> out;
  for (const auto& [name, v] : params_) out.push_back(v);
  return out;
}

std::map<std::string, Tensor> ParamSet::tensors() const {
  std::map<std::string, Tensor> out;
  for (const auto& [name, v] : params_) out.emplace(name, v.value());
  return out;
}

int64_t ParamSet::count() const {
  int64_t n = 0;
  for (const auto& [name, v] : params_) n += v.value().numel();
  return n;
}

static bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

Tensor synthetic_param(const std::string& name, const Shape& shape) {
  int64_t seed = 0;
  for (size_t k = 0; k < name.size(); ++k) seed += static_cast<int64_t>(k + 1) * static_cast<unsigned char>(name[k]);
  seed %= 9973;
  double a = 0.1, offset = 0.0;
  if (shape.size() == 4) a = 2.0 / std::sqrt(static_cast<double>(shape_numel(shape) / shape[0]));
  else if (ends_with(name, "running_var")) a = 0.25, offset = 0.75;
  else if (ends_with(name, "weight")) a = 0.2, offset = 1.0;
  Tensor t = Tensor::empty(shape);
  for (int64_t i = 0; i < t.numel(); ++i)
    t.data()[i] = static_cast<float>(offset + a * std::sin(0.618034 * static_cast<double>(i) + 0.1 * static_cast<double>(seed)));
  return t;
}

ParamSet synthetic_params(const ParamShapes& shapes) {
  std::map<std::string, Tensor> m;
  for (const auto& [name, shape] : shapes) m[name] = synthetic_param(name, shape);
  return ParamSet(m, "synthetic");
}

}  // namespace ds
