// Weight files holding NaN or infinity (a checkpoint of a diverged training run): every network
// loader refuses them naming the file, the parameter and the count (weights/weights.h
// load_weights), and `depthstyle info` describes them instead. Without the check such a model ran:
// ReLU (x > 0) turns NaN into 0, so the image looked plausible and was wrong (new-user pass 2,
// finding 4). Files are written by the test with synthetic weights: no data folder needed.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "nn/fast_style_weights.h"
#include "nn/pretrained.h"
#include "tensor/image_io.h"
#include "tests/check.h"
#include "tests/cli_run.h"
#include "weights/weights.h"

namespace fs = std::filesystem;
using ds::Tensor;
using dst::contains;
using dst::error_of;

namespace {

const float kNaN = std::numeric_limits<float>::quiet_NaN();
const float kInf = std::numeric_limits<float>::infinity();

// A weight file of `architecture` with synthetic values for `shapes` and ImageNet
// preprocessing, `bad` written at flat index `at` of the parameter `name`.
std::string write_with(const dst::ScratchDir& d, const std::string& file, const std::string& architecture,
                       const ds::ParamShapes& shapes, const std::string& name, int64_t at, float bad) {
  std::map<std::string, Tensor> m;
  for (const auto& [n, shape] : shapes) m[n] = ds::synthetic_param(n, shape);
  REQUIRE(m.count(name));
  m[name].data()[at] = bad;
  std::string path = d.file(file);
  ds::save_weights(path, architecture, m, ds::preprocessing_attrs(ds::WeightPreprocessing{true}));
  return path;
}

}  // namespace

TEST_CASE("weights: count_nonfinite counts NaN and infinities, by a float64 oracle, and nothing else") {
  // Every kind of finite float (zeros, subnormals, the largest) beside NaNs of both signs and
  // payloads and both infinities; 1031 values, so the vectorised loop's tail is covered too.
  std::vector<float> v(1031);
  for (size_t i = 0; i < v.size(); ++i) v[i] = std::sin(0.37f * static_cast<float>(i)) * 1e3f;
  v[0] = -0.0f, v[1] = std::numeric_limits<float>::denorm_min(), v[2] = std::numeric_limits<float>::max();
  v[3] = -std::numeric_limits<float>::max(), v[4] = std::numeric_limits<float>::min();
  v[10] = kNaN, v[11] = -kNaN, v[12] = std::nanf("7"), v[13] = kInf, v[14] = -kInf, v[1030] = kNaN;
  int64_t nan = 0, inf = 0;
  for (float x : v) nan += std::isnan(static_cast<double>(x)), inf += std::isinf(static_cast<double>(x));
  REQUIRE(nan == 4);
  REQUIRE(inf == 2);
  ds::NonFiniteCount c = ds::count_nonfinite(Tensor::from_vector({static_cast<int64_t>(v.size())}, v));
  CHECK(c.nan == nan);
  CHECK(c.inf == inf);
  CHECK(ds::count_nonfinite(Tensor::zeros({0})).total() == 0);
}

TEST_CASE("weights: load_weights refuses NaN and infinite parameters, naming the file, each parameter and the count") {
  dst::ScratchDir d("nonfinite_load");
  std::map<std::string, Tensor> m{{"conv1.weight", Tensor::full({4, 3, 3, 3}, 0.5f)},
                                  {"conv1.bias", Tensor::zeros({4})},
                                  {"fc.weight", Tensor::full({2, 4}, 1.0f)}};
  for (int64_t i = 0; i < 108; i += 2) m["conv1.weight"].data()[i] = kNaN;  // 54 NaN
  m["fc.weight"].data()[1] = kInf, m["fc.weight"].data()[6] = -kInf;
  std::string path = d.file("diverged.h5");
  ds::save_weights(path, "tiny_net", m);

  std::string msg = error_of([&] { ds::load_weights(path, "tiny_net"); });
  INFO(msg);
  CHECK(contains(msg, path));
  CHECK(contains(msg, "'conv1.weight' holds 54 NaN values (of 108)"));
  CHECK(contains(msg, "'fc.weight' holds 2 infinite values (of 8)"));
  CHECK(contains(msg, "2 parameters are not finite"));
  CHECK(!contains(msg, "conv1.bias"));
  CHECK(contains(msg, "diverged training run"));

  // Allowed (depthstyle info): loaded as stored, NaN and infinity kept.
  ds::WeightFile f = ds::load_weights(path, "tiny_net", ds::NonFinite::Allow);
  CHECK(std::isnan(f.param("conv1.weight").data()[0]));
  CHECK(f.param("conv1.weight").data()[1] == 0.5f);
  CHECK(f.param("fc.weight").data()[6] == -kInf);
}

