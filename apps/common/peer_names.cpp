#include "apps/common/peer_names.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "tensor/error.h"

namespace ds {
namespace app {

namespace {

const char* const kWeightScale =
    "with --net vgg19 or nin it means what neural-style's does (their layers carry its normalisation; the content "
    "weight exactly at 512 px, at other sizes times (512/size)^2: docs/from-peers.md); with squeezenet and vgg16 our "
    "terms are normalised differently, so start from their defaults (stylize --help)";
const char* const kModelFile =
    "convert the model once, weights/convert/convert.py auto FILE -o vgg19.h5 (a .caffemodel of VGG19, VGG16 or NIN, "
    "or neural-style-pt's .pth; the .prototxt is not needed), then give --net vgg19|vgg16|nin --weights vgg19.h5";
const char* const kSlow = "slow_neural_style.lua";  // fast-neural-style's

}  // namespace

const std::vector<PeerName>& neural_style_names() {
  using V = PeerValue;
  static const std::vector<PeerName> names = {
      // Basic options
      {"-style_image", "--style", V::CommaList, "neural-style's comma-separated style images, one --style each"},
      {"-style_blend_weights", "--style-weight", V::BlendWeights,
       "neural-style's blend weights, normalised to sum 1 as it does, as each style's --style-weight"},
      {"-content_image", "", V::Same, "neural-style's content image: the CONTENT argument"},
      {"-image_size", "--size", V::Same, "neural-style's long side of the result"},
      {"-gpu", "--device", V::Gpu, "neural-style's GPU index (-1: cpu)"},
      {"-multigpu_strategy", nullptr, V::Same,
       "a process runs on one device here; give each process its own --device cuda:N instead"},
      // Optimisation options
      {"-content_weight", "--content-weight", V::Same, kWeightScale},
      {"-style_weight", "--style-total-weight", V::Same, kWeightScale},
      {"-tv_weight", "--tv-weight", V::TvWeight,
       "neural-style's TV on its 0..256 pixels is tv*1/2*256^2 times ours on 0..1: multiplied by 32768"},
      {"-num_iterations", "--iters", V::Same, "neural-style's iteration count"},
      {"-normalize_gradients", "--normalize-gradients", V::Flag, "the same rescaling of each term's gradient"},
      {"-init", "--init", V::Same, "neural-style's start: random = noise, image = the content (or -init_image)"},
      {"-init_image", "--init", V::Same, "neural-style's start image"},
      {"-optimizer", "--optimizer", V::Same, "lbfgs | adam, as in neural-style (our default is adam)"},
      {"-learning_rate", "--lr", V::Pixels256,
       "neural-style's Adam step is in its 0..256 pixel units, ours in 0..1: divided by 256"},
      {"-lbfgs_num_correction", nullptr, V::Ignored,
       "our L-BFGS keeps a fixed history of 20 correction pairs, and has no option for it: each pair is two "
       "copies of the image, so neural-style's 100 would take 7.5 GB at 2048x1536"},
      // Output options
      {"-print_iter", "--print-every", V::Same, "print the loss terms every N iterations"},
      {"-save_iter", "--save-every", V::Same, "write the image every N iterations"},
      {"-output_image", "-o", V::Same, "the result"},
      // Other options
      {"-style_scale", "--style-scale", V::Same, "style images at F times the working size, rounded up, as neural-style"},
      {"-original_colors", "--original-colors", V::Colors01, "neural-style's 0 | 1: none | recombine"},
      {"-pooling", "--pooling", V::Same, "max | avg pooling in the loss network"},
      {"-proto_file", nullptr, V::Same, kModelFile},
      {"-model_file", nullptr, V::Same, kModelFile},
      {"-backend", nullptr, V::Ignored,
       "the kernels are not a choice here: CUDA always runs cuDNN, the CPU our own kernels (OpenCL, clnn, is not "
       "supported); pick the device with --device"},
      {"-cudnn_autotune", nullptr, V::IgnoredFlag,
       "always on here: cuDNN's algorithms are measured once per shape and kept"},
      {"-seed", "--seed", V::Seed, "the seed of the noise start"},
      {"-content_layers", "--content-layers", V::Same, "the content layers"},
      {"-style_layers", "--style-layers", V::Same, "the style layers"},
      // ProGamerGov/neural-style-pt's own (its README and neural_style.py's argparse list)
      {"-multidevice_strategy", nullptr, V::Same,
       "a process runs on one device here; give each process its own --device cuda:N instead"},
      {"-normalize_weights", nullptr, V::Flag,
       "it divides each layer's weight by its target's largest dimension: give the weights you want with "
       "--content-layer-weights and --style-layer-weights"},
      {"-disable_check", nullptr, V::Flag,
       "not needed: weights/convert/convert.py maps a model by layer name and checks every shape"},
      // jcjohnson/fast-neural-style's slow_neural_style.lua (its cmd:option list): the names neural-style
      // does not share with it (-content_layers, -style_layers there are loadcaffe module indices: our
      // layer names are asked for, and a number is an error listing them).
      {"-style_image_size", "--style-size", V::Same, "the style image's long side in pixels", kSlow},
      {"-tv_strength", "--tv-weight", V::TvWeight255,
       "its TV is on 0..255 pixels (vgg preprocessing), ours on 0..1: multiplied by 255^2/2", kSlow},
      {"-content_weights", "--content-layer-weights", V::Same, "one weight per content layer", kSlow},
      {"-style_weights", "--style-layer-weights", V::Same, "one weight per style layer", kSlow},
      {"-loss_network", nullptr, V::Same, kModelFile, kSlow},
      {"-preprocessing", nullptr, V::Ignored, "each network's file says its preprocessing", kSlow},
      {"-use_cudnn", nullptr, V::IgnoredFlag, "CUDA always runs cuDNN here; pick the device with --device", kSlow},
      {"-loss_type", nullptr, V::Same, "the losses here are squared errors (no SmoothL1)", kSlow},
      {"-style_target_type", nullptr, V::Same, "the style targets here are Gram matrices only (no mean)", kSlow},
      {"-deepdream_layers", nullptr, V::Same, "DeepDream is another method", kSlow},
      {"-deepdream_weights", nullptr, V::Same, "DeepDream is another method", kSlow},
  };
  return names;
}

const std::vector<PeerName>& fast_style_names() {
  using V = PeerValue;
  const char* const lua = "fast-neural-style";
  static const std::vector<PeerName> names = {
      // jcjohnson/fast-neural-style, fast_neural_style.lua's cmd:option list
      {"-model", "--model", V::Same, "the model (a .t7 converted once by weights/convert/convert.py auto)", lua},
      {"-input_image", "--input", V::Same, "the image to stylise", lua},
      {"-input_dir", "--input", V::Same, "the folder of images to stylise", lua},
      {"-output_image", "-o", V::Same, "the result", lua},
      {"-output_dir", "-o", V::Same, "the output folder", lua},
      {"-image_size", "--size", V::Same, "the long side in pixels", lua},
      {"-median_filter", "--median-filter", V::Same, "the same NxN median filter (it keeps the size here)", lua},
      {"-gpu", "--device", V::Gpu, "its GPU index (-1: cpu)", lua},
      {"-timing", nullptr, V::IgnoredFlag, "each image's seconds are always printed", lua},
      {"-backend", nullptr, V::Ignored,
       "CUDA always runs cuDNN here (OpenCL is not supported); pick the device with --device", lua},
      {"-use_cudnn", nullptr, V::IgnoredFlag, "CUDA always runs cuDNN here", lua},
      {"-cudnn_benchmark", nullptr, V::IgnoredFlag, "always on: cuDNN's algorithms are measured once per shape", lua},
  };
  // pytorch/examples fast_neural_style, neural_style.py eval's argparse list
  static const std::vector<PeerName> both = [] {
    std::vector<PeerName> all = names;
    auto add = [&](const char* peer, const char* ours, PeerValue v, const char* note) {
      all.push_back({peer, ours, v, note, "pytorch/examples"});
    };
    add("--content-image", "--input", V::Same, "the image to stylise");
    add("--output-image", "-o", V::Same, "the result");
    add("--cuda", "--device", V::Cuda01, "1: cuda, 0: cpu");
    add("--accel", nullptr, V::IgnoredFlag, "the default --device is already cuda when a GPU is present");
    add("--content-scale", nullptr, V::Same, "it divides both sides by a factor; give the long side in pixels with --size");
    add("--export_onnx", nullptr, V::Same, "ONNX is neither read nor written here");
    return all;
  }();
  return both;
}

const std::vector<ValueAlias>& value_aliases() {
  static const std::vector<ValueAlias> aliases = {
      {"--init", "random", "noise", "neural-style's -init random"},
      {"--original-colors", "1", "recombine", "neural-style's -original_colors 1"},
      {"--original-colors", "0", "none", "neural-style's -original_colors 0"},
  };
  return aliases;
}

std::string spelling_key(const std::string& name) {
  size_t start = name.find_first_not_of('-');
  std::string k = start == std::string::npos ? "" : name.substr(start);
  for (char& c : k) c = c == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return k;
}

namespace {

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  for (size_t start = 0;;) {
    size_t comma = s.find(',', start);
    out.push_back(s.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) return out;
    start = comma + 1;
  }
}

double number(const PeerName& p, const std::string& s) {
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (s.empty() || *end != '\0' || !std::isfinite(v)) throw Error(std::string(p.peer) + ": '" + s + "' is not a number");
  return v;
}

std::string text(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

}  // namespace

std::vector<std::string> peer_values(const PeerName& p, const std::string& value) {
  switch (p.value) {
    case PeerValue::Same:
    case PeerValue::Flag:
      return {value};
    case PeerValue::CommaList:
      return split(value);
    case PeerValue::Pixels256:
      return {text(number(p, value) / 256.0)};
    case PeerValue::Gpu: {
      if (value.find(',') != std::string::npos)
        throw Error(std::string(p.peer) + " " + value + ": several GPUs per process are not supported; run one "
                    "process per GPU with --device cuda:N");
      if (value == "c" || value == "C") return {"cpu"};  // neural-style-pt's -gpu c
      double g = number(p, value);
      if (g == -1) return {"cpu"};
      if (g < 0 || g != std::floor(g)) throw Error(std::string(p.peer) + ": '" + value + "' is not -1 or a GPU index");
      return {"cuda:" + text(g)};
    }
    case PeerValue::BlendWeights: {
      std::vector<std::string> items = split(value);
      double sum = 0;
      for (const std::string& s : items) sum += number(p, s);
      if (!(sum > 0)) throw Error(std::string(p.peer) + " " + value + ": the weights must sum to more than 0");
      for (std::string& s : items) s = text(number(p, s) / sum);
      return items;
    }
    case PeerValue::Colors01:
      if (value == "0") return {"none"};
      if (value == "1") return {"recombine"};
      return {value};  // our own words pass through
    case PeerValue::Seed:
      if (value == "-1")
        throw Error(std::string(p.peer) + " -1 (no fixed seed) is not supported: every run here is reproducible "
                    "from its --seed; give a number >= 0 or leave it out");
      return {value};
    case PeerValue::TvWeight:
      return {text(number(p, value) * 256.0 * 256.0 / 2.0)};
    case PeerValue::TvWeight255:
      return {text(number(p, value) * 255.0 * 255.0 / 2.0)};
    case PeerValue::Cuda01:
      if (value == "1") return {"cuda"};
      if (value == "0") return {"cpu"};
      throw Error(std::string(p.peer) + ": '" + value + "' is not 1 (cuda) or 0 (cpu)");
    case PeerValue::Ignored:
    case PeerValue::IgnoredFlag:
      return {};
  }
  return {value};
}

}  // namespace app
}  // namespace ds
