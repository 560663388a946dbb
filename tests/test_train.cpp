// depthstyle train's engine (apps/train/train.h, losses/transfer_loss.h): a few steps lower
// the loss, checkpoints reload bit-identically, a resumed run equals an uninterrupted one, and bad inputs give
// clear errors. Loss and depth networks carry synthetic weights (ds::synthetic_param), so
// every test runs without the data folder; crops are 32x32 and runs a few steps (seconds).
#include <doctest/doctest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>

#include "nn/fast_style_weights.h"
#include "apps/train/train.h"
#include "tensor/image_io.h"
#include "tensor/random.h"
#include "tests/check.h"

namespace fs = std::filesystem;
using ds::Error;
using ds::Tensor;
using ds::Var;
using namespace ds::app;
using ds::resolve_checkpoint;

namespace {

// An empty folder in the process's scratch folder (tests/check.h), removed afterwards.
struct TempDir {
  fs::path dir;
  explicit TempDir(const std::string& name) : dir(dst::temp_path("train_" + name)) {
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  ~TempDir() { fs::remove_all(dir); }
  std::string file(const std::string& name) const { return (dir / name).string(); }
};

ds::ParamSet synthetic(const ds::ParamShapes& shapes) {
  std::map<std::string, Tensor> m;
  for (const auto& [name, shape] : shapes) m[name] = ds::synthetic_param(name, shape);
  return ds::ParamSet(m, "synthetic");
}

// FastDepth with synthetic weights, run at the input's size (32x32 crops) to stay fast.
class TinyDepth : public ds::DepthEstimator {
 public:
  TinyDepth() : net_(synthetic(ds::FastDepth::param_shapes())) {}
  std::string name() const override { return "tiny-fastdepth"; }
  Var predict(const Var& x) const override { return net_.run(x, {"depth"}).at("depth"); }
  std::map<std::string, Var> run(const Var& x, const std::vector<std::string>& taps) const override {
    return net_.run(x, taps);
  }
  std::vector<std::string> layer_names() const override { return ds::FastDepth::layer_names(); }

