// depthstyle classify IMAGE: SqueezeNet 1.1's top-5 ImageNet classes for an image.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <numeric>

#include "apps/depthstyle/commands.h"
#include "apps/common/args.h"
#include "nn/pretrained.h"
#include "autograd/ops.h"
#include "tensor/image_io.h"

namespace ds {
namespace app {

static std::vector<std::string> read_labels(const std::string& path) {
  std::ifstream f(path);
  if (!f) throw Error(path + ": cannot open the class names file");
  std::vector<std::string> names;
  for (std::string line; std::getline(f, line);) names.push_back(line);
  if (names.size() != 1000) throw Error(path + ": expected 1000 class names, one per line, got " + std::to_string(names.size()));
  return names;
}

int cmd_classify(int argc, char** argv) {
  Args a("depthstyle classify [options] IMAGE",
         "Classifies an image with SqueezeNet 1.1 (ImageNet) and prints the top-5 classes with\n"
         "their probabilities. The image is resized to 224x224 (bilinear).");
  // DATA: the prepared data folder (depthstyle --help: --data, $DEPTHSTYLE_PREPARED, installed default).
  a.option("--weights", "FILE", "SqueezeNet 1.1 weights with classifier (project HDF5)", "DATA/weights/squeezenet1_1.h5");
  a.option("--labels", "FILE", "class names, one per line", "DATA/images/labels/imagenet_classes.txt");
  a.option("--top", "K", "how many classes to print", "5");
  a.device_option();
  if (!a.parse(argc, argv, 1, 1, "one IMAGE")) return 0;
  Device dev = a.device();
  int top = a.integer("--top", 1, 1000);
  std::string weights = a.has("--weights") ? a.str("--weights") : prepared_file("weights/squeezenet1_1.h5");
  std::string labels = a.has("--labels") ? a.str("--labels") : prepared_file("images/labels/imagenet_classes.txt");
  std::vector<std::string> names = read_labels(labels);

  FeatureNet net = load_feature_net("squeezenet", weights, dev);
  if (!net.net.has_layer("pool10"))
    throw Error(weights + ": these SqueezeNet weights have no classifier (e.g. the Keras port); use squeezenet1_1.h5");
  NoGradGuard ng;
  Var img(load_image_rgb(a.positional()[0]).to(dev));
  Var x = resize_bilinear(img, 224, 224);
  std::vector<float> logits = net.run(x, {"pool10"}).at("pool10").value().to_vector();
  float mx = *std::max_element(logits.begin(), logits.end());
  std::vector<double> p(logits.size());
  double z = 0;
  for (size_t i = 0; i < p.size(); ++i) z += p[i] = std::exp(static_cast<double>(logits[i] - mx));
  std::vector<size_t> order(p.size());
  std::iota(order.begin(), order.end(), 0);
  std::partial_sort(order.begin(), order.begin() + top, order.end(), [&](size_t i, size_t j) { return p[i] > p[j]; });
  std::printf("%s\n", a.positional()[0].c_str());
  for (int k = 0; k < top; ++k)
    std::printf("  %4zu  %6.2f%%  %s\n", order[static_cast<size_t>(k)], 100.0 * p[order[static_cast<size_t>(k)]] / z,
                names[order[static_cast<size_t>(k)]].c_str());
  return 0;
}

}  // namespace app
}  // namespace ds
