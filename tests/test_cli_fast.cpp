// `depthstyle fast` through its core functions (apps/fast/fast.h): resolving MODEL, the errors
// for bad inputs, folder mode, and resizing. Most use a transformer with synthetic weights;
// the ones that need the prepared data folder say "skipped: no data" without it.
#include <doctest/doctest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

#include "apps/fast/fast.h"
#include "nn/pretrained.h"
#include "tensor/image_io.h"
#include "tests/check.h"
#include "weights/weights.h"

namespace fs = std::filesystem;
using ds::Tensor;

namespace {

// A fresh, empty folder for one test, removed afterwards.
struct TempDir {
  fs::path dir;
  explicit TempDir(const std::string& name)
      : dir(fs::temp_directory_path() / "depthstyle-tests" / (name + "_" + std::to_string(getpid()))) {
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  ~TempDir() { fs::remove_all(dir); }
  std::string file(const std::string& name) const { return (dir / name).string(); }
};

// Points the prepared data folder elsewhere for one scope.
struct PreparedDirOverride {
  std::string old;
  bool had;
  explicit PreparedDirOverride(const std::string& dir) : had(std::getenv("DEPTHSTYLE_PREPARED") != nullptr) {
    if (had) old = std::getenv("DEPTHSTYLE_PREPARED");
    setenv("DEPTHSTYLE_PREPARED", dir.c_str(), 1);
  }
  ~PreparedDirOverride() {
    if (had) setenv("DEPTHSTYLE_PREPARED", old.c_str(), 1);
    else unsetenv("DEPTHSTYLE_PREPARED");
  }
};

using dst::contains;
using dst::error_of;

ds::FastStyleNet synthetic_net() {
  std::map<std::string, Tensor> m;
  for (const auto& [name, shape] : ds::FastStyleNet::param_shapes()) m[name] = ds::synthetic_param(name, shape);
  return ds::FastStyleNet(ds::ParamSet(m, "synthetic"));
}

Tensor test_image(int64_t h, int64_t w) {
  Tensor t = Tensor::empty({1, 3, h, w});
  for (int64_t i = 0; i < t.numel(); ++i) t.data()[i] = static_cast<float>(0.5 + 0.4 * std::sin(0.37 * i));
  return t;
}

}  // namespace

TEST_CASE("fast: an unknown style name is an error listing the pretrained names") {
  std::string msg = error_of([] { ds::load_fast_style("starry", ds::Device::CPU); });
  CHECK(contains(msg, "unknown model 'starry'"));  // a model, not a style: it was "unknown style"
  CHECK(contains(msg, "a train -o folder"));
  for (const std::string& n : ds::fast_style_names()) CHECK(contains(msg, n));
}

TEST_CASE("fast: a style whose prepared file is missing says to run scripts/setup") {
  TempDir t("fast_missing_style");
  PreparedDirOverride o(t.dir.string());
  std::string msg = error_of([] { ds::load_fast_style("wave", ds::Device::CPU); });
  CHECK(contains(msg, "fast_style_wave.h5"));
  CHECK(contains(msg, "scripts/setup"));
}

TEST_CASE("fast: a weight file of another architecture is refused, naming the architecture") {
  TempDir t("fast_other_arch");
  std::string path = t.file("squeeze.h5");
  ds::save_weights(path, "squeezenet1_1", {{"features.0.weight", Tensor::zeros({64, 3, 3, 3})}});
  std::string msg = error_of([&] { ds::load_fast_style(path, ds::Device::CPU); });
  CHECK(contains(msg, path));
  CHECK(contains(msg, "squeezenet1_1"));
  CHECK(contains(msg, "fast_style_tf"));
}

TEST_CASE("fast: the prepared squeezenet1_1.h5 is refused as a style model") {
  std::string path = ds::prepared_dir() + "/weights/squeezenet1_1.h5";
  if (!fs::exists(path)) {
    MESSAGE("skipped: no data (" << path << " is missing; run scripts/setup)");
    std::printf("skipped: no data (%s is missing; run scripts/setup)\n", path.c_str());
    return;
  }
  std::string msg = error_of([&] { ds::load_fast_style(path, ds::Device::CPU); });
  CHECK(contains(msg, "architecture is 'squeezenet1_1'"));
}

TEST_CASE("fast: a fast_style_tf file with a missing parameter is refused, naming it") {
  TempDir t("fast_missing_param");
  std::map<std::string, Tensor> m;
  for (const auto& [name, shape] : ds::FastStyleNet::param_shapes())
    if (name != "res3.in2.bias") m[name] = Tensor::zeros(shape);
  std::string path = t.file("broken.h5");
  ds::save_weights(path, "fast_style_tf", m);
  std::string msg = error_of([&] { ds::load_fast_style(path, ds::Device::CPU); });
  CHECK(contains(msg, "res3.in2.bias"));
  CHECK(contains(msg, path));
}

TEST_CASE("fast: a missing image, an empty folder and a file given as output folder are clear errors") {
  TempDir t("fast_bad_inputs");
  std::string msg = error_of([&] { ds::app::image_jobs(t.file("nope.jpg"), t.file("out.png")); });
  CHECK(contains(msg, "nope.jpg: no such image or folder"));

  fs::create_directories(t.dir / "empty");
  std::ofstream(t.file("empty/notes.txt")) << "not an image";
  msg = error_of([&] { ds::app::image_jobs(t.file("empty"), t.file("out")); });
  CHECK(contains(msg, "holds no image files; expected PNG, JPEG or binary PGM/PPM (.png .jpg .jpeg .pgm .ppm)"));

  std::ofstream(t.file("empty/a.png")) << "x";
  std::ofstream(t.file("taken")) << "a file";
  msg = error_of([&] { ds::app::image_jobs(t.file("empty"), t.file("taken")); });
  CHECK(contains(msg, "-o names the output folder"));
}

TEST_CASE("fast: a folder gives one job per image, sorted by name, each writing a PNG") {
  TempDir t("fast_jobs");
  for (const char* n : {"b.JPG", "a.png", "c.ppm", "a.jpeg", "readme.md"}) std::ofstream(t.file(n)) << "x";
  fs::create_directories(t.dir / "sub.png");  // a folder, not an image
  std::vector<ds::app::ImageJob> jobs = ds::app::image_jobs(t.dir.string(), "out");
  REQUIRE(jobs.size() == 4);
  CHECK(jobs[0].input == t.file("a.jpeg"));
  CHECK(jobs[0].output == "out/a_jpeg.png");  // two inputs named a.*: the extension keeps them apart
  CHECK(jobs[1].output == "out/a_png.png");
  CHECK(jobs[2].output == "out/b.png");
  CHECK(jobs[3].output == "out/c.png");

  std::vector<ds::app::ImageJob> one = ds::app::image_jobs(t.file("c.ppm"), "x.png");
  REQUIRE(one.size() == 1);
  CHECK(one[0].output == "x.png");
}

// a.png and a.PNG differ only in the extension's case: their results must differ too (they both
// became a_png.png, refused by the output check without naming the inputs); a clash that is left
// (a_png.png beside a.png + a.jpg) is refused naming both inputs.
TEST_CASE("image_jobs: same-stem images keep their extension as written, a remaining clash names both inputs") {
  TempDir t("image_jobs_clash");
  for (const char* n : {"a.png", "a.PNG"}) std::ofstream(t.file(n)) << "x";
  std::vector<ds::app::ImageJob> jobs = ds::app::image_jobs(t.dir.string(), "out");
  REQUIRE(jobs.size() == 2);
  CHECK(jobs[0].output == "out/a_PNG.png");
  CHECK(jobs[1].output == "out/a_png.png");

  TempDir u("image_jobs_clash2");
  for (const char* n : {"a.png", "a.jpg", "a_png.png"}) std::ofstream(u.file(n)) << "x";
  std::string msg = error_of([&] { ds::app::image_jobs(u.dir.string(), "out"); });
  CHECK(contains(msg, "refusing to write out/a_png.png: both " + u.file("a.png") + " and " + u.file("a_png.png")));
}

TEST_CASE("fast: the long side is resized to --size with the aspect ratio kept") {
  CHECK(ds::fast_size(474, 712, 256) == std::pair<int64_t, int64_t>(170, 256));
  CHECK(ds::fast_size(712, 474, 256) == std::pair<int64_t, int64_t>(256, 170));
  CHECK(ds::fast_size(474, 712, 0) == std::pair<int64_t, int64_t>(474, 712));
  CHECK(ds::fast_size(10, 1000, 100) == std::pair<int64_t, int64_t>(4, 100));  // the transformer's minimum

  ds::FastStyleNet net = synthetic_net();
  Tensor y = ds::stylize_fast(net, test_image(21, 30), 16);
  CHECK(y.shape() == ds::Shape{1, 3, 11, 16});
  CHECK(ds::stylize_fast(net, test_image(21, 30), 0).shape() == ds::Shape{1, 3, 21, 30});
}

TEST_CASE("fast: an unreadable image in a folder is skipped, the others written, and the failure counted") {
  TempDir t("fast_run");
  fs::create_directories(t.dir / "in");
  ds::save_image(t.file("in/good1.png"), test_image(12, 10));
  ds::save_image(t.file("in/good2.png"), test_image(9, 14));
  std::ofstream(t.file("in/broken.jpg")) << "not a jpeg";
  std::vector<ds::app::ImageJob> jobs = ds::app::image_jobs(t.file("in"), t.file("out"));
  REQUIRE(jobs.size() == 3);
  CHECK(ds::app::run_fast_jobs(synthetic_net(), jobs, 0) == 1);
  CHECK_FALSE(fs::exists(t.file("out/broken.png")));
  CHECK(ds::load_image_rgb(t.file("out/good1.png")).shape() == ds::Shape{1, 3, 12, 10});
  CHECK(ds::load_image_rgb(t.file("out/good2.png")).shape() == ds::Shape{1, 3, 9, 14});
}

TEST_CASE("fast: la_muse by name stylises a real image") {
  if (!fs::exists(ds::prepared_dir() + "/weights/fast_style_la_muse.h5") ||
      !fs::exists(ds::prepared_dir() + "/images/content/coffee.png")) {
    MESSAGE("skipped: no data (la_muse weights or coffee.png missing under " << ds::prepared_dir() << ")");
    std::printf("skipped: no data (la_muse weights or coffee.png missing under %s)\n", ds::prepared_dir().c_str());
    return;
  }
  ds::FastStyleNet net = ds::load_fast_style("la_muse", ds::Device::CPU);
  Tensor img = ds::load_image_rgb(ds::prepared_dir() + "/images/content/coffee.png");
  Tensor y = ds::stylize_fast(net, img, 96);
  CHECK(std::max(y.H(), y.W()) == 96);
  std::vector<float> v = y.to_vector();
  auto [lo, hi] = std::minmax_element(v.begin(), v.end());
  // tanh*150 + 127.5 on the 0..255 scale stays within [-22.5, 277.5] (tanh saturates to +-1 in
  // float32, so the bounds are reached); a real stylisation spans most of it.
  CHECK(*lo >= -22.5f / 255);
  CHECK(*hi <= 277.5f / 255);
  CHECK(*hi - *lo > 0.5f);
}

TEST_CASE("fast: the note for a size raised to the transformer's minimum says the aspect ratio changes only when it does") {
  // New-user finding 12 (fourth pass): a 256x256 photo at --size 40 through a model whose minimum
  // is 41 px ran at 41x41 and was said to change its aspect ratio.
  CHECK(ds::app::raised_size_note({40, 40}, {40, 40}, 4).empty());
  CHECK(ds::app::raised_size_note({40, 40}, {41, 41}, 41) == "would be 40x40; run at 41x41, the transformer's minimum of 41 px a side");
  CHECK(ds::app::raised_size_note({2, 40}, {4, 40}, 4) ==
        "would be 40x2; run at 40x4, the transformer's minimum of 4 px a side (the aspect ratio changes)");
  CHECK(ds::app::raised_size_note({20, 40}, {41, 82}, 41) ==
        "would be 40x20; run at 82x41, the transformer's minimum of 41 px a side");  // 2:1 both
}