TEST_CASE("weights: every network loader refuses one NaN weight (fast style, feature net, depth net)") {
  dst::ScratchDir d("nonfinite_loaders");
  // Each file loads when the value is finite (so the refusal below is for the NaN alone).
  SUBCASE("fast: a fast_style_tf model") {
    CHECK_NOTHROW(ds::load_fast_style(
        write_with(d, "ok.h5", "fast_style_tf", ds::FastStyleNet::param_shapes(), "res2.conv1.weight", 17, 0.5f), ds::Device::CPU));
    std::string p = write_with(d, "fast.h5", "fast_style_tf", ds::FastStyleNet::param_shapes(), "res2.conv1.weight", 17, kNaN);
    std::string msg = error_of([&] { ds::load_fast_style(p, ds::Device::CPU); });
    CHECK(contains(msg, p));
    CHECK(contains(msg, "'res2.conv1.weight' holds 1 NaN value (of "));
    // train --init FILE goes the same way
    CHECK(contains(error_of([&] { ds::fast_style_init(p, 0); }), "'res2.conv1.weight' holds 1 NaN value"));
  }
  SUBCASE("stylize / features: a SqueezeNet feature net given with --weights") {
    CHECK_NOTHROW(ds::load_feature_net("squeezenet",
                                       write_with(d, "ok.h5", "squeezenet1_1_features", ds::squeezenet1_1_param_shapes(false),
                                                  "features.0.bias", 3, 0.5f),
                                       ds::Device::CPU, ds::Pooling::Max));
    std::string p = write_with(d, "sq.h5", "squeezenet1_1_features", ds::squeezenet1_1_param_shapes(false),
                               "features.0.bias", 3, -kInf);
    std::string msg = error_of([&] { ds::load_feature_net("squeezenet", p, ds::Device::CPU, ds::Pooling::Max); });
    CHECK(contains(msg, p));
    CHECK(contains(msg, "'features.0.bias' holds 1 infinite value (of 64)"));
  }
  SUBCASE("depth / stylize --monodepth2: a Monodepth2 depth net") {
    ds::ParamShapes shapes = ds::Monodepth2::param_shapes();
    CHECK_NOTHROW(ds::load_depth_net(write_with(d, "ok.h5", "monodepth2_resnet18", shapes, "encoder.conv1.weight", 0, 0.5f),
                                     ds::Device::CPU));
    std::string p = write_with(d, "md2.h5", "monodepth2_resnet18", shapes, "encoder.conv1.weight", 0, kNaN);
    std::string msg = error_of([&] { ds::load_depth_net(p, ds::Device::CPU); });
    CHECK(contains(msg, p));
    CHECK(contains(msg, "'encoder.conv1.weight' holds 1 NaN value (of 9408)"));
  }
}

TEST_CASE("info describes a model with NaN weights (counts marked), fast refuses it and writes nothing") {
  dst::ScratchDir d("nonfinite_cli");
  std::string p = write_with(d, "nan.h5", "fast_style_tf", ds::FastStyleNet::param_shapes(), "conv1.weight", 5, kNaN);
  dst::CliResult info = dst::run_depthstyle({"info", p});
  INFO(info.out);
  CHECK(info.rc == 0);
  CHECK(contains(info.out, "NOT FINITE    1 NaN and 0 infinite values in 1 tensors"));
  CHECK(contains(info.out, "NOT FINITE: 1 NaN, 0 infinite"));
  CHECK(contains(info.out, "in1.bias"));  // the other parameters are listed as usual

  Tensor img = Tensor::full({1, 3, 16, 16}, 0.5f);
  std::string in = d.file("in.png"), out = d.file("out.png");
  ds::save_image(in, img);
  dst::CliResult fast = dst::run_depthstyle({"fast", p, in, "-o", out});
  INFO(fast.out);
  CHECK(fast.rc != 0);
  CHECK(contains(fast.out, "'conv1.weight' holds 1 NaN value"));
  CHECK(!fs::exists(out));
}
