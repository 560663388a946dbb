// depthstyle features --net NAME --layers a,b IMAGE -o out.h5: named activations of a network.
#include <cstdio>

#include "apps/depthstyle/commands.h"
#include "apps/common/args.h"
#include "apps/common/loss_options.h"
#include "apps/common/outputs.h"
#include "autograd/ops.h"
#include "nn/fast_style_weights.h"
#include "nn/pretrained.h"
#include "tensor/file_util.h"
#include "tensor/image_io.h"

namespace ds {
namespace app {

int cmd_features(int argc, char** argv) {
  Args a("depthstyle features --net NAME --layers a,b IMAGE -o out.h5",
         "Writes the activations of named layers of a network for one image to an HDF5 file\n"
         "(one float32 dataset [1,C,H,W] per layer, attributes network and image).\n"
         "Networks: squeezenet, vgg16, vgg19, nin (converted files: DATA/weights/<net>.h5 or --weights),\n"
         "fastdepth, monodepth2 (needs --weights), transformer (a feed-forward style network: --weights\n"
         "a fast-style model file or a pretrained style name; layers: its taps and output, the stylised\n"
         "image in [0,1]). An unknown layer name is an error that lists the network's layers. The\n"
         "output may not be an input (checked before any work); a missing output folder is created.");
  a.option("--net", "NAME", "squeezenet | vgg16 | vgg19 | nin | fastdepth | monodepth2 | transformer", "squeezenet");
  a.option("--layers", "LIST", "comma-separated layer names (required)");
  a.option("--weights", "FILE", "weights file (project HDF5); default: the prepared one where there is one");
  a.option("--size", "PX", "resize the image so its long side is PX (0: keep)", "0");
  a.option("-o", "FILE", "output HDF5 file (required)");
  a.device_option();
  if (!a.parse(argc, argv, 1, 1, "one IMAGE")) return 0;
  const std::string path = a.required("-o");
  std::string ext = lower_extension(path);
  if (ext != ".h5" && ext != ".hdf5")  // an HDF5 file named out.png would look like an image
    throw Error(path + ": the features are written as HDF5; name the output .h5 or .hdf5");
  const int size = a.integer("--size", 0, 4096);
  Device dev = a.device();
  std::string net = a.str("--net");
  a.required("--layers");
  std::vector<std::string> layers = a.list("--layers");
  bool feature_net = net == "squeezenet" || net == "vgg16" || net == "vgg19" || net == "nin";
  if (!feature_net && net != "fastdepth" && net != "monodepth2" && net != "transformer")
    throw UsageError("unknown network '" + net + "': expected squeezenet, vgg16, vgg19, nin, fastdepth, monodepth2 or "
                     "transformer");
  if ((net == "monodepth2" || net == "transformer") && !a.has("--weights"))
    throw UsageError(net + " needs --weights FILE");
  if (layers.empty()) throw UsageError("--layers: an empty list; give at least one layer name");
  // A layer the network lacks is a command-line error, found from the names before any loading
  // (a transformer's taps are known only from its file).
  if (net != "transformer")
    check_layer_names("--layers", net, layers,
                      feature_net ? feature_net_layer_names(net) : depth_net_layer_names(net == "monodepth2"));
  OutputPlan plan;
  plan.input("image", a.positional()[0]);
  plan.input("weights", feature_net           ? feature_net_file(net, a.str("--weights"))
                        : net == "fastdepth"  ? depth_net_file("")
                        : net == "transformer" ? fast_style_file(a.str("--weights"))
                                               : a.str("--weights"));
  plan.output("-o features file", a.str("-o"));
  plan.check();
  NoGradGuard ng;
  Var img(load_image_rgb(a.positional()[0]).to(dev));
  if (size > 0) {
    int64_t h = img.shape()[2], w = img.shape()[3], m = std::max(h, w);
    img = resize_bilinear(img, std::max<int64_t>(1, h * size / m), std::max<int64_t>(1, w * size / m));
  }
  std::map<std::string, Var> acts;
  if (feature_net) {
    FeatureNet fn = load_feature_net(net, a.str("--weights"), dev);
    check_input_size("image " + a.positional()[0], img.shape()[2], img.shape()[3],
                     size > 0 ? "(--size " + std::to_string(size) + ")" : "(its own size)", min_input_side(fn, layers), fn,
                     layers, "give a larger --size, or tap earlier layers");
    acts = fn.run(img, layers);
  } else if (net == "transformer") {
    acts = load_fast_style(a.str("--weights"), dev).run(img, layers);
  } else {
    acts = load_depth_net(net == "monodepth2" ? a.str("--weights") : "", dev)->run(img, layers);
  }
  std::map<std::string, Tensor> out;
  for (const auto& [name, v] : acts) {
    std::string key = name;  // the file's root group is flat: fire2/squeeze is stored as fire2.squeeze
    std::replace(key.begin(), key.end(), '/', '.');
    out[key] = v.value();
    std::printf("  %-16s %s\n", name.c_str(), shape_str(v.shape()).c_str());
  }
  save_weights(path, "features", out,
               {{"network", h5::AttrValue::string(net)}, {"image", h5::AttrValue::string(a.positional()[0])}});
  std::printf("wrote %zu activation(s) of %s to %s\n", out.size(), net.c_str(), path.c_str());
  return 0;
}

}  // namespace app
}  // namespace ds