 private:
  ds::FastDepth net_;
};

// Smooth random colour fields, so crops differ and the nets see structure.
void write_images(const TempDir& d, int count, int h, int w) {
  for (int k = 0; k < count; ++k) {
    ds::Rng rng(100 + static_cast<uint64_t>(k));
    Tensor img = Tensor::empty({1, 3, h, w});
    double f[3][2];
    for (auto& c : f) c[0] = rng.uniform() * 0.3, c[1] = rng.uniform() * 0.3;
    for (int c = 0; c < 3; ++c)
      for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
          img.set({0, c, y, x}, static_cast<float>(0.5 + 0.4 * std::sin(f[c][0] * y + f[c][1] * x + k)));
    ds::save_image(d.file("img" + std::to_string(k) + ".png"), img);
  }
}

// Everything a Trainer needs, with synthetic networks.
struct Setup {
  ds::FeatureNet net{"squeezenet", ds::squeezenet1_1(synthetic(ds::squeezenet1_1_param_shapes(false))),
                     ds::Preprocess::imagenet()};
  TinyDepth depth;
  ds::LossSpec spec = ds::default_loss_spec("squeezenet", ds::TransferMethod::FeedForward);
  TrainConfig cfg;
  Tensor style = ds::Rng(7).uniform_tensor({1, 3, 32, 32}, 0, 1);
  Setup() {
    cfg.batch_size = 2;
    cfg.lr = 2e-3f;
    spec.style_weight = 1e-3f;  // synthetic SqueezeNet features are large: keep the terms comparable
    spec.depth_weight = 100.0f;
    spec.depth_layers = {"conv13", "decoder3"};
    spec.depth_layer_weights = {0.5f, 0.5f};
  }
  ds::TransferLoss loss(const ds::DepthEstimator* depth_net) const {
    return ds::TransferLoss(net, depth_net, spec, {{"", style, 1.0f, Tensor()}}, ds::Device::CPU);
  }
};

const std::string kArch = "fast_style_tf";

// One 32x32 image in `d`, no depth loss, a randomly initialised trainer: where the resume error
// cases start.
struct OneImageRun {
  ds::TransferLoss loss;
  ImageStream data;
  Trainer trainer;
  OneImageRun(const TempDir& d, Setup& s)
      : loss(prepare(d, s)), data(d.dir.string(), 32, 0), trainer(ds::fast_style_init("random", 0), loss, data, s.cfg, ds::Device::CPU) {}
  static ds::TransferLoss prepare(const TempDir& d, Setup& s) {
    write_images(d, 1, 32, 32);
    s.spec.depth_weight = 0;
    return s.loss(nullptr);
  }
};

}  // namespace

TEST_CASE("train: a few Adam steps lower the loss on a tiny image set") {
  TempDir d("lower");
  write_images(d, 3, 40, 48);
  Setup s;
  ds::TransferLoss loss = s.loss(&s.depth);
  ImageStream data(d.dir.string(), 32, 1);
  Trainer t(ds::fast_style_init("random", 3), loss, data, s.cfg, ds::Device::CPU);
  int64_t cursor = 0;
  Tensor fixed = ImageStream(d.dir.string(), 32, 9).next_batch(2, cursor);
  ds::LossTerms before = t.evaluate(fixed);
  REQUIRE(before.values().size() == loss.term_names().size());
  CHECK(before.depth > 0);  // the depth terms are live
  for (int i = 0; i < 5; ++i) t.step();
  ds::LossTerms after = t.evaluate(fixed);
  CHECK(after.total < 0.9 * before.total);
  CHECK(t.steps_done() == 5);
  CHECK(t.cursor() == 10);
  CHECK(t.history().size() == 5);
  CHECK(t.history().back().values().size() == 2 + loss.term_names().size());
  CHECK(t.history().back().step == 5);
}

// Bit-for-bit equality of two tensor maps (memcmp: -0.0 vs 0.0 and NaN payloads count).
static void check_bit_identical(const std::map<std::string, Tensor>& got, const std::map<std::string, Tensor>& want) {
  REQUIRE(got.size() == want.size());
  for (const auto& [name, w] : want) {
    INFO(name);
    REQUIRE(got.count(name) == 1);
    REQUIRE(got.at(name).shape() == w.shape());
    std::vector<float> a = got.at(name).to_vector(), b = w.to_vector();
    CHECK(std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
  }
}

TEST_CASE("train: a checkpoint and its Adam state reload bit-identically") {
  TempDir d("ckpt");
  write_images(d, 2, 32, 32);
  Setup s;
  s.spec.depth_layers.clear(), s.spec.depth_layer_weights.clear();
  ds::TransferLoss loss = s.loss(&s.depth);
  ImageStream data(d.dir.string(), 32, 0);
  Trainer t(ds::fast_style_init("random", 0), loss, data, s.cfg, ds::Device::CPU);
  t.step(), t.step();  // two steps: both moments are non-zero and differ from one step's
  std::string ckpt = checkpoint_path(d.dir.string(), t.steps_done());
  CHECK(fs::path(ckpt).filename() == "step_000002.h5");
  t.save(ckpt, {{"style", ds::h5::AttrValue::string("test")}});
  CHECK(fs::exists(optim_path(ckpt)));
  CHECK(resolve_checkpoint(d.dir.string()) == ckpt);
  // fast and video take the folder as their model, as train --resume does (it was "is a directory");
  // the state file beside the checkpoint is refused naming the checkpoint to give.
  CHECK(ds::fast_style_file(d.dir.string()) == ckpt);
  std::string optim_error = dst::error_of([&] { ds::load_fast_style(optim_path(ckpt), ds::Device::CPU); });
  CHECK(dst::contains(optim_error, "is the optimiser state of a training checkpoint, not a model: give " + ckpt));

  ds::WeightFile f = ds::load_weights(ckpt, kArch);
  CHECK(f.attr_number("step") == 2);
  CHECK(f.attr_string("style") == "test");
  check_bit_identical(f.params, t.net().params().tensors());
  ds::FastStyleNet loaded = ds::load_fast_style(ckpt, ds::Device::CPU);
  Tensor x = ds::Rng(5).uniform_tensor({1, 3, 36, 28}, 0, 1);
  ds::NoGradGuard ng;
  CHECK(loaded.forward(Var(x)).value().to_vector() == t.net().forward(Var(x)).value().to_vector());

  // The state file: every moment bit for bit, the history rows as float32, the counters.
  ds::WeightFile o = ds::load_weights(optim_path(ckpt), "fast_style_adam_state");
  std::map<std::string, Tensor> moments = o.params;
  Tensor history = moments.at("history");
  moments.erase("history");
  std::map<std::string, Tensor> want = t.adam_state();
  check_bit_identical(moments, want);
  REQUIRE(history.shape() == ds::Shape{2, static_cast<int64_t>(t.history()[0].values().size())});
  for (int64_t r = 0; r < 2; ++r) {
    std::vector<double> row = t.history()[static_cast<size_t>(r)].values();
    for (int64_t c = 0; c < history.shape()[1]; ++c)
      CHECK(history.at({r, c}) == static_cast<float>(row[static_cast<size_t>(c)]));
  }
  CHECK(o.attr_number("step") == 2);
  CHECK(o.attr_number("cursor") == t.cursor());

  // Resuming restores the same bits into a fresh trainer.
  ImageStream data2(d.dir.string(), 32, 0);
  Trainer r(ds::fast_style_init("random", 1), loss, data2, s.cfg, ds::Device::CPU);
  r.resume(ckpt);
  check_bit_identical(r.adam_state(), want);
  check_bit_identical(r.net().params().tensors(), t.net().params().tensors());
  CHECK(r.steps_done() == 2);
  CHECK(r.cursor() == t.cursor());
}

TEST_CASE("train: 2 steps + resume + 2 steps equals 4 uninterrupted steps exactly") {
  TempDir d("resume");
  write_images(d, 3, 40, 36);
  Setup s;
  ds::TransferLoss loss = s.loss(&s.depth);
  auto run = [&](int steps, const std::string& resume_from, const std::string& save_to) {
    ImageStream data(d.dir.string(), 32, 4);
    Trainer t(ds::fast_style_init("random", 4), loss, data, s.cfg, ds::Device::CPU);
    if (!resume_from.empty()) t.resume(resume_from);
    while (t.steps_done() < steps) t.step();
    if (!save_to.empty()) t.save(save_to, {});
    return std::make_pair(t.net().params().tensors(), t.history());
  };
  auto [straight, straight_hist] = run(4, "", "");
  std::string ckpt = checkpoint_path(d.dir.string(), 2);
  run(2, "", ckpt);
  auto [resumed, resumed_hist] = run(4, ckpt, "");
  REQUIRE(straight.size() == resumed.size());
  for (const auto& [name, value] : straight) {
    INFO(name);
    CHECK(value.to_vector() == resumed.at(name).to_vector());
  }
  REQUIRE(resumed_hist.size() == 4);
  CHECK(static_cast<float>(resumed_hist[1].terms.total) == static_cast<float>(straight_hist[1].terms.total));  // restored (float32)
  CHECK(resumed_hist[3].terms.total == straight_hist[3].terms.total);  // recomputed
  CHECK(resumed_hist[1].terms.depth == static_cast<float>(straight_hist[1].terms.depth));  // named on restore too
}

TEST_CASE("train: bad inputs give clear errors") {
  TempDir d("errors");
  Setup s;
  s.spec.depth_layers.clear(), s.spec.depth_layer_weights.clear();

  SUBCASE("empty folder, or not a folder") {
    CHECK_THROWS_WITH_AS(ImageStream(d.dir.string(), 32, 0), doctest::Contains("no image files"), Error);
    CHECK_THROWS_WITH_AS(ImageStream(d.file("nope"), 32, 0), doctest::Contains("not a folder"), Error);
  }
  SUBCASE("unreadable images are skipped; none readable is an error") {
    std::ofstream(d.file("bad.jpg")) << "not an image";
    ImageStream only_bad(d.dir.string(), 32, 0);
    int64_t cursor = 0;
    CHECK_THROWS_WITH_AS(only_bad.next_batch(2, cursor), doctest::Contains("no readable training image"), Error);
    write_images(d, 1, 20, 24);  // smaller than the crop: scaled up
    ImageStream mixed(d.dir.string(), 32, 0);
    cursor = 0;
    Tensor b = mixed.next_batch(3, cursor);
    CHECK(b.shape() == ds::Shape{3, 3, 32, 32});
    CHECK(cursor >= 3);
  }
  SUBCASE("a checkpoint of another architecture") {
    std::map<std::string, Tensor> p;
    for (const auto& [name, shape] : ds::squeezenet1_1_param_shapes(false)) p[name] = ds::synthetic_param(name, shape);
    std::string other = d.file("squeeze.h5");
    ds::save_weights(other, "squeezenet1_1_features", p);
    CHECK_THROWS_WITH_AS(ds::fast_style_init(other, 0), doctest::Contains("architecture"), Error);
    OneImageRun r(d, s);
    CHECK_THROWS_WITH_AS(r.trainer.resume(other), doctest::Contains("architecture"), Error);
    CHECK_THROWS_WITH_AS(ds::fast_style_init("no_such_style", 0), doctest::Contains("unknown model 'no_such_style'"), Error);
  }
  SUBCASE("resume with other data settings, or without optimiser state") {
    OneImageRun r(d, s);
    Trainer& t = r.trainer;
    std::string ckpt = d.file("c.h5");
    t.save(ckpt, {});
    s.cfg.batch_size = 3;
    Trainer other(ds::fast_style_init("random", 0), r.loss, r.data, s.cfg, ds::Device::CPU);
    CHECK_THROWS_WITH_AS(other.resume(ckpt), doctest::Contains("--batch-size 2"), Error);
    fs::remove(optim_path(ckpt));
    CHECK_THROWS_WITH_AS(t.resume(ckpt), doctest::Contains("no optimiser state"), Error);
  }
  SUBCASE("resume from a checkpoint whose weights or Adam moments hold NaN (a diverged run)") {
    OneImageRun r(d, s);
    Trainer& t = r.trainer;
    t.step();
    std::string ckpt = d.file("c.h5");
    t.save(ckpt, {});
    auto poison = [](const std::string& file, const std::string& param) {  // rewrite with one NaN, attributes kept
      ds::WeightFile f = ds::load_weights(file, "");
      std::map<std::string, ds::h5::AttrValue> attrs = f.attrs;
      attrs.erase("architecture"), attrs.erase("format_version");
      f.params.at(param).data()[3] = std::numeric_limits<float>::quiet_NaN();
      ds::save_weights(file, f.architecture, f.params, attrs);
    };
    poison(optim_path(ckpt), "v.res1.conv1.weight");
    std::string msg = dst::error_of([&] { t.resume(ckpt); });
    CHECK(dst::contains(msg, optim_path(ckpt)));
    CHECK(dst::contains(msg, "'v.res1.conv1.weight' holds 1 NaN value"));
    poison(ckpt, "in3.bias");
    msg = dst::error_of([&] { t.resume(ckpt); });
    CHECK(dst::contains(msg, ckpt + "': 1 parameter is not finite"));
    CHECK(dst::contains(msg, "'in3.bias' holds 1 NaN value (of 128)"));
  }
  SUBCASE("a depth loss without a depth network") {
    CHECK_THROWS_WITH_AS(s.loss(nullptr), doctest::Contains("depth network"), Error);
  }
}

TEST_CASE("train: a loss that is not finite stops with a clear error before the weights change") {
  TempDir d("nan");
  write_images(d, 2, 32, 32);
  Setup s;
  s.spec.depth_weight = 0, s.spec.depth_layers.clear(), s.spec.depth_layer_weights.clear();
  s.spec.tv_weight = NAN;  // as a loss term that overflowed would be
  ds::TransferLoss loss = s.loss(nullptr);
  ImageStream data(d.dir.string(), 32, 0);
  Trainer t(ds::fast_style_init("random", 0), loss, data, s.cfg, ds::Device::CPU);
  std::vector<float> before = t.net().params().get("conv1.weight").value().to_vector();
  CHECK_THROWS_WITH_AS(t.step(), doctest::Contains("the loss became nan at step 1"), Error);
  CHECK(t.steps_done() == 0);
  CHECK(t.history().empty());
  CHECK(t.net().params().get("conv1.weight").value().to_vector() == before);
}
