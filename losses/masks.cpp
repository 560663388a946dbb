#include "losses/masks.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>

#include "weights/depth_map.h"
#include "autograd/ops.h"
#include "tensor/image_io.h"

namespace ds {
namespace {

const char* kForms = "expected sigmoid:k=K,t=T | inv-sigmoid:k=K,t=T | linear:a=A,b=B | image:PATH | constant:v=V";

[[noreturn]] void bad(const std::string& spec, const std::string& why) {
  throw Error("mask spec '" + spec + "': " + why + "; " + kForms);
}

double parse_number(const std::string& spec, const std::string& key, const std::string& text) {
  char* end = nullptr;
  double x = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(x))
    bad(spec, "value of '" + key + "' is not a finite number: '" + text + "'");
  return x;
}

// "k=10,t=0.5" -> {k: 10, t: 0.5}; each key at most once and among `allowed`.
std::map<std::string, double> parse_args(const std::string& spec, const std::string& args, const std::string& allowed) {
  std::map<std::string, double> out;
  size_t pos = 0;
  while (pos < args.size()) {
    size_t comma = std::min(args.find(',', pos), args.size());
    std::string item = args.substr(pos, comma - pos);
    size_t eq = item.find('=');
    if (eq == std::string::npos) bad(spec, "'" + item + "' is not key=value");
    std::string key = item.substr(0, eq);
    if (key.size() != 1 || allowed.find(key) == std::string::npos)
      bad(spec, "unknown key '" + key + "' (this kind takes " + allowed + ")");
    if (out.count(key)) bad(spec, "key '" + key + "' given twice");
    out[key] = parse_number(spec, key, item.substr(eq + 1));
    pos = comma + 1;
  }
  return out;
}

void require_unit(const std::string& spec, const char* key, double x) {
  if (x < 0.0 || x > 1.0) bad(spec, std::string(key) + " = " + std::to_string(x) + " is outside [0, 1]");
}

std::string num(double x) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.15g", x);
  if (std::strtod(buf, nullptr) != x) std::snprintf(buf, sizeof buf, "%.17g", x);
  return buf;
}

double sigmoid(double z) { return 1.0 / (1.0 + std::exp(-z)); }

}  // namespace

MaskSpec parse_mask_spec(const std::string& spec) {
  size_t colon = spec.find(':');
  std::string kind = spec.substr(0, colon), args = colon == std::string::npos ? "" : spec.substr(colon + 1);
  MaskSpec s;
  if (kind == "image") {
    if (args.empty()) bad(spec, "image needs a file path");
    s.kind = MaskSpec::Kind::Image;
    s.path = args;
    return s;
  }
  if (kind == "sigmoid" || kind == "inv-sigmoid" || kind == "inv_sigmoid") {
    s.kind = kind == "sigmoid" ? MaskSpec::Kind::Sigmoid : MaskSpec::Kind::InvSigmoid;
    auto a = parse_args(spec, args, "k,t");
    if (a.count("k")) s.k = a["k"];
    if (a.count("t")) s.t = a["t"];
    if (!(s.k > 0.0)) bad(spec, "k must be > 0 (use inv-sigmoid to weight the near side)");
  } else if (kind == "linear") {
    s.kind = MaskSpec::Kind::Linear;
    auto a = parse_args(spec, args, "a,b");
    if (a.count("a")) s.a = a["a"];
    if (a.count("b")) s.b = a["b"];
    require_unit(spec, "a", s.a);
    require_unit(spec, "b", s.b);
  } else if (kind == "constant") {
    s.kind = MaskSpec::Kind::Constant;
    auto a = parse_args(spec, args, "v");
    if (a.count("v")) s.v = a["v"];
    require_unit(spec, "v", s.v);
  } else {
    bad(spec, "unknown mask kind '" + kind + "'");
  }
  double top = mask_max(s);
  if (top < kMaskFloor) {
    char why[200];
    std::snprintf(why, sizeof why,
                  "the mask is at most %.2g over the normalised depths [0,1] (near 0, far 1), so it would weight "
                  "nothing (practically zero everywhere)%s",
                  top, (s.kind == MaskSpec::Kind::Sigmoid || s.kind == MaskSpec::Kind::InvSigmoid)
                           ? "; t is a normalised depth: give one in [0,1]" : "");
    throw Error("mask spec '" + spec + "': " + why);
  }
  return s;
}

