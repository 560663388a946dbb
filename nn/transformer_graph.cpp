#include "nn/transformer_graph.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <map>
#include <set>
#include <sstream>
#include <utility>

#include "autograd/ops.h"

namespace ds {

namespace {

using Layer = TransformerGraph::Layer;
using Op = Layer::Op;

// Each op's word, whether a NAME (or pad's mode) follows it, and its keys (all required).
struct OpSpec {
  const char* word;
  Op op;
  bool named;
  std::vector<std::string> keys;
};
const std::vector<OpSpec>& op_specs() {
  static const std::vector<OpSpec> specs = {
      {"conv", Op::Conv, true, {"in", "out", "k", "stride", "pad", "bias"}},
      {"deconv", Op::Deconv, true, {"in", "out", "k", "stride", "pad", "adj", "bias"}},
      {"instance_norm", Op::InstanceNorm, true, {"c", "eps"}},
      {"batch_norm", Op::BatchNorm, true, {"c", "eps"}},
      {"pad", Op::Pad, true, {"l", "r", "t", "b"}},
      {"relu", Op::Relu, false, {}},
      {"tanh", Op::Tanh, false, {}},
      {"mul", Op::Mul, false, {"v"}},
      {"upsample", Op::Upsample, false, {"f"}},
      {"residual_begin", Op::ResBegin, false, {}},
      {"residual_end", Op::ResEnd, false, {"shave"}},
      {"tap", Op::Tap, true, {}}};
  return specs;
}

std::string op_list() {
  std::string s;
  for (const OpSpec& o : op_specs()) s += (s.empty() ? "" : ", ") + std::string(o.word);
  return s;
}

class LineParser {
 public:
  LineParser(int line, const std::string& text) : line_(line), text_(text) {}
  [[noreturn]] void fail(const std::string& what) const {
    throw Error("graph line " + std::to_string(line_) + " (" + text_ + "): " + what);
  }
  int integer(const std::map<std::string, std::string>& kv, const std::string& key, int lo, int hi) const {
    const std::string& v = kv.at(key);
    size_t used = 0;
    long x = 0;
    try {
      x = std::stol(v, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != v.size() || v.empty() || x < lo || x > hi)
      fail(key + "=" + v + ": expected an integer from " + std::to_string(lo) + " to " + std::to_string(hi));
    return static_cast<int>(x);
  }
  float number(const std::map<std::string, std::string>& kv, const std::string& key) const {
    const std::string& v = kv.at(key);
    size_t used = 0;
    double x = NAN;
    try {
      x = std::stod(v, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != v.size() || v.empty() || !std::isfinite(x)) fail(key + "=" + v + ": expected a finite number");
    return static_cast<float>(x);
  }

 private:
  int line_;
  std::string text_;
};

Layer parse_line(int line, const std::string& text) {
  LineParser lp(line, text);
  std::istringstream in(text);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  if (words.empty()) lp.fail("no layer");  // (the caller skips blank lines; kept for safety)
  const OpSpec* spec = nullptr;
  for (const OpSpec& o : op_specs())
    if (words[0] == o.word) spec = &o;
  if (!spec) lp.fail("unknown layer '" + words[0] + "'; layers are: " + op_list());
  Layer l;
  l.op = spec->op;
  l.line = line;
  size_t next = 1;
  if (spec->named) {
    if (words.size() < 2 || words[1].find('=') != std::string::npos) lp.fail(std::string(spec->word) + " needs a name");
    l.name = words[1];
    next = 2;
  }
  std::map<std::string, std::string> kv;
  for (size_t i = next; i < words.size(); ++i) {
    size_t eq = words[i].find('=');
    std::string key = words[i].substr(0, eq);
    bool known = false;
    for (const std::string& k : spec->keys) known = known || k == key;
    if (eq == std::string::npos || !known) lp.fail("unexpected '" + words[i] + "'");
    if (!kv.emplace(key, words[i].substr(eq + 1)).second) lp.fail(key + " given twice");
  }
  for (const std::string& k : spec->keys)
    if (!kv.count(k)) lp.fail("missing " + k + "=");
  const int big = 1 << 20;
  switch (l.op) {
    case Op::Conv:
    case Op::Deconv:
      l.in = lp.integer(kv, "in", 1, big), l.out = lp.integer(kv, "out", 1, big), l.k = lp.integer(kv, "k", 1, 64);
      l.stride = lp.integer(kv, "stride", 1, 64), l.pad = lp.integer(kv, "pad", 0, 1024);
      l.bias = lp.integer(kv, "bias", 0, 1) == 1;
      if (l.op == Op::Deconv) l.adj = lp.integer(kv, "adj", 0, l.stride - 1);  // PyTorch: output_padding < stride
      break;
    case Op::InstanceNorm:
    case Op::BatchNorm:
      l.in = l.out = lp.integer(kv, "c", 1, big);
      l.eps = lp.number(kv, "eps");
      if (l.eps < 0) lp.fail("eps must not be negative");
      break;
    case Op::Pad:
      if (l.name != "reflect" && l.name != "zero") lp.fail("pad mode '" + l.name + "': expected reflect or zero");
      l.reflect = l.name == "reflect";
      l.l = lp.integer(kv, "l", 0, 4096), l.r = lp.integer(kv, "r", 0, 4096);
      l.t = lp.integer(kv, "t", 0, 4096), l.b = lp.integer(kv, "b", 0, 4096);
      break;
    case Op::Mul: l.value = lp.number(kv, "v"); break;
    case Op::Upsample: l.factor = lp.integer(kv, "f", 1, 64); break;
    case Op::ResEnd: l.shave = lp.integer(kv, "shave", 0, 4096); break;
    default: break;
  }
  return l;
}

}  // namespace

TransformerGraph::TransformerGraph(const std::string& text) : text_(text) {
  std::istringstream in(text);
  int n = 0, channels = 3;
  std::vector<int> open;  // channels at each open residual_begin
  std::set<std::string> params, taps;
  for (std::string line; std::getline(in, line);) {
    ++n;
    const char* space = " \t\r\v\f";  // what the word splitting below takes for space, too
    size_t first = line.find_first_not_of(space);
    if (first == std::string::npos || line[first] == '#') continue;
    line = line.substr(first, line.find_last_not_of(space) + 1 - first);
    Layer l = parse_line(n, line);
    LineParser lp(n, line);
    if (l.op == Op::Conv || l.op == Op::Deconv || l.op == Op::InstanceNorm || l.op == Op::BatchNorm) {
      if (l.in != channels)
        lp.fail("takes " + std::to_string(l.in) + " channels, but the layer before gives " + std::to_string(channels));
      if (!params.insert(l.name).second) lp.fail("the name '" + l.name + "' is used twice");
      channels = l.out;
    } else if (l.op == Op::Tap && !taps.insert(l.name).second) {
      lp.fail("the tap '" + l.name + "' is named twice");
    } else if (l.op == Op::ResBegin) {
      open.push_back(channels);
    } else if (l.op == Op::ResEnd) {
      if (open.empty()) lp.fail("residual_end without residual_begin");
      if (open.back() != channels)
        lp.fail("the block ends with " + std::to_string(channels) + " channels, its shortcut has " +
                std::to_string(open.back()));
      open.pop_back();
    }
    layers_.push_back(l);
  }
  if (layers_.empty()) throw Error("graph: no layers");
  if (!open.empty()) throw Error("graph: " + std::to_string(open.size()) + " residual_begin without residual_end");
  if (channels != 3) throw Error("graph: the last layer gives " + std::to_string(channels) + " channels, not 3 (RGB)");
}

ParamShapes TransformerGraph::param_shapes() const {
  ParamShapes s;
  for (const Layer& l : layers_) {
    int64_t in = l.in, out = l.out, k = l.k;
    if (l.op == Op::Conv) s.push_back({l.name + ".weight", {out, in, k, k}});
    if (l.op == Op::Deconv) s.push_back({l.name + ".weight", {in, out, k, k}});
    if ((l.op == Op::Conv || l.op == Op::Deconv) && l.bias) s.push_back({l.name + ".bias", {out}});
    if (l.op == Op::InstanceNorm || l.op == Op::BatchNorm)
      for (const char* p : {".weight", ".bias"}) s.push_back({l.name + p, {out}});
    if (l.op == Op::BatchNorm)
      for (const char* p : {".running_mean", ".running_var"}) s.push_back({l.name + p, {out}});
  }
  return s;
}

std::vector<std::string> TransformerGraph::tap_names() const {
  std::vector<std::string> n;
  for (const Layer& l : layers_)
    if (l.op == Op::Tap) n.push_back(l.name);
  return n;
}

namespace {

int64_t saturated(double x) { return x >= 9.2e18 ? INT64_MAX : static_cast<int64_t>(x); }

// run's folds, decided from the layers and the activation's height and width h x w where layer i
// runs. Pad layer i folds into the convolution after it when it is a reflection pad that fits
// (h x w: already enlarged by a folded upsample) and the convolution has no padding of its own;
// any other pad runs as pad2d, whose error names the line.
bool pad_folds(const std::vector<Layer>& L, size_t i, int64_t h, int64_t w) {
  const Layer& p = L[i];
  return p.reflect && i + 1 < L.size() && L[i + 1].op == Op::Conv && L[i + 1].pad == 0 &&
         reflection_fits(Pad2dParams{p.t, p.b, p.l, p.r}, h, w);
}
// Upsample layer i folds into a stride-1 convolution right after it, or after a pad that folds.
bool upsample_folds(const std::vector<Layer>& L, size_t i, int64_t h, int64_t w) {
  auto conv1 = [&](size_t k) { return k < L.size() && L[k].op == Op::Conv && L[k].stride == 1; };
  const int64_t f = L[i].factor;
  return conv1(i + 1) ||
         (i + 1 < L.size() && L[i + 1].op == Op::Pad && conv1(i + 2) && pad_folds(L, i + 1, h * f, w * f));
}

}  // namespace

TransformerGraph::Cost TransformerGraph::cost(const Shape& input) const {
  Cost c;
  if (input.size() != 4) return c.complete = false, c;
  // Sizes as double: a list of many upsample f=64 lines overflows int64 (it is refused long
  // before, by the budget the caller compares against).
  double n = static_cast<double>(input[0]), ch = static_cast<double>(input[1]);
  double h = static_cast<double>(input[2]), w = static_cast<double>(input[3]);
  double largest = 0, total = 0, macs = 0, peak = 0;
  // Buffers alive without gradients (FastStyleNet::run, `fast`): the input, which the caller
  // holds throughout; the shortcuts; the activation `cur`, which is a shortcut's own buffer
  // (`shared`) right after residual_begin. Ops that write in place do so on an unshared buffer;
  // a folded pad or upsample makes none.
  const double in_floats = n * ch * h * w;
  double held = 0, cur = in_floats;
  bool shared = true;  // the input: held by the caller
  std::vector<std::array<double, 4>> shortcuts;  // C, H, W and floats held at each open residual_begin
  auto new_buffer = [&](double out, double extra = 0) {
    peak = std::max(peak, in_floats + held + (shared ? 0 : cur) + out + extra);
    cur = out, shared = false;
  };
  for (size_t i = 0; i < layers_.size(); ++i) {
    const Layer& l = layers_[i];
    bool fits = true, folded = false;  // folded: a pad or upsample run's conv reads in place
    switch (l.op) {
      case Op::Conv:
        h = std::floor((h + 2 * l.pad - l.k) / l.stride) + 1, w = std::floor((w + 2 * l.pad - l.k) / l.stride) + 1;
        fits = h >= 1 && w >= 1;
        macs += n * l.out * h * w * l.in * l.k * l.k;
        ch = l.out;
        break;
      case Op::Deconv:
        macs += n * l.in * h * w * l.out * l.k * l.k;
        h = (h - 1) * l.stride - 2 * l.pad + l.k + l.adj, w = (w - 1) * l.stride - 2 * l.pad + l.k + l.adj;
        fits = h >= 1 && w >= 1;
        ch = l.out;
        break;
      case Op::Pad:
        fits = !l.reflect || (std::max(l.t, l.b) < h && std::max(l.l, l.r) < w);
        folded = fits && pad_folds(layers_, i, saturated(h), saturated(w));
        h += l.t + l.b, w += l.l + l.r;
        break;
      case Op::Upsample:
        folded = upsample_folds(layers_, i, saturated(h), saturated(w));
        h *= l.factor, w *= l.factor;
        break;
      case Op::ResBegin: shortcuts.push_back({ch, h, w, shared ? 0 : cur}); held += shared ? 0 : cur, shared = true; break;
      case Op::ResEnd: {
        const std::array<double, 4> s = shortcuts.back();
        shortcuts.pop_back();
        fits = s[0] == ch && s[1] - 2 * l.shave == h && s[2] - 2 * l.shave == w;
        // h + the shortcut (cropped into a copy when shaved): a new buffer; then the shortcut goes.
        if (fits) new_buffer(n * ch * h * w, l.shave ? n * ch * h * w : 0);
        held -= s[3];
        break;
      }
      default: break;  // norms, activations, mul and taps keep the shape
    }
    if (!fits) {
      c.complete = false;
      break;
    }
    const double floats = n * ch * h * w;
    largest = std::max(largest, floats), total += floats;
    const bool in_place = l.op == Op::InstanceNorm || l.op == Op::Relu || l.op == Op::Tanh;
    if ((l.op == Op::Conv || l.op == Op::Deconv || l.op == Op::BatchNorm || l.op == Op::Mul) ||
        ((l.op == Op::Pad || l.op == Op::Upsample) && !folded) || (in_place && shared))
      new_buffer(floats);
  }
  // The end (FastStyleNet::run), the input's copy gone: the output, its copy in 0..1 and that
  // cropped to the input's size.
  if (c.complete) peak = std::max(peak, 2 * cur + in_floats);
  c.largest = saturated(largest), c.total = saturated(total), c.multiply_adds = saturated(macs);
  c.peak = saturated(peak);
  c.output = {saturated(n), saturated(ch), saturated(h), saturated(w)};
  return c;
}

int64_t TransformerGraph::min_side() const {
  for (int64_t s = 1; s <= 4096; ++s) {
    const Cost c = cost({1, 3, s, s});
    if (c.complete && c.output[2] >= s && c.output[3] >= s) return s;
  }
  return 0;
}

Var TransformerGraph::run(const ParamSet& p, const Var& x, TapSet& t) const {
  Var h = x;
  std::vector<Var> shortcuts;
  // A reflection pad right before an unpadded convolution (pytorch/examples' ConvLayer) is folded
  // into it: the same values, without the padded copy (Conv2dParams::pad_mode). So is an upsample
  // before a stride-1 convolution, with or without such a pad between them (UpsampleConvLayer):
  // the CPU forward reads the small input in place (Conv2dParams::upsample).
  bool fold_pad = false;
  int fold_up = 1;
  for (size_t i = 0; i < layers_.size(); ++i) {
    const Layer& l = layers_[i];
    auto param = [&](const char* suffix) { return p.get(l.name + suffix); };
    try {
      switch (l.op) {
        case Op::Conv: {
          Conv2dParams cp = Conv2dParams::make(l.stride, l.pad);
          if (fold_pad) {
            const Layer& pad = layers_[i - 1];
            cp.pad_top = pad.t, cp.pad_bottom = pad.b, cp.pad_left = pad.l, cp.pad_right = pad.r;
            cp.pad_mode = PadMode::Reflect;
            fold_pad = false;
          }
          cp.upsample = fold_up;
          fold_up = 1;
          h = conv2d(h, param(".weight"), l.bias ? param(".bias") : Var(), cp);
          break;
        }
        case Op::Deconv: {
          Conv2dParams cp = Conv2dParams::make(l.stride, l.pad);
          cp.out_pad_h = cp.out_pad_w = l.adj;
          h = conv_transpose2d(h, param(".weight"), l.bias ? param(".bias") : Var(), cp);
          break;
        }
        // Normalisation and activations take h by value (std::move): without gradients (`fast`,
        // `video`) they write over it instead of into a fresh buffer, as nn/fast_style.cpp does.
        // A tap or a shortcut that also holds h keeps it from being overwritten (sole_holder).
        case Op::InstanceNorm: h = instance_norm(std::move(h), param(".weight"), param(".bias"), l.eps); break;
        case Op::BatchNorm:
          h = batch_norm(h, param(".weight"), param(".bias"), param(".running_mean").value(),
                         param(".running_var").value(), l.eps);
          break;
        case Op::Pad: {
          // Only a pad that pad2d accepts is folded; any other gets pad2d's error, naming this line.
          const Pad2dParams pads{l.t, l.b, l.l, l.r};
          const Shape& s = h.shape();  // (a folded upsample before the pad enlarges it)
          fold_pad = s.size() == 4 && pad_folds(layers_, i, s[2] * fold_up, s[3] * fold_up);
          if (!fold_pad) h = pad2d(h, pads, l.reflect ? PadMode::Reflect : PadMode::Zero);
          break;
        }
        case Op::Relu: h = relu(std::move(h)); break;
        case Op::Tanh: h = tanh(std::move(h)); break;
        case Op::Mul: h = h * l.value; break;
        case Op::Upsample: {
          const Shape& s = h.shape();
          if (s.size() == 4 && upsample_folds(layers_, i, s[2], s[3]))
            fold_up = l.factor;
          else
            h = upsample_nearest(h, l.factor);
          break;
        }
        case Op::ResBegin: shortcuts.push_back(h); break;
        case Op::ResEnd: {
          Var s = shortcuts.back();
          shortcuts.pop_back();
          if (l.shave) s = pad2d(s, Pad2dParams{-l.shave, -l.shave, -l.shave, -l.shave}, PadMode::Zero);
          if (s.shape() != h.shape())
            throw Error("the block's output " + shape_str(h.shape()) + " does not match its shortcut " +
                        shape_str(s.shape()) + " (shave " + std::to_string(l.shave) + ")");
          h = h + s;
          break;
        }
        case Op::Tap:
          if (t.emit(l.name, h)) return Var();
          break;
      }
    } catch (const Error& e) {
      throw Error("transformer graph line " + std::to_string(l.line) + (l.name.empty() ? "" : " (" + l.name + ")") +
                  ": " + e.what());
    }
  }
  return h;
}

}  // namespace ds
