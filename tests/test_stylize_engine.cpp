// The single-image stylize engine (apps/stylize/engine.h) and its hooks for the commands that
// stylise images they hold (video frames, 3D fills), with a synthetic SqueezeNet written in the
// project's weight format (no data needed) and the options parsed as `stylize` parses them:
//   - an update mask: pixels outside it stay the start's, bit for bit, with both optimisers;
//   - an extra loss term: logged under its name at the start image as its float64 value, added
//     to the total, and its gradient pulls the image where the term says;
//   - a content weight map of zeros switches the content term off;
//   - the observer sees every iteration; iterations per call; the errors for bad maps.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <filesystem>

#include "apps/stylize/engine.h"
#include "autograd/ops.h"
#include "check.h"
#include "nn/params.h"
#include "tensor/image_io.h"
#include "tensor/random.h"
#include "weights/weights.h"

using ds::Tensor;
using ds::Var;
using ds::app::StylizeEngine;
using ds::app::StylizeRequest;
using ds::app::StylizeResult;

namespace {

// A scratch folder with synthetic SqueezeNet weights and a style image.
struct Files {
  std::string dir = dst::temp_path("stylize-engine");
  std::string weights = dir + "/squeeze.h5", style = dir + "/style.png";
  Files() {
    std::filesystem::create_directories(dir);
    std::map<std::string, Tensor> params;
    for (const auto& [name, shape] : ds::squeezenet1_1_param_shapes(false)) params[name] = ds::synthetic_param(name, shape);
    ds::WeightPreprocessing pre;
    pre.mean = {0.485, 0.456, 0.406}, pre.std = {0.229, 0.224, 0.225};
    ds::save_weights(weights, "squeezenet1_1_features", params, ds::preprocessing_attrs(pre));
    ds::save_image(style, ds::Rng(21).uniform_tensor({1, 3, 40, 40}, 0, 1));
  }
  ~Files() { std::filesystem::remove_all(dir); }
};

// The options of `stylize --style STYLE --weights W --size 48 --device cpu args...`.
ds::app::StylizeOptions options(const Files& f, std::vector<std::string> args) {
  ds::app::Args a("depthstyle video [options] IN", "");
  ds::app::declare_stylize_options(a, ds::app::StylizeUse::PerFrame);
  std::vector<std::string> all = {"video", "--style", f.style, "--weights", f.weights, "--size", "48", "--device", "cpu",
                                  "--iters", "6"};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& s : all) argv.push_back(s.data());
  a.parse(static_cast<int>(argv.size()), argv.data());
  return ds::app::parse_stylize_options(a, ds::app::StylizeUse::PerFrame);
}

// A content at the working size (48x36, so a scale is the content's own size) and its depth.
StylizeRequest request() {
  StylizeRequest r;
  r.content = ds::Rng(5).uniform_tensor({1, 3, 36, 48}, 0, 1);
  r.depth = Tensor::empty({1, 1, 36, 48});
  for (int64_t i = 0; i < r.depth.numel(); ++i) r.depth.data()[i] = 1.0f + static_cast<float>(i % 48) / 16.0f;
  return r;
}

// Counts what the observer sees.
struct Counter : ds::app::StylizeObserver {
  int iterations = 0, scales = 0;
  std::vector<std::string> names;
  void begin_scale(const Scale& s) override { ++scales, names = s.term_names; }
  void iteration(int, const ds::LossTerms&, const Tensor&) override { ++iterations; }
};

}  // namespace

TEST_CASE("stylize engine: outside the update mask every pixel stays the start's, bit for bit (adam, lbfgs)") {
  Files f;
  for (std::string opt : {"adam", "lbfgs"}) {
    CAPTURE(opt);
    StylizeEngine engine(options(f, {"--optimizer", opt}), false);
    StylizeRequest r = request();
    r.start = ds::Rng(6).uniform_tensor({1, 3, 36, 48}, 0, 1);
    r.update_mask = Tensor::zeros({1, 1, 36, 48});
    for (int64_t y = 0; y < 36; ++y)
      for (int64_t x = 20; x < 48; ++x) r.update_mask.data()[y * 48 + x] = 1.0f;  // free: columns 20..47
    StylizeResult out = engine.stylize(r);
    REQUIRE(out.stopped.empty());
    REQUIRE(out.optimised.shape() == r.start.shape());
    int kept_differ = 0, free_changed = 0;
    for (int64_t c = 0; c < 3; ++c)
      for (int64_t y = 0; y < 36; ++y)
        for (int64_t x = 0; x < 48; ++x) {
          float a = out.optimised.at({0, c, y, x}), b = r.start.at({0, c, y, x});
          if (x < 20) kept_differ += std::memcmp(&a, &b, sizeof a) != 0;
          else free_changed += a != b;
        }
    CHECK(kept_differ == 0);
    CHECK(free_changed > 3 * 36 * 28 / 2);  // the mask does not freeze the rest: most free pixels moved
    CHECK(out.image.to_vector() == out.optimised.to_vector());  // no --original-colors
  }
}

