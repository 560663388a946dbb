#include "weights/weights.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <sstream>

namespace ds {

namespace {

std::string file_msg(const std::string& path) { return "weights file '" + path + "'"; }

std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) s += (i ? sep : "") + v[i];
  return s;
}

// Preprocessing attributes: all four or none.
WeightPreprocessing read_preprocessing(const WeightFile& f) {
  static const char* kNames[] = {"channel_order", "value_scale", "mean", "std"};
  std::vector<std::string> present, missing;
  for (const char* n : kNames) (f.has_attr(n) ? present : missing).push_back(n);
  WeightPreprocessing p;
  if (present.empty()) return p;
  if (!missing.empty())
    throw Error(file_msg(f.path) + ": incomplete preprocessing attributes: has " + join(present, ", ") + " but not " +
                join(missing, ", "));
  p.present = true;
  p.channel_order = f.attr_string("channel_order");
  if (p.channel_order != "RGB" && p.channel_order != "BGR")
    throw Error(file_msg(f.path) + ": attribute 'channel_order' is '" + p.channel_order + "', expected RGB or BGR");
  p.value_scale = f.attr_number("value_scale");
  if (!(p.value_scale > 0)) throw Error(file_msg(f.path) + ": attribute 'value_scale' must be positive");
  for (const char* n : {"mean", "std"}) {
    const h5::AttrValue& v = f.attrs.at(n);
    if (v.kind != h5::AttrValue::Kind::Numbers || v.numbers.size() != 3)
      throw Error(file_msg(f.path) + ": attribute '" + n + "' is " + v.str() + ", expected 3 numbers");
    for (int c = 0; c < 3; ++c) (std::string(n) == "mean" ? p.mean : p.std)[c] = v.numbers[c];
  }
  for (double s : p.std)
    if (!(s > 0)) throw Error(file_msg(f.path) + ": attribute 'std' must hold positive numbers");
  return p;
}

// The error for parameters holding NaN or infinity: each one named with its counts.
void refuse_nonfinite(const WeightFile& w) {
  std::vector<std::string> bad;
  for (const auto& [name, t] : w.params) {
    NonFiniteCount c = count_nonfinite(t);
    if (c.total() == 0) continue;
    std::string what = c.nan ? std::to_string(c.nan) + " NaN" : "";
    if (c.inf) what += (c.nan ? " and " : "") + std::to_string(c.inf) + " infinite";
    bad.push_back("'" + name + "' holds " + what + " value" + (c.total() > 1 ? "s" : "") + " (of " +
                  std::to_string(t.numel()) + ")");
  }
  if (bad.empty()) return;
  std::ostringstream os;
  os << file_msg(w.path) << ": " << bad.size() << " parameter" << (bad.size() > 1 ? "s are" : " is")
     << " not finite (a checkpoint of a diverged training run?): ";
  const size_t shown = std::min<size_t>(bad.size(), 5);
  for (size_t i = 0; i < shown; ++i) os << (i ? "; " : "") << bad[i];
  if (shown < bad.size()) os << "; ... and " << bad.size() - shown << " more";
  os << " (depthstyle info shows them all)";
  throw Error(os.str());
}

}  // namespace

NonFiniteCount count_nonfinite(const Tensor& t) {
  if (t.is_cuda()) return count_nonfinite(t.to(Device::CPU));
  NonFiniteCount c;
  const float* p = t.data();
  const int64_t n = t.numel();
  int64_t exp_max = 0, nan = 0;  // branch-free, so the loop vectorises: one pass at memory speed
  for (int64_t i = 0; i < n; ++i) {
    uint32_t b;
    std::memcpy(&b, p + i, 4);
    const bool special = (b & 0x7f800000u) == 0x7f800000u;
    exp_max += special;
    nan += special & ((b & 0x007fffffu) != 0);
  }
  c.nan = nan;
  c.inf = exp_max - nan;
  return c;
}

const Tensor& WeightFile::param(const std::string& name) const {
  auto it = params.find(name);
  if (it == params.end()) throw Error(file_msg(path) + ": no parameter '" + name + "'");
  return it->second;
}

std::string WeightFile::attr_string(const std::string& name) const {
  auto it = attrs.find(name);
  if (it == attrs.end()) throw Error(file_msg(path) + ": no attribute '" + name + "'");
  if (it->second.kind != h5::AttrValue::Kind::Strings || it->second.strings.size() != 1)
    throw Error(file_msg(path) + ": attribute '" + name + "' is " + it->second.str() + ", expected one string");
  return it->second.strings[0];
}

double WeightFile::attr_number(const std::string& name) const {
  auto it = attrs.find(name);
  if (it == attrs.end()) throw Error(file_msg(path) + ": no attribute '" + name + "'");
  if (it->second.kind != h5::AttrValue::Kind::Numbers || it->second.numbers.size() != 1)
    throw Error(file_msg(path) + ": attribute '" + name + "' is " + it->second.str() + ", expected one number");
  return it->second.numbers[0];
}

