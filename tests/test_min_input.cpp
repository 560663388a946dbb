// The smallest input a feature network accepts (nn/pretrained.h, min_input_side), against the
// layer arithmetic of the published architectures, worked by hand below. Synthetic weights:
// the answer depends on the layers' geometry only.
//
// SqueezeNet 1.1 (torchvision): conv1 3x3 stride 2, no padding: c = floor((s-3)/2) + 1; max
// pools 3x3 stride 2 need an input of at least 3 and give floor((n-3)/2) + 1, or with ceil
// mode ceil((n-3)/2) + 1; fire modules keep the size. pool1 follows relu1, pool3 follows fire3,
// pool5 follows fire5. So (a = pool1's output, b = pool3's):
//   relu1: s >= 3.  fire3: c >= 3, s >= 7.
//   fire5 needs a >= 3: floor: c >= 7, s >= 15;  ceil: c >= 6, s >= 13.
//   fire9 needs b >= 3, a >= 7 (floor) / 6 (ceil): floor: c >= 15, s >= 31;  ceil: c >= 12, s >= 25.
// VGG16: 3x3 convolutions with padding 1 keep the size; 2x2 stride-2 pools halve it (floor):
//   relu1_1: 1.  relu5_1 after four pools: 16.
#include <doctest/doctest.h>

#include "nn/pretrained.h"

namespace {

ds::ParamSet synthetic(const ds::ParamShapes& shapes) {
  std::map<std::string, ds::Tensor> m;
  for (const auto& [name, shape] : shapes) m[name] = ds::synthetic_param(name, shape);
  return ds::ParamSet(m, "synthetic");
}

}  // namespace

TEST_CASE("min_input_side: squeezenet with floor and ceil pools, vgg16, from the layer arithmetic") {
  ds::ParamSet sq = synthetic(ds::squeezenet1_1_param_shapes(false));
  ds::FeatureNet floor_net{"squeezenet", ds::squeezenet1_1(sq, false), ds::Preprocess::imagenet()};
  ds::FeatureNet ceil_net{"squeezenet", ds::squeezenet1_1(sq, true), ds::Preprocess::imagenet()};
  CHECK(ds::min_input_side(floor_net, {"relu1"}) == 3);
  CHECK(ds::min_input_side(floor_net, {"fire3"}) == 7);
  CHECK(ds::min_input_side(floor_net, {"relu1", "fire3", "fire4", "fire5", "fire2"}) == 15);
  CHECK(ds::min_input_side(ceil_net, {"relu1", "fire3", "fire4", "fire5", "fire2"}) == 13);
  CHECK(ds::min_input_side(floor_net, {"fire9"}) == 31);
  CHECK(ds::min_input_side(ceil_net, {"fire2", "fire9"}) == 25);
  ds::FeatureNet vgg{"vgg16", ds::vgg16_features(synthetic(ds::vgg16_param_shapes())), ds::Preprocess::imagenet()};
  CHECK(ds::min_input_side(vgg, {"relu1_1"}) == 1);
  CHECK(ds::min_input_side(vgg, {"relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu5_1"}) == 16);
  CHECK_THROWS_WITH_AS(ds::min_input_side(vgg, {"fire2"}), doctest::Contains("no layer named 'fire2'"), ds::Error);
}

TEST_CASE("check_input_size names the image, its working size and the minimum") {
  ds::FeatureNet net{"squeezenet", {}, {}};
  CHECK_NOTHROW(ds::check_input_size("style image s.png", 13, 400, "(--style-size 400)", 13, net, {"fire5"}, "hint"));
  CHECK_THROWS_WITH_AS(
      ds::check_input_size("style image s.png", 4, 256, "(--style-size 256)", 13, net, {"relu1", "fire5"},
                           "give --style-size 832 or more"),
      "style image s.png: working size 256x4 (--style-size 256) is smaller than the minimum 13x13 of squeezenet's "
      "layers relu1,fire5 (each must give at least a 1x1 output); give --style-size 832 or more",
      ds::Error);
}

TEST_CASE("min_input_side passes on an error that is not about the size at once") {
  // The network's weights live on the CPU; asking it to probe on another device fails at every
  // size for a reason unrelated to the size (no CUDA device here; on a GPU machine, tensors on
  // two devices). Before ds::InputTooSmall, every such error was swallowed as "too small" at each
  // of the 4096 sizes and reported as "no input side up to 4096".
  ds::FeatureNet net{"squeezenet", ds::squeezenet1_1(synthetic(ds::squeezenet1_1_param_shapes(false))),
                     ds::Preprocess::imagenet()};
  net.device = ds::Device::CUDA;
  try {
    ds::min_input_side(net, {"relu1"});
    FAIL("expected an error");
  } catch (const ds::InputTooSmall& e) {
    FAIL("a device error reported as a size error: " << e.what());
  } catch (const ds::Error& e) {
    CHECK(std::string(e.what()).find("no input side") == std::string::npos);
  }
}
