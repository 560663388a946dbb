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
    "our loss terms are normalised differently (pixels in 0..1, content 1/2 sum, style 1/(4N^2M^2)), so neural-style's "
    "numbers do not carry over: start from our defaults (stylize --help)";

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
      {"-tv_weight", "--tv-weight", V::Same, kWeightScale},
      {"-num_iterations", "--iters", V::Same, "neural-style's iteration count"},
      {"-normalize_gradients", "--normalize-gradients", V::Flag, "the same rescaling of each term's gradient"},
      {"-init", "--init", V::Same, "neural-style's start: random = noise, image = the content (or -init_image)"},
      {"-init_image", "--init", V::Same, "neural-style's start image"},
      {"-optimizer", "--optimizer", V::Same, "lbfgs | adam, as in neural-style (our default is adam)"},
      {"-learning_rate", "--lr", V::Pixels256,
       "neural-style's Adam step is in its 0..256 pixel units, ours in 0..1: divided by 256"},
      {"-lbfgs_num_correction", nullptr, V::Same, "our L-BFGS keeps a fixed history of 20 correction pairs"},
      // Output options
      {"-print_iter", "--print-every", V::Same, "print the loss terms every N iterations"},
      {"-save_iter", "--save-every", V::Same, "write the image every N iterations"},
      {"-output_image", "-o", V::Same, "the result"},
      // Other options
      {"-style_scale", "--style-scale", V::Same, "style images at F times the working size, rounded up, as neural-style"},
      {"-original_colors", "--original-colors", V::Colors01, "neural-style's 1: the content's colours (recombine)"},
      {"-pooling", "--pooling", V::Same, "max | avg pooling in the loss network"},
      {"-proto_file", nullptr, V::Same,
       "there are no Caffe models here: the loss network is --net squeezenet|vgg16 with --weights FILE in the "
       "project's HDF5 format (weights/convert/convert.py makes one from torchvision's vgg16 .pth)"},
      {"-model_file", nullptr, V::Same,
       "there are no Caffe models here: the loss network is --net squeezenet|vgg16 with --weights FILE in the "
       "project's HDF5 format (weights/convert/convert.py makes one from torchvision's vgg16 .pth)"},
      {"-backend", nullptr, V::Same,
       "the kernels are chosen here (cuDNN on CUDA, our own CPU kernels); pick the device with --device"},
      {"-cudnn_autotune", nullptr, V::Flag, "cuDNN's algorithms are measured and chosen per shape already"},
      {"-seed", "--seed", V::Seed, "the seed of the noise start"},
      {"-content_layers", "--content-layer", V::OneItem, "the content layer (we take one)"},
      {"-style_layers", "--style-layers", V::Same, "the style layers"},
  };
  return names;
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
    case PeerValue::OneItem:
      if (value.find(',') != std::string::npos)
        throw Error(std::string(p.peer) + " " + value + ": depthstyle takes one content layer (--content-layer)");
      return {value};
  }
  return {value};
}

}  // namespace app
}  // namespace ds