double WeightFile::attr_number(const std::string& name, double fallback) const {
  return has_attr(name) ? attr_number(name) : fallback;
}

int64_t WeightFile::param_count() const {
  int64_t n = 0;
  for (const auto& kv : params) n += kv.second.numel();
  return n;
}

WeightFile load_weights(const std::string& path, const std::string& expected_architecture, NonFinite nonfinite) {
  return load_weights(path,
                      expected_architecture.empty() ? std::vector<std::string>{} : std::vector<std::string>{expected_architecture},
                      nonfinite);
}

WeightFile load_weights(const std::string& path, const std::vector<std::string>& accepted, NonFinite nonfinite) {
  WeightFile w;
  w.path = path;
  h5::Root root = h5::Reader(path, "a depthstyle weight file (docs/weights-format.md)").root(true);
  w.attrs = std::move(root.attrs);

  if (!w.has_attr("format_version"))
    throw Error(file_msg(path) + ": not a depthstyle weight file (no 'format_version' attribute)");
  double version = w.attr_number("format_version");
  if (version != kWeightFormatVersion)
    throw Error(file_msg(path) + ": format_version " + w.attrs["format_version"].str() + " is not supported (this build reads " +
                std::to_string(kWeightFormatVersion) + ")");
  w.format_version = static_cast<int>(version);
  w.architecture = w.attr_string("architecture");
  if (!accepted.empty() && std::find(accepted.begin(), accepted.end(), w.architecture) == accepted.end())
    throw Error(file_msg(path) + ": architecture is '" + w.architecture + "', expected " +
                (accepted.size() == 1 ? "'" + accepted[0] + "'" : "one of " + join(accepted, ", ")));
  w.preprocessing = read_preprocessing(w);

  for (h5::Object& o : root.objects) {
    if (o.type == h5::Object::Type::Group)
      throw Error(file_msg(path) + ": unexpected object '" + o.name + "' (parameters are datasets in the root group)");
    if (o.type != h5::Object::Type::Float)
      throw Error(file_msg(path) + ": parameter '" + o.name + "' is not a float dataset");
    w.params.emplace(o.name, std::move(o.values));
  }
  if (nonfinite == NonFinite::Refuse) refuse_nonfinite(w);
  return w;
}

void check_params(const WeightFile& f, const std::vector<std::pair<std::string, Shape>>& expected) {
  std::vector<std::string> problems;
  std::map<std::string, Shape> want;
  for (const auto& e : expected) {
    want[e.first] = e.second;
    auto it = f.params.find(e.first);
    if (it == f.params.end())
      problems.push_back("missing parameter '" + e.first + "' " + shape_str(e.second));
    else if (it->second.shape() != e.second)
      problems.push_back("parameter '" + e.first + "' has shape " + shape_str(it->second.shape()) + ", expected " +
                         shape_str(e.second));
  }
  for (const auto& kv : f.params)
    if (!want.count(kv.first)) problems.push_back("unexpected parameter '" + kv.first + "' " + shape_str(kv.second.shape()));
  if (problems.empty()) return;
  std::ostringstream os;
  os << file_msg(f.path) << " (architecture '" << f.architecture << "') does not match the model: " << problems.size()
     << " problem" << (problems.size() > 1 ? "s" : "") << ":";
  const size_t shown = std::min<size_t>(problems.size(), 20);
  for (size_t i = 0; i < shown; ++i) os << "\n  " << problems[i];
  if (shown < problems.size()) os << "\n  ... and " << problems.size() - shown << " more";
  throw Error(os.str());
}

std::map<std::string, h5::AttrValue> preprocessing_attrs(const WeightPreprocessing& p) {
  return {{"channel_order", h5::AttrValue::string(p.channel_order)},
          {"value_scale", h5::AttrValue::number(p.value_scale)},
          {"mean", h5::AttrValue::array({p.mean[0], p.mean[1], p.mean[2]})},
          {"std", h5::AttrValue::array({p.std[0], p.std[1], p.std[2]})}};
}

void save_weights(const std::string& path, const std::string& architecture, const std::map<std::string, Tensor>& params,
                  const std::map<std::string, h5::AttrValue>& attrs) {
  for (const char* reserved : {"architecture", "format_version"})
    if (attrs.count(reserved)) throw Error("save_weights '" + path + "': attribute '" + reserved + "' is set by save_weights");
  if (architecture.empty()) throw Error("save_weights '" + path + "': empty architecture");
  AtomicFile out(path);
  h5::Writer f(out);
  f.set_attr("architecture", h5::AttrValue::string(architecture));
  f.set_attr("format_version", h5::AttrValue::integer_value(kWeightFormatVersion));
  for (const auto& kv : attrs) f.set_attr(kv.first, kv.second);
  for (const auto& kv : params) {
    if (!kv.second.defined()) throw Error("save_weights '" + path + "': parameter '" + kv.first + "' is undefined");
    std::vector<float> host = kv.second.to_vector();
    f.write(kv.first, kv.second.shape(), host.data());
  }
  f.close();
  out.commit();
}

}  // namespace ds
