// Checks with the real pretrained weights and images of the prepared data folder
// (ds::prepared_dir(): $DEPTHSTYLE_PREPARED or data/, made by scripts/setup). Without it each
// test prints "skipped: no data" (ctest reports it skipped); with it, a wrong answer fails.
// Expected values come from the data folder's README and docs/weights-format.md.
#include <doctest/doctest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <sstream>

#include "prepared.h"
#include "weights/depth_io.h"
#include "nn/fast_style_weights.h"
#include "nn/pretrained.h"
#include "autograd/ops.h"
#include "tensor/image_io.h"
#include "weights/weights.h"

namespace fs = std::filesystem;
using ds::Tensor;
using ds::Var;

namespace {

using dst::prepared;
using dst::skip_without_data;

int top1(const ds::FeatureNet& net, const std::string& image) {
  ds::NoGradGuard ng;
  Var x = ds::resize_bilinear(Var(ds::load_image_rgb(image)), 224, 224);
  std::vector<float> logits = net.run(x, {"pool10"}).at("pool10").value().to_vector();
  return static_cast<int>(std::max_element(logits.begin(), logits.end()) - logits.begin());
}

// Pearson correlation of a and b over the pixels where b is not NaN.
double pearson_where_valid(const std::vector<float>& a, const std::vector<float>& b, size_t* n_valid) {
  double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
  size_t n = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::isnan(b[i])) continue;
    double x = a[i], y = b[i];
    sa += x, sb += y, saa += x * x, sbb += y * y, sab += x * y, ++n;
  }
  *n_valid = n;
  double cov = sab - sa * sb / n, va = saa - sa * sa / n, vb = sbb - sb * sb / n;
  return cov / std::sqrt(va * vb);
}

// Runs a command, returning its exit status and (through `out`) its stdout and stderr.
int run_capture(const std::string& cmd, std::string* out) {
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  REQUIRE_MESSAGE(p != nullptr, "cannot run " << cmd);
  char buf[512];
  while (std::fgets(buf, sizeof buf, p)) *out += buf;
  return pclose(p);
}

// The number after `key` on its own line of the script's output; NaN if absent.
double value_after(const std::string& text, const std::string& key) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (line.rfind(key + " ", 0) == 0) return std::stod(line.substr(key.size() + 1));
  return NAN;
}

}  // namespace

TEST_CASE("prepared real weight files match the C++ models' parameter names and shapes") {
  std::vector<std::string> files = {"weights/fastdepth.h5", "weights/squeezenet1_1.h5"};
  for (const std::string& s : ds::fast_style_names()) files.push_back("weights/fast_style_" + s + ".h5");
  if (skip_without_data(files)) return;
  const std::map<std::string, ds::ParamShapes> shapes = {{"fastdepth", ds::FastDepth::param_shapes()},
                                                         {"squeezenet1_1", ds::squeezenet1_1_param_shapes(true)},
                                                         {"fast_style_tf", ds::FastStyleNet::param_shapes()}};
  for (const std::string& f : files) {
    CAPTURE(f);
    ds::WeightFile w = ds::load_weights(prepared(f), "");
    REQUIRE_MESSAGE(shapes.count(w.architecture), "unexpected architecture " << w.architecture);
    CHECK_NOTHROW(ds::check_params(w, shapes.at(w.architecture)));
  }
}

TEST_CASE("squeezenet classifies chelsea as 285 and coffee as 967 with real weights") {
  const std::string chelsea_png = "images/content/chelsea.png", coffee_png = "images/content/coffee.png";
  if (skip_without_data({"weights/squeezenet1_1.h5", chelsea_png, coffee_png})) return;
  ds::FeatureNet net = ds::load_feature_net("squeezenet", prepared("weights/squeezenet1_1.h5"), ds::Device::CPU);
  int chelsea = top1(net, prepared(chelsea_png)), coffee = top1(net, prepared(coffee_png));
  std::printf("squeezenet top-1: chelsea %d (want 285, Egyptian cat), coffee %d (want 967, espresso)\n", chelsea,
              coffee);
  CHECK(chelsea == 285);
  CHECK(coffee == 967);
}

