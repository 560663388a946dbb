#include <algorithm>

#include "nn/models.h"

namespace ds {

TapSet::TapSet(const std::string& arch, const std::vector<std::string>& valid, const std::vector<std::string>& taps)
    : layer_tag_(arch, valid) {
  for (const std::string& t : taps) {
    if (std::find(valid.begin(), valid.end(), t) == valid.end()) {
      std::string list;
      for (const std::string& v : valid) list += (list.empty() ? "" : ", ") + v;
      throw Error(arch + ": no layer named '" + t + "'; layers are: " + list);
    }
    if (std::find(wanted_.begin(), wanted_.end(), t) == wanted_.end()) wanted_.push_back(t);
  }
}

bool TapSet::wants(const std::string& name) const {
  return std::find(wanted_.begin(), wanted_.end(), name) != wanted_.end();
}

bool TapSet::emit(const std::string& name, const Var& v) {
  if (wants(name)) out_[name] = v;
  layer_tag_.done(name);
  return done();
}

std::pair<int, int> tf_same_padding(int64_t n, int k, int stride) {
  int64_t out = (n + stride - 1) / stride;
  int total = static_cast<int>(std::max<int64_t>((out - 1) * stride + k - n, 0));
  return {total / 2, total - total / 2};
}

}  // namespace ds
