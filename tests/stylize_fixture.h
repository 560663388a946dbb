// A scratch folder with synthetic SqueezeNet weights (the project's weight format, no data
// needed) and a noise style image, and stylize's options parsed as a per-frame command parses
// them: for the tests of the stylize engine and of the commands built on it (3D fills).
#pragma once
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "apps/stylize/stylize_options.h"
#include "check.h"
#include "nn/params.h"
#include "tensor/image_io.h"
#include "tensor/random.h"
#include "weights/weights.h"

namespace dst {

struct SyntheticStylizeFiles {
  std::string dir, weights, style;
  explicit SyntheticStylizeFiles(const std::string& name = "stylize-engine")
      : dir(temp_path(name)), weights(dir + "/squeeze.h5"), style(dir + "/style.png") {
    std::filesystem::create_directories(dir);
    std::map<std::string, ds::Tensor> params;
    for (const auto& [pname, shape] : ds::squeezenet1_1_param_shapes(false)) params[pname] = ds::synthetic_param(pname, shape);
    ds::WeightPreprocessing pre;
    pre.mean = {0.485, 0.456, 0.406}, pre.std = {0.229, 0.224, 0.225};
    ds::save_weights(weights, "squeezenet1_1_features", params, ds::preprocessing_attrs(pre));
    ds::save_image(style, ds::Rng(21).uniform_tensor({1, 3, 40, 40}, 0, 1));
  }
  ~SyntheticStylizeFiles() { std::filesystem::remove_all(dir); }
};

// The options of `COMMAND --style STYLE --weights W --size SIZE --device cpu --iters 6 args...`
// (StylizeUse::PerFrame).
inline ds::app::StylizeOptions synthetic_stylize_options(const SyntheticStylizeFiles& f, std::vector<std::string> args,
                                                         int size = 48) {
  ds::app::Args a("depthstyle video [options] IN", "");
  ds::app::declare_stylize_options(a, ds::app::StylizeUse::PerFrame);
  std::vector<std::string> all = {"video", "--style", f.style, "--weights", f.weights, "--size", std::to_string(size),
                                  "--device", "cpu", "--iters", "6"};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& s : all) argv.push_back(s.data());
  a.parse(static_cast<int>(argv.size()), argv.data());
  return ds::app::parse_stylize_options(a, ds::app::StylizeUse::PerFrame);
}

}  // namespace dst