TEST_CASE("fastdepth depth of the NYU frame correlates with its Kinect depth") {
  if (skip_without_data({"weights/fastdepth.h5", "images/rgbd/nyu_color.ppm", "images/rgbd/nyu_depth.pgm"})) return;
  std::unique_ptr<ds::DepthEstimator> net = ds::load_depth_net("", ds::Device::CPU);
  Tensor rgb = ds::load_image_rgb(prepared("images/rgbd/nyu_color.ppm"));
  Tensor kinect = ds::load_depth_metres(prepared("images/rgbd/nyu_depth.pgm"));
  ds::NoGradGuard ng;
  Tensor depth = net->predict(Var(rgb)).value();
  REQUIRE(depth.shape() == kinect.shape());
  size_t n = 0;
  double r = pearson_where_valid(depth.to_vector(), kinect.to_vector(), &n);
  std::printf("fastdepth vs Kinect on nyu_color.ppm: Pearson %.4f over %zu valid pixels (README: about 0.88)\n", r, n);
  CHECK(n > kinect.numel() / 2);
  CHECK(r >= 0.85);
}

TEST_CASE("la_muse transformer output on chicago matches a pytorch forward of the same weights within one grey level") {
  if (skip_without_data({"weights/fast_style_la_muse.h5", "images/content/chicago.jpg"})) return;
  if (!fs::exists("/usr/bin/python3")) {
    MESSAGE("skipped: no python3-torch (no /usr/bin/python3)");
    std::printf("skipped: no python3-torch (no /usr/bin/python3)\n");
    return;
  }
  std::string weights = prepared("weights/fast_style_la_muse.h5");
  ds::FastStyleNet net = ds::load_fast_style(weights, ds::Device::CPU);
  // Resized so the long side is 256 (712x474 -> 256x170) to keep the test to a few seconds.
  Tensor img = ds::load_image_rgb(prepared("images/content/chicago.jpg"));
  auto [h, w] = ds::fast_size(img.H(), img.W(), 256);
  ds::NoGradGuard ng;
  Var x = ds::resize_bilinear(Var(img), h, w);
  auto t0 = std::chrono::steady_clock::now();
  Tensor y = net.forward(x).value();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("la_muse on chicago resized to %lldx%lld: C++ forward %.2f s (CPU)\n", static_cast<long long>(w),
              static_cast<long long>(h), secs);

  fs::path dir = fs::temp_directory_path() / "depthstyle-tests";
  fs::create_directories(dir);
  std::string io = (dir / ("fast_style_io_" + std::to_string(getpid()) + ".h5")).string();
  ds::save_weights(io, "fast_style_check", {{"input", x.value()}, {"output", y}});
  std::string script = std::string(DEPTHSTYLE_SOURCE_DIR) + "/tests/python/fast_style_reference.py";
  std::string out;
  int status = run_capture("/usr/bin/python3 -B '" + script + "' '" + weights + "' '" + io + "'", &out);
  fs::remove(io);
  std::printf("%s", out.c_str());
  REQUIRE_MESSAGE(status == 0, "the reference script failed:\n" << out);
  if (out.find("skipped: no python3-torch") != std::string::npos) {  // printed above, so ctest sees it
    MESSAGE(out);
    return;
  }
  double max_diff = value_after(out, "max_abs_diff_grey"), mean_diff = value_after(out, "mean_abs_diff_grey");
  REQUIRE_MESSAGE(!std::isnan(max_diff), "no max_abs_diff_grey in the script's output:\n" << out);
  std::printf("la_muse vs pytorch float32: max %.4f, mean %.5f grey levels\n", max_diff, mean_diff);
  // One grey level: the resolution of the 8-bit image the command writes. Two float32 runs of
  // this network differ by at most 4x PyTorch's own float32 error on the golden fixture
  // (test_models.cpp: 8e-5 of the output's ~300-level range, so 0.1 level) -- ten times less.
  // A wrong layer, padding or weight layout moves outputs by tens of levels.
  CHECK(max_diff <= 1.0);
}