TEST_CASE("stylize engine: an extra term is logged under its name, enters the total and pulls the image") {
  Files f;
  StylizeEngine engine(options(f, {}), false);
  StylizeRequest r = request();
  Tensor grey = Tensor::full({1, 3, 36, 48}, 0.5f);
  const float w = 5000.0f;  // the pull (about 2e6 at the start) outweighs the synthetic net's terms (about 2e5)
  // The pull towards grey: w * sum((y - 0.5)^2), a scalar.
  auto pull = [&](const Var& y) {
    Var d = y - Var(grey);
    return ds::sum(d * d) * w;
  };
  Counter seen;
  r.observer = &seen;
  StylizeResult plain = engine.stylize(r);
  r.extra = {"pull", pull};
  StylizeResult pulled = engine.stylize(r);
  CHECK(seen.iterations == 12);  // 6 per call, both calls observed
  REQUIRE(seen.names.size() == plain.first.values().size() + 1);
  CHECK(seen.names.back() == "pull");
  REQUIRE(pulled.first.extra.size() == 1);
  CHECK(plain.first.extra.empty());
  // At the start image (the content, --init content) the term is its float64 value.
  double want = 0;
  for (float v : r.content.to_vector()) want += (static_cast<double>(v) - 0.5) * (v - 0.5);
  want *= w;
  CHECK(pulled.first.extra[0] == doctest::Approx(want).epsilon(1e-5));  // a float32 sum of 5184 squares
  CHECK(pulled.first.total == doctest::Approx(plain.first.total + want).epsilon(1e-5));
  // Its gradient moves the image towards grey: after the same iterations, closer than without it.
  auto distance = [&](const Tensor& img) {
    double s = 0;
    for (float v : img.to_vector()) s += std::fabs(v - 0.5);
    return s;
  };
  MESSAGE("terms at the start: total " << plain.first.total << ", pull " << pulled.first.extra[0]);
  MESSAGE("mean |y - 0.5|: without " << distance(plain.optimised) / 5184 << ", with " << distance(pulled.optimised) / 5184);
  CHECK(distance(pulled.optimised) < 0.6 * distance(plain.optimised));
}

TEST_CASE("stylize engine: a content weight map of zeros switches the content term off; iterations per call") {
  Files f;
  StylizeEngine engine(options(f, {"--init", "noise"}), false);
  StylizeRequest r = request();
  Counter seen;
  r.observer = &seen;
  r.iters = {3};
  StylizeResult with = engine.stylize(r);
  CHECK(with.first.content > 0);
  CHECK(with.iterations == 3);
  CHECK(seen.iterations == 3);
  r.content_weight = Tensor::zeros({1, 1, 36, 48});
  StylizeResult without = engine.stylize(r);
  CHECK(without.first.content == 0);
  CHECK(without.first.style == with.first.style);  // the same start (seeded noise), only the content term differs
}

TEST_CASE("stylize engine: bad requests are clear errors") {
  Files f;
  StylizeEngine engine(options(f, {}), false);
  StylizeRequest r = request();
  r.update_mask = Tensor::zeros({1, 1, 10, 10});
  CHECK(dst::error_of([&] { engine.stylize(r); }).find("a per-pixel map of 10x10 for a content of 48x36") !=
        std::string::npos);
  r = request();
  r.depth = Tensor();  // no depth and no depth network loaded
  CHECK(dst::error_of([&] { engine.stylize(r); }).find("no depth map and no depth network") != std::string::npos);
  r = request();
  r.depth = Tensor::full({1, 1, 36, 48}, -1.0f);
  CHECK(dst::error_of([&] { engine.stylize(r); }).find("has no valid pixel") != std::string::npos);
  r = request();
  r.iters = {1, 2};  // two counts for one scale
  CHECK(dst::error_of([&] { engine.stylize(r); }).find("2 iteration counts for 1 scales") != std::string::npos);
}
