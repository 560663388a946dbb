#include "nn/fast_style_weights.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "autograd/ops.h"
#include "nn/pretrained.h"
#include "nn/transformer_graph.h"
#include "tensor/cpu/conv_algo.h"
#include "tensor/random.h"
#include "weights/weights.h"

namespace fs = std::filesystem;

namespace ds {

const std::vector<std::string>& fast_style_names() {
  static const std::vector<std::string> names = {"la_muse", "rain_princess", "scream", "udnie", "wave", "wreck"};
  return names;
}

std::string fast_style_list() {
  std::string s;
  for (const std::string& n : fast_style_names()) s += (s.empty() ? "" : ", ") + n;
  return s;
}

namespace {

// A bare word that is not a file is meant as a style name; anything path-like is a file,
// so a mistyped path gets the loader's "not found" rather than a list of styles.
bool looks_like_path(const std::string& s) {
  return fs::exists(s) || s.find('/') != std::string::npos || s.find('.') != std::string::npos;
}

}  // namespace

std::map<std::string, h5::AttrValue> fast_style_attrs(const FastStyleNet& net) {
  WeightPreprocessing p;
  p.present = true;
  if (net.graph()) {  // the graph and the preprocessing its input and output follow
    const Preprocess& q = net.preprocessing();
    p.channel_order = q.bgr ? "BGR" : "RGB";
    p.value_scale = q.value_scale;
    for (size_t c = 0; c < 3; ++c) p.mean[c] = q.mean[c], p.std[c] = q.std[c];
    std::map<std::string, h5::AttrValue> a = preprocessing_attrs(p);
    a["graph"] = h5::AttrValue::string(net.graph()->text());
    return a;
  }
  p.value_scale = 255.0;
  std::map<std::string, h5::AttrValue> a = preprocessing_attrs(p);
  a["padding"] = h5::AttrValue::string("tf_same");
  a["instance_norm_eps"] = h5::AttrValue::number(1e-3);
  a["output_tanh_scale"] = h5::AttrValue::number(150.0);
  a["output_offset"] = h5::AttrValue::number(127.5);
  return a;
}

FastStyleNet fast_style_init(const std::string& init, uint64_t seed) {
  if (init == "random") {
    Rng rng(seed);
    std::map<std::string, Tensor> t;
    for (const auto& [name, shape] : FastStyleNet::param_shapes()) {
      if (shape.size() == 4) {  // conv [O,I,kh,kw] or transposed [I,O,kh,kw]: Cin is I
        int64_t cin = name.rfind("deconv", 0) == 0 ? shape[0] : shape[1];
        t[name] = rng.normal_tensor(shape, 0.0f, static_cast<float>(std::sqrt(2.0 / static_cast<double>(cin * shape[2] * shape[3]))));
      } else {
        bool scale = name.size() > 7 && name.compare(name.size() - 7, 7, ".weight") == 0;
        t[name] = Tensor::full(shape, scale ? 1.0f : 0.0f);
      }
    }
    return FastStyleNet(ParamSet(t, "random initialisation (seed " + std::to_string(seed) + ")"));
  }
  return load_fast_style(init, Device::CPU);  // a file or a pretrained style name
}

int64_t checkpoint_step(const std::string& path) {
  std::string n = fs::path(path).filename().string();
  long long s = -1;
  char tail[8] = {0};
  if (std::sscanf(n.c_str(), "step_%lld%7s", &s, tail) == 2 && std::string(tail) == ".h5") return s;
  return -1;
}

std::vector<std::string> existing_checkpoints(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code e;
  if (!fs::is_directory(dir, e)) return out;
  for (const fs::directory_entry& f : fs::directory_iterator(dir))
    if (checkpoint_step(f.path().string()) >= 0) out.push_back(f.path().string());
  return out;
}

std::string resolve_checkpoint(const std::string& file_or_dir) {
  if (!fs::is_directory(file_or_dir)) return file_or_dir;
  std::string best;
  int64_t best_step = -1;
  for (const std::string& c : existing_checkpoints(file_or_dir))
    if (checkpoint_step(c) > best_step) best_step = checkpoint_step(c), best = c;
  if (best.empty()) throw Error(file_or_dir + ": no checkpoint (step_NNNNNN.h5) in this folder");
  return best;
}

std::string fast_style_file(const std::string& model_or_name) {
  if (fs::is_directory(model_or_name)) return resolve_checkpoint(model_or_name);
  if (looks_like_path(model_or_name)) return model_or_name;
  const std::vector<std::string>& names = fast_style_names();
  if (std::find(names.begin(), names.end(), model_or_name) == names.end())
    throw Error("unknown model '" + model_or_name + "': give a project HDF5 file (a converted transformer or a train "
                "checkpoint), a train -o folder (its latest checkpoint), or a pretrained style: " + fast_style_list());
  return prepared_dir() + "/weights/fast_style_" + model_or_name + ".h5";
}

FastStyleNet load_fast_style(const std::string& model_or_name, Device device) {
  std::string path = fast_style_file(model_or_name);
  if (path != model_or_name && !fs::is_directory(model_or_name))  // a name: says to run setup when missing
    path = prepared_file("weights/fast_style_" + model_or_name + ".h5");
  refuse_unconverted(path);
  const std::string optim = ".optim.h5";  // the optimiser state beside a checkpoint: a likely slip of the tab key
  if (path.size() > optim.size() && path.compare(path.size() - optim.size(), optim.size(), optim) == 0 && fs::exists(path))
    throw Error(path + " is the optimiser state of a training checkpoint, not a model: give " +
                path.substr(0, path.size() - optim.size()) + ".h5 (or its folder, for the latest checkpoint)");
  WeightFile f = load_weights(path, std::vector<std::string>{"fast_style_tf", "transformer_graph"});
  if (f.architecture == "fast_style_tf") {
    check_params(f, FastStyleNet::param_shapes());
    return FastStyleNet(ParamSet(f.params, path).to(device));
  }
  std::shared_ptr<const TransformerGraph> graph;
  try {
    graph = std::make_shared<const TransformerGraph>(f.attr_string("graph"));
  } catch (const Error& e) {
    throw Error(path + ": " + e.what());
  }
  check_params(f, graph->param_shapes());
  return FastStyleNet(ParamSet(f.params, path).to(device), graph, preprocess_from(f));
}

std::pair<int64_t, int64_t> fast_size(int64_t h, int64_t w, int long_side, int min_side) {
  if (long_side <= 0) return {h, w};
  // (A long side already long_side still gets its short side raised to min_side: 1x100 at
  // --size 100 runs as 4x100, as the size error's advice says.)
  double s = static_cast<double>(long_side) / static_cast<double>(std::max(h, w));
  auto scaled = [&](int64_t n) {
    return std::max<int64_t>(min_side, std::llround(static_cast<double>(n) * s));
  };
  return {scaled(h), scaled(w)};
}

int64_t fast_style_peak_bytes(int64_t h, int64_t w, int long_side, const FastStyleNet* net) {
  if (net && net->graph()) {
    auto [H, W] = fast_size(h, w, long_side, net->min_side());
    const TransformerGraph::Cost c = net->graph()->cost({1, 3, H, W});
    if (!c.complete)
      throw Error("transformer graph: cannot take a " + std::to_string(W) + "x" + std::to_string(H) + " image");
    const int64_t resized = (H != h || W != w) ? 3 * H * W : 0;
    return 4 * (resized + c.peak) + cpu::cpu_threads() * (int64_t{16} << 20);
  }
  auto [H, W] = fast_size(h, w, long_side);
  auto half = [](int64_t n) { return (n + 1) / 2; };  // a stride-2 'SAME' conv rounds up
  const int64_t full = H * W, h2 = half(H) * half(W), h4 = half(half(H)) * half(half(W));
  // Floats alive while each layer runs (FastStyleNet::run): its input and its output; the
  // residual blocks hold the block's input, the inner activation, the conv output and the sum.
  // Transposed convs double the size: deconv1 gives 4 h4 pixels, deconv2 and the last conv 16 h4.
  const int64_t layers[] = {3 * full + 32 * full,          // x * 255 -> conv1
                            32 * full + 64 * h2,           // conv2
                            64 * h2 + 128 * h4,            // conv3
                            4 * 128 * h4,                  // a residual block
                            128 * h4 + 64 * 4 * h4,        // deconv1
                            64 * 4 * h4 + 32 * 16 * h4,    // deconv2
                            32 * 16 * h4 + 3 * 16 * h4,    // conv4
                            3 * 16 * h4 + 2 * 3 * full};   // crop, scale to [0,1]
  const int64_t resized = (H != h || W != w) ? 3 * full : 0;
  // The residual blocks' 128-channel 3x3 convolutions may run as Winograd, whose per-thread band
  // buffers stay allocated (about 5 MB a thread at 512x384; measured in tests/test_first_hour.cpp).
  const int64_t H4 = half(half(H)), W4 = half(half(W));
  const int tile = cpu::conv_winograd_tile({1, 128, H4, W4}, {128, 128, 3, 3}, {1, 128, H4, W4},
                                           Conv2dParams::make(1, 1), false);
  const int64_t winograd = cpu::cpu_threads() * cpu::winograd_scratch_bytes(tile, 128, 128, H4, W4);
  return 4 * (resized + *std::max_element(std::begin(layers), std::end(layers))) + winograd;
}

Tensor stylize_fast(const FastStyleNet& net, const Tensor& rgb01, int long_side) {
  if (rgb01.ndim() != 4 || rgb01.N() != 1 || rgb01.C() != 3)
    throw Error("stylize_fast: expected one RGB image [1,3,H,W], got " + shape_str(rgb01.shape()));
  NoGradGuard ng;
  const auto& items = net.params().items();  // a layer list may hold no parameters at all
  Device dev = items.empty() ? rgb01.device() : items.begin()->second.device();
  Var x(rgb01.device() == dev ? rgb01 : rgb01.to(dev));
  auto [h, w] = fast_size(rgb01.H(), rgb01.W(), long_side, net.min_side());
  if (h != rgb01.H() || w != rgb01.W()) x = resize_bilinear(x, h, w);
  Tensor y = net.forward(x).value();
  return y.device() == rgb01.device() ? y : y.to(rgb01.device());
}

}  // namespace ds