double mask_max(const MaskSpec& s) {
  switch (s.kind) {
    case MaskSpec::Kind::Sigmoid:
      return sigmoid(s.k * (1.0 - s.t));  // increasing in d (k > 0): largest at d = 1
    case MaskSpec::Kind::InvSigmoid:
      return 1.0 - sigmoid(-s.k * s.t);  // decreasing: largest at d = 0
    case MaskSpec::Kind::Linear:
      return std::max(s.a, s.b);
    case MaskSpec::Kind::Constant:
      return s.v;
    case MaskSpec::Kind::Image:
      break;
  }
  return NAN;
}

std::string mask_spec_str(const MaskSpec& s) {
  switch (s.kind) {
    case MaskSpec::Kind::Sigmoid:
      return "sigmoid:k=" + num(s.k) + ",t=" + num(s.t);
    case MaskSpec::Kind::InvSigmoid:
      return "inv-sigmoid:k=" + num(s.k) + ",t=" + num(s.t);
    case MaskSpec::Kind::Linear:
      return "linear:a=" + num(s.a) + ",b=" + num(s.b);
    case MaskSpec::Kind::Image:
      return "image:" + s.path;
    case MaskSpec::Kind::Constant:
      return "constant:v=" + num(s.v);
  }
  return "?";
}

Tensor load_mask_image(const std::string& path) {
  Tensor rgb = load_image_rgb(path);
  const int64_t plane = rgb.H() * rgb.W();
  Tensor grey = Tensor::empty({1, 1, rgb.H(), rgb.W()});
  const float* p = rgb.data();
  for (int64_t i = 0; i < plane; ++i) grey.data()[i] = (p[i] + p[plane + i] + p[2 * plane + i]) / 3.0f;
  return grey;
}

Tensor make_mask(const MaskSpec& s, const Tensor& depth01, const Tensor& image) {
  if (!depth01.defined() || depth01.ndim() != 4 || depth01.N() != 1 || depth01.C() != 1 || depth01.numel() == 0)
    throw Error("make_mask: expected a [1,1,H,W] normalised depth map, got " +
                (depth01.defined() ? shape_str(depth01.shape()) : std::string("an undefined tensor")));
  Tensor m;
  if (s.kind == MaskSpec::Kind::Image) {
    int h = static_cast<int>(depth01.H()), w = static_cast<int>(depth01.W());
    m = image.defined() ? resize_depth_to(image, h, w) : fit_depth_to(load_mask_image(s.path), h, w, "mask image " + s.path);
    std::vector<float> v = m.to_vector();
    for (float& x : v) x = std::min(1.0f, std::max(0.0f, x));  // bilinear stays in range; rounding guard
    m = Tensor::from_vector(m.shape(), v);
  } else {
    std::vector<float> d = depth01.to_vector();
    for (float& x : d) {
      if (std::isnan(x) || x < -1e-6f || x > 1.0f + 1e-6f)
        throw Error("make_mask: depth must be normalised to [0,1] without NaN (got " + std::to_string(x) +
                    "); use fill_invalid and normalise_depth");
      double z = x;
      switch (s.kind) {
        case MaskSpec::Kind::Sigmoid:
          z = sigmoid(s.k * (z - s.t));
          break;
        case MaskSpec::Kind::InvSigmoid:
          z = 1.0 - sigmoid(s.k * (z - s.t));
          break;
        case MaskSpec::Kind::Linear:
          z = s.a + (s.b - s.a) * z;
          break;
        default:
          z = s.v;
          break;
      }
      x = static_cast<float>(z);
    }
    m = Tensor::from_vector(depth01.shape(), d);
  }
  std::vector<float> v = m.to_vector();
  if (*std::max_element(v.begin(), v.end()) <= 0.0f)
    throw Error("mask '" + mask_spec_str(s) + "' is zero everywhere on this depth map, so it would weight nothing");
  return m;
}

Tensor resize_mask(const Tensor& m, int h, int w) {
  if (!m.defined() || m.ndim() != 4 || m.C() != 1)
    throw Error("resize_mask: expected a [N,1,H,W] mask, got " +
                (m.defined() ? shape_str(m.shape()) : std::string("an undefined tensor")));
  if (m.H() == h && m.W() == w) return m;
  NoGradGuard no_grad;
  return resize_bilinear(Var(m), h, w).value();
}

}  // namespace ds
