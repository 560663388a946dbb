// The typed values of parsed options and the --help text (reading the command line: args.cpp).
#include <cmath>
#include <sstream>

#include "apps/common/args.h"
#include "tensor/device.h"

namespace ds {
namespace app {

void Args::device_option() {
  option("--device", "cpu|cuda|cuda:N", "where to run (cuda = cuda:0; N picks the GPU)",
         cuda_available() ? "cuda" : "cpu");
  option("--precision", "fp32|tf32",
         "CUDA convolutions and GEMMs: fp32 (float32 arithmetic) or tf32 (tensor cores: faster, ~1e-3 relative "
         "error); no effect on cpu",
         "fp32");
}

Device Args::device() const {
  const std::string p = str("--precision");
  if (p != "fp32" && p != "tf32") throw UsageError("option --precision: '" + p + "' is not fp32 or tf32");
  DeviceSpec d = option_text([&] { return parse_device_spec(str("--device")); });
  if (d.device == Device::CUDA) cuda::select_device(d.index);  // no such GPU: exit 1, the machine's
  cuda::set_allow_tf32(p == "tf32");
  return d.device;
}

std::string Args::required(const std::string& name) const {
  if (!has(name)) throw UsageError(name + " is required (see --help)");
  return str(name);
}

bool Args::has(const std::string& name) const { return given_.count(name) != 0; }

std::string Args::str(const std::string& name) const {
  auto g = given_.find(name);
  if (g != given_.end()) return g->second.back();
  auto o = opts_.find(name);
  if (o == opts_.end()) throw Error("internal: option " + name + " was not declared");
  return o->second.def;
}

std::vector<std::string> Args::all(const std::string& name) const {
  auto g = given_.find(name);
  return g == given_.end() ? std::vector<std::string>{} : g->second;
}

double Args::number(const std::string& name, double lo, double hi) const {
  std::string s = str(name);
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (s.empty() || *end != '\0' || !std::isfinite(v))
    throw UsageError("option " + name + ": '" + s + "' is not a number");
  if (v < lo || v > hi) {
    std::ostringstream o;
    o << "option " << name << ": " << s << " is out of range [" << lo << ", " << hi << "]";
    throw UsageError(o.str());
  }
  return v;
}

int Args::integer(const std::string& name, int lo, int hi) const {
  double v = number(name, lo, hi);
  if (v != std::floor(v)) throw UsageError("option " + name + ": '" + str(name) + "' is not a whole number");
  return static_cast<int>(v);
}

std::vector<std::string> split_list(const std::string& s, const std::string& what) {
  std::vector<std::string> out;
  if (s.empty()) return out;
  for (size_t start = 0;;) {
    size_t comma = s.find(',', start);
    out.push_back(s.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (out.back().empty())
      throw UsageError(what + " '" + s + "': item " + std::to_string(out.size()) + " of the comma-separated list is empty");
    if (comma == std::string::npos) return out;
    start = comma + 1;
  }
}

std::vector<std::string> Args::list(const std::string& name) const { return split_list(str(name), name); }

void Args::expect_positional(size_t lo, size_t hi, const std::string& what) const {
  if (positional_.size() < lo || positional_.size() > hi) {
    std::string got;
    for (const std::string& p : positional_) got += (got.empty() ? ": " : ", ") + ("'" + p + "'");
    std::string notes;
    for (const std::string& n : left_words_) notes += "; " + n;
    throw UsageError("expected " + what + ", got " + std::to_string(positional_.size()) + " argument(s)" + got + notes +
                " (see --help)");
  }
}

std::vector<float> parse_nonnegative(const std::vector<std::string>& items, const std::string& what) {
  std::vector<float> out;
  for (const std::string& s : items) {
    char* end = nullptr;
    double v = std::strtod(s.c_str(), &end);
    if (s.empty() || *end || !std::isfinite(v) || v < 0) throw UsageError(what + ": '" + s + "' is not a number >= 0");
    out.push_back(static_cast<float>(v));
  }
  return out;
}

std::string Args::command() const {
  size_t start = usage_.find(' ') + 1, end = usage_.find(' ', start);
  return usage_.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

std::string Args::help() const {
  std::ostringstream o;
  o << "usage: " << usage_ << "\n\n" << about_ << "\n\noptions:\n";
  for (const std::string& n : order_) {
    const Opt& op = opts_.at(n);
    std::string value = op.value_name.empty() ? "" : op.optional ? " [" + op.value_name + "]" : " " + op.value_name;
    std::string left = "  " + n + value;
    o << left;
    if (left.size() < 28) o << std::string(28 - left.size(), ' ');
    else o << "\n" << std::string(28, ' ');
    o << op.help;
    if (op.optional) o << " (alone: " << op.implicit << ")";
    if (!op.def.empty()) o << " (default: " << op.def << ")";
    o << "\n";
  }
  o << "  --help                    show this help\n";
  if (peers_)
    o << "\nneural-style's option names (-style_image, -content_weight, -num_iterations, ...) are read as these\n"
         "options, with a note saying so; those with no equivalent are refused saying why (apps/common/peer_names.h).\n";
  return o.str();
}

}  // namespace app
}  // namespace ds
